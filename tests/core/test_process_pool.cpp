// Real worker processes: start-up spans, results, a worker killed mid-run, and no process left behind.
#include "plan_builder.h"
#include "runtime/run.h"
#include "trace/trace_analysis.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sched.h>
#include <set>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>

namespace interleave::test {
namespace {

// True when this test process has no child left, zombie or alive.
bool noChildProcesses() {
    errno = 0;
    return waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

TEST(ProcessPool, RunsJobsInWorkersAndDrawsTheirStartUp) {
    PlanBuilder builder(Model::Sequential);
    builder.processes(2);
    // Jobs long enough (4 x 50 ms) that the second worker is up before the first has run them all, even when a
    // sanitizer's start-up and a busy machine slow its spawn.
    builder.program({builder.fanOut(OpKind::Gather, "job", 4, {cpu(10), io(40)}, Placement::Processes)});
    RunResult result = runToCompletion(builder.build());
    ASSERT_EQ(result.outcome.status, RunStatus::Completed) << result.outcome.error;
    const TraceAnalysis analysis = analyze(result.trace);
    std::size_t startUps = 0;
    for (const Span& span : analysis.laneSpans) {
        startUps += span.state == TaskState::Starting ? 1 : 0;
    }
    EXPECT_EQ(startUps, 2U);
    std::set<std::uint16_t> workerLanes;
    for (const Span& span : analysis.spans) {
        if (result.trace.lanes.at(span.lane).kind == LaneKind::WorkerProcess && span.state == TaskState::WaitingIo) {
            workerLanes.insert(span.lane);
        }
    }
    EXPECT_EQ(workerLanes.size(), 2U); // both workers took jobs
    for (const LaneInfo& lane : result.trace.lanes) {
        if (lane.kind == LaneKind::WorkerProcess) {
            EXPECT_GT(lane.processId, 0);
        }
    }
    EXPECT_TRUE(noChildProcesses());
}

TEST(ProcessPool, OffloadFromTheLoopKeepsItResponsive) {
    PlanBuilder builder(Model::Async);
    builder.processes(1).heartbeatMs(5);
    builder.program({builder.offload(Placement::Processes, {cpu(100)})});
    RunResult result = runToCompletion(builder.build());
    ASSERT_EQ(result.outcome.status, RunStatus::Completed) << result.outcome.error;
    const TraceAnalysis analysis = analyze(result.trace);
    ASSERT_NE(analysis.counter("loop_lag_us"), nullptr);
    EXPECT_LT(analysis.counter("loop_lag_us")->peak, 50'000);
    EXPECT_TRUE(noChildProcesses());
}

TEST(ProcessPool, KilledWorkerBreaksThePoolCleanly) {
    PlanBuilder builder(Model::Sequential);
    builder.processes(2);
    builder.program({builder.fanOut(OpKind::Gather, "job", 2, {cpu(5'000)}, Placement::Processes)});
    core::Run run(builder.build());
    run.start();
    std::int64_t victim = 0;
    for (int attempt = 0; attempt < 200 && victim == 0; ++attempt) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        run.pollTrace();
        for (const Event& event : run.trace().events) {
            // A worker's "ready" ends its start-up span and carries its pid.
            if (event.kind == EventKind::LaneState && static_cast<TaskState>(event.code) == TaskState::Done) {
                victim = event.value;
            }
        }
    }
    ASSERT_GT(victim, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(30)); // let it pick up a job
    ASSERT_EQ(kill(static_cast<pid_t>(victim), SIGKILL), 0);
    ASSERT_TRUE(run.waitFor(std::chrono::seconds(3)));
    run.pollTrace();
    const RunOutcome outcome = run.outcome();
    EXPECT_EQ(outcome.status, RunStatus::Failed);
    EXPECT_NE(outcome.error.find("broken process pool"), std::string::npos) << outcome.error;
    EXPECT_NE(outcome.error.find("pid " + std::to_string(victim)), std::string::npos) << outcome.error;
    EXPECT_NE(outcome.error.find("signal 9"), std::string::npos) << outcome.error;
    EXPECT_TRUE(noChildProcesses());
}

TEST(ProcessPool, StopMidRunLeavesNoProcessBehind) {
    PlanBuilder builder(Model::Async);
    builder.processes(3);
    builder.program({builder.fanOut(OpKind::Gather, "job", 6, {cpu(5'000)}, Placement::Processes)});
    core::Run run(builder.build());
    run.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto before = std::chrono::steady_clock::now();
    run.requestStop();
    ASSERT_TRUE(run.waitFor(std::chrono::seconds(2)));
    EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::milliseconds(200));
    EXPECT_EQ(run.outcome().status, RunStatus::Stopped);
    EXPECT_TRUE(noChildProcesses());
}

// The scheduling policy of a thread or process, from field 41 of its /proc stat line (after the name in parentheses).
int policyOf(const std::filesystem::path& stat) {
    std::ifstream file(stat);
    std::string line;
    std::getline(file, line);
    const auto close = line.rfind(')');
    if (close == std::string::npos) {
        return -1;
    }
    std::istringstream fields(line.substr(close + 2)); // field 3 on
    std::string field;
    for (int index = 3; index <= 41 && fields >> field; ++index) {
        if (index == 41) {
            return std::stoi(field);
        }
    }
    return -1;
}

TEST(ProcessPool, BackgroundPoolsLeaveEveryCoreToOrdinaryThreads) {
    // The desktop app's runs: pool threads and worker processes in SCHED_IDLE, the engine's own threads as they were.
    PlanBuilder builder(Model::Async);
    builder.threads(2).processes(2);
    builder.program({builder.fanOut(OpKind::Gather, "job", 2, {cpu(400)}, Placement::Processes),
                     builder.fanOut(OpKind::Gather, "thread job", 2, {cpu(400)}, Placement::Threads)});
    Plan plan = builder.build();
    plan.options.backgroundPools = true;
    core::Run run(std::move(plan));
    run.start();
    std::set<pid_t> workers;
    for (int attempt = 0; attempt < 200 && workers.size() < 2; ++attempt) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        run.pollTrace();
        for (const LaneInfo& lane : run.trace().lanes) {
            if (lane.kind == LaneKind::WorkerProcess && lane.processId > 0) {
                workers.insert(static_cast<pid_t>(lane.processId));
            }
        }
    }
    ASSERT_EQ(workers.size(), 2U);
    std::this_thread::sleep_for(std::chrono::milliseconds(50)); // past each worker's start-up
    for (const pid_t worker : workers) {
        EXPECT_EQ(policyOf("/proc/" + std::to_string(worker) + "/stat"), SCHED_IDLE) << worker;
    }
    int idleThreads = 0;
    int ordinaryThreads = 0;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
        const int policy = policyOf(task.path() / "stat");
        idleThreads += policy == SCHED_IDLE ? 1 : 0;
        ordinaryThreads += policy == SCHED_OTHER ? 1 : 0;
    }
    EXPECT_EQ(idleThreads, 2);     // the thread pool's
    EXPECT_GE(ordinaryThreads, 2); // this test's and the engine's loop
    run.wait();
    EXPECT_EQ(run.outcome().status, RunStatus::Completed) << run.outcome().error;
    EXPECT_TRUE(noChildProcesses());
}

} // namespace
} // namespace interleave::test
