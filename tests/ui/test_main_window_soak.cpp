// The main window under the abuse of a class: Run pressed again and again, Stop mid-run, lesson switches and Run All
// while a run is live. Under ASan (scripts/test asan) a view reading a dropped run's data fails here.
#include "app/main_window.h"
#include "timeline/timeline_view.h"

#include <QAction>
#include <QTest>

#include <gtest/gtest.h>

#include <array>
#include <random>

namespace interleave::ui {
namespace {

QAction* action(const MainWindow& window, const char* name) {
    auto* found = window.findChild<QAction*>(QLatin1String(name));
    EXPECT_NE(found, nullptr) << name;
    return found;
}

bool waitIdle(const MainWindow& window) {
    return QTest::qWaitFor([&] { return !window.controller().isRunning(); }, 30'000);
}

TEST(MainWindowSoak, TwentyRunsWithStopsSwitchesAndRunAllWhileLive) {
    AppOptions options;
    options.lesson = QStringLiteral("L2");
    MainWindow window(options);
    window.resize(1366, 768);
    window.show();
    window.startFromOptions();
    QAction* run = action(window, "runAction");
    QAction* runAll = action(window, "runAllAction");
    QAction* stop = action(window, "stopAction");
    ASSERT_TRUE(run && runAll && stop);

    const std::array<const char*, 5> lessons = {"L2", "L6", "L1", "L8", "L3"};
    std::mt19937 random(7);
    int stopped = 0;
    int switchedLive = 0;
    for (int round = 0; round < 20; ++round) {
        window.selectLesson(QLatin1String(lessons[static_cast<std::size_t>(round) % lessons.size()]));
        ASSERT_TRUE(waitIdle(window)) << "round " << round;
        (round % 3 == 0 ? runAll : run)->trigger();
        QTest::qWait(static_cast<int>(random() % 120));
        switch (round % 4) {
        case 0: // Run All again while live: ignored, the live run goes on
            runAll->trigger();
            break;
        case 1: // Stop mid-run, then Run at once
            if (window.controller().isRunning()) {
                ++stopped;
            }
            stop->trigger();
            run->trigger();
            break;
        case 2: // switch lesson while live (stops the run)
            if (window.controller().isRunning()) {
                ++switchedLive;
            }
            window.selectLesson(QLatin1String(lessons[static_cast<std::size_t>(round + 1) % lessons.size()]));
            break;
        default: // let it finish (or give up after 3 s), then run it again straight away
            if (!QTest::qWaitFor([&] { return !window.controller().isRunning(); }, 3'000)) {
                stop->trigger();
            }
            ASSERT_TRUE(waitIdle(window)) << "round " << round;
            run->trigger();
            break;
        }
        // Frames go on while live: the views draw what the controller holds now.
        QTest::qWait(30);
        window.timelineView()->grab();
        stop->trigger();
        ASSERT_TRUE(waitIdle(window)) << "round " << round;
    }
    EXPECT_GT(stopped + switchedLive, 0);
    // After all that, a clean run still completes and is drawn.
    window.selectLesson(QStringLiteral("L2"));
    ASSERT_TRUE(waitIdle(window));
    run->trigger();
    ASSERT_TRUE(waitIdle(window));
    ASSERT_FALSE(window.controller().slots().empty());
    EXPECT_TRUE(window.controller().slots().front()->finished);
    EXPECT_GT(window.timelineView()->visibleEndNs(), 0);
}

} // namespace
} // namespace interleave::ui
