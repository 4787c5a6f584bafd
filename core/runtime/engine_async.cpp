// The event-loop half of the interpreter: tasks are Asio coroutines on one io_context and one thread.
#include "runtime/engine.h"

#include "runtime/stop_wait.h"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

namespace interleave::core {

namespace {

// Waits for a number of children on the loop: a timer that never expires, cancelled when the last one finishes.
struct AsyncJoin {
    explicit AsyncJoin(const asio::any_io_executor& executor) : done(executor, asio::steady_timer::time_point::max()) {}

    void finishOne(const std::string& error) {
        if (!error.empty() && failure.empty()) {
            failure = error;
        }
        if (--remaining == 0) {
            done.cancel();
        }
    }
    asio::awaitable<void> wait() {
        if (remaining > 0) {
            std::error_code ignored;
            co_await done.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        }
    }

    asio::steady_timer done;
    std::size_t remaining = 0;
    std::string failure;
};

std::string describe(const std::exception_ptr& error) {
    if (!error) {
        return {};
    }
    try {
        std::rethrow_exception(error);
    } catch (const TaskFailure& failure) {
        return failure.message.empty() ? "the task failed" : failure.message;
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
    // The heartbeat starts first, so that a main task that blocks straight away is still seen lagging the loop.
    asio::co_spawn(m_io, heartbeat(), asio::detached);
    asio::co_spawn(m_io, taskAsync(root, m_plan.program), [this](const std::exception_ptr& error) {
        const std::string message = describe(error);
        if (!message.empty() && message != kStoppedByRun) {
            m_mainFailure = message;
        }
    });
    runLoopPrecisely();
}

void Engine::runLoopPrecisely() {
    constexpr auto kSpinMargin = std::chrono::microseconds(200);
    m_spinAlarm = std::make_unique<asio::steady_timer>(m_io);
    while (!m_io.stopped()) {
        if (m_loopSleepers.empty()) {
            m_io.run_one();
            continue;
        }
        const auto [deadline, sleeper] = *m_loopSleepers.begin();
        const auto now = EngineClock::now();
        if (now >= deadline) {
            // On time, to the microsecond: wake the sleeper ourselves.
            m_loopSleepers.erase(m_loopSleepers.begin());
            sleeper->wokenByLoop = true;
            sleeper->timer.cancel();
        } else if (now < deadline - kSpinMargin) {
            if (m_spinAlarmAt != deadline - kSpinMargin) {
                m_spinAlarmAt = deadline - kSpinMargin;
                m_spinAlarm->expires_at(m_spinAlarmAt);
                m_spinAlarm->async_wait([](std::error_code) {});
            }
            m_io.run_one(); // sleeps in the kernel until a handler is ready or the spin alarm goes off
        } else {
            m_io.poll_one(); // the spin window: keep running whatever else is ready
        }
    }
    m_spinAlarm.reset();
}

asio::awaitable<void> Engine::heartbeat() {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    m_heartbeatTimer = &timer;
    const auto interval = std::chrono::nanoseconds(m_plan.heartbeatNs);
    while (!m_finished.load()) {
        const auto expected = EngineClock::now() + interval;
        timer.expires_at(expected);
        std::error_code cancelled;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, cancelled));
        if (cancelled) {
            break;
        }
        // Recorded even when the run finished meanwhile: a loop that was blocked until the end still lagged.
        const auto lag = std::chrono::duration_cast<std::chrono::microseconds>(EngineClock::now() - expected);
        m_context.counter(m_context.names.loopLag, lag.count(), m_mainLane);
    }
    m_heartbeatTimer = nullptr;
}

asio::awaitable<void> Engine::taskAsync(TaskFrame task, const std::vector<PlanStep>& steps) {
    m_context.setState(task.ref, TaskState::Running);
    std::string failure;
    try {
        co_await stepsAsync(task, steps);
    } catch (const TaskFailure& failed) {
        failure = failed.message.empty() ? "the task failed" : failed.message;
    } catch (const RunStopped&) {
        throw; // the run is ending; the task is recorded as cancelled then
    } catch (const std::exception& problem) {
        failure = problem.what();
    }
    endTask(task.ref, failure);
    if (!failure.empty()) {
        throw TaskFailure{failure};
    }
}

asio::awaitable<void> Engine::stepsAsync(TaskFrame& task, const std::vector<PlanStep>& steps) {
    for (const PlanStep& step : steps) {
        co_await stepAsync(task, step);
    }
}

asio::awaitable<void> Engine::sleepAsync(std::int64_t durationNs) {
    if (durationNs <= 0) {
        // asyncio.sleep(0): one trip round the loop, behind what is ready now; no timer, no system call.
        co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
        co_return;
    }
    const auto deadline = deadlineAfter(durationNs);
    LoopSleeper sleeper{asio::steady_timer(co_await asio::this_coro::executor, deadline)};
    const auto entry = m_loopSleepers.emplace(deadline, &sleeper);
    std::error_code ignored; // cancelled means woken on time by the loop
    co_await sleeper.timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    if (!sleeper.wokenByLoop) {
        m_loopSleepers.erase(entry);
    }
}

asio::awaitable<void> Engine::stepAsync(TaskFrame& task, const PlanStep& step) {
    const TaskRef ref = task.ref;
    const auto index = static_cast<std::size_t>(step.primitive);
    switch (step.kind) {
    case OpKind::Io:
        m_context.setState(ref, TaskState::WaitingIo, step.labelId, step.line);
        co_await sleepAsync(step.durationNs);
        m_context.setState(ref, TaskState::Running, 0, step.line);
        break;
    case OpKind::Block:
        // A blocking call made on the loop: the whole loop stops with it, which is the point.
        m_context.setState(ref, TaskState::Blocked, step.labelId ? step.labelId : m_context.names.blockingCall,
                           step.line);
        sleepUntil(deadlineAfter(step.durationNs), m_context.stopToken());
        m_context.setState(ref, TaskState::Running, 0, step.line);
        break;
    case OpKind::Cpu:
        burnCpu(task, step);
        break;
    case OpKind::Acquire:
        co_await m_asyncSemaphores.at(index)->acquire(ref, step.line);
        break;
    case OpKind::Release:
        m_asyncSemaphores.at(index)->release(ref);
        break;
    case OpKind::Put:
        co_await m_asyncQueues.at(index)->put(ref, step.line);
        break;
    case OpKind::Get:
        co_await m_asyncQueues.at(index)->get(ref, step.line);
        break;
    case OpKind::TaskDone:
        m_asyncQueues.at(index)->taskDone(ref);
        break;
    case OpKind::Close:
        m_asyncQueues.at(index)->close(ref);
        break;
    case OpKind::Consume: {
        AsyncQueue& queue = *m_asyncQueues.at(index);
        while (co_await queue.get(ref, step.line)) {
            co_await stepsAsync(task, step.body);
            queue.taskDone(ref);
        }
        break;
    }
    case OpKind::Wait:
        co_await m_asyncEvents.at(index)->wait(ref, step.line);
        break;
    case OpKind::Set:
        m_asyncEvents.at(index)->set(ref);
        break;
    case OpKind::Gather:
    case OpKind::Group:
    case OpKind::Spawn:
        co_await fanOutAsync(task, step);
        break;
    case OpKind::Offload:
        co_await offloadAsync(task, step);
        break;
    case OpKind::Repeat:
        for (std::int64_t i = 0; i < step.count; ++i) {
            co_await stepsAsync(task, step.body);
        }
        break;
    case OpKind::Retry:
        co_await retryAsync(task, step);
        break;
    case OpKind::Shield:
        co_await stepsAsync(task, step.body);
        break;
    case OpKind::Fail:
        if (drawFailure(task, step.probability)) {
            throw TaskFailure{"raised by fail"};
        }
        break;
    case OpKind::Timeout:
        throw TaskFailure{"timeout is not supported by this engine yet"};
    }
}

asio::awaitable<void> Engine::fanOutAsync(TaskFrame& task, const PlanStep& step) {
    auto join = std::make_shared<AsyncJoin>(co_await asio::this_coro::executor);
    const Placement placement = resolvePlacement(step.placement);
    for (const PlanChild& child : step.children) {
        join->remaining += static_cast<std::size_t>(child.count);
    }
    for (const PlanChild& child : step.children) {
        for (std::int64_t i = 0; i < child.count; ++i) {
            const auto index = child.count > 1 ? static_cast<std::int32_t>(i) : -1;
            TaskFrame frame = newTask(child.nameId, index, task, m_mainLane);
            if (placement == Placement::Threads) {
                submitToThreadPool(frame, child.body, [this, join](const std::string& error) {
                    asio::post(m_io, [join, error] { join->finishOne(error); });
                });
            } else if (placement == Placement::Processes) {
                submitToProcessPool(frame, child.body, [join](const std::string& error) { join->finishOne(error); });
            } else {
                asio::co_spawn(m_io, taskAsync(frame, child.body),
                               [join](const std::exception_ptr& error) { join->finishOne(describe(error)); });
            }
        }
    }
    if (step.kind == OpKind::Spawn) {
        co_return; // fire and forget; the run still waits for these tasks before it ends
    }
    m_context.setState(task.ref, TaskState::Blocked, m_context.names.gather, step.line);
    co_await join->wait();
    resumeAfterWait(task.ref, step.line, join->failure);
}

asio::awaitable<void> Engine::offloadAsync(TaskFrame& task, const PlanStep& step) {
    auto join = std::make_shared<AsyncJoin>(co_await asio::this_coro::executor);
    join->remaining = 1;
    TaskFrame job = newTask(jobName(step), -1, task, m_mainLane, false); // its awaiting task is the one in flight
    std::uint32_t waitingOn = m_context.names.threadPool;
    if (step.placement == Placement::Processes) {
        waitingOn = m_context.names.processPool;
        submitToProcessPool(job, step.body, [join](const std::string& error) { join->finishOne(error); });
    } else {
        submitToThreadPool(job, step.body, [this, join](const std::string& error) {
            asio::post(m_io, [join, error] { join->finishOne(error); });
        });
    }
    m_context.setState(task.ref, TaskState::Blocked, waitingOn, step.line);
    co_await join->wait();
    resumeAfterWait(task.ref, step.line, join->failure);
}

asio::awaitable<void> Engine::retryAsync(TaskFrame& task, const PlanStep& step) {
    std::int64_t backoffNs = step.durationNs;
    for (std::int64_t attempt = 0;; ++attempt) {
        std::string failure;
        try {
            co_await stepsAsync(task, step.body);
            co_return;
        } catch (const TaskFailure& failed) {
            failure = failed.message;
        }
        if (attempt >= step.count) {
            throw TaskFailure{failure};
        }
        m_context.marker(task.ref, MarkerKind::Retry, 0, step.line);
        m_context.setState(task.ref, TaskState::WaitingIo, m_backoffName, step.line);
        co_await sleepAsync(backoffNs);
        m_context.setState(task.ref, TaskState::Running, 0, step.line);
        backoffNs *= 2;
    }
}

} // namespace interleave::core
