// The engine's models and primitives, on hand-built plans: structural checks with wide timing margins.
#include "plan_builder.h"
#include "runtime/run.h"
#include "trace/trace_analysis.h"

#include <gtest/gtest.h>

#include <map>

#include <algorithm>
#include <set>
#include <thread>

namespace interleave::test {
namespace {

struct Outcome {
    RunResult result;
    TraceAnalysis analysis;
    double makespanMs() const { return static_cast<double>(analysis.makespanNs) / 1e6; }
    std::int64_t peak(const std::string& counter) const {
        const CounterSeries* series = analysis.counter(counter);
        return series ? series->peak : -1;
    }
    std::size_t tasksEndingIn(TaskState state) const {
        return static_cast<std::size_t>(
            std::count_if(analysis.tasks.begin(), analysis.tasks.end(),
                          [state](const TaskRecord& task) { return task.finalState == state; }));
    }
};

Outcome runPlan(const Plan& plan) {
    Outcome outcome{runToCompletion(plan), {}};
    outcome.analysis = analyze(outcome.result.trace);
    return outcome;
}

TEST(Runtime, AwaitInALoopRunsOneThingAtATime) {
    PlanBuilder builder(Model::Async);
    const Outcome run = runPlan(builder.program({withBody(OpKind::Repeat, {io(20)}, 3)}).build());
    EXPECT_EQ(run.result.outcome.status, RunStatus::Completed);
    EXPECT_EQ(peakConcurrency(run.analysis, TaskState::WaitingIo), 1);
    EXPECT_GE(run.makespanMs(), 60.0);
}

TEST(Runtime, GatherOverlapsTheWaits) {
    PlanBuilder builder(Model::Async);
    const Outcome run = runPlan(builder.program({builder.fanOut(OpKind::Gather, "request", 10, {io(50)})}).build());
    EXPECT_EQ(run.result.outcome.status, RunStatus::Completed);
    EXPECT_EQ(peakConcurrency(run.analysis, TaskState::WaitingIo), 10);
    EXPECT_LT(run.makespanMs(), 250.0); // sequential would take 500 ms
    EXPECT_EQ(run.tasksEndingIn(TaskState::Done), 11U);
    EXPECT_EQ(run.peak("in_flight"), 10);
}

// asyncio's create_task schedules: gathered children start when the loop gets to them, after their parent has
// suspended, so that one task at a time runs on the loop and all of them are in flight at once (L3 cpu-gather).
TEST(Runtime, GatheredChildrenStartWhenTheLoopGetsToThem) {
    PlanBuilder builder(Model::Async);
    const Outcome run = runPlan(builder.program({builder.fanOut(OpKind::Gather, "work", 4, {cpu(30)})}).build());
    ASSERT_EQ(run.result.outcome.status, RunStatus::Completed);
    EXPECT_EQ(peakConcurrency(run.analysis, TaskState::Running), 1);
    EXPECT_EQ(run.peak("in_flight"), 4);
    // Each child waits "ready" until its turn: the last one for about three others' work.
    std::int64_t longestReadyNs = 0;
    for (const Span& span : run.analysis.spans) {
        if (span.state == TaskState::Ready) {
            longestReadyNs = std::max(longestReadyNs, span.endNs - span.startNs);
        }
    }
    EXPECT_GE(longestReadyNs, 60'000'000);
}

// A task whose sleep ended while the loop was busy (a blocking call on it) is ready, not waiting, from the end of
// its sleep until the loop runs it again: its lane shows the freeze (L9).
TEST(Runtime, ASleepThatEndsWhileTheLoopIsBlockedTurnsReady) {
    PlanBuilder builder(Model::Async);
    PlanStep gather = builder.fanOut(OpKind::Gather, "sleeper", 1, {io(20), io(1)});
    gather.children.push_back(builder.fanOut(OpKind::Gather, "blocker", 1, {block(200)}).children.front());
    const Outcome run = runPlan(builder.program({gather}).build());
    ASSERT_EQ(run.result.outcome.status, RunStatus::Completed);
    std::int64_t sleeperReadyNs = 0;
    std::int64_t sleeperWaitingNs = 0;
    for (const Span& span : run.analysis.spans) {
        const TaskRecord* task = run.analysis.task(span.task);
        if (task == nullptr || taskDisplayName(run.result.trace, *task) != "sleeper") {
            continue;
        }
        if (span.state == TaskState::Ready) {
            sleeperReadyNs += span.endNs - span.startNs;
        } else if (span.state == TaskState::WaitingIo) {
            sleeperWaitingNs += span.endNs - span.startNs;
        }
    }
    EXPECT_GE(sleeperReadyNs, 150'000'000) << "the sleeper's 20 ms ended while the loop was blocked for 200 ms";
    EXPECT_LT(sleeperWaitingNs, 60'000'000);
}

TEST(Runtime, SemaphoreCapsOccupancyAndQueuesTheRest) {
    PlanBuilder builder(Model::Async);
    const int sem = builder.primitive("sem", PrimitiveKind::Semaphore, 3);
    builder.program({builder.fanOut(OpKind::Gather, "request", 20,
                                    {onPrimitive(OpKind::Acquire, sem), io(10), onPrimitive(OpKind::Release, sem)})});
    const Outcome run = runPlan(builder.build());
    EXPECT_EQ(run.peak("sem.in_use"), 3);
    EXPECT_EQ(run.peak("sem.waiters"), 17);
    EXPECT_EQ(run.analysis.counter("sem.waiters")->points.back().value, 0);
    EXPECT_GE(run.makespanMs(), 60.0); // ceil(20/3) rounds of 10 ms
}

TEST(Runtime, BoundedQueueGivesBackpressure) {
    PlanBuilder builder(Model::Async);
    const int items = builder.primitive("items", PrimitiveKind::Queue, 5);
    PlanStep consume = onPrimitive(OpKind::Consume, items);
    consume.body = {io(2)};
    // One gather with two kinds of children: a producer and two consumers.
    PlanStep producer = builder.fanOut(
        OpKind::Gather, "producer", 1,
        {withBody(OpKind::Repeat, {onPrimitive(OpKind::Put, items)}, 40), onPrimitive(OpKind::Close, items)});
    producer.children.push_back(builder.fanOut(OpKind::Gather, "worker", 2, {consume}).children.front());
    const Outcome run = runPlan(builder.program({producer}).build());
    EXPECT_EQ(run.result.outcome.status, RunStatus::Completed);
    EXPECT_EQ(run.peak("items.depth"), 5);
    EXPECT_EQ(run.peak("items.unfinished"), 7);
    EXPECT_GE(run.peak("items.putters"), 1);
    EXPECT_EQ(run.analysis.counter("items.unfinished")->points.back().value, 0);
    EXPECT_EQ(run.tasksEndingIn(TaskState::Done), 4U);
}

TEST(Runtime, BlockingCallFreezesTheLoopAndLagShowsIt) {
    PlanBuilder blocking(Model::Async);
    blocking.heartbeatMs(5).program({io(20), block(150), io(20)});
    const Outcome frozen = runPlan(blocking.build());
    ASSERT_NE(frozen.analysis.counter("loop_lag_us"), nullptr);
    EXPECT_GE(frozen.peak("loop_lag_us"), 100'000);

    PlanBuilder offloaded(Model::Async);
    offloaded.threads(1).heartbeatMs(5);
    offloaded.program({io(20), offloaded.offload(Placement::Threads, {block(150)}), io(20)});
    const Outcome responsive = runPlan(offloaded.build());
    EXPECT_EQ(responsive.result.outcome.status, RunStatus::Completed);
    EXPECT_LT(responsive.peak("loop_lag_us"), 50'000);
}

TEST(Runtime, GilSerialisesCpuWorkAndHandsOver) {
    PlanBuilder builder(Model::Threads);
    builder.threads(2, true);
    builder.program({builder.fanOut(OpKind::Gather, "cpu", 2, {cpu(60)})});
    const Outcome run = runPlan(builder.build());
    EXPECT_EQ(run.result.outcome.status, RunStatus::Completed);
    const CounterSeries* holder = run.analysis.counter("gil.holder");
    ASSERT_NE(holder, nullptr);
    std::set<std::int64_t> holders;
    for (const CounterPoint& point : holder->points) {
        if (point.value >= 0) {
            holders.insert(point.value);
        }
    }
    EXPECT_EQ(holders.size(), 3U);        // main until it waits for its children, then the two threads in turn
    EXPECT_GE(holder->points.size(), 8U); // hand-offs every 5 ms over ~120 ms of work
    EXPECT_GT(totalTimeInState(run.analysis, TaskState::WaitingGil), 0);
    EXPECT_EQ(peakConcurrency(run.analysis, TaskState::Running), 1);
}

// Under a GIL a thread back from I/O must take the GIL again before it runs: while another thread computes, it
// waits for it (the convoy), and no two threads are ever running at once.
TEST(Runtime, AThreadBackFromIoWaitsForTheGil) {
    PlanBuilder builder(Model::Threads);
    builder.threads(2, true);
    PlanStep gather = builder.fanOut(OpKind::Gather, "cpu", 1, {cpu(150)});
    gather.children.push_back(builder.fanOut(OpKind::Gather, "io", 1, {io(20), io(20), io(20)}).children.front());
    const Outcome run = runPlan(builder.program({gather}).build());
    ASSERT_EQ(run.result.outcome.status, RunStatus::Completed);
    EXPECT_EQ(peakConcurrency(run.analysis, TaskState::Running), 1);
    std::int64_t ioTaskWaitingGilNs = 0;
    for (const Span& span : run.analysis.spans) {
        const TaskRecord* task = run.analysis.task(span.task);
        if (task != nullptr && taskDisplayName(run.result.trace, *task) == "io" &&
            span.state == TaskState::WaitingGil) {
            ioTaskWaitingGilNs += span.endNs - span.startNs;
        }
    }
    // Each of its three returns waits for the holder's next switch interval (5 ms) at least once.
    EXPECT_GE(ioTaskWaitingGilNs, 5'000'000);
}

// Under a GIL the loop thread holds it while it runs its coroutines, as CPython's does: a thread waiting for it gets
// it at a switch interval's drop request or when the loop goes idle, not between two cpu steps of a loop task.
TEST(Runtime, TheLoopKeepsTheGilBetweenItsCpuSteps) {
    PlanBuilder builder(Model::Async);
    builder.threads(1, true);
    // The loop task first: its io starts before the job is sent, so that no step of it runs on the loop (which the
    // engine does without the GIL) once the pool thread holds the GIL (the loop thread, held up 2 ms on a busy
    // machine, ran it after: 1 failure in 30).
    PlanStep gather = builder.fanOut(OpKind::Gather, "loop", 1, {io(40), cpu(10), cpu(10)});
    gather.children.push_back(
        builder.fanOut(OpKind::Gather, "thread", 1, {builder.offload(Placement::Threads, {cpu(150)})})
            .children.front());
    Plan plan = builder.program({gather}).build();
    // The thread holds the GIL until its drop request, 100 ms on; then the loop's two steps (20 ms of CPU, five
    // times less than the interval even on a busy machine) run while the thread waits for it. The loop's io gives the
    // pool thread 40 ms to start and take the GIL first (2 ms were too few under a loaded CI: 2 failures in 10).
    plan.switchIntervalNs = 100 * kMs;
    const Outcome run = runPlan(plan);
    ASSERT_EQ(run.result.outcome.status, RunStatus::Completed);
    EXPECT_EQ(peakConcurrency(run.analysis, TaskState::Running), 1);
    int loopWaits = 0;
    for (const Span& span : run.analysis.spans) {
        const TaskRecord* task = run.analysis.task(span.task);
        if (task != nullptr && taskDisplayName(run.result.trace, *task) == "loop" &&
            span.state == TaskState::WaitingGil) {
            ++loopWaits;
        }
    }
    // Once, for the thread's hold; the second cpu step follows the first without giving the GIL up in between.
    EXPECT_EQ(loopWaits, 1);
}

TEST(Runtime, ThreadsWithoutGilRunInParallel) {
    PlanBuilder builder(Model::Threads);
    builder.threads(2, false);
    builder.program({builder.fanOut(OpKind::Gather, "cpu", 2, {cpu(80)})});
    // Both running at once, on two cores. A machine busy with other work may give them one core at a time, and the
    // lanes say so (preempted by the OS): a few tries, for a moment when two cores are free.
    std::int64_t peak = 0;
    for (int attempt = 0; attempt < 5 && peak < 2; ++attempt) {
        peak = peakConcurrency(runPlan(builder.build()).analysis, TaskState::Running);
    }
    EXPECT_EQ(peak, 2);
}

TEST(Runtime, FailAndRetryAreSeeded) {
    auto outcome = [](std::uint64_t seed) {
        PlanBuilder builder(Model::Async);
        PlanStep fail;
        fail.kind = OpKind::Fail;
        fail.probability = 0.5;
        PlanStep retry = withBody(OpKind::Retry, {fail}, 3);
        retry.durationNs = 1 * kMs;
        builder.seed(seed).program({builder.fanOut(OpKind::Gather, "call", 8, {retry})});
        const Outcome run = runPlan(builder.build());
        std::vector<TaskState> states;
        for (const TaskRecord& task : run.analysis.tasks) {
            states.push_back(task.finalState);
        }
        return std::make_pair(states, run.analysis.markers.size());
    };
    EXPECT_EQ(outcome(7), outcome(7));
    EXPECT_GT(outcome(7).second, 0U); // some retries happened
}

// retry: N tries N times in all: N - 1 retries, each marked, and the last failure is the task's.
TEST(Runtime, RetryTriesTheAttemptsInAll) {
    for (const Model model : {Model::Async, Model::Threads}) {
        PlanBuilder builder(model);
        PlanStep fail;
        fail.kind = OpKind::Fail;
        fail.probability = 1.0;
        PlanStep retry = withBody(OpKind::Retry, {fail}, 3);
        retry.durationNs = 1 * kMs;
        if (model == Model::Threads) {
            builder.threads(2);
        }
        PlanStep gather = builder.fanOut(OpKind::Gather, "call", 2, {retry});
        gather.returnExceptions = true;
        const Outcome run = runPlan(builder.program({gather}).build());
        SCOPED_TRACE(model == Model::Async ? "async" : "threads");
        EXPECT_EQ(run.result.outcome.status, RunStatus::Completed) << run.result.outcome.error;
        const auto retries = std::count_if(run.analysis.markers.begin(), run.analysis.markers.end(),
                                           [](const MarkerRecord& marker) { return marker.kind == MarkerKind::Retry; });
        EXPECT_EQ(retries, 4); // two calls, three tries each
        EXPECT_EQ(run.tasksEndingIn(TaskState::Failed), 2U);
        EXPECT_EQ(run.tasksEndingIn(TaskState::Done), 1U); // main: gather(return_exceptions=True) does not raise
    }
}

// Without return_exceptions a gathered child's failure is its parent's.
TEST(Runtime, AFailedChildFailsItsGatherUnlessExceptionsAreReturned) {
    PlanBuilder builder(Model::Async);
    PlanStep fail;
    fail.kind = OpKind::Fail;
    fail.probability = 1.0;
    const Outcome run = runPlan(builder.program({builder.fanOut(OpKind::Gather, "call", 2, {io(1), fail})}).build());
    EXPECT_EQ(run.tasksEndingIn(TaskState::Failed), 3U); // both calls and main
}

// fail(p) draws from the task's own seeded stream, the same in a thread and in a worker process: one seed, one
// outcome, wherever the step runs.
TEST(Runtime, FailDrawsTheSameOutcomeInAThreadAndInAWorkerProcess) {
    auto outcomes = [](Placement placement) {
        PlanBuilder builder(Model::Async);
        if (placement == Placement::Processes) {
            builder.processes(2);
        } else {
            builder.threads(2);
        }
        PlanStep fail;
        fail.kind = OpKind::Fail;
        fail.probability = 0.5;
        PlanStep gather = builder.fanOut(OpKind::Gather, "call", 16, {builder.offload(placement, {fail})});
        gather.returnExceptions = true;
        const Outcome run = runPlan(builder.seed(11).program({gather}).build());
        std::vector<TaskState> states;
        for (const TaskRecord& task : run.analysis.tasks) {
            states.push_back(task.finalState);
        }
        return states;
    };
    const std::vector<TaskState> inThreads = outcomes(Placement::Threads);
    EXPECT_EQ(inThreads, outcomes(Placement::Processes));
    EXPECT_NE(std::count(inThreads.begin(), inThreads.end(), TaskState::Failed), 0);
    EXPECT_NE(std::count(inThreads.begin(), inThreads.end(), TaskState::Done), 0);
}

// A bounded poll stays bounded once the run has finished (a stopped run's millions of events are not all taken in
// at once); the trace is complete, and its end fixed, only when everything is drained.
TEST(Runtime, ABoundedPollOfAFinishedRunLeavesTheRestForTheNext) {
    PlanBuilder builder(Model::Async);
    builder.program({builder.fanOut(OpKind::Gather, "quick", 5'000, {io(0)})});
    core::Run run(builder.build());
    run.start();
    run.wait();
    const std::size_t first = run.pollTrace(1'000);
    EXPECT_GE(first, 1U);
    EXPECT_LT(first, 20'000U);
    EXPECT_FALSE(run.traceComplete());
    run.pollTrace();
    EXPECT_TRUE(run.traceComplete());
    EXPECT_GT(run.trace().events.size(), 20'000U); // 5,000 tasks, a few events each
    EXPECT_TRUE(std::is_sorted(run.trace().events.begin(), run.trace().events.end(),
                               [](const Event& a, const Event& b) { return a.timeNs < b.timeNs; }));
    EXPECT_EQ(run.pollTrace(), 0U);
}

// cpus: 1 keeps the run's threads to one CPU: two threads of CPU work with no GIL take turns, so the run takes at
// least the sum of their work (it could not be faster on one core, however idle the machine).
TEST(Runtime, ThreadsKeptToOneCpuTakeTurns) {
    PlanBuilder builder(Model::Threads);
    builder.threads(2);
    builder.program({builder.fanOut(OpKind::Gather, "burn", 2, {cpu(100)})});
    Plan plan = builder.build();
    plan.cpus = 1;
    const RunResult result = runToCompletion(plan);
    ASSERT_EQ(result.outcome.status, RunStatus::Completed) << result.outcome.error;
    const TraceAnalysis analysis = analyze(result.trace);
    EXPECT_GE(analysis.makespanNs, 180 * kMs);
    // Each is drawn taking turns: ready, preempted by the OS, while the other runs, and about 100 ms running in all.
    std::map<std::uint32_t, std::int64_t> running;
    std::map<std::uint32_t, std::int64_t> preempted;
    for (const Span& span : analysis.spans) {
        if (result.trace.strings.at(analysis.task(span.task)->nameId) != "burn") {
            continue;
        }
        if (span.state == TaskState::Running) {
            running[span.task] += span.endNs - span.startNs;
        } else if (span.state == TaskState::Ready && span.subject != 0 &&
                   result.trace.strings.at(span.subject) == "preempted by the OS") {
            preempted[span.task] += span.endNs - span.startNs;
        }
    }
    ASSERT_EQ(running.size(), 2U);
    for (const auto& [task, ns] : running) {
        EXPECT_GT(ns, 60 * kMs) << task;
        EXPECT_LT(ns, 160 * kMs) << task;
        EXPECT_GT(preempted[task], 20 * kMs) << task;
    }
}

TEST(Runtime, StopCancelsEveryTaskPromptly) {
    for (Model model : {Model::Async, Model::Threads, Model::Sequential}) {
        PlanBuilder builder(model);
        builder.threads(4);
        builder.program({builder.fanOut(OpKind::Gather, "slow", 8, {io(10'000)}), cpu(10'000)});
        core::Run run(builder.build());
        run.start();
        std::this_thread::sleep_for(std::chrono::milliseconds(60));
        const auto before = std::chrono::steady_clock::now();
        run.requestStop();
        ASSERT_TRUE(run.waitFor(std::chrono::seconds(2)));
        EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::milliseconds(200)) << toString(model);
        run.pollTrace();
        EXPECT_EQ(run.outcome().status, RunStatus::Stopped);
        const TraceAnalysis analysis = analyze(run.trace());
        const auto cancelled = std::count_if(analysis.tasks.begin(), analysis.tasks.end(),
                                             [](const TaskRecord& t) { return t.finalState == TaskState::Cancelled; });
        EXPECT_GE(cancelled, 2) << toString(model);
        for (const TaskRecord& task : analysis.tasks) {
            EXPECT_TRUE(isTerminal(task.finalState)) << toString(model);
        }
    }
}

// "Tasks in flight" counts tasks, as asyncio's all_tasks() would: a task awaiting its offloaded job is one, not two
// (L7 read 16 for its 8 events).
TEST(Runtime, AnOffloadedJobIsNotASecondTaskInFlight) {
    for (Model model : {Model::Async, Model::Threads}) {
        PlanBuilder builder(model);
        builder.threads(8); // under the threads model the handles hold 4 of the pool's threads while their jobs run
        builder.program({builder.fanOut(OpKind::Gather, "handle", 4, {builder.offload(Placement::Threads, {io(30)})})});
        const Outcome run = runPlan(builder.build());
        EXPECT_EQ(run.result.outcome.status, RunStatus::Completed) << toString(model);
        EXPECT_EQ(run.peak("in_flight"), 4) << toString(model);
        const CounterSeries* inFlight = run.analysis.counter("in_flight");
        ASSERT_NE(inFlight, nullptr);
        EXPECT_EQ(inFlight->points.back().value, 0) << toString(model); // every one counted out again
    }
}

// The window and a finishing worker may both wait for one run: the engine thread is joined once, whoever gets there.
TEST(Runtime, TwoThreadsCanWaitForOneRun) {
    for (int round = 0; round < 20; ++round) {
        PlanBuilder builder(Model::Async);
        core::Run run(builder.program({io(1)}).build());
        run.start();
        std::thread other([&run] { run.wait(); });
        run.wait();
        other.join();
        EXPECT_TRUE(run.finished());
    }
}

} // namespace
} // namespace interleave::test
