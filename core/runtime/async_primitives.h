// Semaphore, lock, bounded queue and event for tasks on the event loop, built on waiter lists whose wake-ups go to
// the loop's ready queue (as asyncio's futures schedule their callbacks), with no timer and no lock.
// Every wait, acquire and release is recorded. All members run on the loop's thread only.
#pragma once

#include "runtime/engine_context.h"
#include "runtime/loop_awaitable.h"
#include "runtime/loop_control.h"
#include "runtime/primitive_state.h"

#include <cstdint>
#include <deque>
#include <list>
#include <string_view>

namespace interleave::core {

// FIFO list of suspended coroutines; notify moves them, in arrival order, to the back of the loop's ready queue.
// The list owns what resumes each waiter, so that a run stopped with waiters left destroys them with it.
class AsyncWaitList {
public:
    explicit AsyncWaitList(std::deque<LoopResumer>& ready) : m_ready(ready) {}
    // Returns true when notified; false when `control`'s task was cancelled while it waited. From queuing to being
    // notified or cancelled the task waits on others (EngineContext::beginWaitOnOthers), on `subject`.
    LoopAwaitable<bool> wait(LoopControl* control, EngineContext& context, std::uint32_t subject);
    bool notifyOne();
    void notifyAll();
    std::size_t size() const { return m_waiters.size(); }

private:
    struct Waiter {
        LoopResumer resume;
        bool* notified; // in the waiting coroutine's frame
        LoopControl* control;
        EngineContext* context;
        std::uint32_t subject;
    };
    void wake(std::list<Waiter>::iterator waiter, bool notified);

    std::deque<LoopResumer>& m_ready;
    std::list<Waiter> m_waiters;
};

// Counter names of one primitive, e.g. "sem.in_use" and "sem.waiters".
struct PrimitiveCounters {
    std::uint32_t level = 0;   // in_use / held / depth
    std::uint32_t waiters = 0; // waiters / getters
    std::uint32_t unfinished = 0;
    std::uint32_t putters = 0;
    std::uint32_t writes = 0;   // a shared variable's updates
    std::uint32_t sleepers = 0; // a condition's waiters, until notified
    std::uint32_t taken = 0;    // a buffer's items taken out
    std::uint32_t holder = 0;   // a lock's holding task, -1 when free
};
PrimitiveCounters internPrimitiveCounters(const PlanPrimitive& primitive, StringTable& strings);

// What CPython raises for a condition used without its lock.
inline constexpr std::string_view kWaitWithoutLock = "RuntimeError: cannot wait on un-acquired lock";
inline constexpr std::string_view kNotifyWithoutLock = "RuntimeError: cannot notify on un-acquired lock";

// Condition.notify() or notify_all() on its waiters (a loop's or a thread's wait list), their count recorded after.
template <typename WaitList>
void notifyWaiters(WaitList& waiters, bool all, EngineContext& context, std::uint32_t counter, std::uint16_t lane) {
    if (waiters.size() == 0) {
        return;
    }
    if (all) {
        waiters.notifyAll();
    } else {
        waiters.notifyOne();
    }
    context.counter(counter, static_cast<std::int64_t>(waiters.size()), lane);
}

// asyncio.Semaphore (and Lock, with one permit): permits handed straight to the longest waiter.
class AsyncSemaphore {
public:
    AsyncSemaphore(EngineContext& context, const PlanPrimitive& primitive, PrimitiveCounters counters,
                   std::deque<LoopResumer>& ready);
    LoopAwaitable<void> acquire(TaskRef task, std::int32_t line, LoopControl* control);
    void release(TaskRef task);
    bool locked() const { return m_state.inUse() > 0; }

private:
    EngineContext& m_context;
    std::uint32_t m_nameId;
    PrimitiveCounters m_counters;
    SemaphoreState m_state;
    AsyncWaitList m_waiters;
    bool m_isLock; // its holder is known to the wait-for graph (EngineContext::locks)
};

// asyncio.Queue with maxsize, task_done and a close (Python 3.13's shutdown) so consumers can finish.
class AsyncQueue {
public:
    AsyncQueue(EngineContext& context, const PlanPrimitive& primitive, PrimitiveCounters counters,
               std::deque<LoopResumer>& ready);
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

// asyncio.Condition: its lock is an AsyncSemaphore of its own (acquire and release go there); wait lets go of it
// until notified, then takes it back, even when the task is cancelled meanwhile (then it raises CancelledError).
class AsyncCondition {
public:
    AsyncCondition(EngineContext& context, PrimitiveCounters counters, AsyncSemaphore& lock,
                   std::deque<LoopResumer>& ready);
    // Condition.wait(), drawn as blocked on `subject`.
    LoopAwaitable<void> wait(TaskRef task, std::int32_t line, LoopControl* control, std::uint32_t subject);
    // Condition.wait_for(predicate): waits while `ready` is false, testing it with the lock held.
    template <typename Ready>
    LoopAwaitable<void> waitFor(TaskRef task, std::int32_t line, LoopControl* control, std::uint32_t subject,
                                Ready ready) {
        while (!ready()) {
            co_await wait(task, line, control, subject);
        }
    }
    void notify(TaskRef task, bool all); // Condition.notify() or notify_all(), with the lock held

private:
    EngineContext& m_context;
    PrimitiveCounters m_counters;
    AsyncSemaphore& m_lock;
    AsyncWaitList m_waiters;
};

// asyncio.Event.
class AsyncEvent {
public:
    AsyncEvent(EngineContext& context, const PlanPrimitive& primitive, PrimitiveCounters counters,
               std::deque<LoopResumer>& ready);
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
