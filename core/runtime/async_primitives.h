// Semaphore, lock, bounded queue and event for tasks on the event loop, built on waiter lists of Asio timers.
// Every wait, acquire and release is recorded. All members run on the loop's thread only.
#pragma once

#include "runtime/engine_context.h"
#include "runtime/loop_awaitable.h"
#include "runtime/loop_control.h"
#include "runtime/queue_state.h"

#include <cstdint>
#include <deque>

namespace interleave::core {

// FIFO list of suspended coroutines; notify wakes them in arrival order.
class AsyncWaitList {
public:
    // Suspends until notified. Returns false when the wait was cancelled instead.
    // Returns true when notified; false when woken otherwise (the run stops, or `control`'s task is cancelled).
    LoopAwaitable<bool> wait(LoopControl* control);
    bool notifyOne();
    void notifyAll();
    std::size_t size() const { return m_waiters.size(); }

private:
    struct Waiter {
        LoopTimer timer;
        bool notified = false;
    };
    std::deque<Waiter*> m_waiters;
};

// Counter names of one primitive, e.g. "sem.in_use" and "sem.waiters".
struct PrimitiveCounters {
    std::uint32_t level = 0;   // in_use / held / depth
    std::uint32_t waiters = 0; // waiters / getters
    std::uint32_t unfinished = 0;
    std::uint32_t putters = 0;
};
PrimitiveCounters internPrimitiveCounters(const PlanPrimitive& primitive, StringTable& strings);

// asyncio.Semaphore (and Lock, with one permit): permits handed straight to the longest waiter.
class AsyncSemaphore {
public:
    AsyncSemaphore(EngineContext& context, const PlanPrimitive& primitive, PrimitiveCounters counters);
    LoopAwaitable<void> acquire(TaskRef task, std::int32_t line, LoopControl* control);
    void release(TaskRef task);

private:
    EngineContext& m_context;
    std::uint32_t m_nameId;
    PrimitiveCounters m_counters;
    std::int64_t m_capacity;
    std::int64_t m_inUse = 0;
    AsyncWaitList m_waiters;
};

// asyncio.Queue with maxsize, task_done and a close (Python 3.13's shutdown) so consumers can finish.
class AsyncQueue {
public:
    AsyncQueue(EngineContext& context, const PlanPrimitive& primitive, PrimitiveCounters counters);
    LoopAwaitable<void> put(TaskRef task, std::int32_t line, LoopControl* control);
    // Returns false once the queue is closed and empty.
    LoopAwaitable<bool> get(TaskRef task, std::int32_t line, LoopControl* control);
    void taskDone(TaskRef task);
    void close(TaskRef task);

private:
    EngineContext& m_context;
    std::uint32_t m_nameId;
    PrimitiveCounters m_counters;
    QueueState m_state;
    AsyncWaitList m_getters;
    AsyncWaitList m_putters;
};

// asyncio.Event.
class AsyncEvent {
public:
    AsyncEvent(EngineContext& context, const PlanPrimitive& primitive, PrimitiveCounters counters);
    LoopAwaitable<void> wait(TaskRef task, std::int32_t line, LoopControl* control);
    void set(TaskRef task);

private:
    EngineContext& m_context;
    std::uint32_t m_nameId;
    PrimitiveCounters m_counters;
    bool m_set = false;
    AsyncWaitList m_waiters;
};

} // namespace interleave::core
