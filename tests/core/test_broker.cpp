// The broker model (L17) against real redis-servers started as the embedded default starts them: claims, acks,
// reclaims after the visibility timeout, the dead-letter list, the crash, the key namespace on a shared server, the
// errors, a worker that joins, backpressure, and nothing left behind.
#include "broker/child_process.h"
#include "broker/embedded_redis.h"
#include "broker/redis_client.h"
#include "runtime/run.h"
#include "scenario/lesson_loader.h"
#include "trace/trace_analysis.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace interleave::core {
namespace {

namespace fs = std::filesystem;

bool noChildProcesses() {
    errno = 0;
    return waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

// The private servers' folders this process owns (EmbeddedRedis names them after their owner's pid).
std::vector<fs::path> ourBrokerFolders() {
    std::vector<fs::path> folders;
    const char* configured = std::getenv("TMPDIR");
    const fs::path root = configured != nullptr && *configured != '\0' ? fs::path(configured) : fs::path("/tmp");
    const std::string prefix = std::string(EmbeddedRedis::kFolderPrefix) + std::to_string(getpid()) + "-";
    for (const auto& entry : fs::directory_iterator(root)) {
        if (entry.path().filename().string().starts_with(prefix)) {
            folders.push_back(entry.path());
        }
    }
    return folders;
}

std::size_t openFiles() {
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator("/proc/self/fd")) {
        ++count;
    }
    return count;
}

Plan taskQueuePlan(const std::string& variant, const std::map<std::string, std::string>& overrides,
                   RunOptions options = {}) {
    static const Scenario lesson = loadLessonFile(fs::path(INTERLEAVE_TEST_LESSON_DIR) / "17-task-queue.yaml");
    options.workerExecutable = INTERLEAVE_WORKER_PATH;
    return compilePlan(lesson, *lesson.findVariant(variant), resolveParameters(lesson, overrides), options);
}

double finalCount(const TraceAnalysis& analysis, std::string_view counter) {
    const CounterSeries* series = analysis.counter(counter);
    return series == nullptr || series->points.empty() ? 0.0 : series->points.back().value;
}

std::vector<MarkerRecord> markersOf(const TraceAnalysis& analysis, MarkerKind kind) {
    std::vector<MarkerRecord> found;
    for (const MarkerRecord& marker : analysis.markers) {
        if (marker.kind == kind) {
            found.push_back(marker);
        }
    }
    return found;
}

class Broker : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(findExecutable("redis-server")) << "redis-server is needed: scripts/install-deps installs it";
    }
    void TearDown() override {
        EXPECT_TRUE(noChildProcesses()) << "a worker or a redis-server was left behind";
        EXPECT_TRUE(ourBrokerFolders().empty()) << "a private broker's folder was left behind";
    }
};

TEST_F(Broker, EveryJobIsSettledOnceTheDeadWorkersJobIsReclaimedAfterTheVisibilityTimeout) {
    constexpr int kJobs = 30;
    constexpr double kVisibilityMs = 80;
    RunResult result = runToCompletion(taskQueuePlan(
        "at-least-once", {{"jobs", "30"}, {"job_ms", "20"}, {"visibility_ms", "80"}, {"max_deliveries", "3"}}));
    ASSERT_EQ(result.outcome.status, RunStatus::Completed) << result.outcome.error;
    const TraceAnalysis analysis = analyze(result.trace);
    EXPECT_EQ(finalCount(analysis, "jobs.settled"), kJobs);
    EXPECT_EQ(finalCount(analysis, "jobs.completed"), kJobs - 1); // all but the poison job
    EXPECT_EQ(finalCount(analysis, "jobs.done_twice"), 0);
    EXPECT_EQ(finalCount(analysis, "dead_lettered"), 1);
    EXPECT_EQ(finalCount(analysis, "acked"), kJobs - 1);
    EXPECT_EQ(finalCount(analysis, "pending"), 0);

    // The killed worker's job: a kill marker on its lane, then a redelivery on another worker's once it has been
    // pending the visibility timeout since its delivery to the dead worker (the broker counts from there).
    const auto kills = markersOf(analysis, MarkerKind::Cancel);
    ASSERT_EQ(kills.size(), 1U);
    const auto redeliveries = markersOf(analysis, MarkerKind::Redelivery);
    const auto reclaim = std::find_if(redeliveries.begin(), redeliveries.end(),
                                      [&](const MarkerRecord& marker) { return marker.task == kills[0].task; });
    ASSERT_NE(reclaim, redeliveries.end()) << "the dead worker's job was never redelivered";
    EXPECT_NE(reclaim->lane, kills[0].lane);
    const auto delivered = std::find_if(analysis.spans.begin(), analysis.spans.end(), [&](const Span& span) {
        return span.task == kills[0].task && span.lane == kills[0].lane && span.state == TaskState::Running;
    });
    ASSERT_NE(delivered, analysis.spans.end());
    // Redis counts from its delivery, which comes before the worker records its running (under TSan, 3 ms before
    // once), and keeps idle times in whole milliseconds.
    EXPECT_GE(static_cast<double>(reclaim->timeNs - delivered->startNs) / 1e6, kVisibilityMs - 15);
    EXPECT_LT(static_cast<double>(reclaim->timeNs - kills[0].timeNs) / 1e6, kVisibilityMs + 2000);
    const TaskRecord* reclaimed = analysis.task(kills[0].task);
    ASSERT_NE(reclaimed, nullptr);
    EXPECT_EQ(reclaimed->finalState, TaskState::Done);

    // The poison job: delivered three times (two redeliveries), raised each time (the last time marked by its
    // dead-lettering), and failed.
    const auto deadLetters = markersOf(analysis, MarkerKind::DeadLetter);
    ASSERT_EQ(deadLetters.size(), 1U);
    const std::uint32_t poison = deadLetters[0].task;
    EXPECT_EQ(std::count_if(redeliveries.begin(), redeliveries.end(),
                            [&](const MarkerRecord& marker) { return marker.task == poison; }),
              2);
    const auto raised = markersOf(analysis, MarkerKind::Exception);
    EXPECT_EQ(
        std::count_if(raised.begin(), raised.end(), [&](const MarkerRecord& marker) { return marker.task == poison; }),
        2);
    EXPECT_EQ(analysis.task(poison)->finalState, TaskState::Failed);
}

TEST_F(Broker, AcknowledgedOnReceiptTheDeadWorkersJobIsLost) {
    RunResult result = runToCompletion(taskQueuePlan("at-most-once", {{"jobs", "30"}, {"job_ms", "20"}}));
    ASSERT_EQ(result.outcome.status, RunStatus::Completed) << result.outcome.error;
    const TraceAnalysis analysis = analyze(result.trace);
    EXPECT_EQ(finalCount(analysis, "redelivered"), 0);
    EXPECT_EQ(finalCount(analysis, "dead_lettered"), 0);
    // The job its worker died on and the poison job: acknowledged, never done.
    EXPECT_EQ(finalCount(analysis, "jobs.lost"), 2);
    EXPECT_EQ(finalCount(analysis, "jobs.completed"), 28);
    EXPECT_EQ(finalCount(analysis, "acked"), 30);
}

TEST_F(Broker, OnASharedServerItsKeysAreNamespacedAndDeletedAndNothingElseIsTouched) {
    EmbeddedRedis shared;
    RedisConnection client(parseBrokerUrl(shared.url()), std::chrono::milliseconds(2000));
    client.command({"SET", "someone:else", "keep me"});
    client.command({"XADD", "interleave:another-run:jobs", "*", "job", "1"});
    client.command({"SELECT", "1"});
    client.command({"SET", "in:db1", "1"});
    client.command({"SELECT", "0"});

    RunOptions options;
    options.brokerUrl = shared.url();
    options.brokerRunId = "ns-test";
    core::Run run(taskQueuePlan("at-least-once", {{"jobs", "40"}, {"job_ms", "10"}}, options));
    run.start();
    // Mid-run: every key it made starts with its prefix.
    std::set<std::string> seen;
    while (!run.waitFor(std::chrono::milliseconds(20))) {
        const RedisReply keys = client.command({"KEYS", "*"});
        for (std::size_t i = 0; i < keys.size(); ++i) {
            seen.insert(keys.at(i).text());
        }
        run.pollTrace();
    }
    ASSERT_EQ(run.outcome().status, RunStatus::Completed) << run.outcome().error;
    EXPECT_TRUE(seen.count("interleave:ns-test:jobs") == 1 && seen.count("interleave:ns-test:events") == 1);
    for (const std::string& key : seen) {
        EXPECT_TRUE(key.starts_with("interleave:ns-test:") || key == "someone:else" ||
                    key == "interleave:another-run:jobs")
            << key;
    }
    const RedisReply after = client.command({"KEYS", "*"});
    std::set<std::string> left;
    for (std::size_t i = 0; i < after.size(); ++i) {
        left.insert(after.at(i).text());
    }
    EXPECT_EQ(left, (std::set<std::string>{"someone:else", "interleave:another-run:jobs"}));
    EXPECT_EQ(client.command({"GET", "someone:else"}).text(), "keep me");
    EXPECT_EQ(client.command({"XLEN", "interleave:another-run:jobs"}).integer(), 1);
    client.command({"SELECT", "1"});
    EXPECT_EQ(client.command({"DBSIZE"}).integer(), 1);
}

TEST_F(Broker, ARefusedConnectionFailsTheRunNamingTheUrl) {
    RunOptions options;
    options.brokerUrl = "redis://127.0.0.1:1/0";
    RunResult result = runToCompletion(taskQueuePlan("at-least-once", {}, options));
    EXPECT_EQ(result.outcome.status, RunStatus::Failed);
    EXPECT_NE(result.outcome.error.find("cannot reach the broker at redis://127.0.0.1:1/0"), std::string::npos)
        << result.outcome.error;
}

TEST_F(Broker, WithoutRedisServerTheRunSaysHowToInstallIt) {
    ASSERT_EQ(setenv("INTERLEAVE_REDIS_SERVER", "/nonexistent/redis-server", 1), 0);
    RunResult result = runToCompletion(taskQueuePlan("at-least-once", {}));
    unsetenv("INTERLEAVE_REDIS_SERVER");
    EXPECT_EQ(result.outcome.status, RunStatus::Failed);
    EXPECT_NE(result.outcome.error.find("apt install redis-server"), std::string::npos) << result.outcome.error;
}

TEST_F(Broker, LosingItsPrivateBrokerMidRunFailsTheRunAndReapsEverything) {
    core::Run run(taskQueuePlan("at-least-once", {{"jobs", "400"}}));
    run.start();
    // Its server's pid, from the pid file in its folder.
    pid_t server = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (server == 0 && std::chrono::steady_clock::now() < deadline) {
        for (const fs::path& folder : ourBrokerFolders()) {
            std::ifstream pidFile(folder / "redis.pid");
            pidFile >> server;
        }
        run.pollTrace();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_GT(server, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ASSERT_EQ(::kill(server, SIGKILL), 0);
    run.wait();
    EXPECT_EQ(run.outcome().status, RunStatus::Failed);
    EXPECT_NE(run.outcome().error.find("broker lost"), std::string::npos) << run.outcome().error;
}

TEST_F(Broker, LosingASharedBrokerMidRunFailsTheRunAndReapsItsWorkers) {
    auto shared = std::make_unique<EmbeddedRedis>();
    RunOptions options;
    options.brokerUrl = shared->url();
    core::Run run(taskQueuePlan("at-least-once", {{"jobs", "400"}}, options));
    run.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    ASSERT_EQ(::kill(shared->processId(), SIGKILL), 0);
    run.wait();
    EXPECT_EQ(run.outcome().status, RunStatus::Failed);
    EXPECT_NE(run.outcome().error.find("broker lost: " + shared->url()), std::string::npos) << run.outcome().error;
    shared.reset();
}

TEST_F(Broker, AWorkerStartedByHandJoinsTheRunOnItsOwnLane) {
    EmbeddedRedis shared;
    // Started before the run, outside it: it waits for the run to appear, as one started on another machine would.
    const pid_t joiner =
        startOwnedChild({INTERLEAVE_WORKER_PATH, "--broker", shared.url(), "--run", "join-test", "--wait-s", "30"});
    RunOptions options;
    options.brokerUrl = shared.url();
    options.brokerRunId = "join-test";
    RunResult result = runToCompletion(taskQueuePlan("at-least-once", {{"jobs", "60"}, {"job_ms", "20"}}, options));
    ASSERT_EQ(result.outcome.status, RunStatus::Completed) << result.outcome.error;
    int status = 0;
    ASSERT_EQ(waitpid(joiner, &status, 0), joiner);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << describeWaitStatus(status);
    const TraceAnalysis analysis = analyze(result.trace);
    std::uint16_t joinedLane = 0;
    for (std::size_t lane = 0; lane < result.trace.lanes.size(); ++lane) {
        if (result.trace.lanes[lane].name.find("(joined)") != std::string::npos) {
            joinedLane = static_cast<std::uint16_t>(lane);
            EXPECT_EQ(result.trace.lanes[lane].name.rfind("worker 5 · ", 0), 0U) << result.trace.lanes[lane].name;
        }
    }
    ASSERT_GT(joinedLane, 0) << "no lane for the joined worker";
    const auto jobsThere = std::count_if(analysis.spans.begin(), analysis.spans.end(), [&](const Span& span) {
        return span.lane == joinedLane && span.state == TaskState::Running;
    });
    EXPECT_GE(jobsThere, 3) << "the joined worker took no share of the jobs";
    // Its clock is the broker's: its spans lie inside the run.
    for (const Span& span : analysis.spans) {
        if (span.lane == joinedLane) {
            EXPECT_GE(span.startNs, 0);
            EXPECT_LE(span.endNs, result.trace.endNs + 1'000'000);
        }
    }
}

TEST_F(Broker, AStreamLimitMakesTheProducerWait) {
    RunResult result =
        runToCompletion(taskQueuePlan("at-least-once", {{"jobs", "60"}, {"job_ms", "10"}, {"stream_limit", "6"}}));
    ASSERT_EQ(result.outcome.status, RunStatus::Completed) << result.outcome.error;
    const TraceAnalysis analysis = analyze(result.trace);
    const CounterSeries* length = analysis.counter("stream.length");
    ASSERT_NE(length, nullptr);
    double peak = 0;
    for (const auto& point : length->points) {
        peak = std::max(peak, point.value);
    }
    EXPECT_LE(peak, 6);
    EXPECT_GE(peak, 5);
    const std::uint32_t full = result.trace.strings.find("stream full: waiting for the workers");
    ASSERT_NE(full, 0U);
    std::int64_t waitedNs = 0;
    for (const Span& span : analysis.spans) {
        if (span.state == TaskState::Blocked && span.subject == full) {
            waitedNs += span.endNs - span.startNs;
        }
    }
    EXPECT_GT(waitedNs, 100'000'000) << "the producer never waited for room on the stream";
}

TEST_F(Broker, OneHundredRunsLeaveNoProcessSocketOrFolderBehind) {
    const std::size_t filesBefore = openFiles();
    for (int run = 0; run < 100; ++run) {
        RunResult result = runToCompletion(
            taskQueuePlan(run % 2 == 0 ? "at-least-once" : "at-most-once",
                          {{"jobs", "12"}, {"workers", "3"}, {"job_ms", "8"}, {"visibility_ms", "30"}}));
        ASSERT_EQ(result.outcome.status, RunStatus::Completed) << "run " << run << ": " << result.outcome.error;
        ASSERT_TRUE(noChildProcesses()) << "after run " << run;
        ASSERT_TRUE(ourBrokerFolders().empty()) << "after run " << run;
    }
    EXPECT_EQ(openFiles(), filesBefore);
}

TEST(BrokerUrl, IsReadOrRefusedWithWhatOneLooksLike) {
    const BrokerAddress tcp = parseBrokerUrl("redis://cache.example:6380/2");
    EXPECT_EQ(tcp.host, "cache.example");
    EXPECT_EQ(tcp.port, 6380);
    EXPECT_EQ(tcp.database, 2);
    const BrokerAddress plain = parseBrokerUrl("redis://localhost");
    EXPECT_EQ(plain.port, 6379);
    EXPECT_EQ(plain.database, 0);
    const BrokerAddress local = parseBrokerUrl("unix:///tmp/x/redis.sock?db=3");
    EXPECT_EQ(local.socketPath, "/tmp/x/redis.sock");
    EXPECT_EQ(local.database, 3);
    for (const char* bad : {"http://x", "redis://", "redis://h:99999", "redis://h:1/x", "redis://u:p@h",
                            "unix://relative.sock", "unix:///s?timeout=1"}) {
        EXPECT_THROW(parseBrokerUrl(bad), BrokerError) << bad;
    }
}

} // namespace
} // namespace interleave::core
