// Thread-side primitives with FIFO hand-off and stop-aware waits.
#include "runtime/blocking_primitives.h"

#include "runtime/gil.h"
#include "runtime/stop_wait.h"

#include <algorithm>

namespace interleave::core {

namespace {
// A task whose wait is over runs again, or, if it let go of the GIL for the wait, waits to take it back.
void markResumed(EngineContext& context, TaskRef task, std::int32_t line) {
    if (context.gil != nullptr && context.gil->awaitingRetake()) {
        context.setState(task, TaskState::WaitingGil, context.names.gil, line);
    } else {
        context.setState(task, TaskState::Running, 0, line);
    }
}
} // namespace

void BlockingWaitList::wait(std::unique_lock<std::mutex>& lock, EngineContext& context, TaskRef task,
                            std::uint32_t subject) {
    static_cast<void>(waitFor(lock, context, task, subject, std::chrono::nanoseconds::max()));
}

bool BlockingWaitList::waitFor(std::unique_lock<std::mutex>& lock, EngineContext& context, TaskRef task,
                               std::uint32_t subject, std::chrono::nanoseconds timeout) {
    if (context.gil != nullptr) {
        context.gil->letGo(task);
    }
    const std::stop_token stop = context.stopToken();
    Waiter waiter;
    waiter.context = &context;
    waiter.subject = subject;
    context.beginWaitOnOthers(subject);
    m_waiters.push_back(&waiter);
    const auto notified = [&] { return waiter.notified; };
    const bool handed = timeout == std::chrono::nanoseconds::max()
                            ? waiter.wake.wait(lock, stop, notified)
                            : waiter.wake.wait_for(lock, stop, timeout, notified);
    if (!handed) {
        m_waiters.erase(std::remove(m_waiters.begin(), m_waiters.end(), &waiter), m_waiters.end());
        context.endWaitOnOthers(subject);
        if (stop.stop_requested()) {
            throw RunStopped{};
        }
    }
    return handed;
}

bool BlockingWaitList::notifyOne() {
    if (m_waiters.empty()) {
        return false;
    }
    Waiter* waiter = m_waiters.front();
    m_waiters.pop_front();
    waiter->notified = true;
    waiter->context->endWaitOnOthers(waiter->subject); // the notifier ends the wait: the thread may wake later
    waiter->wake.notify_one();
    return true;
}

void BlockingWaitList::notifyAll() {
    while (notifyOne()) {
    }
}

BlockingSemaphore::BlockingSemaphore(EngineContext& context, const PlanPrimitive& primitive, PrimitiveCounters counters)
    : m_context(context), m_nameId(primitive.nameId), m_counters(counters),
      m_isLock(primitive.kind == PrimitiveKind::Lock || primitive.kind == PrimitiveKind::RLock),
      m_reentrant(primitive.kind == PrimitiveKind::RLock), m_state(m_isLock ? 1 : primitive.capacity) {}

void BlockingSemaphore::take(TaskRef task) {
    if (m_isLock) {
        m_holder = task;
        m_depth = 1;
        m_context.locks.held(m_nameId, task);
        m_context.counter(m_counters.holder, task.id, task.lane);
    }
}

bool BlockingSemaphore::acquire(TaskRef task, std::int32_t line, std::int64_t timeoutNs) {
    std::unique_lock lock(m_mutex);
    if (m_reentrant && m_holder && m_holder->id == task.id) {
        ++m_depth; // RLock: its holder again
        return true;
    }
    if (m_state.tryAcquire(m_waiters.size())) {
        take(task);
        m_context.counter(m_counters.level, m_state.inUse(), task.lane);
        return true;
    }
    m_context.setState(task, TaskState::Blocked, m_nameId, line);
    m_context.counter(m_counters.waiters, static_cast<std::int64_t>(m_waiters.size()) + 1, task.lane);
    if (timeoutNs > 0) {
        // Not an edge of the wait-for graph: it ends on its own.
        const ArmedTimeout armed(m_context);
        if (!m_waiters.waitFor(lock, m_context, task, m_nameId, std::chrono::nanoseconds(timeoutNs))) {
            m_context.counter(m_counters.waiters, static_cast<std::int64_t>(m_waiters.size()), task.lane);
            markResumed(m_context, task, line);
            return false;
        }
    } else {
        if (m_isLock) {
            if (const std::vector<DeadlockLink> cycle = m_context.locks.waits(task, m_nameId); !cycle.empty()) {
                m_context.deadlockRun(cycle); // the stop it asks for ends the wait below
            }
        }
        try {
            m_waiters.wait(lock, m_context, task, m_nameId); // the releaser hands its permit over
        } catch (const RunStopped&) {
            if (m_isLock) {
                m_context.locks.stopsWaiting(task);
            }
            throw;
        }
        if (m_isLock) {
            m_context.locks.stopsWaiting(task);
        }
    }
    take(task);
    markResumed(m_context, task, line);
    return true;
}

void BlockingSemaphore::release(TaskRef task) {
    std::lock_guard lock(m_mutex);
    if (m_reentrant) {
        if (!m_holder || m_holder->id != task.id) {
            throw TaskFailure{"RuntimeError: cannot release un-acquired lock"};
        }
        if (--m_depth > 0) {
            return;
        }
    }
    if (m_isLock) {
        m_holder.reset();
        m_context.locks.released(m_nameId); // a waiter handed the lock takes it (take) when it wakes
        m_context.counter(m_counters.holder, -1, task.lane);
    }
    if (m_waiters.notifyOne()) {
        m_context.counter(m_counters.waiters, static_cast<std::int64_t>(m_waiters.size()), task.lane);
        return;
    }
    m_state.releaseUnclaimed();
    m_context.counter(m_counters.level, m_state.inUse(), task.lane);
}

bool BlockingSemaphore::heldBy(TaskRef task) {
    std::lock_guard lock(m_mutex);
    return m_holder && m_holder->id == task.id;
}

BlockingCondition::BlockingCondition(EngineContext& context, PrimitiveCounters counters, BlockingSemaphore& lock)
    : m_context(context), m_counters(counters), m_lock(lock) {}

void BlockingCondition::wait(TaskRef task, std::int32_t line, std::uint32_t subject) {
    if (!m_lock.heldBy(task)) {
        throw TaskFailure{std::string(kWaitWithoutLock)};
    }
    {
        std::unique_lock lock(m_mutex);
        // Drawn waiting while it still holds the lock, so that what it saw (a buffer's size) is what the trace has
        // at that moment; queued before the lock goes, under m_mutex, so that a notify made as soon as another task
        // takes the lock finds it.
        m_context.setState(task, TaskState::Blocked, subject, line);
        m_context.counter(m_counters.sleepers, static_cast<std::int64_t>(m_waiters.size()) + 1, task.lane);
        m_lock.release(task);
        m_waiters.wait(lock, m_context, task, subject);
    }
    m_lock.acquire(task, line); // back in turn behind the lock's other waiters, as CPython's Condition does
    // With the lock again, and the GIL (retake records the task running): a wait_for tests its predicate holding both.
    if (m_context.gil == nullptr || !m_context.gil->retake(task, line)) {
        m_context.setState(task, TaskState::Running, 0, line);
    }
}

void BlockingCondition::notify(TaskRef task, bool all) {
    if (!m_lock.heldBy(task)) {
        throw TaskFailure{std::string(kNotifyWithoutLock)};
    }
    std::lock_guard lock(m_mutex);
    notifyWaiters(m_waiters, all, m_context, m_counters.sleepers, task.lane);
}

BlockingQueue::BlockingQueue(EngineContext& context, const PlanPrimitive& primitive, PrimitiveCounters counters)
    : m_context(context), m_nameId(primitive.nameId), m_counters(counters), m_state(primitive.capacity) {}

void BlockingQueue::put(TaskRef task, std::int32_t line) {
    std::unique_lock lock(m_mutex);
    QueueState::Put outcome = m_state.tryPut();
    if (outcome == QueueState::Put::Wait) {
        m_context.setState(task, TaskState::Blocked, m_nameId, line);
        while (outcome == QueueState::Put::Wait) {
            m_context.counter(m_counters.putters, static_cast<std::int64_t>(m_putters.size()) + 1, task.lane);
            m_putters.wait(lock, m_context, task, m_nameId);
            m_context.counter(m_counters.putters, static_cast<std::int64_t>(m_putters.size()), task.lane);
            outcome = m_state.tryPut();
        }
        markResumed(m_context, task, line);
    }
    if (outcome == QueueState::Put::ShutDown) {
        throw TaskFailure{std::string(kQueueShutDown)};
    }
    m_context.counter(m_counters.level, m_state.depth(), task.lane);
    m_context.counter(m_counters.unfinished, m_state.unfinished(), task.lane);
    m_getters.notifyOne();
}

bool BlockingQueue::get(TaskRef task, std::int32_t line) {
    std::unique_lock lock(m_mutex);
    QueueState::Get outcome = m_state.tryGet();
    if (outcome == QueueState::Get::Wait) {
        m_context.setState(task, TaskState::Blocked, m_nameId, line);
        while (outcome == QueueState::Get::Wait) {
            m_context.counter(m_counters.waiters, static_cast<std::int64_t>(m_getters.size()) + 1, task.lane);
            m_getters.wait(lock, m_context, task, m_nameId);
            m_context.counter(m_counters.waiters, static_cast<std::int64_t>(m_getters.size()), task.lane);
            outcome = m_state.tryGet();
        }
        markResumed(m_context, task, line);
    }
    if (outcome == QueueState::Get::Drained) {
        return false;
    }
    m_context.counter(m_counters.level, m_state.depth(), task.lane);
    m_putters.notifyOne();
    return true;
}

void BlockingQueue::taskDone(TaskRef task) {
    std::lock_guard lock(m_mutex);
    m_state.taskDone();
    m_context.counter(m_counters.unfinished, m_state.unfinished(), task.lane);
}

void BlockingQueue::close(TaskRef /*task*/) {
    std::lock_guard lock(m_mutex);
    m_state.close();
    m_getters.notifyAll();
    m_putters.notifyAll();
}

BlockingEvent::BlockingEvent(EngineContext& context, const PlanPrimitive& primitive, PrimitiveCounters counters)
    : m_context(context), m_nameId(primitive.nameId), m_counters(counters) {}

void BlockingEvent::wait(TaskRef task, std::int32_t line) {
    std::unique_lock lock(m_mutex);
    if (m_set) {
        return;
    }
    m_context.setState(task, TaskState::Blocked, m_nameId, line);
    m_context.counter(m_counters.waiters, static_cast<std::int64_t>(m_waiters.size()) + 1, task.lane);
    m_waiters.wait(lock, m_context, task, m_nameId);
    markResumed(m_context, task, line);
}

void BlockingEvent::set(TaskRef task) {
    std::lock_guard lock(m_mutex);
    m_set = true;
    m_waiters.notifyAll();
    m_context.counter(m_counters.waiters, 0, task.lane);
}

} // namespace interleave::core
