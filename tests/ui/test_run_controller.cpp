// The run controller and the main window driving real runs offscreen: variants one after another, stop, refusals.
#include "app/main_window.h"
#include "app/run_controller.h"
#include "scenario/lesson_loader.h"

#include <QAction>
#include <QSignalSpy>
#include <QTest>

#include <gtest/gtest.h>

namespace interleave::ui {
namespace {

core::Scenario lesson(const char* alias) {
    return core::findLesson(alias);
}

// Every expectation was measured, and those about what happened (peaks) hold. How long things took is the lesson
// tests' business: here a sanitizer build may run several times slower.
void expectMeasuredAndStructurallyRight(const core::LessonReport& report) {
    ASSERT_FALSE(report.expectations.empty());
    for (const core::ExpectationResult& result : report.expectations) {
        EXPECT_NE(result.verdict, core::Verdict::NotMeasured) << result.expectation.text;
        if (result.expectation.metric.kind == core::MetricKind::Peak) {
            EXPECT_EQ(result.verdict, core::Verdict::Pass) << result.expectation.text << ": " << result.detail;
        }
    }
}

TEST(RunController, RunsEveryVariantInTurnAndReports) {
    RunController controller;
    QSignalSpy finished(&controller, &RunController::finished);
    QSignalSpy frames(&controller, &RunController::frame);
    const core::Scenario scenario = lesson("L6");
    controller.start(scenario, {"unbounded", "semaphore"},
                     core::resolveParameters(scenario, {{"requests", "30"}, {"latency_ms", "20"}, {"limit", "5"}}),
                     1.0);
    ASSERT_TRUE(finished.wait(10'000));
    EXPECT_FALSE(finished.front().front().toBool()); // not stopped
    EXPECT_GT(frames.count(), 2);
    ASSERT_EQ(controller.slots().size(), 2U);
    for (const auto& slot : controller.slots()) {
        EXPECT_TRUE(slot->finished);
        EXPECT_FALSE(slot->timeline.lanes(LaneMode::ByTask).empty());
    }
    expectMeasuredAndStructurallyRight(controller.report());
}

// A sweep runs its variant once per value, each a slot of its own with the value and the theory at it, and reports
// each value's figures without the lesson's expectations.
TEST(RunController, ASweepRunsItsVariantOncePerValue) {
    RunController controller;
    QSignalSpy finished(&controller, &RunController::finished);
    const core::Scenario scenario = lesson("L15");
    core::SweepDecl sweep = scenario.sweeps.front();
    sweep.values = {1, 2, 4};
    controller.startSweep(scenario, sweep, core::resolveParameters(scenario, {{"calls", "4"}, {"call_ms", "10"}}), 1.0);
    ASSERT_TRUE(finished.wait(10'000));
    ASSERT_TRUE(controller.sweep().has_value());
    ASSERT_EQ(controller.slots().size(), 3U);
    const std::vector<double> theory = {40, 20, 10}; // ceil(4 / w) rounds of 10 ms
    for (std::size_t index = 0; index < 3; ++index) {
        const VariantSlot& slot = *controller.slots()[index];
        EXPECT_TRUE(slot.finished);
        EXPECT_EQ(slot.variant, "pool");
        EXPECT_EQ(slot.sweepValue, sweep.values[index]);
        EXPECT_EQ(slot.theoryMs, theory[index]);
        EXPECT_EQ(slot.name, QStringLiteral("pool · workers=%1").arg(sweep.values[index]));
        EXPECT_EQ(slot.result.outcome.status, core::RunStatus::Completed);
        EXPECT_EQ(slot.plan.threads, static_cast<int>(sweep.values[index]));
    }
    EXPECT_TRUE(controller.report().expectations.empty());
    EXPECT_EQ(controller.report().variants.size(), 3U);
    // A run of variants afterwards is no sweep.
    controller.start(scenario, {"pool-1"}, core::resolveParameters(scenario, {{"calls", "2"}, {"call_ms", "5"}}), 1.0);
    EXPECT_FALSE(controller.sweep().has_value());
    ASSERT_TRUE(finished.wait(10'000));
}

TEST(RunController, StopEndsTheSessionWithPartialResults) {
    RunController controller;
    QSignalSpy finished(&controller, &RunController::finished);
    const core::Scenario scenario = lesson("L2");
    controller.start(scenario, {"loop", "gather"}, core::resolveParameters(scenario, {}), 1.0);
    QTest::qWait(150);
    controller.stop();
    ASSERT_TRUE(finished.wait(2'000));
    EXPECT_TRUE(finished.front().front().toBool()); // stopped
    EXPECT_EQ(controller.slots().front()->result.outcome.status, core::RunStatus::Stopped);
    EXPECT_FALSE(controller.slots().back()->finished); // the second variant never started
}

TEST(RunController, RefusesALimitBeforeAnythingStarts) {
    RunController controller;
    core::Scenario scenario = lesson("L5");
    for (core::ParameterDecl& parameter : scenario.parameters) {
        if (parameter.name == "tasks") {
            parameter.maximum = 5000; // past the lesson's own range, so that the engine's limit is what refuses it
        }
    }
    core::ParameterValues values = scenario.defaults();
    values["tasks"] = 2000;
    EXPECT_THROW(controller.start(scenario, {"threads+GIL"}, values, 1.0), core::UsageError);
    EXPECT_FALSE(controller.isRunning());
}

TEST(MainWindow, ScriptedRunShowsTheResultsAndReplays) {
    AppOptions options;
    options.lesson = QStringLiteral("L2");
    options.settings = {{"requests", "4"}, {"latency_ms", "30"}};
    options.run = true;
    MainWindow window(options);
    window.resize(1600, 900);
    window.show();
    window.startFromOptions();
    ASSERT_TRUE(QTest::qWaitFor([&] { return !window.controller().isRunning(); }, 10'000));
    EXPECT_EQ(window.controller().slots().size(), 2U); // --run without --variant runs them all
    expectMeasuredAndStructurallyRight(window.controller().report());

    // Replay: playing moves the playhead through the run to its end (the loop variant, 4 x 30 ms).
    auto* play = window.findChild<QAction*>(QStringLiteral("playReplayAction"));
    ASSERT_NE(play, nullptr);
    ASSERT_TRUE(play->isEnabled());
    play->setChecked(true);
    ASSERT_TRUE(QTest::qWaitFor([&] { return !play->isChecked(); }, 5'000));
    EXPECT_GE(window.playheadNs(), 100'000'000);
}

} // namespace
} // namespace interleave::ui
