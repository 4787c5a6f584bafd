// End to end, under Xvfb: the real interleave runs L2, L5 and L8 with --screenshot, and the pictures must show the
// expected lanes and state colours.
#include "timeline/state_palette.h"

#include <QColor>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <utility>

namespace interleave::ui {
namespace {

// Runs the real app under a private X server and returns the app's own exit status. xvfb-run's status is not used:
// it can say 5 when it fails to tidy its temporary directory after a very quick app, whatever the app said.
int runApp(const std::string& arguments, const std::string& errorsFile = "/dev/null") {
    QTemporaryDir scratch;
    const std::string statusFile = scratch.filePath(QStringLiteral("status")).toStdString();
    const std::string inner = std::string(INTERLEAVE_GUI_PATH) + " " + arguments + " > /dev/null 2> " + errorsFile +
                              "; echo $? > " + statusFile;
    const std::string command = "xvfb-run -a -s '-screen 0 1920x1080x24' sh -c '" + inner + "' > /dev/null 2>&1";
    std::system(command.c_str());
    QFile status(QString::fromStdString(statusFile));
    if (!status.open(QIODevice::ReadOnly)) {
        return -1; // the app never ran
    }
    return status.readAll().trimmed().toInt();
}

std::size_t pixelsNear(const QImage& image, const QColor& colour) {
    std::size_t count = 0;
    for (int y = 0; y < image.height(); ++y) {
        const auto* line = reinterpret_cast<const QRgb*>(image.constScanLine(y));
        for (int x = 0; x < image.width(); ++x) {
            const QColor pixel(line[x]);
            if (std::abs(pixel.red() - colour.red()) + std::abs(pixel.green() - colour.green()) +
                    std::abs(pixel.blue() - colour.blue()) <
                12) {
                ++count;
            }
        }
    }
    return count;
}

class GuiEndToEnd : public ::testing::Test {
protected:
    void SetUp() override {
        if (std::system("command -v xvfb-run > /dev/null 2>&1") != 0) {
            GTEST_SKIP() << "xvfb-run is not installed";
        }
        ASSERT_TRUE(m_dir.isValid());
        qputenv("XDG_CONFIG_HOME", m_dir.path().toUtf8()); // fresh settings for every run
    }
    QImage screenshot(const std::string& name, const std::string& arguments) {
        QDir().mkpath(QStringLiteral(INTERLEAVE_SCREENSHOT_DIR));
        const QString path = QDir(QStringLiteral(INTERLEAVE_SCREENSHOT_DIR)).filePath(QString::fromStdString(name));
        QFile::remove(path);
        EXPECT_EQ(runApp(arguments + " --screenshot " + path.toStdString() + " --quit-when-done"), 0);
        QImage image(path);
        EXPECT_FALSE(image.isNull()) << "no screenshot at " << path.toStdString();
        return image.convertToFormat(QImage::Format_RGB32);
    }
    // Writes `text` to a file of the scratch directory; returns its path.
    std::string scratchFile(const char* name, const char* text) {
        const QString path = m_dir.filePath(QLatin1String(name));
        QFile file(path);
        EXPECT_TRUE(file.open(QIODevice::WriteOnly));
        file.write(text);
        return path.toStdString();
    }
    // Runs the app expecting it to refuse something: its exit status, and what it wrote on stderr.
    std::pair<int, QByteArray> refusal(const std::string& arguments) {
        const QString errors = m_dir.filePath(QStringLiteral("errors.txt"));
        const int status = runApp(arguments + " --quit-when-done", errors.toStdString());
        QFile output(errors);
        return {status, output.open(QIODevice::ReadOnly) ? output.readAll() : QByteArray()};
    }
    QTemporaryDir m_dir;
};

TEST_F(GuiEndToEnd, GatherShowsOverlappingIoWaits) {
    const QImage image = screenshot("l2.png", "--lesson L2 --set requests=6 --set latency_ms=150 --run");
    ASSERT_FALSE(image.isNull());
    EXPECT_GT(pixelsNear(image, StatePalette(false).color(core::TaskState::WaitingIo)), 2000U);
}

TEST_F(GuiEndToEnd, GilLessonShowsWaitingForTheGil) {
    const QImage image = screenshot("l5.png", "--lesson L5 --variant threads+GIL --set tasks=2 --set cpu_ms=80 --run");
    ASSERT_FALSE(image.isNull());
    EXPECT_GT(pixelsNear(image, StatePalette(false).color(core::TaskState::WaitingGil)), 500U);
    EXPECT_GT(pixelsNear(image, StatePalette(false).color(core::TaskState::Running)), 500U);
}

TEST_F(GuiEndToEnd, BackpressureShowsTheBlockedProducerAndWritesFrameStats) {
    const QString stats = m_dir.filePath(QStringLiteral("frames.json"));
    const QImage image = screenshot(
        "l8.png", "--lesson L8 --variant bounded-queue --set items=600 --run --frame-stats " + stats.toStdString());
    ASSERT_FALSE(image.isNull());
    EXPECT_GT(pixelsNear(image, StatePalette(false).color(core::TaskState::Blocked)), 300U);
    QFile file(stats);
    ASSERT_TRUE(file.open(QIODevice::ReadOnly));
    const QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
    EXPECT_GT(json.value(QStringLiteral("frames")).toInt(), 3); // a few frames at least, even in a sanitizer build
    EXPECT_TRUE(json.contains(QStringLiteral("p99")));
}

// L13's deadlock: the cycle is drawn over the timeline, an arrow from each waiting thread to the lane of the thread
// that holds its lock, each named ("waits for b"), in the deadlock marker's colour. The two markers alone are a few
// dozen pixels of it; the arrows and their boxed names are hundreds.
TEST_F(GuiEndToEnd, ADeadlocksCycleIsDrawnAsArrowsBetweenTheLanes) {
    const QImage image = screenshot("l13-deadlock.png", "--lesson L13 --variant opposite-order --run");
    ASSERT_FALSE(image.isNull());
    const std::size_t cycle = pixelsNear(image, StatePalette(false).markerColor(core::MarkerKind::Deadlock));
    EXPECT_GT(cycle, 400U);
}

// A sweep of L15's pool: the sweep chart fills in, its measured line and points in the charts' first colour, the
// theory beside it in their second.
TEST_F(GuiEndToEnd, ASweepDrawsItsChartBesideTheTheory) {
    const QImage image =
        screenshot("l15-sweep.png", "--lesson L15 --variant pool --set calls=8 --set call_ms=20 --sweep");
    ASSERT_FALSE(image.isNull());
    EXPECT_GT(pixelsNear(image, QColor(0x00, 0x72, 0xb2)), 400U); // measured makespan and throughput
    EXPECT_GT(pixelsNear(image, QColor(0xd5, 0x5e, 0x00)), 200U); // the theory
}

// L16: the summary shows where each variant's time went, a stacked bar per variant with a colour per stage (quote,
// payment, database, routes, ...: the stage chart's first four colours).
TEST_F(GuiEndToEnd, FoodDeliveryShowsWhereTheTimeWentStageByStage) {
    const QImage image = screenshot("l16-food-delivery.png", "--lesson L16 --run");
    ASSERT_FALSE(image.isNull());
    for (const QColor& stage :
         {QColor(0xCC, 0x66, 0x77), QColor(0xDD, 0xCC, 0x77), QColor(0x33, 0x22, 0x88), QColor(0x99, 0x99, 0x33)}) {
        EXPECT_GT(pixelsNear(image, stage), 100U) << stage.name().toStdString(); // the legend swatch and the bars
    }
}

// L17 on its private Redis: worker lanes, the redelivery markers (the killed worker's job, the poison job's) and the
// dead-letter marker are on screen.
TEST_F(GuiEndToEnd, TaskQueueShowsTheRedeliveryAndTheDeadLetter) {
    const QImage image = screenshot("l17-task-queue.png", "--lesson L17 --run");
    ASSERT_FALSE(image.isNull());
    EXPECT_GT(pixelsNear(image, QColor(0xEE, 0x33, 0x77)), 20U) << "no redelivery marker";
    EXPECT_GT(pixelsNear(image, QColor(0x33, 0x22, 0x88)), 10U) << "no dead-letter marker";
}

// L8 run in the engine and in CPython (--python): each variant's CPython block below it, on one time axis.
TEST_F(GuiEndToEnd, BackpressureRunsInTheEngineAndInCPython) {
    // One variant, so that both blocks fit: its workers wait on I/O in both (what is in each block is checked by
    // MainWindowPython.RunInCPythonDrawsTheListingBelowTheVariant).
    const QImage image =
        screenshot("l8-engine-and-cpython.png", "--lesson L8 --variant bounded-queue --set items=400 --run --python");
    ASSERT_FALSE(image.isNull());
    EXPECT_GT(pixelsNear(image, StatePalette(false).background(core::TaskState::WaitingIo)), 20000U);
}

// Large live runs, all variants: the window must keep answering. The stall watch in --frame-stats (a 5 ms heartbeat
// on the GUI thread, from Run until after the results are shown) fails the test on any gap over a second.
TEST_F(GuiEndToEnd, LargeLiveRunsNeverFreezeTheWindow) {
    const std::pair<const char*, const char*> runs[] = {
        {"l6-10000.png", "--lesson L6 --set requests=10000 --set limit=1000 --run"},
        {"l8-20000.png", "--lesson L8 --set items=20000 --set workers=200 --run"},
    };
    for (const auto& [name, arguments] : runs) {
        const QString stats = m_dir.filePath(QStringLiteral("frames.json"));
        QFile::remove(stats);
        const QImage image = screenshot(name, std::string(arguments) + " --frame-stats " + stats.toStdString());
        ASSERT_FALSE(image.isNull()) << arguments;
        QFile file(stats);
        ASSERT_TRUE(file.open(QIODevice::ReadOnly)) << arguments;
        const QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
        EXPECT_GT(json.value(QStringLiteral("frames")).toInt(), 3) << arguments;
        ASSERT_TRUE(json.contains(QStringLiteral("longest_stall_ms"))) << arguments;
        EXPECT_LT(json.value(QStringLiteral("longest_stall_ms")).toDouble(), 1000.0) << arguments;
        EXPECT_GE(json.value(QStringLiteral("first_frame_ms")).toDouble(), 0.0) << arguments << ": never drew data";
    }
}

TEST_F(GuiEndToEnd, PresenterModeScreenshot) {
    const QImage image =
        screenshot("l2-presenter.png", "--lesson L2 --set requests=6 --set latency_ms=150 --run --presenter");
    ASSERT_FALSE(image.isNull());
    EXPECT_GT(pixelsNear(image, StatePalette(true).background(core::TaskState::WaitingIo)), 2000U);
}

TEST_F(GuiEndToEnd, ABadLessonFileIsReportedWithItsPlace) {
    const std::string bad = scratchFile("bad.yaml", "id: broken\nnumber: 42\ntitle: [unclosed\n");
    const auto [status, errors] = refusal("--lesson " + bad);
    EXPECT_EQ(status, 2);
    EXPECT_TRUE(errors.contains("bad.yaml:4:1:")) << errors.toStdString();
}

// A real node trace (node --trace-events-enabled), opened in the app: its threads and async operations are lanes.
TEST_F(GuiEndToEnd, ANodeTraceOpensInTheApp) {
    if (std::system("command -v node > /dev/null 2>&1") != 0) {
        GTEST_SKIP() << "node is not installed";
    }
    scratchFile("demo.js",
                "const fs = require('fs');\n"
                "const sleep = (ms) => new Promise((done) => setTimeout(done, ms));\n"
                "async function fetch(i) { await sleep(20 + 10 * i); return fs.promises.readFile(__filename); }\n"
                "(async () => { await Promise.all([0, 1, 2, 3].map(fetch)); let x = 0;\n"
                "  for (let i = 0; i < 3e6; ++i) { x += i; } await sleep(10); })();\n");
    const std::string record = "cd '" + m_dir.path().toStdString() +
                               "' && node --trace-events-enabled --trace-event-categories "
                               "node,node.async_hooks,v8 demo.js > /dev/null 2>&1";
    ASSERT_EQ(std::system(record.c_str()), 0);
    const QString trace = m_dir.filePath(QStringLiteral("node_trace.1.log"));
    ASSERT_TRUE(QFile::exists(trace));
    const QImage image = screenshot("node-trace.png", trace.toStdString());
    ASSERT_FALSE(image.isNull());
    EXPECT_GT(pixelsNear(image, StatePalette(false).color(core::TaskState::Running)), 200U);
    EXPECT_GT(pixelsNear(image, StatePalette(false).color(core::TaskState::WaitingIo)), 200U);
}

// A hand-written VizTracer trace of an asyncio program: each task is a lane.
TEST_F(GuiEndToEnd, AVizTracerTraceOpensInTheApp) {
    const QImage image =
        screenshot("viztracer-trace.png", std::string(INTERLEAVE_TEST_DATA_DIR) + "/viztracer_asyncio.json");
    ASSERT_FALSE(image.isNull());
    EXPECT_GT(pixelsNear(image, StatePalette(false).color(core::TaskState::Running)), 200U);
}

// A run saved from the app reopens from the command line, as a double-clicked file would.
TEST_F(GuiEndToEnd, ARunFileOpensFromTheCommandLine) {
    const QString path = m_dir.filePath(QStringLiteral("l2.interleave"));
    // interleave-cli saves the same run files the app does.
    const std::string save = std::string(INTERLEAVE_CLI_PATH) +
                             " run L2 --set requests=4 --set latency_ms=100 --save " + path.toStdString() +
                             " > /dev/null 2>&1";
    ASSERT_EQ(std::system(save.c_str()), 0);
    const QImage image = screenshot("l2-run-file.png", path.toStdString());
    ASSERT_FALSE(image.isNull());
    EXPECT_GT(pixelsNear(image, StatePalette(false).color(core::TaskState::WaitingIo)), 2000U);
}

TEST_F(GuiEndToEnd, AMalformedTraceIsRefusedWithItsPlace) {
    const std::string bad =
        scratchFile("bad.json", "{\"traceEvents\": [\n  {\"ph\": \"X\", \"ts\": 1, \"dur\": 2 \"pid\": 1}\n]}\n");
    const auto [status, errors] = refusal(bad);
    EXPECT_EQ(status, 2);
    EXPECT_TRUE(errors.contains("line 2")) << errors.toStdString();
}

} // namespace
} // namespace interleave::ui
