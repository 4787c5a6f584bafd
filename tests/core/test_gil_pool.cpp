// Pool threads under the GIL keep it from one job to the next while jobs are queued, as CPython's worker keeps it
// through queue.get(): tiny jobs then change hands about every switch interval, not at every job's end.
#include "plan_builder.h"
#include "runtime/run.h"
#include "trace/trace_analysis.h"

#include <gtest/gtest.h>

#include <set>

namespace interleave::test {
namespace {

TEST(GilInAPool, AThreadKeepsItBetweenTinyJobsAndHandsItOverAtTheSwitchInterval) {
    // 400 jobs of 0.1 ms CPU on two threads: 40 ms of work, about eight 5 ms turns.
    PlanBuilder builder(Model::Threads);
    builder.threads(2, true);
    builder.program({builder.fanOut(OpKind::Gather, "work", 400, {cpu(0.1)})});
    const RunResult result = runToCompletion(builder.build());
    ASSERT_EQ(result.outcome.status, RunStatus::Completed) << result.outcome.error;
    const TraceAnalysis analysis = analyze(result.trace);
    const CounterSeries* holder = analysis.counter("gil.holder");
    ASSERT_NE(holder, nullptr);
    // The GIL is free (-1) only when a thread lets go of it: at a hand-over, when main waits for its children and
    // when a thread runs out of work. Dropping it at each job's end made that 400 times and more.
    std::size_t free = 0;
    std::size_t handovers = 0;
    double last = -1;
    for (const CounterPoint& point : holder->points) {
        if (point.value < 0) {
            ++free;
            continue;
        }
        handovers += last >= 0 && point.value != last ? 1U : 0U;
        last = point.value;
    }
    EXPECT_LT(free, 100U);
    EXPECT_GE(handovers, 2U); // both threads had turns
    std::set<std::uint16_t> ran;
    for (const Span& span : analysis.spans) {
        const TaskRecord* task = analysis.task(span.task);
        if (span.state == TaskState::Running && task != nullptr && task->parent != kNoTask) {
            ran.insert(span.lane);
        }
    }
    EXPECT_EQ(ran.size(), 2U);
}

} // namespace
} // namespace interleave::test
