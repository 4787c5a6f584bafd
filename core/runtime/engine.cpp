// Engine set-up, teardown and the parts of the interpreter both halves share.
#include "runtime/engine.h"
#include "runtime/cores.h"

#include "runtime/cpu_burner.h"
#include "runtime/seeded_failure.h"
#include "runtime/stop_wait.h"
#include "scenario/lesson_error.h"

#include <fmt/format.h>

namespace interleave::core {

Engine::Engine(const Plan& plan, Recorder& recorder, StringTable& strings, std::vector<LaneInfo>& lanes)
    : m_plan(plan), m_context(plan, recorder, strings) {
    m_backoffName = strings.intern("retry backoff");
    if (plan.model == Model::Broker) {
        m_brokerRun = std::make_unique<BrokerRun>(m_context, strings, lanes, m_growth);
        m_growth.begin(strings, lanes.size());
        return;
    }
    if (plan.model == Model::Python) {
        // The program's main thread; its other threads and processes come as it starts them.
        lanes.push_back(LaneInfo{"main thread", LaneKind::Main, 0});
        m_pythonRun = std::make_unique<PythonRun>(m_context, m_growth);
        m_growth.begin(strings, lanes.size());
        return;
    }
    auto addLane = [&lanes](std::string name, LaneKind kind) {
        lanes.push_back(LaneInfo{std::move(name), kind, 0});
        return static_cast<std::uint16_t>(lanes.size() - 1);
    };
    m_mainLane =
        plan.model == Model::Async ? addLane("event loop", LaneKind::Loop) : addLane("main thread", LaneKind::Main);
    for (int i = 0; i < plan.threads; ++i) {
        m_threadLanes.push_back(addLane(fmt::format("thread {}", i + 1), LaneKind::PoolThread));
    }
    for (int i = 0; i < plan.processes; ++i) {
        m_workerLanes.push_back(addLane(fmt::format("worker process {}", i + 1), LaneKind::WorkerProcess));
    }
    const std::size_t count = plan.primitives.size();
    m_asyncSemaphores.resize(count);
    m_asyncQueues.resize(count);
    m_asyncEvents.resize(count);
    m_blockingSemaphores.resize(count);
    m_blockingQueues.resize(count);
    m_blockingEvents.resize(count);
    m_asyncConditions.resize(count);
    m_blockingConditions.resize(count);
    m_variables.resize(count);
    m_buffers.resize(count);
    const bool onLoop = plan.model == Model::Async;
    for (std::size_t i = 0; i < count; ++i) {
        const PlanPrimitive& primitive = plan.primitives[i];
        const PrimitiveCounters counters = internPrimitiveCounters(primitive, strings);
        switch (primitive.kind) {
        case PrimitiveKind::Semaphore:
        case PrimitiveKind::Lock:
        case PrimitiveKind::RLock: // a thread's only (the plan refuses one on the loop)
            if (onLoop) {
                m_asyncSemaphores[i] = std::make_unique<AsyncSemaphore>(m_context, primitive, counters, m_yielded);
            } else {
                m_blockingSemaphores[i] = std::make_unique<BlockingSemaphore>(m_context, primitive, counters);
            }
            break;
        case PrimitiveKind::Queue:
            if (onLoop) {
                m_asyncQueues[i] = std::make_unique<AsyncQueue>(m_context, primitive, counters, m_yielded);
            } else {
                m_blockingQueues[i] = std::make_unique<BlockingQueue>(m_context, primitive, counters);
            }
            break;
        case PrimitiveKind::Event:
            if (onLoop) {
                m_asyncEvents[i] = std::make_unique<AsyncEvent>(m_context, primitive, counters, m_yielded);
            } else {
                m_blockingEvents[i] = std::make_unique<BlockingEvent>(m_context, primitive, counters);
            }
            break;
        case PrimitiveKind::Condition: {
            PlanPrimitive lock = primitive; // its lock: a Lock by the condition's name, known to the wait-for graph
            lock.kind = PrimitiveKind::Lock;
            if (onLoop) {
                m_asyncSemaphores[i] = std::make_unique<AsyncSemaphore>(m_context, lock, counters, m_yielded);
                m_asyncConditions[i] =
                    std::make_unique<AsyncCondition>(m_context, counters, *m_asyncSemaphores[i], m_yielded);
            } else {
                m_blockingSemaphores[i] = std::make_unique<BlockingSemaphore>(m_context, lock, counters);
                m_blockingConditions[i] =
                    std::make_unique<BlockingCondition>(m_context, counters, *m_blockingSemaphores[i]);
            }
            break;
        }
        case PrimitiveKind::Variable:
            m_variables[i] = std::make_unique<SharedVariable>();
            m_variables[i]->counters = counters;
            break;
        case PrimitiveKind::Buffer:
            m_buffers[i] = std::make_unique<SharedBuffer>();
            m_buffers[i]->capacity = primitive.capacity;
            m_buffers[i]->counters = counters;
            break;
        }
    }
    if (plan.gil) {
        m_gil = std::make_unique<Gil>(m_context, plan.switchIntervalNs);
        m_context.gil = m_gil.get();
    }
}

Engine::~Engine() {
    requestStop();
    if (m_ioThread.joinable()) {
        m_ioThread.join();
    }
    m_threadPool.reset();
    if (m_processPool) {
        m_processPool->killAndReap();
    }
}

void Engine::requestStop() {
    m_context.requestStop();
}

std::string Engine::brokerJoinCommand() const {
    return m_brokerRun ? m_brokerRun->joinCommand() : std::string();
}

void Engine::run() {
    if (m_brokerRun) {
        m_brokerRun->run();
        m_endNs.store(m_brokerRun->endNs());
        m_context.cancelLiveTasks();
        return;
    }
    if (m_pythonRun) {
        m_pythonRun->run();
        m_endNs.store(m_pythonRun->endNs());
        m_context.cancelLiveTasks();
        return;
    }
    tightenTimerSlack();
    if (m_plan.cpus > 0) {
        pinThisThread(m_plan.cpus); // before the pools start: their threads and workers inherit the mask
    }
    std::stop_callback wakeLoop(m_context.stopToken(), [this] { m_io.stop(); });
    try {
        if (m_plan.threads > 0) {
            // Under a GIL a pool thread keeps it from one job to the next while jobs are queued (taskBlocking), and
            // lets go of it when it runs out of work.
            ThreadPool::IdleHook letGoOfTheGil;
            if (m_gil) {
                letGoOfTheGil = [this](std::uint16_t lane) { m_gil->drop(TaskRef{0, lane}); };
            }
            m_threadPool = std::make_unique<ThreadPool>(m_threadLanes, m_context.stopToken(),
                                                        m_plan.options.backgroundPools, std::move(letGoOfTheGil));
        }
        if (m_plan.processes > 0) {
            m_processPool = std::make_unique<ProcessPool>(m_context, m_io, m_workerLanes,
                                                          locateWorkerExecutable(m_plan.options.workerExecutable));
            m_processPool->start();
        }
    } catch (const std::system_error& problem) {
        m_context.failRun(std::string("cannot start the pool's threads or processes: ") + problem.what(), m_mainLane);
    } catch (const std::exception& problem) {
        m_context.failRun(problem.what(), m_mainLane);
    }
    if (!m_context.runFailed()) {
        if (m_plan.model == Model::Async) {
            runAsyncModel();
        } else {
            runBlockingModel();
        }
    }
    if (m_threadPool) {
        m_threadPool->shutdown();
    }
    if (m_ioThread.joinable()) {
        m_ioWork.reset();
        m_io.stop();
        m_ioThread.join();
    }
    if (m_processPool) {
        m_processPool->killAndReap();
    }
    if (m_endNs.load() == 0) {
        m_endNs.store(m_context.recorder.nowNs());
    }
    recordFinalValues();
    m_context.cancelLiveTasks();
}

void Engine::recordFinalValues() {
    // A writer records its sample after its store, so under a race the last sample drawn may be another thread's
    // older value: the true ones close the run.
    for (const auto& variable : m_variables) {
        if (variable) {
            m_context.counter(variable->counters.level, variable->value.load(), m_mainLane);
            m_context.counter(variable->counters.writes, variable->writes.load(), m_mainLane);
        }
    }
}

TaskFrame Engine::newTask(std::uint32_t nameId, std::int32_t index, const TaskFrame& parent, std::uint16_t lane,
                          bool inFlight) {
    TaskFrame frame;
    frame.ref = m_context.createTask(nameId, index, parent.ref.id, lane, inFlight);
    frame.randomState = taskRandomState(m_plan.options.seed, frame.ref.id);
    return frame;
}

bool Engine::drawFailure(TaskFrame& task, double probability) {
    return core::drawFailure(task.randomState, probability);
}

void Engine::markFinishedIfLast() {
    if (m_context.liveTasks() != 0) {
        return;
    }
    bool expected = false;
    if (!m_finished.compare_exchange_strong(expected, true)) {
        return;
    }
    m_endNs.store(m_context.recorder.nowNs());
    asio::post(m_io, [this] {
        if (m_heartbeatTimer != nullptr) {
            m_heartbeatTimer->cancel();
        }
        if (m_spinAlarm) {
            m_spinAlarm->cancel(); // set for a sleeper that a cancellation took away: nothing is left to wake
        }
        if (m_processPool) {
            m_processPool->shutdown();
        }
    });
}

void Engine::endTask(TaskRef task, const std::string& failure) {
    if (failure.empty()) {
        m_context.setState(task, TaskState::Done);
    } else {
        m_context.marker(task, MarkerKind::Exception);
        m_context.setState(task, TaskState::Failed);
    }
    markFinishedIfLast();
}

void Engine::resumeAfterWait(TaskRef task, std::int32_t line, const std::string& childFailure) {
    if (!(m_gil && m_gil->retake(task, line))) { // a thread that let go of the GIL takes it back first
        m_context.setState(task, TaskState::Running, 0, line);
    }
    if (childFailure == kCancelledError) {
        throw TaskCancelled{}; // a gathered loop task was cancelled: so is its caller (loop tasks only)
    }
    if (!childFailure.empty() && childFailure != kStoppedByRun) {
        throw TaskFailure{childFailure};
    }
}

std::uint32_t Engine::jobName(const PlanStep& step) const {
    return step.labelId != 0 ? step.labelId : m_context.names.offloadJob;
}

WorkerJob Engine::makeWorkerJob(const std::vector<TaskFrame>& tasks, const std::vector<PlanStep>& steps) {
    WorkerJob job;
    job.jobId = m_nextJobId.fetch_add(1, std::memory_order_relaxed);
    job.tasks.reserve(tasks.size());
    for (const TaskFrame& task : tasks) {
        job.tasks.push_back(task.ref.id);
    }
    job.steps = steps;
    return job;
}

Placement Engine::resolvePlacement(Placement placement) const {
    if (placement != Placement::Default) {
        return placement;
    }
    switch (m_plan.model) {
    case Model::Sequential:
        return Placement::Inline;
    case Model::Async:
        return Placement::Loop;
    case Model::Threads:
        return Placement::Threads;
    case Model::Broker:
    case Model::Python:
        return Placement::Inline;
    }
    return Placement::Inline;
}

void Engine::burnCpu(TaskFrame& task, const PlanStep& step) {
    // Slices of ~50 µs: often enough to honour a stop or a GIL drop request promptly, long enough to cost nothing
    // (reading the thread's CPU clock after each is a system call of under a microsecond).
    constexpr std::int64_t kSliceNs = 50'000;
    bool holding = false;
    try {
        if (m_gil) {
            if (!m_gil->heldByThisThread()) {
                m_gil->acquire(task.ref, step.line);
            }
            holding = true;
        } else {
            m_context.setState(task.ref, TaskState::Running, step.labelId, step.line);
        }
        // Without a GIL nothing in the engine takes the thread off its core, but the OS may: threads that share a
        // core (L18's cpus: 1) take turns in its time slices. A slice that took far longer on the wall clock than its
        // CPU time was preempted, and the task is drawn ready (runnable, not running) for the difference.
        constexpr auto kPreemptedAfter = std::chrono::microseconds(500);
        auto sliceEnd = EngineClock::now();
        // The thread's own CPU clock: the time it waits for the GIL after a hand-over does not count.
        CpuBurner::burnCpuTime(step.durationNs, kSliceNs, [&] {
            if (m_context.stopRequested()) {
                throw RunStopped{};
            }
            if (holding && m_gil->dropRequested()) {
                holding = false;
                m_gil->yieldToWaiter(task.ref, step.line);
                holding = true;
            } else if (!m_gil) {
                const auto now = EngineClock::now();
                const auto off = now - sliceEnd - std::chrono::nanoseconds(kSliceNs);
                if (off > kPreemptedAfter) {
                    readySince(task.ref, now - off, m_context.names.preempted);
                    m_context.setState(task.ref, TaskState::Running, step.labelId, step.line);
                }
                sliceEnd = now;
            }
        });
    } catch (...) {
        if (holding) {
            m_gil->release(task.ref, step.line);
        }
        throw;
    }
}

} // namespace interleave::core
