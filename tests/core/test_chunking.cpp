// Children sent to the process pool in chunks (executor.map's chunksize): every item runs exactly once, a chunk is one
// message, a failure ends the rest of its chunk, and the workers' waits for messages are drawn and measured.
#include "plan_builder.h"
#include "runtime/run.h"
#include "trace/trace_analysis.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace interleave::test {
namespace {

struct ChunkedRun {
    RunResult result;
    TraceAnalysis analysis;
};

ChunkedRun runChunked(Model model, std::int64_t items, std::int64_t chunkSize, std::vector<PlanStep> body,
                      std::uint64_t seed = 1) {
    PlanBuilder builder(model);
    builder.processes(2).seed(seed);
    PlanStep gather = builder.fanOut(OpKind::Gather, "item", items, std::move(body), Placement::Processes);
    gather.chunkSize = chunkSize;
    gather.returnExceptions = true;
    builder.program({gather});
    ChunkedRun run{runToCompletion(builder.build()), {}};
    run.analysis = analyze(run.result.trace);
    return run;
}

// The item tasks (every task but main), with how many times each began running on a worker.
std::map<std::uint32_t, int> runsOnWorkers(const ChunkedRun& run) {
    std::map<std::uint32_t, int> runs;
    for (const TaskRecord& task : run.analysis.tasks) {
        if (task.parent != kNoTask) {
            runs[task.id] = 0;
        }
    }
    std::map<std::uint32_t, bool> running;
    for (const Span& span : run.analysis.spans) {
        const bool onWorker = run.result.trace.lanes.at(span.lane).kind == LaneKind::WorkerProcess;
        if (onWorker && span.state == TaskState::Running && !running[span.task]) {
            running[span.task] = true; // a task's first running span on a worker: it was delivered to one
            ++runs[span.task];
        }
    }
    return runs;
}

class Chunking : public ::testing::TestWithParam<Model> {};

TEST_P(Chunking, DeliversEveryItemExactlyOnce) {
    // 250 items in chunks of 100: messages of 100, 100 and 50.
    const ChunkedRun run = runChunked(GetParam(), 250, 100, {cpu(0.05)});
    ASSERT_EQ(run.result.outcome.status, RunStatus::Completed) << run.result.outcome.error;
    const auto runs = runsOnWorkers(run);
    ASSERT_EQ(runs.size(), 250U);
    for (const auto& [task, count] : runs) {
        EXPECT_EQ(count, 1) << "task " << task;
        EXPECT_EQ(run.analysis.task(task)->finalState, TaskState::Done) << "task " << task;
    }
    // One message per chunk: a chunk's items run one after another on one worker, in order, so the worker changes
    // at most twice (at the chunk boundaries), and the tasks of a chunk share a lane.
    std::vector<std::uint16_t> laneOfItem;
    for (const TaskRecord& task : run.analysis.tasks) {
        if (task.parent == kNoTask) {
            continue;
        }
        for (const Span& span : run.analysis.spans) {
            if (span.task == task.id && span.state == TaskState::Running) {
                laneOfItem.push_back(span.lane);
                break;
            }
        }
    }
    ASSERT_EQ(laneOfItem.size(), 250U);
    for (std::size_t chunk = 0; chunk < 3; ++chunk) {
        const std::size_t first = chunk * 100;
        const std::size_t last = std::min<std::size_t>(first + 100, 250);
        for (std::size_t item = first; item < last; ++item) {
            EXPECT_EQ(laneOfItem[item], laneOfItem[first]) << "item " << item << " left its chunk's worker";
        }
    }
}

TEST_P(Chunking, AFailedItemEndsTheRestOfItsChunkUnrun) {
    // Half the items fail (seeded): in each chunk of 10, the items before the first failure end well, it fails, and
    // the rest of the chunk never runs, as the rest of a CPython chunk after its call raised.
    PlanStep fail;
    fail.kind = OpKind::Fail;
    fail.probability = 0.5;
    const ChunkedRun run = runChunked(GetParam(), 40, 10, {cpu(0.02), fail}, 7);
    ASSERT_EQ(run.result.outcome.status, RunStatus::Completed) << run.result.outcome.error;
    const auto runs = runsOnWorkers(run);
    std::vector<TaskState> ends;
    std::vector<int> ran;
    for (const TaskRecord& task : run.analysis.tasks) {
        if (task.parent != kNoTask) {
            ends.push_back(task.finalState);
            ran.push_back(runs.at(task.id));
        }
    }
    ASSERT_EQ(ends.size(), 40U);
    int failures = 0;
    for (std::size_t chunk = 0; chunk < 4; ++chunk) {
        bool failed = false;
        for (std::size_t item = chunk * 10; item < chunk * 10 + 10; ++item) {
            if (failed) {
                EXPECT_EQ(ends[item], TaskState::Cancelled) << "item " << item;
                EXPECT_EQ(ran[item], 0) << "item " << item;
            } else {
                EXPECT_EQ(ran[item], 1) << "item " << item;
                EXPECT_TRUE(ends[item] == TaskState::Done || ends[item] == TaskState::Failed) << "item " << item;
                failed = ends[item] == TaskState::Failed;
                failures += failed ? 1 : 0;
            }
        }
    }
    EXPECT_GE(failures, 1); // with p = 0.5, some chunk failed
}

INSTANTIATE_TEST_SUITE_P(Models, Chunking, ::testing::Values(Model::Sequential, Model::Async, Model::Threads),
                         [](const ::testing::TestParamInfo<Model>& model) { return modelCaseName(model.param); });

// The "messaging" spans on the worker lanes (a worker's waits for its next job while one was queued): how many, and
// their time in ms.
struct Messaging {
    std::size_t spans = 0;
    double ms = 0;
};

Messaging messagingOf(const ChunkedRun& run) {
    const std::uint32_t messaging = run.result.trace.strings.find(kMessagingName);
    Messaging result;
    for (const Span& span : run.analysis.laneSpans) {
        if (messaging != 0 && span.state == TaskState::Idle && span.subject == messaging) {
            ++result.spans;
            result.ms += static_cast<double>(span.endNs - span.startNs) / 1e6;
        }
    }
    return result;
}

TEST(Chunking, WorkersDrawTheirWaitsForMessages) {
    // 200 tiny items one per message: a worker waits between each pair of its jobs (200 - 2 waits in all, or 199
    // when the other worker starts too late to take any); in chunks of 50, 4 messages leave 3 waits at most.
    const ChunkedRun single = runChunked(Model::Sequential, 200, 1, {cpu(0.05)});
    const ChunkedRun chunked = runChunked(Model::Sequential, 200, 50, {cpu(0.05)});
    ASSERT_EQ(single.result.outcome.status, RunStatus::Completed) << single.result.outcome.error;
    ASSERT_EQ(chunked.result.outcome.status, RunStatus::Completed) << chunked.result.outcome.error;
    EXPECT_GE(messagingOf(single).spans, 150U);
    EXPECT_LE(messagingOf(chunked).spans, 3U);
    EXPECT_GT(messagingOf(single).ms, 0.0);
    EXPECT_GT(messagingOf(single).ms, messagingOf(chunked).ms);
}

TEST(Chunking, TheParentPaysForEachMessage) {
    // 20 items one per message, each message costing the parent 5 ms of CPU in turn: at least 100 ms, where the
    // work itself is 20 x 0.1 ms on two workers.
    PlanBuilder builder(Model::Sequential);
    builder.processes(2);
    builder.program({builder.fanOut(OpKind::Gather, "item", 20, {cpu(0.1)}, Placement::Processes)});
    Plan plan = builder.build();
    plan.messageCpuNs = 5 * kMs;
    const RunResult result = runToCompletion(plan);
    ASSERT_EQ(result.outcome.status, RunStatus::Completed) << result.outcome.error;
    EXPECT_GE(analyze(result.trace).makespanNs, 100 * kMs);
}

} // namespace
} // namespace interleave::test
