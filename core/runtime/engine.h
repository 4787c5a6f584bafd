// Runs one Plan: the loop or main thread, the pools, the primitives and the GIL, recording every state change.
// The step interpreter walks the PlanStep tree in two ways: coroutines on the event loop (engine_async.cpp) and plain
// calls on OS threads (engine_blocking.cpp). What each op does is one executor (engine_ops.cpp), its loop way beside
// its thread way.
#pragma once

#include "broker/broker_run.h"
#include "python/python_run.h"
#include "runtime/async_primitives.h"
#include "runtime/blocking_primitives.h"
#include "runtime/engine_context.h"
#include "runtime/gil.h"
#include "runtime/loop_awaitable.h"
#include "runtime/loop_control.h"
#include "runtime/process_pool.h"
#include "runtime/stop_wait.h"
#include "runtime/thread_pool.h"
#include "runtime/trace_growth.h"
#include "trace/trace.h"

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <thread>
#include <vector>

namespace interleave::core {

// A task as the interpreter carries it: its id and current lane, and its own seeded random stream so that fail(p)
// draws the same numbers whatever the thread interleaving.
// What a child reports instead of a failure when it ended because the run is being stopped.
inline constexpr const char* kStoppedByRun = "stopped";

struct TaskFrame {
    TaskRef ref;
    std::uint64_t randomState = 0;
    std::int64_t readValue = 0;           // what the task's last `read` of a shared variable saw (Python's local `tmp`)
    std::shared_ptr<LoopControl> control; // loop tasks only
};

class Engine {
public:
    // Interns its names into `strings` and adds its lanes to `lanes`: call before any consumer reads them.
    Engine(const Plan& plan, Recorder& recorder, StringTable& strings, std::vector<LaneInfo>& lanes);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // Runs the plan on the calling thread (the engine thread) until it completes, fails or is stopped. Every thread
    // and process the engine started is gone when it returns.
    void run();
    void requestStop();

    EngineContext& context() { return m_context; }
    // Names and lanes added while the run goes on (a broker worker that joins, a Python program's tasks).
    TraceGrowth& growth() { return m_growth; }
    // The broker model's join command ("" otherwise).
    std::string brokerJoinCommand() const;
    std::int64_t endNs() const { return m_endNs.load(); }
    // Set when the main task itself failed (an uncaught fail), as opposed to a broken engine.
    std::string mainFailure() const { return m_mainFailure; }

private:
    friend class EngineAsyncAccess;

    // --- shared
    TaskFrame newTask(std::uint32_t nameId, std::int32_t index, const TaskFrame& parent, std::uint16_t lane,
                      bool inFlight = true);
    bool drawFailure(TaskFrame& task, double probability);
    void markFinishedIfLast();
    // Records a task's end: Done, or an exception marker and Failed when `failure` says why. Then checks whether it
    // was the run's last live task.
    void endTask(TaskRef task, const std::string& failure);
    // After waiting for children or an offloaded job: the task runs again, and a child's failure becomes its own
    // (a child that was only stopped is not a failure: the run is ending anyway).
    void resumeAfterWait(TaskRef task, std::int32_t line, const std::string& childFailure);
    WorkerJob makeWorkerJob(const std::vector<TaskFrame>& tasks, const std::vector<PlanStep>& steps);
    std::uint32_t jobName(const PlanStep& step) const;
    // Under a GIL the thread keeps it after the step: it goes on running Python code.
    void burnCpu(TaskFrame& task, const PlanStep& step);

    // --- event loop (engine_async.cpp)
    void runAsyncModel();
    // A scheduled task (gather's, group's and spawn's children) starts when the loop gets to it, as asyncio's
    // create_task does: "ready" until then, after the tasks that were ready before it.
    LoopAwaitable<void> taskAsync(TaskFrame task, const std::vector<PlanStep>& steps, bool scheduled = false);
    // Runs `steps` `times` times in order. A `cleanup` step makes the steps after it a try block and its body their
    // finally block.
    LoopAwaitable<void> stepsAsync(TaskFrame& task, std::span<const PlanStep> steps, std::int64_t times = 1);
    LoopAwaitable<void> stepAsync(TaskFrame& task, const PlanStep& step);
    LoopAwaitable<void> fanOutOnLoop(TaskFrame& task, const PlanStep& step);
    LoopAwaitable<void> offloadOnLoop(TaskFrame& task, const PlanStep& step);
    LoopAwaitable<void> retryOnLoop(TaskFrame& task, const PlanStep& step);
    LoopAwaitable<void> timeoutOnLoop(TaskFrame& task, const PlanStep& step);
    LoopAwaitable<void> shieldOnLoop(TaskFrame& task, const PlanStep& step);
    LoopAwaitable<void> cleanupAsync(TaskFrame& task, const PlanStep& cleanup, std::span<const PlanStep> guarded);
    TaskFrame newLoopTask(std::uint32_t nameId, std::int32_t index, const TaskFrame& parent);
    LoopAwaitable<void> sleepAsync(const TaskFrame& task, std::int64_t durationNs);
    // asyncio.sleep(0): the task goes to the back of the loop's ready queue (m_yielded) and the loop resumes it.
    LoopAwaitable<void> yieldToLoop();
    void resumeYielded(); // the tasks that yielded before this call, in order
    LoopAwaitable<void> heartbeat();
    void runLoopPrecisely();
    // Under a GIL the loop thread holds it from a cpu step on, as CPython's loop runs Python code, and lets go of it
    // when it goes idle (asyncio's select()) or blocks (time.sleep).
    void dropLoopGil();
    // A loop task runs again after a wait (io, a blocking call): under a GIL the loop thread takes it back first.
    void runOnLoop(TaskRef task, std::int32_t line);

    // --- the ops (engine_ops.cpp, and the larger ones beside their model's machinery): one row per OpKind
    struct OpExecutor {
        OpKind kind;
        LoopAwaitable<void> (Engine::*onLoop)(TaskFrame& task, const PlanStep& step);
        void (Engine::*onThread)(TaskFrame& task, const PlanStep& step);
    };
    static const OpExecutor& executorOf(OpKind kind);
    LoopAwaitable<void> ioOnLoop(TaskFrame& task, const PlanStep& step);
    void ioOnThread(TaskFrame& task, const PlanStep& step);
    LoopAwaitable<void> blockOnLoop(TaskFrame& task, const PlanStep& step);
    void blockOnThread(TaskFrame& task, const PlanStep& step);
    // io and block on a thread: a wait in `state` that lets go of the GIL.
    void sleepOnThread(TaskFrame& task, const PlanStep& step, TaskState state, std::uint32_t label);
    LoopAwaitable<void> cpuOnLoop(TaskFrame& task, const PlanStep& step);
    void cpuOnThread(TaskFrame& task, const PlanStep& step);
    LoopAwaitable<void> failOnLoop(TaskFrame& task, const PlanStep& step);
    void failOnThread(TaskFrame& task, const PlanStep& step);
    LoopAwaitable<void> acquireOnLoop(TaskFrame& task, const PlanStep& step);
    void acquireOnThread(TaskFrame& task, const PlanStep& step);
    LoopAwaitable<void> releaseOnLoop(TaskFrame& task, const PlanStep& step);
    void releaseOnThread(TaskFrame& task, const PlanStep& step);
    LoopAwaitable<void> putOnLoop(TaskFrame& task, const PlanStep& step);
    void putOnThread(TaskFrame& task, const PlanStep& step);
    LoopAwaitable<void> getOnLoop(TaskFrame& task, const PlanStep& step);
    void getOnThread(TaskFrame& task, const PlanStep& step);
    LoopAwaitable<void> taskDoneOnLoop(TaskFrame& task, const PlanStep& step);
    void taskDoneOnThread(TaskFrame& task, const PlanStep& step);
    LoopAwaitable<void> closeOnLoop(TaskFrame& task, const PlanStep& step);
    void closeOnThread(TaskFrame& task, const PlanStep& step);
    LoopAwaitable<void> consumeOnLoop(TaskFrame& task, const PlanStep& step);
    void consumeOnThread(TaskFrame& task, const PlanStep& step);
    LoopAwaitable<void> waitOnLoop(TaskFrame& task, const PlanStep& step);
    void waitOnThread(TaskFrame& task, const PlanStep& step);
    LoopAwaitable<void> setOnLoop(TaskFrame& task, const PlanStep& step);
    void setOnThread(TaskFrame& task, const PlanStep& step);
    LoopAwaitable<void> repeatOnLoop(TaskFrame& task, const PlanStep& step);
    void repeatOnThread(TaskFrame& task, const PlanStep& step);
    void shieldOnThread(TaskFrame& task, const PlanStep& step);
    LoopAwaitable<void> cleanupOnLoop(TaskFrame& task, const PlanStep& step);
    void cleanupOnThread(TaskFrame& task, const PlanStep& step);
    void timeoutOnThread(TaskFrame& task, const PlanStep& step);
    LoopAwaitable<void> readOnLoop(TaskFrame& task, const PlanStep& step);
    void readOnThread(TaskFrame& task, const PlanStep& step);
    LoopAwaitable<void> writeOnLoop(TaskFrame& task, const PlanStep& step);
    void writeOnThread(TaskFrame& task, const PlanStep& step);
    LoopAwaitable<void> incrementOnLoop(TaskFrame& task, const PlanStep& step);
    void incrementOnThread(TaskFrame& task, const PlanStep& step);
    LoopAwaitable<void> yieldOnLoop(TaskFrame& task, const PlanStep& step);
    void yieldOnThread(TaskFrame& task, const PlanStep& step);
    // A shared variable (PrimitiveKind::Variable): one plain integer for the loop's tasks and the threads alike. Its
    // reads and writes are separate atomic loads and stores, so a race between them loses updates for real (and
    // without undefined behaviour); every write is counted.
    struct SharedVariable {
        std::atomic<std::int64_t> value{0};
        std::atomic<std::int64_t> writes{0};
        PrimitiveCounters counters;
    };
    // A buffer (PrimitiveKind::Buffer): a collections.deque of items shared by the loop's tasks and the threads alike.
    // Its append and popleft are each atomic, as CPython's are; nothing else makes them wait or keeps them in turn.
    struct SharedBuffer {
        std::atomic<std::int64_t> size{0};
        std::atomic<std::int64_t> taken{0};
        std::int64_t capacity = 0; // 0 = unbounded; only a not_full test reads it
        PrimitiveCounters counters;
        bool holds(BufferTest test) const; // len(buf) > 0, or len(buf) < capacity
    };
    SharedBuffer& bufferAt(std::int32_t index, OpKind kind);
    std::uint32_t subjectOf(const PlanStep& step) const;
    LoopAwaitable<void> waitForOnLoop(TaskFrame& task, const PlanStep& step);
    void waitForOnThread(TaskFrame& task, const PlanStep& step);
    LoopAwaitable<void> notifyOnLoop(TaskFrame& task, const PlanStep& step);
    void notifyOnThread(TaskFrame& task, const PlanStep& step);
    LoopAwaitable<void> appendOnLoop(TaskFrame& task, const PlanStep& step);
    void appendOnThread(TaskFrame& task, const PlanStep& step);
    LoopAwaitable<void> popLeftOnLoop(TaskFrame& task, const PlanStep& step);
    void popLeftOnThread(TaskFrame& task, const PlanStep& step);
    SharedVariable& variableOf(const PlanStep& step);
    void storeVariable(const TaskFrame& task, SharedVariable& variable, std::int64_t value);
    void recordFinalValues(); // once every task has ended: the counters' last samples are the variables' values
    // --- OS threads (engine_blocking.cpp)
    void runBlockingModel();
    // `poolJob`: a job of the thread pool, whose thread keeps the GIL into its next job (see the pool's idle hook).
    void taskBlocking(TaskFrame task, const std::vector<PlanStep>& steps, bool poolJob = false);
    void stepsBlocking(TaskFrame& task, std::span<const PlanStep> steps);
    void stepBlocking(TaskFrame& task, const PlanStep& step);
    void fanOutOnThread(TaskFrame& task, const PlanStep& step);
    void offloadOnThread(TaskFrame& task, const PlanStep& step);
    void retryOnThread(TaskFrame& task, const PlanStep& step);
    void retakeGil(TaskRef task, std::int32_t line); // after a wait that let go of the GIL (see Gil::letGo)
    // Submits a job-task to a pool and calls `finished` (with an empty string on success) from the pool's side.
    void submitToThreadPool(TaskFrame job, const std::vector<PlanStep>& steps,
                            std::function<void(std::string)> finished);
    // One message to a worker process for all of `jobs` (a chunk); `finished` is called once for each of them.
    void submitToProcessPool(std::vector<TaskFrame> jobs, const std::vector<PlanStep>& steps,
                             std::function<void(std::string)> finished);
    // The children of a fan-out on the process pool, `step.chunkSize` of them per message (executor.map's chunksize).
    void fanOutToProcesses(const TaskFrame& parent, const PlanStep& step, std::uint16_t lane,
                           const std::function<void(std::string)>& finished);
    Placement resolvePlacement(Placement placement) const;

    const Plan& m_plan;
    EngineContext m_context;
    TraceGrowth m_growth;
    std::unique_ptr<BrokerRun> m_brokerRun; // the broker model runs there instead of the interpreter
    std::unique_ptr<PythonRun> m_pythonRun; // and a CPython program there
    asio::io_context m_io{1};
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> m_ioWork;
    std::thread m_ioThread; // runs m_io when the main program is not on the loop (sequential and threads models)
    std::unique_ptr<Gil> m_gil;
    std::unique_ptr<ThreadPool> m_threadPool;
    std::vector<std::uint16_t> m_threadLanes;
    std::unique_ptr<ProcessPool> m_processPool;
    std::vector<std::uint16_t> m_workerLanes;
    std::vector<PrimitiveCounters> m_primitiveCounters;
    std::vector<std::unique_ptr<AsyncSemaphore>> m_asyncSemaphores;
    std::vector<std::unique_ptr<AsyncQueue>> m_asyncQueues;
    std::vector<std::unique_ptr<AsyncEvent>> m_asyncEvents;
    std::vector<std::unique_ptr<BlockingSemaphore>> m_blockingSemaphores;
    std::vector<std::unique_ptr<BlockingQueue>> m_blockingQueues;
    std::vector<std::unique_ptr<BlockingEvent>> m_blockingEvents;
    // A condition's lock is in the semaphores above, at the condition's own index.
    std::vector<std::unique_ptr<AsyncCondition>> m_asyncConditions;
    std::vector<std::unique_ptr<BlockingCondition>> m_blockingConditions;
    std::vector<std::unique_ptr<SharedVariable>> m_variables;
    std::vector<std::unique_ptr<SharedBuffer>> m_buffers;
    std::uint16_t m_mainLane = 0;
    std::atomic<std::uint64_t> m_nextJobId{1};
    std::atomic<std::int64_t> m_endNs{0};
    std::atomic<bool> m_finished{false};
    LoopTimer* m_heartbeatTimer = nullptr;
    // The io waits on the loop by deadline (loop thread only), each with what resumes its task. The loop sleeps on
    // one alarm until a little before the earliest deadline and spins, moving each due sleeper to the ready queue
    // itself, on time: the kernel's timer wake-up lands ~80 µs late on a typical VM (which adds up over thousands of
    // waits: see L8), and a timer per sleep cost a timer queue entry, a cancel and a completion through Asio's queue.
    struct LoopSleeper {
        LoopResumer resume;
        LoopControl* control = nullptr; // its task's; the loop clears its interrupt when it wakes it
    };
    // A sleeper woken this late was ready, not waiting, from its deadline on: the loop was busy (a blocking call or
    // CPU work on it). Its lane says so, back-dated to the deadline.
    static constexpr std::chrono::microseconds kLateWake{500};
    // Records `task` ready from `since` on (a time already past), waiting for `subject` (0: its turn on the loop).
    void readySince(TaskRef task, EngineClock::time_point since, std::uint32_t subject = 0);
    std::multimap<EngineClock::time_point, LoopSleeper> m_loopSleepers;
    std::unique_ptr<LoopTimer> m_spinAlarm;
    EngineClock::time_point m_spinAlarmAt{};
    // Tasks that yielded (io 0), in order (loop thread only). The loop resumes them itself: through Asio's queue a
    // switch paid its lock and dispatch, more than the rest of the switch. After m_io, so that what is left when a
    // run stops goes before it (Asio destroys an abandoned coroutine through its executor).
    std::deque<LoopResumer> m_yielded;
    // Spawned tasks (loop thread only): those still running when main returns are cancelled, as asyncio.run does.
    std::vector<std::shared_ptr<LoopControl>> m_spawned;
    std::uint64_t m_nextTimeoutId = 0;
    std::string m_mainFailure;
    std::uint32_t m_backoffName = 0;
};

} // namespace interleave::core
