// Deadlocks: the wait-for graph finds a cycle of tasks waiting for each other's locks the moment it closes, and the run
// ends as deadlocked with a marker per task of the cycle, on the loop and on threads; locks taken in one order never
// deadlock; an RLock's holder takes it again; a thread's acquire with a timeout gives up, and a retry gets through.
#include "metrics/lesson_report.h"
#include "plan_builder.h"
#include "runtime/lock_graph.h"
#include "runtime/run.h"
#include "scenario/lesson_loader.h"

#include <gtest/gtest.h>

#include <chrono>

namespace interleave::test {
namespace {

TaskRef taskRef(std::uint32_t id) {
    return TaskRef{id, 0};
}

TEST(LockGraph, AWaitThatClosesATwoLockCycleReturnsIt) {
    LockGraph graph;
    graph.held(100, taskRef(1));
    graph.held(200, taskRef(2));
    EXPECT_TRUE(graph.waits(taskRef(1), 200).empty()); // 1 waits for 2, who waits for nothing yet
    const std::vector<DeadlockLink> cycle = graph.waits(taskRef(2), 100);
    ASSERT_EQ(cycle.size(), 2U);
    EXPECT_EQ(cycle[0].task.id, 2U);
    EXPECT_EQ(cycle[0].lock, 100U);
    EXPECT_EQ(cycle[0].holder.id, 1U);
    EXPECT_EQ(cycle[1].task.id, 1U);
    EXPECT_EQ(cycle[1].lock, 200U);
    EXPECT_EQ(cycle[1].holder.id, 2U);
}

TEST(LockGraph, AThreeLockCycleIsFoundAndAChainIsNot) {
    LockGraph graph;
    graph.held(10, taskRef(1));
    graph.held(20, taskRef(2));
    graph.held(30, taskRef(3));
    EXPECT_TRUE(graph.waits(taskRef(1), 20).empty());
    EXPECT_TRUE(graph.waits(taskRef(2), 30).empty()); // 1 → 2 → 3: a chain; 3 is running
    EXPECT_EQ(graph.waits(taskRef(3), 10).size(), 3U);
}

TEST(LockGraph, EdgesGoWhenTheWaitEndsOrTheLockIsLetGo) {
    LockGraph graph;
    graph.held(10, taskRef(1));
    graph.held(20, taskRef(2));
    EXPECT_TRUE(graph.waits(taskRef(1), 20).empty());
    graph.stopsWaiting(taskRef(1)); // 1 gave up (a timeout, a cancel)
    EXPECT_TRUE(graph.waits(taskRef(2), 10).empty());
    graph.stopsWaiting(taskRef(2));
    graph.released(20);
    EXPECT_TRUE(graph.waits(taskRef(1), 20).empty()); // free: nobody to wait for
}

TEST(LockGraph, AHolderWaitingForItsOwnLockIsACycleOfOne) {
    LockGraph graph;
    graph.held(10, taskRef(7));
    const std::vector<DeadlockLink> cycle = graph.waits(taskRef(7), 10);
    ASSERT_EQ(cycle.size(), 1U);
    EXPECT_EQ(cycle[0].holder.id, 7U);
}

struct Deadlocked {
    RunResult result;
    TraceAnalysis analysis;
    double wallMs = 0;
};

Deadlocked runTimed(const Plan& plan) {
    const auto start = std::chrono::steady_clock::now();
    Deadlocked ended{runToCompletion(plan), {}, 0};
    ended.wallMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    ended.analysis = analyze(ended.result.trace);
    return ended;
}

std::vector<MarkerRecord> deadlockMarkers(const TraceAnalysis& analysis) {
    std::vector<MarkerRecord> markers;
    for (const MarkerRecord& marker : analysis.markers) {
        if (marker.kind == MarkerKind::Deadlock) {
            markers.push_back(marker);
        }
    }
    return markers;
}

class Deadlock : public ::testing::TestWithParam<Model> {
protected:
    PlanBuilder builderFor(int threads) const {
        PlanBuilder made(GetParam());
        if (GetParam() == Model::Threads) {
            made.threads(threads, true);
        }
        return made;
    }
    // A child that takes `first`, works, then takes `second`.
    static std::vector<PlanStep> takesInOrder(int first, int second) {
        return {onPrimitive(OpKind::Acquire, first),  io(20),
                onPrimitive(OpKind::Acquire, second), io(5),
                onPrimitive(OpKind::Release, second), onPrimitive(OpKind::Release, first)};
    }
};

TEST_P(Deadlock, TwoLocksTakenInOppositeOrdersEndTheRunAtOnceWithTheCycle) {
    PlanBuilder builder = builderFor(2);
    const int a = builder.primitive("a", PrimitiveKind::Lock, 1);
    const int b = builder.primitive("b", PrimitiveKind::Lock, 1);
    PlanStep both = builder.fanOut(OpKind::Gather, "a-then-b", 1, takesInOrder(a, b));
    both.children.push_back(builder.fanOut(OpKind::Gather, "b-then-a", 1, takesInOrder(b, a)).children.front());
    builder.program({both});
    const Deadlocked ended = runTimed(builder.build());
    EXPECT_EQ(ended.result.outcome.status, RunStatus::Deadlocked) << ended.result.outcome.error;
    const std::vector<MarkerRecord> markers = deadlockMarkers(ended.analysis);
    ASSERT_EQ(markers.size(), 2U);
    // Each waits for the lock the other holds.
    EXPECT_NE(markers[0].subject, markers[1].subject);
    EXPECT_EQ(static_cast<std::uint32_t>(markers[0].line), markers[1].task);
    EXPECT_EQ(static_cast<std::uint32_t>(markers[1].line), markers[0].task);
    // The cycle closes after 20 ms of work: the run ends right there, not at a watchdog's next look.
    EXPECT_LT(ended.analysis.makespanNs, 20 * kMs + 200 * kMs);
    EXPECT_LT(ended.wallMs, 3000);
    const std::string cycle = describeDeadlock(deadlockCycle(ended.result.trace, ended.analysis));
    EXPECT_NE(cycle.find("a-then-b waits for 'b', held by b-then-a"), std::string::npos) << cycle;
    EXPECT_NE(cycle.find("b-then-a waits for 'a', held by a-then-b"), std::string::npos) << cycle;
}

TEST_P(Deadlock, ThreeTasksInACycleOfThreeLocks) {
    PlanBuilder builder = builderFor(3);
    const int a = builder.primitive("a", PrimitiveKind::Lock, 1);
    const int b = builder.primitive("b", PrimitiveKind::Lock, 1);
    const int c = builder.primitive("c", PrimitiveKind::Lock, 1);
    PlanStep all = builder.fanOut(OpKind::Gather, "x", 1, takesInOrder(a, b));
    all.children.push_back(builder.fanOut(OpKind::Gather, "y", 1, takesInOrder(b, c)).children.front());
    all.children.push_back(builder.fanOut(OpKind::Gather, "z", 1, takesInOrder(c, a)).children.front());
    builder.program({all});
    const Deadlocked ended = runTimed(builder.build());
    EXPECT_EQ(ended.result.outcome.status, RunStatus::Deadlocked) << ended.result.outcome.error;
    EXPECT_EQ(deadlockMarkers(ended.analysis).size(), 3U);
}

TEST_P(Deadlock, ALockTakenTwiceByItsHolderDeadlocksOnItself) {
    PlanBuilder builder = builderFor(2);
    const int lock = builder.primitive("lk", PrimitiveKind::Lock, 1);
    builder.program({onPrimitive(OpKind::Acquire, lock), onPrimitive(OpKind::Acquire, lock)});
    const Deadlocked ended = runTimed(builder.build());
    EXPECT_EQ(ended.result.outcome.status, RunStatus::Deadlocked) << ended.result.outcome.error;
    const std::vector<MarkerRecord> markers = deadlockMarkers(ended.analysis);
    ASSERT_EQ(markers.size(), 1U);
    EXPECT_EQ(static_cast<std::uint32_t>(markers[0].line), markers[0].task);
    EXPECT_EQ(describeDeadlock(deadlockCycle(ended.result.trace, ended.analysis)),
              "main waits for 'lk', held by itself");
}

TEST_P(Deadlock, LocksTakenInOneOrderNeverDeadlock) {
    // Many tasks contending for the same two locks, over seeds: every wait has a holder that is running.
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        PlanBuilder builder = builderFor(4);
        const int a = builder.primitive("a", PrimitiveKind::Lock, 1);
        const int b = builder.primitive("b", PrimitiveKind::Lock, 1);
        builder.program({builder.fanOut(OpKind::Gather, "transfer", 8,
                                        {onPrimitive(OpKind::Acquire, a), io(0.2), onPrimitive(OpKind::Acquire, b),
                                         io(0.2), onPrimitive(OpKind::Release, b), onPrimitive(OpKind::Release, a)})});
        builder.seed(seed);
        const RunResult result = runToCompletion(builder.build());
        ASSERT_EQ(result.outcome.status, RunStatus::Completed) << seed << ": " << result.outcome.error;
    }
}

INSTANTIATE_TEST_SUITE_P(Models, Deadlock, ::testing::Values(Model::Async, Model::Threads),
                         [](const ::testing::TestParamInfo<Model>& model) { return modelCaseName(model.param); });

TEST(Deadlock, ALockWaitUnderATimeoutOnTheLoopIsNoDeadlock) {
    // asyncio.timeout around lock.acquire(): the wait ends on its own, so it closes no cycle.
    PlanBuilder builder(Model::Async);
    const int lock = builder.primitive("lk", PrimitiveKind::Lock, 1);
    PlanStep guarded = withBody(OpKind::Timeout, {onPrimitive(OpKind::Acquire, lock)});
    guarded.durationNs = 30 * kMs;
    builder.program({onPrimitive(OpKind::Acquire, lock), guarded});
    const RunResult result = runToCompletion(builder.build());
    EXPECT_EQ(result.outcome.status, RunStatus::Failed) << result.outcome.error;
    EXPECT_NE(result.outcome.error.find("TimeoutError"), std::string::npos) << result.outcome.error;
}

TEST(Deadlock, AnRLocksHolderTakesItAgainAndOthersWaitUntilItIsLetGoAsOften) {
    PlanBuilder builder(Model::Threads);
    builder.threads(2, true);
    const int lock = builder.primitive("r", PrimitiveKind::RLock, 1);
    const std::vector<PlanStep> twice = {
        onPrimitive(OpKind::Acquire, lock), io(10), onPrimitive(OpKind::Acquire, lock), io(10),
        onPrimitive(OpKind::Release, lock), io(10), onPrimitive(OpKind::Release, lock)};
    builder.program({builder.fanOut(OpKind::Gather, "update", 2, twice)});
    const RunResult result = runToCompletion(builder.build());
    ASSERT_EQ(result.outcome.status, RunStatus::Completed) << result.outcome.error;
    // One at a time, each holding it for its whole 30 ms: the two take at least 60 ms.
    EXPECT_GE(analyze(result.trace).makespanNs, 55 * kMs);
}

TEST(Deadlock, ReleasingAnRLockItDoesNotHoldFailsTheTask) {
    PlanBuilder builder(Model::Threads);
    builder.threads(1);
    const int lock = builder.primitive("r", PrimitiveKind::RLock, 1);
    builder.program({onPrimitive(OpKind::Release, lock)});
    const RunResult result = runToCompletion(builder.build());
    EXPECT_EQ(result.outcome.status, RunStatus::Failed);
    EXPECT_NE(result.outcome.error.find("cannot release un-acquired lock"), std::string::npos) << result.outcome.error;
}

TEST(Deadlock, AnAcquireWithATimeoutGivesUpAndARetryGetsThrough) {
    PlanBuilder builder(Model::Threads);
    builder.threads(2, true);
    const int lock = builder.primitive("lk", PrimitiveKind::Lock, 1);
    PlanStep timed = onPrimitive(OpKind::Acquire, lock);
    timed.durationNs = 20 * kMs;
    PlanStep retry = withBody(OpKind::Retry, {timed, onPrimitive(OpKind::Release, lock)}, 10);
    retry.durationNs = 10 * kMs; // backoff
    PlanStep both = builder.fanOut(OpKind::Gather, "holder", 1,
                                   {onPrimitive(OpKind::Acquire, lock), io(60), onPrimitive(OpKind::Release, lock)});
    both.children.push_back(builder.fanOut(OpKind::Gather, "patient", 1, {io(5), retry}).children.front());
    builder.program({both});
    const RunResult result = runToCompletion(builder.build());
    ASSERT_EQ(result.outcome.status, RunStatus::Completed) << result.outcome.error;
    const TraceAnalysis analysis = analyze(result.trace);
    const auto timeouts = std::count_if(analysis.markers.begin(), analysis.markers.end(),
                                        [](const MarkerRecord& marker) { return marker.kind == MarkerKind::Timeout; });
    EXPECT_GE(timeouts, 1); // 20 ms of waiting while the holder has 55 ms to go
    EXPECT_LE(timeouts, 3);
}

// L13's same-order variant at its smallest hold, over 1,000 seeds: never a deadlock reported where there is none.
TEST(Deadlock, TheLessonsSameOrderVariantNeverDeadlocksOverAThousandSeeds) {
    const Scenario lesson = findLesson("L13");
    const VariantDecl* variant = lesson.findVariant("same-order");
    ASSERT_NE(variant, nullptr);
    const ParameterValues parameters = resolveParameters(lesson, {{"hold_ms", "1"}});
    for (std::uint64_t seed = 1; seed <= 1000; ++seed) {
        RunOptions options;
        options.seed = seed;
        const RunResult result = runToCompletion(compilePlan(lesson, *variant, parameters, options));
        ASSERT_EQ(result.outcome.status, RunStatus::Completed) << seed << ": " << result.outcome.error;
    }
}

} // namespace
} // namespace interleave::test
