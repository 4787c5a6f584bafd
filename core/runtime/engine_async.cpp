// The event-loop half of the interpreter: tasks are Asio coroutines on one io_context and one thread.
#include "runtime/engine.h"
#include "runtime/seeded_failure.h"

#include "runtime/stop_wait.h"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

namespace interleave::core {

namespace {

// Waits for children on the loop: a timer that never expires, cancelled to wake the waiter. gather wakes it at the
// first failure (unless it returns exceptions), a group cancels the other children at the first failure and wakes
// it once all have ended; a cancelled waiter wakes at once.
struct AsyncJoin {
    explicit AsyncJoin(const LoopExecutor& executor) : done(executor, LoopTimer::time_point::max()) {}

    void finishOne(const std::string& error) {
        if (!error.empty() && failure.empty()) {
            failure = error;
            if (cancelSiblingsOnFailure) {
                cancelChildren();
            }
            if (wakeOnFailure) {
                done.cancel();
            }
        }
        if (--remaining == 0) {
            done.cancel();
        }
    }
    void cancelChildren() {
        for (const auto& child : children) {
            child->cancel();
        }
    }
    // Waits until woken (see above) or until `waiter` is cancelled; then delivers the cancellation, after cancelling
    // the children when `propagate` (gather and group do; a shield does not).
    // Meanwhile the waiter waits on others (its children, or the job or task it awaits), for the watchdog.
    LoopAwaitable<void> wait(LoopControl* waiter, bool propagate, EngineContext& context) {
        if (waiter != nullptr) {
            waiter->deliver();
        }
        if (remaining > 0 && !(wakeOnFailure && !failure.empty())) {
            if (waiter != nullptr) {
                waiter->interrupt = [this] { done.cancel(); };
            }
            std::error_code ignored;
            const WaitOnOthers waiting(context, context.names.gather);
            co_await done.async_wait(asio::redirect_error(kOnLoop, ignored));
            if (waiter != nullptr) {
                waiter->interrupt = nullptr;
            }
        }
        if (waiter != nullptr && waiter->cancelRequested) {
            if (propagate) {
                cancelChildren();
            }
            waiter->deliver();
        }
    }

    LoopTimer done;
    std::size_t remaining = 0;
    std::string failure;
    bool wakeOnFailure = false;           // gather without return_exceptions: the first failure is raised at once
    bool cancelSiblingsOnFailure = false; // group (TaskGroup)
    std::vector<std::shared_ptr<LoopControl>> children;
};

std::string describe(const std::exception_ptr& error) {
    if (!error) {
        return {};
    }
    try {
        std::rethrow_exception(error);
    } catch (const TaskFailure& failure) {
        return failure.message.empty() ? "the task failed" : failure.message;
    } catch (const TaskCancelled&) {
        return kCancelledError;
    } catch (const RunStopped&) {
        return kStoppedByRun;
    } catch (const std::exception& problem) {
        return problem.what();
    } catch (...) {
        return "unknown error";
    }
}

} // namespace

void Engine::runAsyncModel() {
    TaskFrame root;
    root.ref = m_context.createMainTask(m_mainLane);
    root.randomState = m_plan.options.seed;
    root.control = std::make_shared<LoopControl>();
    // The heartbeat starts first, so that a main task that blocks straight away is still seen lagging the loop.
    asio::co_spawn(m_io, heartbeat(), asio::detached);
    asio::co_spawn(m_io, taskAsync(root, m_plan.program), [this](const std::exception_ptr& error) {
        const std::string message = describe(error);
        if (!message.empty() && message != kStoppedByRun) {
            m_mainFailure = message;
        }
        // asyncio.run cancels the tasks that main left running.
        for (const auto& spawned : m_spawned) {
            spawned->cancel();
        }
        m_spawned.clear();
    });
    runLoopPrecisely();
}

void Engine::runLoopPrecisely() {
    constexpr auto kSpinMargin = std::chrono::microseconds(200);
    m_spinAlarm = std::make_unique<LoopTimer>(m_io);
    for (;;) {
        if (m_io.stopped()) {
            // Asio stops when its own queue has no work left: tasks may still be ready or asleep here.
            if ((m_yielded.empty() && m_loopSleepers.empty()) || m_context.stopRequested()) {
                break;
            }
            m_io.restart();
        }
        const bool sleepers = !m_loopSleepers.empty();
        const auto now = sleepers ? EngineClock::now() : EngineClock::time_point{};
        if (sleepers && now >= m_loopSleepers.begin()->first) {
            // Every sleep that is due, on time, to the ready queue: asyncio's loop moves its due timers the same way.
            while (!m_loopSleepers.empty() && now >= m_loopSleepers.begin()->first) {
                LoopSleeper& due = m_loopSleepers.begin()->second;
                if (due.control != nullptr) {
                    due.control->interrupt = nullptr;
                }
                m_yielded.push_back(std::move(due.resume));
                m_loopSleepers.erase(m_loopSleepers.begin());
            }
        } else if (!m_yielded.empty()) {
            // One round of the ready queue, as asyncio's loop does: the tasks that are ready, then what Asio has
            // ready (completions, timers, other threads' posts), without sleeping.
            resumeYielded();
            m_io.poll();
        } else if (!sleepers) {
            dropLoopGil();
            m_io.run_one();
        } else if (now < m_loopSleepers.begin()->first - kSpinMargin) {
            const auto alarm = m_loopSleepers.begin()->first - kSpinMargin;
            if (m_spinAlarmAt != alarm) {
                m_spinAlarmAt = alarm;
                m_spinAlarm->expires_at(m_spinAlarmAt);
                m_spinAlarm->async_wait([](std::error_code) {});
            }
            dropLoopGil();
            m_io.run_one(); // sleeps in the kernel until a handler is ready or the spin alarm goes off
        } else {
            dropLoopGil();   // asyncio's loop would be in select() until the deadline
            m_io.poll_one(); // the spin window: keep running whatever else is ready
        }
    }
    m_spinAlarm.reset();
    dropLoopGil();
}

void Engine::runOnLoop(TaskRef task, std::int32_t line) {
    if (m_gil && !m_gil->heldByThisThread()) {
        m_gil->acquire(task, line); // "waiting for the GIL" while a thread holds it, then running
    } else {
        m_context.setState(task, TaskState::Running, 0, line);
    }
}

void Engine::dropLoopGil() {
    if (m_gil) {
        m_gil->drop(TaskRef{0, m_mainLane}); // only when this thread holds it; the holder is recorded by lane
    }
}

void Engine::readySince(TaskRef task, EngineClock::time_point since, std::uint32_t subject) {
    const std::int64_t sinceNs =
        std::chrono::duration_cast<std::chrono::nanoseconds>(since.time_since_epoch()).count() -
        m_context.recorder.runStartNs();
    const Event ready{sinceNs, task.id, task.lane, EventKind::TaskState, static_cast<std::uint8_t>(TaskState::Ready),
                      subject, 0};
    m_context.recorder.appendForeign(std::span<const Event>(&ready, 1));
}

LoopAwaitable<void> Engine::yieldToLoop() {
    return asio::async_initiate<const asio::use_awaitable_t<LoopExecutor>, void()>(
        [this](LoopResumer resume) { m_yielded.push_back(std::move(resume)); }, kOnLoop);
}

void Engine::resumeYielded() {
    for (std::size_t ready = m_yielded.size(); ready > 0 && !m_context.stopRequested(); --ready) {
        LoopResumer resume = std::move(m_yielded.front());
        m_yielded.pop_front();
        std::move(resume)(); // runs the task until its next wait
    }
}

LoopAwaitable<void> Engine::heartbeat() {
    LoopTimer timer(co_await asio::this_coro::executor);
    m_heartbeatTimer = &timer;
    const auto interval = std::chrono::nanoseconds(m_plan.heartbeatNs);
    while (!m_finished.load()) {
        const auto expected = EngineClock::now() + interval;
        timer.expires_at(expected);
        std::error_code cancelled;
        co_await timer.async_wait(asio::redirect_error(kOnLoop, cancelled));
        if (cancelled) {
            break;
        }
        // Recorded even when the run finished meanwhile: a loop that was blocked until the end still lagged.
        const auto lag = std::chrono::duration_cast<std::chrono::microseconds>(EngineClock::now() - expected);
        m_context.counter(m_context.names.loopLag, lag.count(), m_mainLane);
    }
    m_heartbeatTimer = nullptr;
}

LoopAwaitable<void> Engine::taskAsync(TaskFrame task, const std::vector<PlanStep>& steps, bool scheduled) {
    if (scheduled) {
        co_await yieldToLoop();
    }
    m_context.setState(task.ref, TaskState::Running);
    std::string failure;
    bool cancelled = false;
    try {
        task.control->deliver(); // cancelled before it ever ran
        co_await stepsAsync(task, steps);
    } catch (const TaskFailure& failed) {
        failure = failed.message.empty() ? "the task failed" : failed.message;
    } catch (const TaskCancelled&) {
        cancelled = true;
    } catch (const RunStopped&) {
        throw; // the run is ending; the task is recorded as cancelled then
    } catch (const std::exception& problem) {
        failure = problem.what();
    }
    task.control->ended = true;
    task.control->interrupt = nullptr;
    if (cancelled) {
        m_context.marker(task.ref, MarkerKind::Cancel);
        m_context.setState(task.ref, TaskState::Cancelled);
        markFinishedIfLast();
        throw TaskCancelled{};
    }
    endTask(task.ref, failure);
    if (!failure.empty()) {
        throw TaskFailure{failure};
    }
}

LoopAwaitable<void> Engine::stepsAsync(TaskFrame& task, std::span<const PlanStep> steps, std::int64_t times) {
    for (std::int64_t round = 0; round < times; ++round) {
        for (std::size_t index = 0; index < steps.size(); ++index) {
            const PlanStep& step = steps[index];
            if (step.kind == OpKind::Cleanup) {
                co_await cleanupAsync(task, step, steps.subspan(index + 1));
                break; // the rest of this round ran inside the cleanup's try block
            }
            if (step.kind == OpKind::Io && step.durationNs <= 0) {
                // asyncio.sleep(0), the switch, here rather than in stepAsync: no coroutine frame of its own.
                m_context.setState(task.ref, TaskState::WaitingIo, step.labelId, step.line);
                task.control->deliver();
                co_await yieldToLoop();
                task.control->deliver();
                runOnLoop(task.ref, step.line);
                continue;
            }
            const StageScope stage(m_context, step.stage, task.ref.lane);
            co_await stepAsync(task, step);
        }
    }
}

LoopAwaitable<void> Engine::cleanupAsync(TaskFrame& task, const PlanStep& cleanup, std::span<const PlanStep> guarded) {
    // try: the guarded steps; finally: the cleanup's body, drawn with a marker, whether they ended, failed or were
    // cancelled. (No co_await inside a handler: the exception waits in `pending`.)
    std::exception_ptr pending;
    try {
        co_await stepsAsync(task, guarded);
    } catch (const RunStopped&) {
        throw;
    } catch (...) {
        pending = std::current_exception();
    }
    m_context.marker(task.ref, MarkerKind::Cleanup, 0, cleanup.line);
    co_await stepsAsync(task, cleanup.body);
    if (pending) {
        std::rethrow_exception(pending);
    }
}

LoopAwaitable<void> Engine::sleepAsync(const TaskFrame& task, std::int64_t durationNs) {
    LoopControl& control = *task.control;
    control.deliver();
    if (durationNs <= 0) {
        co_await yieldToLoop(); // one trip round the loop, behind what is ready now; no timer, no system call
        control.deliver();
        co_return;
    }
    const auto deadline = deadlineAfter(durationNs);
    co_await asio::async_initiate<const asio::use_awaitable_t<LoopExecutor>, void()>(
        [this, deadline, &control](LoopResumer resume) {
            const auto entry = m_loopSleepers.emplace(deadline, LoopSleeper{std::move(resume), &control});
            control.interrupt = [this, entry] {
                // Cancelled: to the ready queue before its time.
                m_yielded.push_back(std::move(entry->second.resume));
                m_loopSleepers.erase(entry);
            };
        },
        kOnLoop);
    control.interrupt = nullptr;
    control.deliver();
    if (EngineClock::now() - deadline > kLateWake) {
        readySince(task.ref, deadline); // the loop was busy when the sleep ended (blocked, computing, or behind)
    }
}

LoopAwaitable<void> Engine::stepAsync(TaskFrame& task, const PlanStep& step) {
    // (An io 0 runs in stepsAsync, without a coroutine frame of its own.) No frame here either: the op's is the one.
    return (this->*executorOf(step.kind).onLoop)(task, step);
}

TaskFrame Engine::newLoopTask(std::uint32_t nameId, std::int32_t index, const TaskFrame& parent) {
    TaskFrame frame = newTask(nameId, index, parent, m_mainLane);
    frame.control = std::make_shared<LoopControl>();
    return frame;
}

LoopAwaitable<void> Engine::fanOutOnLoop(TaskFrame& task, const PlanStep& step) {
    auto join = std::make_shared<AsyncJoin>(m_io.get_executor());
    join->wakeOnFailure = step.kind == OpKind::Gather && !step.returnExceptions;
    join->cancelSiblingsOnFailure = step.kind == OpKind::Group;
    const Placement placement = resolvePlacement(step.placement);
    for (const PlanChild& child : step.children) {
        join->remaining += static_cast<std::size_t>(child.count);
    }
    if (placement == Placement::Processes) {
        fanOutToProcesses(task, step, m_mainLane, [join](const std::string& error) { join->finishOne(error); });
    } else {
        for (const PlanChild& child : step.children) {
            for (std::int64_t i = 0; i < child.count; ++i) {
                const auto index = child.count > 1 ? static_cast<std::int32_t>(i) : -1;
                if (placement == Placement::Threads) {
                    submitToThreadPool(newTask(child.nameId, index, task, m_mainLane), child.body,
                                       [this, join](const std::string& error) {
                                           asio::post(m_io, [join, error] { join->finishOne(error); });
                                       });
                } else {
                    TaskFrame frame = newLoopTask(child.nameId, index, task);
                    (step.kind == OpKind::Spawn ? m_spawned : join->children).push_back(frame.control);
                    asio::co_spawn(m_io, taskAsync(std::move(frame), child.body, true),
                                   [join](const std::exception_ptr& error) { join->finishOne(describe(error)); });
                }
            }
        }
    }
    if (step.kind == OpKind::Spawn) {
        co_return; // fire and forget; main's end cancels those still running, as asyncio.run does
    }
    m_context.setState(task.ref, TaskState::Blocked, m_context.names.gather, step.line);
    co_await join->wait(task.control.get(), true, m_context);
    resumeAfterWait(task.ref, step.line, step.returnExceptions ? std::string() : join->failure);
}

LoopAwaitable<void> Engine::offloadOnLoop(TaskFrame& task, const PlanStep& step) {
    auto join = std::make_shared<AsyncJoin>(m_io.get_executor());
    join->remaining = 1;
    TaskFrame job = newTask(jobName(step), -1, task, m_mainLane, false); // its awaiting task is the one in flight
    const bool processes = step.placement == Placement::Processes;
    // The caller waits from before the job can start: a pool thread that took the job (and the GIL) at once would
    // otherwise be recorded running while the caller's step still ran.
    m_context.setState(task.ref, TaskState::Blocked,
                       processes ? m_context.names.processPool : m_context.names.threadPool, step.line);
    if (processes) {
        submitToProcessPool({job}, step.body, [join](const std::string& error) { join->finishOne(error); });
    } else {
        submitToThreadPool(job, step.body, [this, join](const std::string& error) {
            asio::post(m_io, [join, error] { join->finishOne(error); });
        });
    }
    // A cancelled caller stops waiting; the job itself runs on (a thread cannot be cancelled), as with to_thread.
    co_await join->wait(task.control.get(), false, m_context);
    resumeAfterWait(task.ref, step.line, join->failure);
}

LoopAwaitable<void> Engine::shieldOnLoop(TaskFrame& task, const PlanStep& step) {
    // asyncio.shield: the body runs as a task of its own, which the caller's cancellation does not reach. A cancelled
    // caller stops waiting at once; the shielded task finishes its work.
    auto join = std::make_shared<AsyncJoin>(m_io.get_executor());
    join->remaining = 1;
    TaskFrame inner = newLoopTask(step.labelId != 0 ? step.labelId : m_context.names.shielded, -1, task);
    asio::co_spawn(m_io, taskAsync(std::move(inner), step.body, true),
                   [join](const std::exception_ptr& error) { join->finishOne(describe(error)); });
    m_context.setState(task.ref, TaskState::Blocked, m_context.names.awaitingShield, step.line);
    co_await join->wait(task.control.get(), false, m_context);
    resumeAfterWait(task.ref, step.line, join->failure);
}

LoopAwaitable<void> Engine::timeoutOnLoop(TaskFrame& task, const PlanStep& step) {
    // asyncio.timeout: when the time is up the task is cancelled where it waits; the cancellation that this timeout
    // caused becomes a TimeoutError once the body has unwound (its cleanup steps run first).
    const std::uint64_t id = ++m_nextTimeoutId;
    const std::shared_ptr<LoopControl> control = task.control;
    const ArmedTimeout armed(m_context); // it will wake the body if it waits forever: not a stall
    LoopTimer alarm(m_io.get_executor(), deadlineAfter(step.durationNs));
    alarm.async_wait([control, id](std::error_code error) {
        if (!error) {
            control->cancel(id);
        }
    });
    std::exception_ptr pending;
    bool timedOut = false;
    ++control->timeoutsArmed;
    try {
        co_await stepsAsync(task, step.body);
    } catch (const TaskCancelled&) {
        timedOut = control->cancelSource == id;
        if (!timedOut) {
            pending = std::current_exception();
        }
    } catch (...) {
        pending = std::current_exception();
    }
    --control->timeoutsArmed;
    alarm.cancel();
    if (control->cancelRequested && control->cancelSource == id) {
        control->cancelRequested = false; // the time ran out as the body finished: nothing left to cancel
    }
    if (timedOut) {
        m_context.marker(task.ref, MarkerKind::Timeout, 0, step.line);
        throw TaskFailure{"TimeoutError"};
    }
    if (pending) {
        std::rethrow_exception(pending);
    }
}

LoopAwaitable<void> Engine::retryOnLoop(TaskFrame& task, const PlanStep& step) {
    std::int64_t backoffNs = std::min(step.durationNs, m_plan.maxBackoffNs);
    for (std::int64_t attempt = 0;; ++attempt) {
        std::string failure;
        try {
            co_await stepsAsync(task, step.body);
            co_return;
        } catch (const TaskFailure& failed) {
            failure = failed.message;
        }
        if (attempt + 1 >= step.count) { // count is the attempts in all
            throw TaskFailure{failure};
        }
        m_context.marker(task.ref, MarkerKind::Retry, 0, step.line);
        m_context.setState(task.ref, TaskState::WaitingIo, m_backoffName, step.line);
        co_await sleepAsync(task, backoffNs);
        m_context.setState(task.ref, TaskState::Running, 0, step.line);
        backoffNs = doubledBackoffNs(backoffNs, m_plan.maxBackoffNs);
    }
}

} // namespace interleave::core
