// The watchdog: a run in which no task can make progress ends as stalled, soon, naming what the tasks wait on; a run
// that waits for a timer, a worker or a timeout is never called stalled. Wide timing margins.
#include "plan_builder.h"
#include "runtime/run.h"

#include <gtest/gtest.h>

#include <chrono>

namespace interleave::test {
namespace {

struct Ended {
    RunResult result;
    double wallMs = 0;
};

Ended runTimed(const Plan& plan) {
    const auto start = std::chrono::steady_clock::now();
    Ended ended{runToCompletion(plan), 0};
    ended.wallMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return ended;
}

void expectStalled(const Ended& ended, const std::string& waits) {
    EXPECT_EQ(ended.result.outcome.status, RunStatus::Stalled) << ended.result.outcome.error;
    EXPECT_NE(ended.result.outcome.error.find("no task can make progress"), std::string::npos)
        << ended.result.outcome.error;
    EXPECT_NE(ended.result.outcome.error.find(waits), std::string::npos) << ended.result.outcome.error;
    EXPECT_LT(ended.wallMs, 3000) << "the watchdog looks every 50 ms";
}

class Watchdog : public ::testing::TestWithParam<Model> {
protected:
    // The model under test; on threads, with a pool of `threads`.
    PlanBuilder builderFor(int threads) const {
        PlanBuilder made(GetParam());
        if (GetParam() == Model::Threads) {
            made.threads(threads);
        }
        return made;
    }
};

TEST_P(Watchdog, AGetNobodyAnswersStalls) {
    PlanBuilder builder = builderFor(2);
    const int queue = builder.primitive("jobs", PrimitiveKind::Queue, 0);
    builder.program({io(5), onPrimitive(OpKind::Get, queue)});
    expectStalled(runTimed(builder.build()), "1 on 'jobs'");
}

// (A lock taken twice is a deadlock, found at once by the wait-for graph: test_deadlock.cpp.) A semaphore has no
// holder to wait for, and stalls.
TEST_P(Watchdog, ASemaphoreTakenTwiceStalls) {
    PlanBuilder builder = builderFor(2);
    const int semaphore = builder.primitive("one", PrimitiveKind::Semaphore, 1);
    builder.program({onPrimitive(OpKind::Acquire, semaphore), onPrimitive(OpKind::Acquire, semaphore)});
    expectStalled(runTimed(builder.build()), "1 on 'one'");
}

TEST_P(Watchdog, ChildrenWaitingForAnEventNobodySetsStall) {
    PlanBuilder builder = builderFor(4);
    const int event = builder.primitive("go", PrimitiveKind::Event, 0);
    builder.program({builder.fanOut(OpKind::Gather, "waiter", 3, {io(2), onPrimitive(OpKind::Wait, event)})});
    expectStalled(runTimed(builder.build()), "3 on 'go'");
}

TEST_P(Watchdog, WaitsThatAnotherTaskEndsDoNotStall) {
    // A producer that takes its time, a consumer blocked on get most of the run, and a lock passed around.
    PlanBuilder builder = builderFor(4);
    const int queue = builder.primitive("items", PrimitiveKind::Queue, 1);
    const int lock = builder.primitive("lk", PrimitiveKind::Lock, 1);
    PlanStep producer = withBody(OpKind::Repeat, {io(60), onPrimitive(OpKind::Put, queue)}, 4);
    PlanStep fanOut = builder.fanOut(OpKind::Gather, "producer", 1, {producer, onPrimitive(OpKind::Close, queue)});
    fanOut.children.push_back(builder
                                  .fanOut(OpKind::Gather, "consumer", 1,
                                          {withBody(OpKind::Consume, {io(1)}), onPrimitive(OpKind::Acquire, lock),
                                           io(80), onPrimitive(OpKind::Release, lock)})
                                  .children.front());
    fanOut.children.push_back(
        builder
            .fanOut(OpKind::Gather, "locker", 2,
                    {onPrimitive(OpKind::Acquire, lock), io(80), onPrimitive(OpKind::Release, lock)})
            .children.front());
    fanOut.children[1].body.front().primitive = queue;
    builder.program({fanOut});
    const Ended ended = runTimed(builder.build());
    EXPECT_EQ(ended.result.outcome.status, RunStatus::Completed) << ended.result.outcome.error;
}

INSTANTIATE_TEST_SUITE_P(Models, Watchdog, ::testing::Values(Model::Async, Model::Threads),
                         [](const ::testing::TestParamInfo<Model>& model) { return modelCaseName(model.param); });

TEST(WatchdogOnTheLoop, AWaitUnderATimeoutIsNotAStall) {
    PlanBuilder builder(Model::Async);
    const int queue = builder.primitive("jobs", PrimitiveKind::Queue, 0);
    PlanStep limited = withBody(OpKind::Timeout, {onPrimitive(OpKind::Get, queue)});
    limited.durationNs = 300 * kMs;
    builder.program({limited});
    const Ended ended = runTimed(builder.build());
    EXPECT_EQ(ended.result.outcome.status, RunStatus::Failed) << ended.result.outcome.error;
    EXPECT_NE(ended.result.outcome.error.find("TimeoutError"), std::string::npos) << ended.result.outcome.error;
}

TEST(WatchdogOnTheLoop, AWaitForAWorkerProcessIsNotAStall) {
    PlanBuilder builder(Model::Async);
    builder.processes(1);
    builder.program({builder.offload(Placement::Processes, {cpu(250)})});
    const Ended ended = runTimed(builder.build());
    EXPECT_EQ(ended.result.outcome.status, RunStatus::Completed) << ended.result.outcome.error;
}

TEST(WatchdogOnThreads, ASequentialProducerBlockedOnAFullQueueStalls) {
    // L8's bounded queue run in the sequential model: the producer runs first, inline, and fills the queue; its
    // consumers would only start after it.
    PlanBuilder builder(Model::Sequential);
    const int queue = builder.primitive("items", PrimitiveKind::Queue, 2);
    PlanStep group = builder.fanOut(
        OpKind::Group, "producer", 1,
        {withBody(OpKind::Repeat, {onPrimitive(OpKind::Put, queue)}, 10), onPrimitive(OpKind::Close, queue)});
    group.children.push_back(
        builder.fanOut(OpKind::Group, "worker", 2, {withBody(OpKind::Consume, {io(1)})}).children.front());
    group.children[1].body.front().primitive = queue;
    builder.program({group});
    expectStalled(runTimed(builder.build()), "1 on 'items'");
}

TEST(WatchdogOnThreads, APoolWhoseThreadsAllWaitOnQueuedTasksStalls) {
    // Two threads, both taken by consumers blocked on get; the producer that would feed them is queued for a thread
    // that never comes free.
    PlanBuilder builder(Model::Threads);
    builder.threads(2);
    const int queue = builder.primitive("items", PrimitiveKind::Queue, 0);
    PlanStep fanOut = builder.fanOut(OpKind::Gather, "consumer", 2, {onPrimitive(OpKind::Get, queue)});
    fanOut.children.push_back(
        builder.fanOut(OpKind::Gather, "producer", 1, {io(5), onPrimitive(OpKind::Put, queue)}).children.front());
    builder.program({fanOut});
    expectStalled(runTimed(builder.build()), "1 on 'thread pool'");
}

TEST(WatchdogOnThreads, TasksQueuedForABusyPoolAreNotAStall) {
    // Eight tasks on two threads, each waiting its turn for a thread while the running ones sleep.
    PlanBuilder builder(Model::Threads);
    builder.threads(2);
    builder.program({builder.fanOut(OpKind::Gather, "sleeper", 8, {block(80)})});
    const Ended ended = runTimed(builder.build());
    EXPECT_EQ(ended.result.outcome.status, RunStatus::Completed) << ended.result.outcome.error;
}

} // namespace
} // namespace interleave::test
