// Semaphore, lock, bounded queue and event for OS threads: instrumented mutex/condition-variable code whose waits a
// stop request interrupts. Waiters are served first come, first served.
#pragma once

#include "runtime/async_primitives.h"
#include "runtime/engine_context.h"
#include "runtime/primitive_state.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

namespace interleave::core {

// FIFO hand-off between threads: each waiter sleeps on its own condition variable.
class BlockingWaitList {
public:
    // Called with `lock` held; returns once notified. Throws RunStopped when the run stops first. Under a GIL the
    // thread lets go of it first, as CPython's blocking acquire does; the engine takes it back after the step,
    // outside `lock` (Engine::retakeGil).
    // From queuing to being notified the task waits on others (EngineContext::beginWaitOnOthers), on `subject`.
    void wait(std::unique_lock<std::mutex>& lock, EngineContext& context, TaskRef task, std::uint32_t subject);
    // The same, giving up after `timeout`: false then (the waiter is out of the list, and nothing was handed to it).
    bool waitFor(std::unique_lock<std::mutex>& lock, EngineContext& context, TaskRef task, std::uint32_t subject,
                 std::chrono::nanoseconds timeout);
    bool notifyOne(); // with the lock held
    void notifyAll(); // with the lock held
    std::size_t size() const { return m_waiters.size(); }

private:
    struct Waiter {
        std::condition_variable_any wake;
        bool notified = false;
        EngineContext* context = nullptr;
        std::uint32_t subject = 0;
    };
    std::deque<Waiter*> m_waiters;
};

// threading.Semaphore, Lock and RLock. A lock's holder is known (to the wait-for graph, EngineContext::locks, which
// ends the run at a wait that closes a cycle); an RLock's holder takes it again at once, and lets go of it when it has
// released it as many times.
class BlockingSemaphore {
public:
    BlockingSemaphore(EngineContext& context, const PlanPrimitive& primitive, PrimitiveCounters counters);
    // `timeoutNs` > 0: acquire(timeout=…), which gives up after it and returns false.
    bool acquire(TaskRef task, std::int32_t line, std::int64_t timeoutNs = 0);
    void release(TaskRef task);
    bool heldBy(TaskRef task); // a lock's: whether `task` holds it

private:
    void take(TaskRef task); // with m_mutex held: `task` has it now

    EngineContext& m_context;
    std::uint32_t m_nameId;
    PrimitiveCounters m_counters;
    bool m_isLock;
    bool m_reentrant;
    std::mutex m_mutex;
    SemaphoreState m_state; // under m_mutex
    BlockingWaitList m_waiters;
    std::optional<TaskRef> m_holder; // a lock's, under m_mutex
    std::int64_t m_depth = 0;        // an RLock's count of its holder's acquisitions
};

class BlockingQueue {
public:
    BlockingQueue(EngineContext& context, const PlanPrimitive& primitive, PrimitiveCounters counters);
    void put(TaskRef task, std::int32_t line);
    bool get(TaskRef task, std::int32_t line); // false once closed and empty
    void taskDone(TaskRef task);
    void close(TaskRef task);

private:
    EngineContext& m_context;
    std::uint32_t m_nameId;
    PrimitiveCounters m_counters;
    std::mutex m_mutex;
    QueueState m_state; // under m_mutex
    BlockingWaitList m_getters;
    BlockingWaitList m_putters;
};

// threading.Condition(threading.Lock()): its lock is a BlockingSemaphore of its own (acquire and release go there);
// wait lets go of it until notified, then takes it back.
class BlockingCondition {
public:
    BlockingCondition(EngineContext& context, PrimitiveCounters counters, BlockingSemaphore& lock);
    // Condition.wait(), by a task that holds the lock, drawn as blocked on `subject`.
    void wait(TaskRef task, std::int32_t line, std::uint32_t subject);
    // Condition.wait_for(predicate): waits while `ready` is false, testing it with the lock held.
    template <typename Ready> void waitFor(TaskRef task, std::int32_t line, std::uint32_t subject, Ready ready) {
        while (!ready()) {
            wait(task, line, subject);
        }
    }
    void notify(TaskRef task, bool all); // Condition.notify() or notify_all(), by a task that holds the lock

private:
    EngineContext& m_context;
    PrimitiveCounters m_counters;
    BlockingSemaphore& m_lock;
    std::mutex m_mutex; // taken before the lock's own, never after it
    BlockingWaitList m_waiters;
};

class BlockingEvent {
public:
    BlockingEvent(EngineContext& context, const PlanPrimitive& primitive, PrimitiveCounters counters);
    void wait(TaskRef task, std::int32_t line);
    void set(TaskRef task);

private:
    EngineContext& m_context;
    std::uint32_t m_nameId;
    PrimitiveCounters m_counters;
    std::mutex m_mutex;
    bool m_set = false;
    BlockingWaitList m_waiters;
};

} // namespace interleave::core
