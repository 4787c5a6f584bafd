// Save Run and Open Run through the main window: the opened run shows the same variants, traces, report, view and
// playhead as the one saved; a bad file is refused and leaves the window as it was.
#include "app/main_window.h"
#include "app/trace_import_job.h"
#include "charts/sweep_chart.h"
#include "io/run_file.h"
#include "timeline/timeline_view.h"

#include <QAction>
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTest>

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

namespace interleave::ui {
namespace {

QString tempPath(const char* name) {
    return QDir::temp().filePath(
        QStringLiteral("interleave-ui-%1-%2").arg(QCoreApplication::applicationPid()).arg(QLatin1String(name)));
}

TEST(RunFiles, ASavedRunReopensAsItWasShown) {
    AppOptions options;
    options.lesson = QStringLiteral("L2");
    options.settings = {{"requests", "3"}, {"latency_ms", "20"}};
    options.run = true;
    MainWindow window(options);
    window.resize(1400, 900);
    window.show();
    window.startFromOptions();
    ASSERT_TRUE(QTest::qWaitFor([&] { return !window.controller().isRunning(); }, 10'000));
    auto* timeline = window.findChild<TimelineView*>();
    ASSERT_NE(timeline, nullptr);
    timeline->setLaneMode(LaneMode::ByWorker);
    timeline->setVisibleRange(5'000'000, 40'000'000);
    const QString path = tempPath("saved.interleave");
    ASSERT_TRUE(window.saveRunTo(path));

    MainWindow reopened(AppOptions{});
    reopened.resize(1400, 900);
    reopened.show();
    ASSERT_TRUE(reopened.openRunFile(path));
    const auto& before = window.controller().slots();
    const auto& after = reopened.controller().slots();
    ASSERT_EQ(after.size(), before.size());
    for (std::size_t i = 0; i < before.size(); ++i) {
        EXPECT_TRUE(after[i]->finished);
        EXPECT_EQ(after[i]->name, before[i]->name);
        const core::Trace& a = before[i]->result.trace;
        const core::Trace& b = after[i]->result.trace;
        ASSERT_EQ(a.events.size(), b.events.size());
        EXPECT_EQ(std::memcmp(a.events.data(), b.events.data(), a.events.size() * sizeof(core::Event)), 0);
        EXPECT_EQ(after[i]->timeline.spanCount(), before[i]->timeline.spanCount());
    }
    // The same report (figures and verdicts), parameters and view.
    const core::LessonReport& savedReport = window.controller().report();
    const core::LessonReport& openedReport = reopened.controller().report();
    ASSERT_EQ(openedReport.variants.size(), savedReport.variants.size());
    for (std::size_t i = 0; i < savedReport.variants.size(); ++i) {
        EXPECT_DOUBLE_EQ(openedReport.variants[i].makespanMs, savedReport.variants[i].makespanMs);
    }
    ASSERT_EQ(openedReport.expectations.size(), savedReport.expectations.size());
    for (std::size_t i = 0; i < savedReport.expectations.size(); ++i) {
        EXPECT_EQ(openedReport.expectations[i].verdict, savedReport.expectations[i].verdict);
    }
    EXPECT_EQ(reopened.controller().parameters(), window.controller().parameters());
    auto* reopenedTimeline = reopened.findChild<TimelineView*>();
    EXPECT_EQ(reopenedTimeline->laneMode(), LaneMode::ByWorker);
    EXPECT_EQ(reopenedTimeline->visibleStartNs(), 5'000'000);
    EXPECT_EQ(reopenedTimeline->visibleEndNs(), 40'000'000);

    // Replay works on the opened run.
    auto* play = reopened.findChild<QAction*>(QStringLiteral("playReplayAction"));
    ASSERT_NE(play, nullptr);
    ASSERT_TRUE(play->isEnabled());
    play->setChecked(true);
    ASSERT_TRUE(QTest::qWaitFor([&] { return !play->isChecked(); }, 5'000));
    EXPECT_GE(reopened.playheadNs(), 50'000'000);
    QFile::remove(path);
}

// A sweep saved and opened again is the same sweep: its runs by value, the chart's points, the theory.
TEST(RunFiles, ASavedSweepReopensWithItsChart) {
    AppOptions options;
    options.lesson = QStringLiteral("L15");
    options.settings = {{"calls", "4"}, {"call_ms", "5"}};
    options.sweep = true;
    MainWindow window(options);
    window.resize(1400, 900);
    window.show();
    window.startFromOptions();
    ASSERT_TRUE(QTest::qWaitFor([&] { return !window.controller().isRunning(); }, 20'000));
    ASSERT_TRUE(window.controller().sweep().has_value());
    const QString path = tempPath("sweep.interleave");
    ASSERT_TRUE(window.saveRunTo(path));

    MainWindow reopened(AppOptions{});
    reopened.show();
    ASSERT_TRUE(reopened.openRunFile(path));
    ASSERT_TRUE(reopened.controller().sweep().has_value());
    EXPECT_EQ(reopened.controller().sweep()->parameter, "workers");
    const auto& before = window.controller().slots();
    const auto& after = reopened.controller().slots();
    ASSERT_EQ(after.size(), before.size());
    ASSERT_EQ(after.size(), 7U); // 1, 2, 4, ... 64
    for (std::size_t i = 0; i < before.size(); ++i) {
        EXPECT_EQ(after[i]->name, before[i]->name);
        EXPECT_EQ(after[i]->sweepValue, before[i]->sweepValue);
        EXPECT_EQ(after[i]->theoryMs, before[i]->theoryMs);
        EXPECT_EQ(after[i]->variant, "pool");
    }
    auto* chart = reopened.findChild<SweepChart*>();
    ASSERT_NE(chart, nullptr);
    ASSERT_EQ(chart->points().size(), 7U);
    for (const SweepChart::Point& point : chart->points()) {
        EXPECT_TRUE(point.makespanMs.has_value());
        EXPECT_TRUE(point.theoryMs.has_value());
    }
    EXPECT_TRUE(reopened.controller().report().expectations.empty());
    QFile::remove(path);
}

TEST(RunFiles, ABadFileIsRefusedAndTheWindowKeepsWhatItShowed) {
    AppOptions options;
    options.quitWhenDone = true; // problems go to stderr instead of a modal dialog
    MainWindow window(options);
    const QString path = tempPath("bad.interleave");
    {
        std::ofstream out(path.toStdString(), std::ios::binary);
        out << "not a run";
    }
    EXPECT_FALSE(window.openRunFile(path));
    EXPECT_TRUE(window.controller().slots().empty());
    QFile::remove(path);
}

} // namespace
} // namespace interleave::ui

namespace interleave::ui {
namespace {

std::string readAll(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll().toStdString() : std::string();
}

// Export Data from the window: each format is written whole, with the columns the issue lists; a failed write says
// so and leaves the earlier file as it was.
TEST(RunFiles, ExportDataWritesSpansCountersAndChromeJson) {
    AppOptions options;
    options.lesson = QStringLiteral("L6");
    options.variants = {QStringLiteral("semaphore")};
    options.settings = {{"requests", "8"}, {"latency_ms", "10"}, {"limit", "3"}};
    options.run = true;
    options.quitWhenDone = true; // problems go to stderr instead of a modal dialog (nothing here quits)
    MainWindow window(options);
    window.startFromOptions();
    ASSERT_TRUE(QTest::qWaitFor([&] { return !window.controller().isRunning(); }, 10'000));

    const QString spans = tempPath("spans.csv");
    const QString counters = tempPath("counters.csv");
    const QString chrome = tempPath("trace.json");
    ASSERT_TRUE(window.exportDataTo(spans, MainWindow::DataFormat::SpansCsv));
    ASSERT_TRUE(window.exportDataTo(counters, MainWindow::DataFormat::CountersCsv));
    ASSERT_TRUE(window.exportDataTo(chrome, MainWindow::DataFormat::ChromeTrace));
    EXPECT_EQ(readAll(spans).rfind("variant,lane,task,state,start_ms,end_ms,primitive,line\n", 0), 0U);
    EXPECT_NE(readAll(spans).find("semaphore,"), std::string::npos);
    EXPECT_EQ(readAll(counters).rfind("variant,name,t_ms,value\n", 0), 0U);
    EXPECT_NE(readAll(counters).find("sem.in_use"), std::string::npos);
    EXPECT_EQ(readAll(chrome).rfind("{\"traceEvents\":[", 0), 0U);

    // A folder that is a file: refused, nothing replaced.
    const QString blocker = tempPath("blocker");
    {
        QFile file(blocker);
        ASSERT_TRUE(file.open(QIODevice::WriteOnly));
        file.write("x");
    }
    const std::string before = readAll(spans);
    EXPECT_FALSE(window.exportDataTo(blocker + QStringLiteral("/spans.csv"), MainWindow::DataFormat::SpansCsv));
    EXPECT_EQ(readAll(spans), before);
    for (const QString& path : {spans, counters, chrome, blocker}) {
        QFile::remove(path);
    }
}

// Open Trace reads on a thread: progress arrives, and Cancel stops it with nothing loaded.
TEST(RunFiles, ATraceImportReportsProgressAndCanBeCancelled) {
    const QString path = tempPath("big.json");
    {
        QFile file(path);
        ASSERT_TRUE(file.open(QIODevice::WriteOnly));
        file.write("[");
        const QByteArray event = R"({"ph":"X","name":"work","pid":1,"tid":1,"ts":1,"dur":1},)";
        for (int i = 0; i < 300'000; ++i) { // about 17 MB: several progress steps
            file.write(event);
        }
        file.write(R"({"ph":"X","name":"last","pid":1,"tid":1,"ts":2,"dur":1}])");
    }
    {
        TraceImportJob job(path);
        QSignalSpy finished(&job, &TraceImportJob::finished);
        job.start();
        ASSERT_TRUE(finished.wait(20'000));
        ASSERT_TRUE(job.result().has_value()) << job.error().toStdString();
        EXPECT_FALSE(job.cancelled());
        EXPECT_GT(job.result()->stats.events, 300'000U);
    }
    {
        TraceImportJob job(path);
        QSignalSpy finished(&job, &TraceImportJob::finished);
        job.cancel(); // as if Cancel was pressed before the first chunk was read
        job.start();
        ASSERT_TRUE(finished.wait(20'000));
        EXPECT_TRUE(job.cancelled());
        EXPECT_FALSE(job.result().has_value());
    }
    QFile::remove(path);
}

} // namespace
} // namespace interleave::ui
