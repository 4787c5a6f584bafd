// Each primitive on both sides of the engine: on the event loop (async model) and on OS threads (threads model).
#include "plan_builder.h"
#include "runtime/run.h"
#include "trace/trace_analysis.h"

#include <gtest/gtest.h>

namespace interleave::test {
namespace {

struct Measured {
    RunResult result;
    TraceAnalysis analysis;
    std::int64_t peak(const std::string& counter) const {
        const CounterSeries* series = analysis.counter(counter);
        return series ? series->peak : -1;
    }
    std::int64_t last(const std::string& counter) const {
        const CounterSeries* series = analysis.counter(counter);
        return series && !series->points.empty() ? series->points.back().value : -1;
    }
};

Measured measure(const Plan& plan) {
    Measured measured{runToCompletion(plan), {}};
    measured.analysis = analyze(measured.result.trace);
    EXPECT_EQ(measured.result.outcome.status, RunStatus::Completed) << measured.result.outcome.error;
    for (const TaskRecord& task : measured.analysis.tasks) {
        EXPECT_EQ(task.finalState, TaskState::Done) << "task " << task.id;
    }
    return measured;
}

class Primitives : public ::testing::TestWithParam<Model> {
protected:
    PlanBuilder builder() const {
        PlanBuilder plan(GetParam());
        if (GetParam() == Model::Threads) {
            plan.threads(8);
        }
        return plan;
    }
};

TEST_P(Primitives, SemaphoreNeverExceedsItsPermits) {
    PlanBuilder plan = builder();
    const int sem = plan.primitive("sem", PrimitiveKind::Semaphore, 2);
    plan.program({plan.fanOut(OpKind::Gather, "request", 8,
                              {onPrimitive(OpKind::Acquire, sem), io(10), onPrimitive(OpKind::Release, sem)})});
    const Measured run = measure(plan.build());
    EXPECT_EQ(run.peak("sem.in_use"), 2);
    EXPECT_GE(run.peak("sem.waiters"), 4); // on threads, some requests arrive after the first releases
    EXPECT_EQ(run.last("sem.in_use"), 0);
    EXPECT_EQ(run.last("sem.waiters"), 0);
}

// Closing a queue wakes the producer blocked on a full queue with QueueShutDown (Python 3.13's Queue.shutdown): the
// put fails, and nothing goes past the capacity.
TEST_P(Primitives, CloseWakesABlockedPutterWithShutDown) {
    PlanBuilder plan = builder();
    const int queue = plan.primitive("items", PrimitiveKind::Queue, 1);
    PlanStep gather =
        plan.fanOut(OpKind::Gather, "producer", 1, {onPrimitive(OpKind::Put, queue), onPrimitive(OpKind::Put, queue)});
    gather.children.push_back(
        plan.fanOut(OpKind::Gather, "closer", 1, {io(30), onPrimitive(OpKind::Close, queue)}).children.front());
    gather.returnExceptions = true;
    const Plan built = plan.program({gather}).build();
    const RunResult result = runToCompletion(built);
    ASSERT_EQ(result.outcome.status, RunStatus::Completed) << result.outcome.error;
    const TraceAnalysis analysis = analyze(result.trace);
    const CounterSeries* depth = analysis.counter("items.depth");
    ASSERT_NE(depth, nullptr);
    EXPECT_EQ(depth->peak, 1);
    bool producerFailed = false;
    for (const TaskRecord& task : analysis.tasks) {
        if (taskDisplayName(result.trace, task) == "producer") {
            producerFailed = task.finalState == TaskState::Failed;
        }
    }
    EXPECT_TRUE(producerFailed) << "the blocked put must raise QueueShutDown";
    const CounterSeries* putters = analysis.counter("items.putters");
    ASSERT_NE(putters, nullptr);
    EXPECT_EQ(putters->points.back().value, 0);
}

TEST_P(Primitives, LockIsHeldByOneTaskAtATime) {
    PlanBuilder plan = builder();
    const int lock = plan.primitive("lock", PrimitiveKind::Lock, 1);
    plan.program({plan.fanOut(OpKind::Gather, "writer", 5,
                              {onPrimitive(OpKind::Acquire, lock), io(5), onPrimitive(OpKind::Release, lock)})});
    const Measured run = measure(plan.build());
    EXPECT_EQ(run.peak("lock.held"), 1);
    EXPECT_GE(run.peak("lock.waiters"), 1);
    EXPECT_EQ(peakConcurrency(run.analysis, TaskState::WaitingIo), 1); // the critical sections never overlap
}

TEST_P(Primitives, EventReleasesEveryWaiterAtOnce) {
    PlanBuilder plan = builder();
    const int ready = plan.primitive("ready", PrimitiveKind::Event, 0);
    PlanStep everyone = plan.fanOut(OpKind::Gather, "waiter", 3, {onPrimitive(OpKind::Wait, ready), io(10)});
    everyone.children.push_back(
        plan.fanOut(OpKind::Gather, "setter", 1, {io(30), onPrimitive(OpKind::Set, ready)}).children.front());
    plan.program({everyone});
    const Measured run = measure(plan.build());
    EXPECT_EQ(run.peak("ready.waiters"), 3);
    // The waiters' I/O starts only after the set, and then all three overlap.
    for (const Span& span : run.analysis.spans) {
        if (span.state == TaskState::WaitingIo && run.analysis.task(span.task)->index >= 0) {
            EXPECT_GE(span.startNs, 25 * kMs);
        }
    }
    EXPECT_EQ(peakConcurrency(run.analysis, TaskState::WaitingIo), 3);
}

TEST_P(Primitives, QueueHandsEveryItemToExactlyOneConsumer) {
    PlanBuilder plan = builder();
    const int items = plan.primitive("items", PrimitiveKind::Queue, 3);
    PlanStep consume = onPrimitive(OpKind::Consume, items);
    consume.body = {io(1)};
    PlanStep pipeline = plan.fanOut(
        OpKind::Gather, "producer", 1,
        {withBody(OpKind::Repeat, {onPrimitive(OpKind::Put, items)}, 30), onPrimitive(OpKind::Close, items)});
    pipeline.children.push_back(plan.fanOut(OpKind::Gather, "consumer", 3, {consume}).children.front());
    plan.program({pipeline});
    const Measured run = measure(plan.build());
    EXPECT_EQ(run.peak("items.depth"), 3);
    EXPECT_LE(run.peak("items.unfinished"), 6);
    EXPECT_EQ(run.last("items.unfinished"), 0);
    EXPECT_EQ(run.last("items.depth"), 0);
    std::int64_t handled = 0;
    for (const Span& span : run.analysis.spans) {
        handled += span.state == TaskState::WaitingIo ? 1 : 0;
    }
    EXPECT_EQ(handled, 30); // every item once
}

INSTANTIATE_TEST_SUITE_P(Models, Primitives, ::testing::Values(Model::Async, Model::Threads),
                         [](const ::testing::TestParamInfo<Model>& model) { return modelCaseName(model.param); });

} // namespace
} // namespace interleave::test
