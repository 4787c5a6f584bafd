// A shared variable (kind: variable) raced for real: read, a switch point, write loses updates in every model that
// has more than one task running, a lock makes it exact, and an increment with no switch point inside loses none
// under a GIL or on the loop. The metrics final() and lost() read what the run recorded. A switch point in a thread
// is time.sleep(0) as CPython makes it.
#include "broker/child_process.h"
#include "metrics/lesson_report.h"
#include "plan_builder.h"
#include "runtime/run.h"
#include "runtime/stop_wait.h"
#include "scenario/lesson_loader.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sys/prctl.h>
#include <thread>
#include <unistd.h>

namespace interleave::test {
namespace {

PlanStep yieldStep() {
    PlanStep step;
    step.kind = OpKind::Yield;
    return step;
}

struct Counted {
    double value = 0;
    double writes = 0;
    double lost = 0;
};

Counted runCounting(const Plan& plan) {
    RunResult result = runToCompletion(plan);
    EXPECT_EQ(result.outcome.status, RunStatus::Completed) << result.outcome.error;
    VariantRun run;
    run.trace = std::move(result.trace);
    run.outcome = result.outcome;
    run.analysis = analyze(run.trace);
    auto measure = [&](MetricKind kind, const std::string& argument) {
        const auto value = measureMetric(MetricRef{kind, argument, {}}, run, nullptr);
        EXPECT_TRUE(value.has_value()) << argument;
        return value.value_or(-1);
    };
    return {measure(MetricKind::Final, "counter.value"), measure(MetricKind::Final, "counter.writes"),
            measure(MetricKind::Lost, "counter")};
}

// `tasks` tasks (threads in the threads model), each `rounds` times: [acquire,] read, yield, write [, release].
Plan racePlan(Model model, bool gil, bool locked, int tasks, std::int64_t rounds) {
    PlanBuilder builder(model);
    if (model == Model::Threads) {
        builder.threads(tasks, gil);
    }
    const int counter = builder.primitive("counter", PrimitiveKind::Variable, 0);
    const int lock = builder.primitive("lock", PrimitiveKind::Lock, 1);
    std::vector<PlanStep> round = {onPrimitive(OpKind::Read, counter), yieldStep(),
                                   onPrimitive(OpKind::Write, counter)};
    if (locked) {
        round.insert(round.begin(), onPrimitive(OpKind::Acquire, lock));
        round.push_back(onPrimitive(OpKind::Release, lock));
    }
    builder.program({builder.fanOut(OpKind::Gather, "worker", tasks, {withBody(OpKind::Repeat, round, rounds)})});
    return builder.build();
}

class Race : public ::testing::TestWithParam<Model> {};

TEST_P(Race, ReadYieldWriteLosesUpdatesAndALockMakesItExact) {
    constexpr int kTasks = 4;
    constexpr std::int64_t kRounds = 50;
    const bool threads = GetParam() == Model::Threads;
    for (int attempt = 0; attempt < 20; ++attempt) {
        SCOPED_TRACE(attempt);
        const Counted racing = runCounting(racePlan(GetParam(), threads, false, kTasks, kRounds));
        EXPECT_EQ(racing.writes, kTasks * kRounds); // every increment was made...
        EXPECT_GT(racing.lost, 0);                  // ...and some were overwritten
        EXPECT_EQ(racing.value + racing.lost, racing.writes);
        const Counted locked = runCounting(racePlan(GetParam(), threads, true, kTasks, kRounds));
        EXPECT_EQ(locked.value, kTasks * kRounds);
        EXPECT_EQ(locked.lost, 0);
    }
}

INSTANTIATE_TEST_SUITE_P(Models, Race, ::testing::Values(Model::Async, Model::Threads),
                         [](const ::testing::TestParamInfo<Model>& model) {
                             return model.param == Model::Async ? std::string("OnTheLoop")
                                                                : std::string("OnThreadsUnderTheGil");
                         });

TEST(Race, AnIncrementWithNoSwitchPointInsideLosesNothingUnderAGil) {
    PlanBuilder builder(Model::Threads);
    builder.threads(4, true);
    const int counter = builder.primitive("counter", PrimitiveKind::Variable, 0);
    builder.program(
        {builder.fanOut(OpKind::Gather, "worker", 4,
                        {withBody(OpKind::Repeat, {onPrimitive(OpKind::Increment, counter), yieldStep()}, 200)})});
    const Counted counted = runCounting(builder.build());
    EXPECT_EQ(counted.value, 800);
    EXPECT_EQ(counted.lost, 0);
}

// time.sleep(0) costs what the OS's timer slack makes it cost (L12's times hang on it): the engine's threads, which
// lowered theirs, make that call under the ordinary slack and keep their own after it, and python3 gets the ordinary.
TEST(Race, ASwitchPointSleepsUnderTheOrdinaryTimerSlackAsPython3Does) {
    const std::string output = ::testing::TempDir() + "interleave-slack-" + std::to_string(getpid());
    std::thread engineThread([&] {
        tightenTimerSlack();
        sleepZeroAsCpython();
        EXPECT_EQ(prctl(PR_GET_TIMERSLACK, 0UL, 0UL, 0UL, 0UL), 1);
        const pid_t child = startOwnedChild({"/bin/sh", "-c", "cat /proc/self/timerslack_ns > " + output});
        const auto giveUp = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        std::optional<int> status;
        while (!(status = reapIfEnded(child)) && std::chrono::steady_clock::now() < giveUp) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        EXPECT_TRUE(status.has_value());
    });
    engineThread.join();
    EXPECT_GT(ordinaryTimerSlackNs(), 1U);
    unsigned long childSlack = 0;
    std::ifstream(output) >> childSlack;
    EXPECT_EQ(childSlack, ordinaryTimerSlackNs());
    std::remove(output.c_str());
}

TEST(Race, TheRaceLessonLosesUpdatesWithoutItsLockOnly) {
    const Scenario lesson = findLesson("L12");
    const LessonReport report = [&] {
        std::vector<VariantRun> runs;
        const ParameterValues parameters = resolveParameters(lesson, {{"increments", "100"}});
        for (const VariantDecl& variant : lesson.variants) {
            RunResult result = runToCompletion(compilePlan(lesson, variant, parameters, RunOptions{}));
            VariantRun run;
            run.variant = variant.name;
            run.trace = std::move(result.trace);
            run.outcome = result.outcome;
            run.analysis = analyze(run.trace);
            runs.push_back(std::move(run));
        }
        return buildReport(lesson, parameters, runs);
    }();
    ASSERT_EQ(report.expectations.size(), 5U);
    for (const ExpectationResult& result : report.expectations) {
        EXPECT_EQ(result.verdict, Verdict::Pass) << result.expectation.text << ": " << result.detail;
    }
}

} // namespace
} // namespace interleave::test
