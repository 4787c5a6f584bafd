// Real CPython programs of known shapes under resources/python/interleave_trace.py: their tasks, threads, worker
// processes, waits, counters and exceptions, read into a trace; a stop and a time limit end them and every process
// they started.
#include "broker/child_process.h"
#include "python/python_script.h"
#include "runtime/run.h"
#include "scenario/lesson_error.h"
#include "trace/trace_analysis.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <set>
#include <sys/wait.h>
#include <thread>

namespace interleave::core {
namespace {

namespace fs = std::filesystem;

class PythonTrace : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(findExecutable("python3")) << "python3 is needed: scripts/install-deps installs it";
        m_dir = fs::temp_directory_path() / ("interleave-python-test-" + std::to_string(::getpid()));
        fs::create_directories(m_dir);
    }
    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(m_dir, ignored);
        errno = 0;
        EXPECT_TRUE(waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD) << "a python process was left behind";
    }

    Plan plan(const std::string& source) {
        const fs::path script = m_dir / "program.py";
        std::ofstream(script) << source;
        Plan result;
        result.lessonId = "python";
        result.variant = "program.py";
        result.model = Model::Python;
        result.python.script = script;
        result.python.outputFile = m_dir / "output.txt";
        return result;
    }

    static double peak(const TraceAnalysis& analysis, std::string_view counter) {
        const CounterSeries* series = analysis.counter(counter);
        return series == nullptr ? -1 : series->peak;
    }

    static std::size_t tasksNamed(const Trace& trace, const TraceAnalysis& analysis, std::string_view name) {
        const std::uint32_t id = trace.strings.find(name);
        return static_cast<std::size_t>(std::count_if(analysis.tasks.begin(), analysis.tasks.end(),
                                                      [&](const TaskRecord& task) { return task.nameId == id; }));
    }

    // Total time in `state` on `subject` (any subject when empty), over every task.
    static double stateMs(const Trace& trace, const TraceAnalysis& analysis, TaskState state,
                          std::string_view subject = {}) {
        const std::uint32_t id = subject.empty() ? 0 : trace.strings.find(subject);
        std::int64_t ns = 0;
        for (const Span& span : analysis.spans) {
            if (span.state == state && (subject.empty() || span.subject == id)) {
                ns += span.endNs - span.startNs;
            }
        }
        return static_cast<double>(ns) / 1e6;
    }

    fs::path m_dir;
};

TEST_F(PythonTrace, GatheredTasksWaitTogether) {
    RunResult result = runToCompletion(plan(R"(import asyncio
async def fetch(i):
    await asyncio.sleep(0.1)
async def main():
    await asyncio.gather(*(fetch(i) for i in range(5)))
asyncio.run(main())
)"));
    ASSERT_EQ(result.outcome.status, RunStatus::Completed) << result.outcome.error;
    const TraceAnalysis analysis = analyze(result.trace);
    EXPECT_EQ(tasksNamed(result.trace, analysis, "fetch"), 5U);
    EXPECT_EQ(peak(analysis, "in_flight"), 5);
    // Each waits 100 ms on its sleep, at the same time: about 500 ms of waiting in all, in about 100 ms.
    EXPECT_NEAR(stateMs(result.trace, analysis, TaskState::WaitingIo, "sleep"), 500, 100);
    EXPECT_GE(stateMs(result.trace, analysis, TaskState::Blocked, "awaiting children"), 95);
    EXPECT_GE(peak(analysis, "loop_lag_us"), 0);
    // Its main thread only ran the loop: no lane of its own, as the engine draws an async variant.
    EXPECT_EQ(tasksNamed(result.trace, analysis, "MainThread"), 0U);
    EXPECT_EQ(tasksNamed(result.trace, analysis, "main"), 1U);
}

TEST_F(PythonTrace, ASemaphoreKeepsTheOthersWaiting) {
    RunResult result = runToCompletion(plan(R"(import asyncio
async def main():
    sem = asyncio.Semaphore(2)
    async def call(i):
        async with sem:
            await asyncio.sleep(0.05)
    await asyncio.gather(*(call(i) for i in range(6)))
asyncio.run(main())
)"));
    ASSERT_EQ(result.outcome.status, RunStatus::Completed) << result.outcome.error;
    const TraceAnalysis analysis = analyze(result.trace);
    EXPECT_EQ(peak(analysis, "sem.in_use"), 2);
    EXPECT_EQ(peak(analysis, "sem.waiters"), 4);
    EXPECT_GT(stateMs(result.trace, analysis, TaskState::Blocked, "sem"), 100);
}

TEST_F(PythonTrace, ABoundedQueueMakesTheProducerWait) {
    RunResult result = runToCompletion(plan(R"(import asyncio
async def main():
    items = asyncio.Queue(maxsize=2)
    async def producer():
        for i in range(8):
            await items.put(i)
    async def consumer():
        for _ in range(8):
            await items.get()
            await asyncio.sleep(0.02)
    await asyncio.gather(producer(), consumer())
asyncio.run(main())
)"));
    ASSERT_EQ(result.outcome.status, RunStatus::Completed) << result.outcome.error;
    const TraceAnalysis analysis = analyze(result.trace);
    EXPECT_LE(peak(analysis, "items.depth"), 2);
    EXPECT_GT(stateMs(result.trace, analysis, TaskState::Blocked, "items full"), 60);
}

TEST_F(PythonTrace, ThreadsWaitForALock) {
    RunResult result = runToCompletion(plan(R"(import threading, time
lock = threading.Lock()
def worker():
    for _ in range(3):
        with lock:
            time.sleep(0.02)
threads = [threading.Thread(target=worker) for _ in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
)"));
    ASSERT_EQ(result.outcome.status, RunStatus::Completed) << result.outcome.error;
    const TraceAnalysis analysis = analyze(result.trace);
    EXPECT_EQ(tasksNamed(result.trace, analysis, "worker"), 2U);
    EXPECT_EQ(result.trace.lanes.size(), 3U); // the main thread and the two
    // The main thread started them and waited for them: it is drawn, from the program's start (time zero).
    ASSERT_EQ(tasksNamed(result.trace, analysis, "MainThread"), 1U);
    const std::uint32_t mainThread = result.trace.strings.find("MainThread");
    for (const TaskRecord& task : analysis.tasks) {
        if (task.nameId == mainThread) {
            EXPECT_EQ(task.createdNs, 0);
        }
    }
    // Its joins: blocked on more than the lock.
    EXPECT_GT(stateMs(result.trace, analysis, TaskState::Blocked),
              stateMs(result.trace, analysis, TaskState::Blocked, "lock") + 50);
    EXPECT_GT(stateMs(result.trace, analysis, TaskState::Blocked, "lock"), 40);
    EXPECT_NEAR(stateMs(result.trace, analysis, TaskState::WaitingIo, "sleep"), 120, 40);
}

TEST_F(PythonTrace, AnRLockIsTakenAgainByItsOwnerAndWaitedForByTheOthers) {
    RunResult result = runToCompletion(plan(R"(import threading, time
guard = threading.RLock()
done = threading.Condition(guard)
finished = []
def work(i):
    with guard:
        with guard:  # its owner takes it again at once
            time.sleep(0.03)
    with done:
        finished.append(i)
        done.notify_all()
threads = [threading.Thread(target=work, args=(i,)) for i in range(3)]
for t in threads:
    t.start()
with done:  # a Condition on the RLock, as the program wrote it
    assert done.wait_for(lambda: len(finished) == 3, timeout=10)
for t in threads:
    t.join()
)"));
    ASSERT_EQ(result.outcome.status, RunStatus::Completed) << result.outcome.error;
    const TraceAnalysis analysis = analyze(result.trace);
    EXPECT_EQ(tasksNamed(result.trace, analysis, "work"), 3U);
    // Each of the three holds it 30 ms in turn: the others wait on "guard", about 30 + 60 ms in all.
    EXPECT_GT(stateMs(result.trace, analysis, TaskState::Blocked, "guard"), 50);
}

// A pool of 2 whose workers are made by `startMethod`: fork (Linux's default up to Python 3.13), or started as new
// interpreters (spawn; forkserver, the default from 3.14), which trace themselves through the pool's initializer.
class PythonProcessPool : public PythonTrace, public ::testing::WithParamInterface<const char*> {};

TEST_P(PythonProcessPool, ItsJobsRunInItsWorkersNumberedByTheProgram) {
    RunResult result = runToCompletion(plan(std::string(R"(import multiprocessing, time
from concurrent.futures import ProcessPoolExecutor
def work(i):
    end = time.thread_time() + 0.02
    while time.thread_time() < end:
        pass
    return i
if __name__ == "__main__":
    context = multiprocessing.get_context(")") +
                                            GetParam() + R"(")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        assert list(pool.map(work, range(6))) == list(range(6))
)"));
    ASSERT_EQ(result.outcome.status, RunStatus::Completed) << result.outcome.error;
    const TraceAnalysis analysis = analyze(result.trace);
    EXPECT_EQ(tasksNamed(result.trace, analysis, "work"), 6U);
    std::set<std::int32_t> indices;
    const std::uint32_t work = result.trace.strings.find("work");
    for (const TaskRecord& task : analysis.tasks) {
        if (task.nameId == work) {
            indices.insert(task.index);
        }
    }
    EXPECT_EQ(indices, (std::set<std::int32_t>{0, 1, 2, 3, 4, 5})); // work #0 … #5 across both workers
    std::set<std::uint16_t> workerLanes;
    std::int64_t workedNs = 0;
    for (const Span& span : analysis.spans) {
        if (span.state == TaskState::Running && result.trace.lanes.at(span.lane).kind == LaneKind::WorkerProcess) {
            workerLanes.insert(span.lane);
            workedNs += span.endNs - span.startNs;
        }
    }
    // Its two workers' lanes; a worker started from scratch (spawn) on a loaded machine may come up after the other
    // has done all six.
    EXPECT_GE(workerLanes.size(), 1U);
    EXPECT_LE(workerLanes.size(), 2U);
    // 6 jobs of 20 ms of CPU time each: at least that on the wall clock, however busy the machine (a structural
    // bound; the other tests share the two cores).
    EXPECT_GE(static_cast<double>(workedNs) / 1e6, 115);
    EXPECT_LT(static_cast<double>(workedNs) / 1e6, 5000);
}

INSTANTIATE_TEST_SUITE_P(StartMethods, PythonProcessPool, ::testing::Values("fork", "spawn", "forkserver"));

TEST_F(PythonTrace, AnExceptionFailsTheRunWithItsTraceback) {
    RunResult result = runToCompletion(plan(R"(import asyncio
async def main():
    await asyncio.sleep(0.01)
    raise ValueError("boom")
asyncio.run(main())
)"));
    EXPECT_EQ(result.outcome.status, RunStatus::Failed);
    EXPECT_NE(result.outcome.error.find("ValueError: boom"), std::string::npos) << result.outcome.error;
    EXPECT_NE(result.outcome.error.find("program.py\", line 4"), std::string::npos) << result.outcome.error;
    EXPECT_EQ(result.outcome.error.find("interleave_trace"), std::string::npos) << "the tracer's frames are shown";
    const TraceAnalysis analysis = analyze(result.trace);
    EXPECT_TRUE(std::any_of(analysis.markers.begin(), analysis.markers.end(),
                            [](const MarkerRecord& marker) { return marker.kind == MarkerKind::Exception; }));
}

TEST_F(PythonTrace, AProgramThatWritesOverTheTracersPipeFailsTheRunSayingSo) {
    // fd 3 is the tracer's: a program that writes its own bytes there breaks the stream, and the run says so rather
    // than drawing garbage.
    RunResult result = runToCompletion(plan(R"(import os, time
os.write(3, b"\x10\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x00\x00\x00\x00 not the tracer's")
time.sleep(0.05)
)"));
    EXPECT_EQ(result.outcome.status, RunStatus::Failed);
    EXPECT_NE(result.outcome.error.find("the tracer's stream is broken"), std::string::npos) << result.outcome.error;
}

TEST_F(PythonTrace, ThousandsOfTaskSwitchesArriveWhole) {
    // The switch-heavy shape: every step is two records, in chunks of at most PIPE_BUF from one writer.
    RunResult result = runToCompletion(plan(R"(import asyncio
async def worker():
    for _ in range(50):
        await asyncio.sleep(0)
async def main():
    await asyncio.gather(*(worker() for _ in range(200)))
asyncio.run(main())
)"));
    ASSERT_EQ(result.outcome.status, RunStatus::Completed) << result.outcome.error;
    const TraceAnalysis analysis = analyze(result.trace);
    EXPECT_EQ(tasksNamed(result.trace, analysis, "worker"), 200U);
    std::size_t running = 0;
    for (const Event& event : result.trace.events) {
        running +=
            event.kind == EventKind::TaskState && static_cast<TaskState>(event.code) == TaskState::Running ? 1 : 0;
    }
    EXPECT_GE(running, 200U * 51U); // every worker's 51 steps (and main's)
}

TEST_F(PythonTrace, AProcessItForkedAndLeftRunningDoesNotKeepTheRunGoing) {
    // The child holds the tracer's pipe open; the program itself is over at once, as its prompt would say.
    const fs::path pid = m_dir / "child.txt";
    Plan program = plan(R"(import os, sys, time
child = os.fork()
if child == 0:
    time.sleep(30)
    os._exit(0)
with open(sys.argv[1] + ".part", "w") as out:
    out.write(str(child))
os.replace(sys.argv[1] + ".part", sys.argv[1])
)");
    program.python.arguments = {pid.string()};
    const auto started = std::chrono::steady_clock::now();
    RunResult result = runToCompletion(std::move(program));
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
    ASSERT_EQ(result.outcome.status, RunStatus::Completed) << result.outcome.error;
    std::ifstream in(pid);
    pid_t child = 0;
    ASSERT_TRUE(in >> child);
    // Stopped with the rest of its process group: gone, or dead and waiting for init to reap it.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
    std::string field;
    std::string state;
    if (stat >> field >> field >> state) {
        EXPECT_EQ(state, "Z") << "the forked child runs on";
    }
}

TEST_F(PythonTrace, StopKillsTheProgramAndItsWorkerProcesses) {
    const fs::path pids = m_dir / "pids.txt";
    Plan withArgument = plan(R"(import multiprocessing, os, sys, time
if __name__ == "__main__":
    children = [multiprocessing.Process(target=time.sleep, args=(30,)) for _ in range(2)]
    for child in children:
        child.start()
    with open(sys.argv[1] + ".part", "w") as out:
        out.write(" ".join(str(p) for p in [os.getpid()] + [c.pid for c in children]))
    os.replace(sys.argv[1] + ".part", sys.argv[1])  # whole when it appears
    time.sleep(30)
)");
    withArgument.python.arguments = {pids.string()};
    core::Run stopped(std::move(withArgument));
    stopped.start();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!fs::exists(pids) && std::chrono::steady_clock::now() < deadline) {
        stopped.pollTrace();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_TRUE(fs::exists(pids));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto stopAt = std::chrono::steady_clock::now();
    stopped.requestStop();
    stopped.wait();
    EXPECT_LT(std::chrono::steady_clock::now() - stopAt, std::chrono::seconds(2));
    EXPECT_EQ(stopped.outcome().status, RunStatus::Stopped) << stopped.outcome().error;
    // The program and the processes it started (its process group) are gone, or dead and waiting to be reaped by
    // init: none runs on.
    std::ifstream in(pids);
    std::vector<pid_t> all;
    for (pid_t pid = 0; in >> pid;) {
        all.push_back(pid);
    }
    ASSERT_EQ(all.size(), 3U);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    for (const pid_t pid : all) {
        std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
        std::string field;
        std::string state;
        if (stat >> field >> field >> state) {
            EXPECT_EQ(state, "Z") << "pid " << pid << " still runs";
        }
    }
}

TEST_F(PythonTrace, SlowMotionDoesNotApplyToCPython) {
    const fs::path script = m_dir / "mine.py";
    std::ofstream(script) << "print('hello')\n";
    const Scenario lesson = pythonScriptScenario(script);
    RunOptions options;
    options.timeScale = 10;
    const Plan compiled = compilePlan(lesson, lesson.variants.front(), {}, options);
    EXPECT_EQ(compiled.model, Model::Python);
    EXPECT_EQ(compiled.python.script, fs::absolute(script));
    EXPECT_DOUBLE_EQ(compiled.options.timeScale, 1.0); // its times are real ones, reported as they are
}

TEST_F(PythonTrace, AScriptTooLargeOrNotTextIsRefused) {
    const fs::path binary = m_dir / "binary.py";
    std::ofstream(binary, std::ios::binary) << std::string("print(1)\0\xff", 11);
    EXPECT_THROW(pythonScriptScenario(binary), UsageError);
    const fs::path large = m_dir / "large.py";
    std::ofstream(large) << std::string(kMaxScriptBytes + 1, '#');
    EXPECT_THROW(pythonScriptScenario(large), UsageError);
    EXPECT_THROW(pythonScriptScenario(m_dir / "missing.py"), UsageError);
}

TEST_F(PythonTrace, AProgramPastItsTimeLimitIsStoppedWithAMessage) {
    Plan timed = plan("import time\ntime.sleep(30)\n");
    timed.python.timeLimitNs = 400'000'000;
    RunResult result = runToCompletion(std::move(timed));
    EXPECT_EQ(result.outcome.status, RunStatus::Failed);
    EXPECT_NE(result.outcome.error.find("time limit"), std::string::npos) << result.outcome.error;
}

} // namespace
} // namespace interleave::core
