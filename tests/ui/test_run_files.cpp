// Save Run and Open Run through the main window: the opened run shows the same variants, traces, report, view and
// playhead as the one saved; a bad file is refused and leaves the window as it was.
#include "app/main_window.h"
#include "io/run_file.h"
#include "timeline/timeline_view.h"

#include <QAction>
#include <QDir>
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
    qputenv("XDG_CONFIG_HOME", QByteArray("/tmp/interleave-ui-test-config"));
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

TEST(RunFiles, ABadFileIsRefusedAndTheWindowKeepsWhatItShowed) {
    qputenv("XDG_CONFIG_HOME", QByteArray("/tmp/interleave-ui-test-config"));
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
