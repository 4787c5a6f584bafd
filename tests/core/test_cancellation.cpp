// Cancellation on the loop, as asyncio has it: timeouts, TaskGroup and gather failures, shield, cleanup (finally)
// steps and the tasks that asyncio.run cancels when main returns. Structural checks with wide timing margins.
#include "plan_builder.h"
#include "runtime/run.h"
#include "trace/trace_analysis.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace interleave::test {
namespace {

struct Ran {
    RunResult result;
    TraceAnalysis analysis;
    double makespanMs() const { return static_cast<double>(analysis.makespanNs) / 1e6; }
    const TaskRecord& task(const std::string& name) const {
        for (const TaskRecord& record : analysis.tasks) {
            if (taskDisplayName(result.trace, record) == name) {
                return record;
            }
        }
        throw std::runtime_error("no task " + name);
    }
    double endMs(const std::string& name) const { return static_cast<double>(task(name).endedNs) / 1e6; }
    long markers(MarkerKind kind) const {
        return std::count_if(analysis.markers.begin(), analysis.markers.end(),
                             [kind](const MarkerRecord& marker) { return marker.kind == kind; });
    }
};

Ran run(const Plan& plan) {
    Ran ran{runToCompletion(plan), {}};
    ran.analysis = analyze(ran.result.trace);
    return ran;
}

PlanStep timeout(double ms, std::vector<PlanStep> body) {
    PlanStep step = withBody(OpKind::Timeout, std::move(body));
    step.durationNs = static_cast<std::int64_t>(ms * kMs);
    return step;
}

PlanStep alwaysFail() {
    PlanStep fail;
    fail.kind = OpKind::Fail;
    fail.probability = 1.0;
    return fail;
}

// Two kinds of child under one fan-out.
PlanStep fanOut(PlanBuilder& builder, OpKind kind, const std::string& first, std::vector<PlanStep> firstBody,
                const std::string& second, std::vector<PlanStep> secondBody) {
    PlanStep step = builder.fanOut(kind, first, 1, std::move(firstBody));
    step.children.push_back(builder.fanOut(kind, second, 1, std::move(secondBody)).children.front());
    return step;
}

TEST(Cancellation, ATimeoutCancelsItsBodyAndRaisesTimeoutError) {
    PlanBuilder builder(Model::Async);
    const Ran ran = run(builder.program({timeout(50, {io(1000)})}).build());
    // Raised out of main, as out of asyncio.run: the run fails with it.
    EXPECT_EQ(ran.result.outcome.status, RunStatus::Failed);
    EXPECT_NE(ran.result.outcome.error.find("TimeoutError"), std::string::npos) << ran.result.outcome.error;
    EXPECT_EQ(ran.task("main").finalState, TaskState::Failed);
    EXPECT_EQ(ran.markers(MarkerKind::Timeout), 1);
    EXPECT_LT(ran.makespanMs(), 500.0); // not the 1,000 ms the body asked for
    EXPECT_GE(ran.makespanMs(), 45.0);
}

TEST(Cancellation, ABodyThatEndsInTimeIsNotCancelled) {
    PlanBuilder builder(Model::Async);
    const Ran ran = run(builder.program({timeout(300, {io(20)}), io(100)}).build());
    EXPECT_EQ(ran.task("main").finalState, TaskState::Done);
    EXPECT_EQ(ran.markers(MarkerKind::Timeout), 0);
    EXPECT_GE(ran.makespanMs(), 115.0); // the io after the timeout ran whole
}

TEST(Cancellation, AGroupCancelsTheSiblingsOfAFailedChild) {
    PlanBuilder builder(Model::Async);
    const Ran ran = run(
        builder.program({fanOut(builder, OpKind::Group, "flaky", {io(20), alwaysFail()}, "slow", {io(1000)})}).build());
    EXPECT_EQ(ran.task("flaky").finalState, TaskState::Failed);
    EXPECT_EQ(ran.task("slow").finalState, TaskState::Cancelled);
    EXPECT_EQ(ran.task("main").finalState, TaskState::Failed);
    EXPECT_EQ(ran.markers(MarkerKind::Cancel), 1);
    EXPECT_LT(ran.makespanMs(), 500.0);
}

TEST(Cancellation, GatherRaisesTheFirstFailureAtOnceAndTheOthersRunOn) {
    PlanBuilder builder(Model::Async);
    const Ran ran = run(
        builder.program({fanOut(builder, OpKind::Gather, "flaky", {io(20), alwaysFail()}, "slow", {io(300)})}).build());
    EXPECT_EQ(ran.task("main").finalState, TaskState::Failed);
    EXPECT_LT(ran.endMs("main"), 200.0); // raised at the first failure, not after the slow child
    EXPECT_EQ(ran.task("slow").finalState, TaskState::Done);
    EXPECT_GE(ran.endMs("slow"), 290.0);
}

TEST(Cancellation, CleanupStepsRunWhenTheTaskIsCancelled) {
    PlanBuilder builder(Model::Async);
    PlanStep cleanup = withBody(OpKind::Cleanup, {io(30)});
    const Ran ran = run(builder.program({timeout(50, {cleanup, io(1000)})}).build());
    EXPECT_EQ(ran.markers(MarkerKind::Cleanup), 1);
    EXPECT_EQ(ran.markers(MarkerKind::Timeout), 1);
    EXPECT_GE(ran.makespanMs(), 75.0); // 50 ms, then the 30 ms cleanup
    EXPECT_LT(ran.makespanMs(), 500.0);
}

TEST(Cancellation, CleanupStepsRunWhenTheTaskEndsNormally) {
    PlanBuilder builder(Model::Async);
    const Ran ran = run(builder.program({withBody(OpKind::Cleanup, {io(10)}), io(10)}).build());
    EXPECT_EQ(ran.task("main").finalState, TaskState::Done);
    EXPECT_EQ(ran.markers(MarkerKind::Cleanup), 1);
    EXPECT_GE(ran.makespanMs(), 18.0);
}

TEST(Cancellation, AShieldedBodyCompletesWhenItsCallerIsCancelled) {
    PlanBuilder builder(Model::Async);
    const Ran ran = run(builder.program({timeout(50, {withBody(OpKind::Shield, {io(200)})})}).build());
    EXPECT_EQ(ran.task("main").finalState, TaskState::Failed); // TimeoutError, at 50 ms
    EXPECT_LT(ran.endMs("main"), 150.0);
    EXPECT_EQ(ran.task("shielded").finalState, TaskState::Done);
    EXPECT_GE(ran.endMs("shielded"), 190.0);
}

TEST(Cancellation, TasksLeftFromSpawnAreCancelledWhenMainReturns) {
    PlanBuilder builder(Model::Async);
    const Ran ran = run(builder.program({builder.fanOut(OpKind::Spawn, "background", 1, {io(1000)}), io(20)}).build());
    EXPECT_EQ(ran.result.outcome.status, RunStatus::Completed);
    EXPECT_EQ(ran.task("main").finalState, TaskState::Done);
    EXPECT_EQ(ran.task("background").finalState, TaskState::Cancelled);
    EXPECT_LT(ran.makespanMs(), 500.0);
}

TEST(Cancellation, ACancelledWaiterLeavesTheSemaphoreQueue) {
    PlanBuilder builder(Model::Async);
    const int sem = builder.primitive("sem", PrimitiveKind::Semaphore, 1);
    const PlanStep holder = builder.fanOut(
        OpKind::Gather, "holder", 1, {onPrimitive(OpKind::Acquire, sem), io(200), onPrimitive(OpKind::Release, sem)});
    PlanStep both = holder;
    both.children.push_back(
        builder.fanOut(OpKind::Gather, "impatient", 1, {io(5), timeout(50, {onPrimitive(OpKind::Acquire, sem)})})
            .children.front());
    both.returnExceptions = true;
    const Ran ran = run(builder.program({both}).build());
    EXPECT_EQ(ran.task("impatient").finalState, TaskState::Failed); // TimeoutError
    EXPECT_LT(ran.endMs("impatient"), 150.0);
    const CounterSeries* waiters = ran.analysis.counter("sem.waiters");
    ASSERT_NE(waiters, nullptr);
    EXPECT_EQ(waiters->points.back().value, 0);
    const CounterSeries* inUse = ran.analysis.counter("sem.in_use");
    ASSERT_NE(inUse, nullptr);
    EXPECT_EQ(inUse->points.back().value, 0);
}

} // namespace
} // namespace interleave::test
