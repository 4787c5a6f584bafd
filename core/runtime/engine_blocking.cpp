// The OS-thread half of the interpreter: the main thread of the sequential and threads models, and pool threads.
#include "runtime/engine.h"
#include "runtime/seeded_failure.h"

#include "runtime/stop_wait.h"

#include <system_error>

#include <asio/post.hpp>

namespace interleave::core {

namespace {

// Waits for children running elsewhere (pool threads, worker processes); a stop request ends the wait.
struct BlockingJoin {
    explicit BlockingJoin(EngineContext& engine) : context(engine) {}

    void finishOne(const std::string& error) {
        std::lock_guard lock(mutex);
        if (!error.empty() && failure.empty()) {
            failure = error;
        }
        if (--remaining == 0) {
            endWaiting(); // the last one ends the wait, whenever the waiting thread gets to run
            finished.notify_all();
        }
    }
    // Meanwhile the waiter waits on others (its children or its job), for the watchdog.
    void wait(const std::stop_token& stop) {
        std::unique_lock lock(mutex);
        if (remaining > 0) {
            context.beginWaitOnOthers(context.names.gather);
            waiting = true;
        }
        try {
            waitOrStop(finished, lock, stop, [this] { return remaining == 0; });
        } catch (const RunStopped&) {
            endWaiting();
            throw;
        }
        endWaiting();
    }
    void endWaiting() {
        if (waiting) {
            waiting = false;
            context.endWaitOnOthers(context.names.gather);
        }
    }

    EngineContext& context;
    std::mutex mutex;
    std::condition_variable_any finished;
    std::size_t remaining = 0;
    std::string failure;
    bool waiting = false;
};

} // namespace

void Engine::runBlockingModel() {
    if (m_processPool) {
        m_ioWork.emplace(m_io.get_executor());
        try {
            m_ioThread = std::thread([this] {
                tightenTimerSlack();
                m_io.run();
            });
        } catch (const std::system_error& error) {
            m_context.failRun(std::string("cannot start a thread for the process pool: ") + error.what(), m_mainLane);
            return;
        }
    }
    TaskFrame root;
    root.ref = m_context.createMainTask(m_mainLane);
    root.randomState = m_plan.options.seed;
    try {
        taskBlocking(root, m_plan.program);
    } catch (const TaskFailure& failure) {
        m_mainFailure = failure.message;
    } catch (const RunStopped&) {
        // recorded as cancelled once every thread has stopped
    }
    // Tasks spawned without being awaited still run to completion before the run ends.
    if (m_threadPool) {
        m_threadPool->shutdown();
    }
    if (m_processPool) {
        asio::post(m_io, [this] { m_processPool->shutdown(); });
        m_ioWork.reset(); // the io thread returns once every worker has exited
        m_ioThread.join();
    }
}

void Engine::taskBlocking(TaskFrame task, const std::vector<PlanStep>& steps, bool poolJob) {
    // Under a GIL a thread runs Python code only while it holds it: it takes it to start (an inline child runs inside
    // its parent's hold) and gives it up at its end. A pool thread keeps it into its next job, as CPython's worker
    // keeps it through queue.get() while work is queued: otherwise a thread running tiny jobs lets go and takes it
    // back between each two, and another thread's wait for it never sees a whole switch interval pass without a
    // switch, so never asks for it. The pool's idle hook lets go of it when the queue is empty.
    const bool held = m_gil && m_gil->heldByThisThread();
    const bool ownHold = m_gil && !held;
    if (ownHold) {
        m_gil->acquire(task.ref, 0);
    } else {
        m_context.setState(task.ref, TaskState::Running);
    }
    std::string failure;
    try {
        stepsBlocking(task, steps);
    } catch (const TaskFailure& failed) {
        failure = failed.message.empty() ? "the task failed" : failed.message;
    } catch (const RunStopped&) {
        if (ownHold || (poolJob && held)) {
            m_gil->drop(task.ref);
        }
        throw;
    }
    endTask(task.ref, failure); // recorded before the GIL goes: the next holder's running starts after this end
    if (ownHold && !poolJob) {
        m_gil->drop(task.ref);
    }
    if (!failure.empty()) {
        throw TaskFailure{failure};
    }
}

void Engine::retakeGil(TaskRef task, std::int32_t line) {
    if (m_gil) {
        m_gil->retake(task, line);
    }
}

void Engine::stepsBlocking(TaskFrame& task, std::span<const PlanStep> steps) {
    for (std::size_t index = 0; index < steps.size(); ++index) {
        const PlanStep& step = steps[index];
        if (step.kind == OpKind::Cleanup) {
            // try: the steps after it; finally: its body, drawn with a marker, however they ended.
            std::exception_ptr pending;
            try {
                stepsBlocking(task, steps.subspan(index + 1));
            } catch (const RunStopped&) {
                throw;
            } catch (...) {
                pending = std::current_exception();
            }
            m_context.marker(task.ref, MarkerKind::Cleanup, 0, step.line);
            stepsBlocking(task, step.body);
            if (pending) {
                std::rethrow_exception(pending);
            }
            return;
        }
        stepBlocking(task, step);
    }
}

void Engine::stepBlocking(TaskFrame& task, const PlanStep& step) {
    const StageScope stage(m_context, step.stage, task.ref.lane);
    (this->*executorOf(step.kind).onThread)(task, step);
    retakeGil(task.ref, step.line); // after a wait on a primitive, outside its lock
}

void Engine::fanOutOnThread(TaskFrame& task, const PlanStep& step) {
    Placement placement = resolvePlacement(step.placement);
    if (placement == Placement::Loop) {
        placement = Placement::Inline; // a thread has no loop of its own: children run as plain calls
    }
    m_context.setState(task.ref, TaskState::Blocked, m_context.names.gather, step.line);
    if (placement == Placement::Inline) {
        // The children run here, one after another, and the caller only waits for them (for the watchdog: a child
        // blocked for good leaves nothing that can run, as a producer that fills its queue before its consumers).
        const WaitOnOthers waiting(m_context, m_context.names.gather);
        std::string failure;
        for (const PlanChild& child : step.children) {
            for (std::int64_t i = 0; i < child.count && failure.empty(); ++i) {
                const auto index = child.count > 1 ? static_cast<std::int32_t>(i) : -1;
                try {
                    taskBlocking(newTask(child.nameId, index, task, task.ref.lane), child.body);
                } catch (const TaskFailure& failed) {
                    failure = failed.message;
                }
            }
        }
        m_context.setState(task.ref, TaskState::Running, 0, step.line);
        if (!failure.empty()) {
            throw TaskFailure{failure};
        }
        return;
    }
    auto join = std::make_shared<BlockingJoin>(m_context);
    for (const PlanChild& child : step.children) {
        join->remaining += static_cast<std::size_t>(child.count);
    }
    auto finished = [join](const std::string& error) { join->finishOne(error); };
    if (placement == Placement::Processes) {
        fanOutToProcesses(task, step, task.ref.lane, finished);
    } else {
        for (const PlanChild& child : step.children) {
            for (std::int64_t i = 0; i < child.count; ++i) {
                const auto index = child.count > 1 ? static_cast<std::int32_t>(i) : -1;
                submitToThreadPool(newTask(child.nameId, index, task, task.ref.lane), child.body, finished);
            }
        }
    }
    if (step.kind != OpKind::Spawn) {
        if (m_gil) {
            m_gil->letGo(task.ref);
        }
        join->wait(m_context.stopToken());
    }
    resumeAfterWait(task.ref, step.line, step.returnExceptions ? std::string() : join->failure);
}

void Engine::offloadOnThread(TaskFrame& task, const PlanStep& step) {
    auto join = std::make_shared<BlockingJoin>(m_context);
    join->remaining = 1;
    TaskFrame job = newTask(jobName(step), -1, task, task.ref.lane, false); // its awaiting task is the one in flight
    auto finished = [join](const std::string& error) { join->finishOne(error); };
    if (step.placement == Placement::Processes) {
        m_context.setState(task.ref, TaskState::Blocked, m_context.names.processPool, step.line);
        submitToProcessPool({job}, step.body, finished);
    } else {
        m_context.setState(task.ref, TaskState::Blocked, m_context.names.threadPool, step.line);
        submitToThreadPool(job, step.body, finished);
    }
    if (m_gil) {
        m_gil->letGo(task.ref);
    }
    join->wait(m_context.stopToken());
    resumeAfterWait(task.ref, step.line, join->failure);
}

void Engine::retryOnThread(TaskFrame& task, const PlanStep& step) {
    std::int64_t backoffNs = std::min(step.durationNs, m_plan.maxBackoffNs);
    for (std::int64_t attempt = 0;; ++attempt) {
        try {
            stepsBlocking(task, step.body);
            return;
        } catch (const TaskFailure&) {
            if (attempt + 1 >= step.count) { // count is the attempts in all
                throw;
            }
        }
        m_context.marker(task.ref, MarkerKind::Retry, 0, step.line);
        m_context.setState(task.ref, TaskState::WaitingIo, m_backoffName, step.line);
        if (m_gil) {
            m_gil->letGo(task.ref);
        }
        sleepUntil(deadlineAfter(backoffNs), m_context.stopToken());
        resumeAfterWait(task.ref, step.line, {});
        backoffNs = doubledBackoffNs(backoffNs, m_plan.maxBackoffNs);
    }
}

void Engine::submitToThreadPool(TaskFrame job, const std::vector<PlanStep>& steps,
                                std::function<void(std::string)> finished) {
    if (!m_threadPool) {
        endTask(job.ref, "this variant has no thread pool");
        finished("this variant has no thread pool");
        return;
    }
    // Queued for a thread of the pool, the task waits on the tasks that hold the threads: when they all wait on others
    // too (every thread blocked on a get that a queued task would answer), nothing can move, and the watchdog says so.
    // The wait ends when a thread takes the job (nearly at once while a thread is free).
    m_context.beginWaitOnOthers(m_context.names.threadPool);
    m_threadPool->submit([this, job, &steps, finished = std::move(finished)](std::uint16_t lane) mutable {
        m_context.endWaitOnOthers(m_context.names.threadPool);
        job.ref.lane = lane;
        std::string error;
        try {
            taskBlocking(job, steps, true);
        } catch (const TaskFailure& failure) {
            error = failure.message;
        } catch (const RunStopped&) {
            error = kStoppedByRun;
        }
        finished(error);
    });
}

void Engine::submitToProcessPool(std::vector<TaskFrame> jobs, const std::vector<PlanStep>& steps,
                                 std::function<void(std::string)> finished) {
    auto submit = [this, jobs = std::move(jobs), &steps, finished = std::move(finished)]() mutable {
        auto failAll = [&](const std::string& error) {
            for (const TaskFrame& job : jobs) {
                endTask(job.ref, error);
                finished(error);
            }
        };
        if (!m_processPool) {
            failAll("this variant has no process pool");
            return;
        }
        for (const PlanStep& step : steps) {
            if (!runsInWorker(step)) {
                failAll("step '" + std::string(toString(step.kind)) + "' cannot run in a worker process");
                return;
            }
        }
        WorkerJob message = makeWorkerJob(jobs, steps);
        m_processPool->submit(std::move(message),
                              [this, jobs, finished](const WorkerJobDone& done, std::uint16_t lane) {
                                  for (std::size_t item = 0; item < jobs.size(); ++item) {
                                      const TaskRef ref{jobs[item].ref.id, lane};
                                      if (done.ok || item < done.failedItem) {
                                          endTask(ref, {});
                                          finished({});
                                      } else if (item == done.failedItem) {
                                          endTask(ref, done.error);
                                          finished(done.error);
                                      } else { // its chunk raised before it: never run, as the rest of a CPython chunk
                                          m_context.setState(ref, TaskState::Cancelled);
                                          markFinishedIfLast();
                                          finished(done.error);
                                      }
                                  }
                              });
    };
    // The pool lives on the io thread: on the loop we are already there, from other threads hop over.
    if (m_io.get_executor().running_in_this_thread()) {
        submit();
    } else {
        asio::post(m_io, std::move(submit));
    }
}

void Engine::fanOutToProcesses(const TaskFrame& parent, const PlanStep& step, std::uint16_t lane,
                               const std::function<void(std::string)>& finished) {
    const auto chunkSize = static_cast<std::size_t>(std::max<std::int64_t>(1, step.chunkSize));
    for (const PlanChild& child : step.children) {
        std::vector<TaskFrame> chunk;
        chunk.reserve(std::min<std::size_t>(chunkSize, static_cast<std::size_t>(child.count)));
        for (std::int64_t i = 0; i < child.count; ++i) {
            const auto index = child.count > 1 ? static_cast<std::int32_t>(i) : -1;
            chunk.push_back(newTask(child.nameId, index, parent, lane));
            if (chunk.size() == chunkSize || i + 1 == child.count) {
                submitToProcessPool(std::move(chunk), child.body, finished);
                chunk.clear();
            }
        }
    }
}

} // namespace interleave::core
