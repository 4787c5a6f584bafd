// Loop-side primitives built on waiter lists of Asio timers.
#include "runtime/async_primitives.h"

#include "runtime/stop_wait.h"
#include "scenario/primitive_table.h"

#include <algorithm>
#include <asio/redirect_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

namespace interleave::core {

LoopAwaitable<bool> AsyncWaitList::wait(LoopControl* control, EngineContext& context, std::uint32_t subject) {
    bool notified = false;
    co_await asio::async_initiate<const asio::use_awaitable_t<LoopExecutor>, void()>(
        [this, &notified, control, &context, subject](LoopResumer resume) {
            context.beginWaitOnOthers(subject);
            m_waiters.push_back(Waiter{std::move(resume), &notified, control, &context, subject});
            if (control != nullptr) {
                control->interrupt = [this, waiter = std::prev(m_waiters.end())] { wake(waiter, false); };
            }
        },
        kOnLoop);
    co_return notified;
}

void AsyncWaitList::wake(std::list<Waiter>::iterator waiter, bool notified) {
    waiter->context->endWaitOnOthers(waiter->subject);
    *waiter->notified = notified;
    if (waiter->control != nullptr) {
        waiter->control->interrupt = nullptr; // woken once: a later cancel waits for the task's next await
    }
    m_ready.push_back(std::move(waiter->resume));
    m_waiters.erase(waiter);
}

bool AsyncWaitList::notifyOne() {
    if (m_waiters.empty()) {
        return false;
    }
    wake(m_waiters.begin(), true);
    return true;
}

void AsyncWaitList::notifyAll() {
    while (notifyOne()) {
    }
}

PrimitiveCounters internPrimitiveCounters(const PlanPrimitive& primitive, StringTable& strings) {
    const PrimitiveInfo& info = primitiveInfo(primitive.kind);
    auto intern = [&](std::string_view suffix) -> std::uint32_t {
        return suffix.empty() ? 0 : strings.intern(primitive.name + "." + std::string(suffix));
    };
    PrimitiveCounters counters;
    counters.level = intern(info.levelCounter);
    counters.waiters = intern(info.waitersCounter);
    counters.unfinished = intern(info.unfinishedCounter);
    counters.putters = intern(info.puttersCounter);
    counters.writes = intern(info.writesCounter);
    counters.sleepers = intern(info.sleepersCounter);
    counters.taken = intern(info.takenCounter);
    counters.holder = intern(info.holderCounter);
    return counters;
}

namespace {
// A wait that ended without a notification: the task was cancelled (CancelledError), or the run is stopping.
void throwIfCancelled(bool notified, LoopControl* control) {
    if (notified) {
        return;
    }
    if (control != nullptr) {
        control->deliver();
    }
    throw RunStopped{};
}
} // namespace

AsyncSemaphore::AsyncSemaphore(EngineContext& context, const PlanPrimitive& primitive, PrimitiveCounters counters,
                               std::deque<LoopResumer>& ready)
    : m_context(context), m_nameId(primitive.nameId), m_counters(counters),
      m_state(primitive.kind == PrimitiveKind::Lock ? 1 : primitive.capacity), m_waiters(ready),
      m_isLock(primitive.kind == PrimitiveKind::Lock) {}

LoopAwaitable<void> AsyncSemaphore::acquire(TaskRef task, std::int32_t line, LoopControl* control) {
    if (control != nullptr) {
        control->deliver();
    }
    if (m_state.tryAcquire(m_waiters.size())) {
        m_context.counter(m_counters.level, m_state.inUse(), task.lane);
        if (m_isLock) {
            m_context.locks.held(m_nameId, task);
            m_context.counter(m_counters.holder, task.id, task.lane);
        }
        co_return;
    }
    m_context.setState(task, TaskState::Blocked, m_nameId, line);
    m_context.counter(m_counters.waiters, static_cast<std::int64_t>(m_waiters.size()) + 1, task.lane);
    // A wait under a timeout ends on its own; any other may close a cycle of tasks waiting for each other's locks.
    const bool forever = m_isLock && (control == nullptr || control->timeoutsArmed == 0);
    if (forever) {
        if (const std::vector<DeadlockLink> cycle = m_context.locks.waits(task, m_nameId); !cycle.empty()) {
            m_context.deadlockRun(cycle);
        }
    }
    // release() hands its permit straight to us, so the state already counts this task when we wake.
    const bool granted = co_await m_waiters.wait(control, m_context, m_nameId);
    if (forever) {
        m_context.locks.stopsWaiting(task);
    }
    if (!granted) {
        m_context.counter(m_counters.waiters, static_cast<std::int64_t>(m_waiters.size()), task.lane);
    }
    throwIfCancelled(granted, control);
    if (m_isLock) {
        m_context.locks.held(m_nameId, task);
        m_context.counter(m_counters.holder, task.id, task.lane);
    }
    m_context.setState(task, TaskState::Running, 0, line);
}

void AsyncSemaphore::release(TaskRef task) {
    if (m_isLock) {
        m_context.locks.released(m_nameId); // a waiter handed the lock says so when it resumes
        m_context.counter(m_counters.holder, -1, task.lane);
    }
    if (m_waiters.notifyOne()) {
        m_context.counter(m_counters.waiters, static_cast<std::int64_t>(m_waiters.size()), task.lane);
        return;
    }
    m_state.releaseUnclaimed();
    m_context.counter(m_counters.level, m_state.inUse(), task.lane);
}

AsyncQueue::AsyncQueue(EngineContext& context, const PlanPrimitive& primitive, PrimitiveCounters counters,
                       std::deque<LoopResumer>& ready)
    : m_context(context), m_nameId(primitive.nameId), m_counters(counters), m_state(primitive.capacity),
      m_getters(ready), m_putters(ready) {}

LoopAwaitable<void> AsyncQueue::put(TaskRef task, std::int32_t line, LoopControl* control) {
    if (control != nullptr) {
        control->deliver();
    }
    QueueState::Put outcome = m_state.tryPut();
    if (outcome == QueueState::Put::Wait) {
        m_context.setState(task, TaskState::Blocked, m_nameId, line);
        while (outcome == QueueState::Put::Wait) {
            m_context.counter(m_counters.putters, static_cast<std::int64_t>(m_putters.size()) + 1, task.lane);
            const bool notified = co_await m_putters.wait(control, m_context, m_nameId);
            m_context.counter(m_counters.putters, static_cast<std::int64_t>(m_putters.size()), task.lane);
            throwIfCancelled(notified, control);
            outcome = m_state.tryPut();
        }
        m_context.setState(task, TaskState::Running, 0, line);
    }
    if (outcome == QueueState::Put::ShutDown) {
        throw TaskFailure{std::string(kQueueShutDown)};
    }
    m_context.counter(m_counters.level, m_state.depth(), task.lane);
    m_context.counter(m_counters.unfinished, m_state.unfinished(), task.lane);
    m_getters.notifyOne();
}

LoopAwaitable<bool> AsyncQueue::get(TaskRef task, std::int32_t line, LoopControl* control) {
    if (control != nullptr) {
        control->deliver();
    }
    QueueState::Get outcome = m_state.tryGet();
    if (outcome == QueueState::Get::Wait) {
        m_context.setState(task, TaskState::Blocked, m_nameId, line);
        while (outcome == QueueState::Get::Wait) {
            m_context.counter(m_counters.waiters, static_cast<std::int64_t>(m_getters.size()) + 1, task.lane);
            const bool notified = co_await m_getters.wait(control, m_context, m_nameId);
            m_context.counter(m_counters.waiters, static_cast<std::int64_t>(m_getters.size()), task.lane);
            throwIfCancelled(notified, control);
            outcome = m_state.tryGet();
        }
        m_context.setState(task, TaskState::Running, 0, line);
    }
    if (outcome == QueueState::Get::Drained) {
        co_return false; // closed and drained
    }
    m_context.counter(m_counters.level, m_state.depth(), task.lane);
    m_putters.notifyOne();
    co_return true;
}

void AsyncQueue::taskDone(TaskRef task) {
    m_state.taskDone();
    m_context.counter(m_counters.unfinished, m_state.unfinished(), task.lane);
}

void AsyncQueue::close(TaskRef /*task*/) {
    m_state.close();
    m_getters.notifyAll();
    m_putters.notifyAll();
}

AsyncCondition::AsyncCondition(EngineContext& context, PrimitiveCounters counters, AsyncSemaphore& lock,
                               std::deque<LoopResumer>& ready)
    : m_context(context), m_counters(counters), m_lock(lock), m_waiters(ready) {}

LoopAwaitable<void> AsyncCondition::wait(TaskRef task, std::int32_t line, LoopControl* control, std::uint32_t subject) {
    if (control != nullptr) {
        control->deliver();
    }
    if (!m_lock.locked()) {
        throw TaskFailure{std::string(kWaitWithoutLock)};
    }
    m_context.setState(task, TaskState::Blocked, subject, line); // drawn waiting from before the lock goes
    m_context.counter(m_counters.sleepers, static_cast<std::int64_t>(m_waiters.size()) + 1, task.lane);
    m_lock.release(task);
    const bool notified = co_await m_waiters.wait(control, m_context, subject);
    if (!notified) {
        m_context.counter(m_counters.sleepers, static_cast<std::int64_t>(m_waiters.size()), task.lane);
    }
    // The lock is taken back whatever happened, with no cancellation in between (asyncio retries the acquire
    // until it succeeds); a cancelled wait raises its CancelledError after.
    co_await m_lock.acquire(task, line, nullptr);
    throwIfCancelled(notified, control);
    m_context.setState(task, TaskState::Running, 0, line);
}

void AsyncCondition::notify(TaskRef task, bool all) {
    if (!m_lock.locked()) {
        throw TaskFailure{std::string(kNotifyWithoutLock)};
    }
    notifyWaiters(m_waiters, all, m_context, m_counters.sleepers, task.lane);
}

AsyncEvent::AsyncEvent(EngineContext& context, const PlanPrimitive& primitive, PrimitiveCounters counters,
                       std::deque<LoopResumer>& ready)
    : m_context(context), m_nameId(primitive.nameId), m_counters(counters), m_waiters(ready) {}

LoopAwaitable<void> AsyncEvent::wait(TaskRef task, std::int32_t line, LoopControl* control) {
    if (control != nullptr) {
        control->deliver();
    }
    if (m_set) {
        co_return;
    }
    m_context.setState(task, TaskState::Blocked, m_nameId, line);
    m_context.counter(m_counters.waiters, static_cast<std::int64_t>(m_waiters.size()) + 1, task.lane);
    const bool notified = co_await m_waiters.wait(control, m_context, m_nameId);
    if (!notified) {
        m_context.counter(m_counters.waiters, static_cast<std::int64_t>(m_waiters.size()), task.lane);
    }
    throwIfCancelled(notified, control);
    m_context.setState(task, TaskState::Running, 0, line);
}

void AsyncEvent::set(TaskRef task) {
    m_set = true;
    m_waiters.notifyAll();
    m_context.counter(m_counters.waiters, 0, task.lane);
}

} // namespace interleave::core
