// Conditions and buffers, both ways of waiting: wait_for keeps producers and consumers of a bounded buffer in step
// (producers wait while it is full, consumers while it is empty, and every item is taken exactly once), notify wakes
// one waiter and notify_all every one, waiting or notifying without the lock is CPython's RuntimeError, a cancelled
// wait on the loop takes the lock back before it raises, and a wait nobody will notify is a stall.
#include "metrics/lesson_report.h"
#include "plan_builder.h"
#include "runtime/run.h"

#include <gtest/gtest.h>

#include <chrono>

namespace interleave::test {
namespace {

class Condition : public ::testing::TestWithParam<Model> {
protected:
    PlanBuilder builderFor(int threads) const {
        PlanBuilder made(GetParam());
        if (GetParam() == Model::Threads) {
            made.threads(threads, true);
        }
        return made;
    }
};

PlanStep waitFor(PlanBuilder& builder, int condition, int buffer, BufferTest test) {
    PlanStep step = onPrimitive(OpKind::WaitFor, condition);
    step.until = test;
    step.untilBuffer = buffer;
    step.labelId = builder.intern(test == BufferTest::NotFull ? "cond: buf full" : "cond: buf empty");
    return step;
}

double lastValue(const CounterSeries& series) {
    return series.points.empty() ? 0 : series.points.back().value;
}

// The buffer's size as last recorded before `timeNs`.
double sizeAt(const CounterSeries& size, std::int64_t timeNs) {
    double value = 0;
    for (const CounterPoint& point : size.points) {
        if (point.timeNs > timeNs) {
            break;
        }
        value = point.value;
    }
    return value;
}

TEST_P(Condition, ProducersWaitWhileTheBufferIsFullConsumersWhileItIsEmptyAndEveryItemIsTakenOnce) {
    constexpr int kWorkers = 2;
    constexpr std::int64_t kBatches = 4;
    constexpr std::int64_t kBatch = 6;
    constexpr std::int64_t kCapacity = 2;
    PlanBuilder builder = builderFor(2 * kWorkers);
    const int buffer = builder.primitive("buf", PrimitiveKind::Buffer, kCapacity);
    const int cond = builder.primitive("cond", PrimitiveKind::Condition, 1);
    // Batches: a producer makes kBatch items at once, more than the buffer holds; consumers use each for 1 ms.
    const std::vector<PlanStep> put = {
        onPrimitive(OpKind::Acquire, cond), waitFor(builder, cond, buffer, BufferTest::NotFull),
        onPrimitive(OpKind::Append, buffer), onPrimitive(OpKind::NotifyAll, cond), onPrimitive(OpKind::Release, cond)};
    const std::vector<PlanStep> take = {
        onPrimitive(OpKind::Acquire, cond),   waitFor(builder, cond, buffer, BufferTest::NotEmpty),
        onPrimitive(OpKind::PopLeft, buffer), onPrimitive(OpKind::NotifyAll, cond),
        onPrimitive(OpKind::Release, cond),   io(1)};
    PlanStep both =
        builder.fanOut(OpKind::Gather, "producer", kWorkers,
                       {withBody(OpKind::Repeat, {io(5), withBody(OpKind::Repeat, put, kBatch)}, kBatches)});
    both.children.push_back(
        builder.fanOut(OpKind::Gather, "consumer", kWorkers, {withBody(OpKind::Repeat, take, kBatches * kBatch)})
            .children.front());
    builder.program({both});
    const RunResult result = runToCompletion(builder.build());
    ASSERT_EQ(result.outcome.status, RunStatus::Completed) << result.outcome.error;
    const TraceAnalysis analysis = analyze(result.trace);
    const CounterSeries* size = analysis.counter("buf.size");
    const CounterSeries* taken = analysis.counter("buf.taken");
    ASSERT_NE(size, nullptr);
    ASSERT_NE(taken, nullptr);
    EXPECT_EQ(lastValue(*taken), kWorkers * kBatches * kBatch); // every item made was taken...
    EXPECT_EQ(lastValue(*size), 0);                             // ...and none is left: each exactly once
    EXPECT_LE(size->peak, kCapacity);
    // Who waited on what, and the buffer at that moment: the test is made with the lock held, and the buffer changes
    // only under it, so the size recorded last before the wait began is the size the waiter saw.
    int fullWaits = 0;
    int emptyWaits = 0;
    for (const Span& span : analysis.spans) {
        if (span.state != TaskState::Blocked || span.subject == 0) {
            continue;
        }
        const std::string& subject = result.trace.strings.at(span.subject);
        const std::string& who = result.trace.strings.at(analysis.task(span.task)->nameId);
        if (subject == "cond: buf full") {
            EXPECT_EQ(who, "producer");
            EXPECT_EQ(sizeAt(*size, span.startNs), kCapacity) << span.startNs;
            ++fullWaits;
        } else if (subject == "cond: buf empty") {
            EXPECT_EQ(who, "consumer");
            EXPECT_EQ(sizeAt(*size, span.startNs), 0) << span.startNs;
            ++emptyWaits;
        }
    }
    EXPECT_GT(fullWaits, 0);
    EXPECT_GT(emptyWaits, 0);
}

TEST_P(Condition, NotifyWakesOneWaiterAndNotifyAllWakesTheRest) {
    PlanBuilder builder = builderFor(4);
    const int cond = builder.primitive("cond", PrimitiveKind::Condition, 1);
    const std::vector<PlanStep> waiter = {onPrimitive(OpKind::Acquire, cond), onPrimitive(OpKind::Wait, cond),
                                          onPrimitive(OpKind::Release, cond)};
    const std::vector<PlanStep> notifier = {io(30),
                                            onPrimitive(OpKind::Acquire, cond),
                                            onPrimitive(OpKind::Notify, cond),
                                            onPrimitive(OpKind::Release, cond),
                                            io(60),
                                            onPrimitive(OpKind::Acquire, cond),
                                            onPrimitive(OpKind::NotifyAll, cond),
                                            onPrimitive(OpKind::Release, cond)};
    PlanStep all = builder.fanOut(OpKind::Gather, "waiter", 3, waiter);
    all.children.push_back(builder.fanOut(OpKind::Gather, "notifier", 1, notifier).children.front());
    builder.program({all});
    const RunResult result = runToCompletion(builder.build());
    ASSERT_EQ(result.outcome.status, RunStatus::Completed) << result.outcome.error;
    const TraceAnalysis analysis = analyze(result.trace);
    // Times from the notifier's start: a pool's threads can take tens of ms to start under a sanitizer.
    std::int64_t startNs = 0;
    for (const TaskRecord& task : analysis.tasks) {
        if (result.trace.strings.at(task.nameId) == "notifier") {
            startNs = task.createdNs;
        }
    }
    int early = 0;
    int late = 0;
    for (const TaskRecord& task : analysis.tasks) {
        if (result.trace.strings.at(task.nameId) == "waiter") {
            (task.endedNs - startNs < 60 * kMs ? early : late) += 1; // woken at 30 ms, or at 90 ms
        }
    }
    EXPECT_EQ(early, 1);
    EXPECT_EQ(late, 2);
}

TEST_P(Condition, WaitingOrNotifyingWithoutTheLockIsARuntimeError) {
    for (const OpKind kind : {OpKind::Wait, OpKind::Notify, OpKind::NotifyAll}) {
        PlanBuilder builder = builderFor(2);
        const int cond = builder.primitive("cond", PrimitiveKind::Condition, 1);
        builder.program({onPrimitive(kind, cond)});
        const RunResult result = runToCompletion(builder.build());
        EXPECT_EQ(result.outcome.status, RunStatus::Failed);
        EXPECT_NE(result.outcome.error.find(kind == OpKind::Wait ? "RuntimeError: cannot wait on un-acquired lock"
                                                                 : "RuntimeError: cannot notify on un-acquired lock"),
                  std::string::npos)
            << result.outcome.error;
    }
}

TEST_P(Condition, PopleftOnAnEmptyBufferIsAnIndexError) {
    PlanBuilder builder = builderFor(2);
    const int buffer = builder.primitive("buf", PrimitiveKind::Buffer, 0);
    builder.program({onPrimitive(OpKind::Append, buffer), onPrimitive(OpKind::PopLeft, buffer),
                     onPrimitive(OpKind::PopLeft, buffer)});
    const RunResult result = runToCompletion(builder.build());
    EXPECT_EQ(result.outcome.status, RunStatus::Failed);
    EXPECT_NE(result.outcome.error.find("IndexError: pop from an empty deque"), std::string::npos)
        << result.outcome.error;
}

TEST_P(Condition, AWaitNobodyWillNotifyStallsAndNamesItsTest) {
    PlanBuilder builder = builderFor(2);
    const int buffer = builder.primitive("buf", PrimitiveKind::Buffer, 0);
    const int cond = builder.primitive("cond", PrimitiveKind::Condition, 1);
    builder.program(
        {builder.fanOut(OpKind::Gather, "consumer", 2,
                        {onPrimitive(OpKind::Acquire, cond), waitFor(builder, cond, buffer, BufferTest::NotEmpty)})});
    const auto start = std::chrono::steady_clock::now();
    const RunResult result = runToCompletion(builder.build());
    EXPECT_EQ(result.outcome.status, RunStatus::Stalled) << result.outcome.error;
    EXPECT_NE(result.outcome.error.find("2 on 'cond: buf empty'"), std::string::npos) << result.outcome.error;
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 3.0);
}

INSTANTIATE_TEST_SUITE_P(Models, Condition, ::testing::Values(Model::Async, Model::Threads),
                         [](const ::testing::TestParamInfo<Model>& model) { return modelCaseName(model.param); });

TEST(Condition, ACancelledWaitOnTheLoopTakesTheLockBackBeforeItRaises) {
    // async with cond: async with asyncio.timeout(0.02): await cond.wait() -- the wait is cancelled at 20 ms, takes
    // the lock back, and raises; the `async with` lets go of it on the way out.
    PlanBuilder builder(Model::Async);
    const int cond = builder.primitive("cond", PrimitiveKind::Condition, 1);
    PlanStep guarded = withBody(OpKind::Timeout, {onPrimitive(OpKind::Wait, cond)});
    guarded.durationNs = 20 * kMs;
    builder.program(
        {onPrimitive(OpKind::Acquire, cond), withBody(OpKind::Cleanup, {onPrimitive(OpKind::Release, cond)}), guarded});
    const RunResult result = runToCompletion(builder.build());
    EXPECT_EQ(result.outcome.status, RunStatus::Failed);
    EXPECT_NE(result.outcome.error.find("TimeoutError"), std::string::npos) << result.outcome.error;
    const TraceAnalysis analysis = analyze(result.trace);
    const CounterSeries* held = analysis.counter("cond.held");
    ASSERT_NE(held, nullptr);
    std::vector<double> values;
    for (const CounterPoint& point : held->points) {
        values.push_back(point.value);
    }
    // Taken, let go by the wait, taken back after the cancel, let go by the cleanup.
    EXPECT_EQ(values, (std::vector<double>{1, 0, 1, 0}));
}

} // namespace
} // namespace interleave::test
