// A simulated global interpreter lock that behaves like CPython's: held by cpu slices, handed over on request after
// the switch interval, and recorded (holder counter, waiting-for-GIL spans).
#pragma once

#include "runtime/engine_context.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <stop_token>
#include <thread>

namespace interleave::core {

class Gil {
public:
    Gil(EngineContext& context, std::int64_t switchIntervalNs);

    // Blocks until the calling thread holds the GIL. When another thread holds it, the task is recorded as waiting
    // for the GIL; if the holder does not let go within the switch interval, a drop is requested, as CPython does.
    void acquire(TaskRef task, std::int32_t line);
    // The task stops running Python code: it is recorded as ready (runnable, not holding the GIL) until its next
    // step says otherwise, so that two "running" spans never overlap under a GIL.
    void release(TaskRef task, std::int32_t line);
    // Cheap check for the holder, between slices of work.
    bool dropRequested() const { return m_dropRequested.load(std::memory_order_relaxed); }
    // The holder gives the GIL to a waiting thread, waits until it has been taken, then queues for it again; with no
    // thread waiting it keeps it. At a drop request (the switch interval).
    void yieldToWaiter(TaskRef task, std::int32_t line);

    std::uint64_t handoffs() const;

    // Waits: a thread that holds the GIL lets go of it before it waits (I/O, a sleep, a primitive, a pool), as
    // CPython does around blocking calls, without recording a state (the wait records its own). Its next retake()
    // takes it back: "waiting for the GIL" while another thread holds it, then running. That queue behind the holder
    // is the convoy a thread meets on its way back from I/O.
    void letGo(TaskRef task);
    // After a wait: takes the GIL back if this thread let go of it; false when there was nothing to take back.
    bool retake(TaskRef task, std::int32_t line);
    bool awaitingRetake() const; // this thread let go of the GIL and has not taken it back yet
    bool heldByThisThread() const;
    // A task that took the GIL at its start gives it up at its end (its end state is recorded by the caller).
    void drop(TaskRef task);

private:
    void acquireLocked(std::unique_lock<std::mutex>& lock, TaskRef task, std::int32_t line, bool alreadyWaiting);
    void releaseLocked(TaskRef task);

    EngineContext& m_context;
    const std::chrono::nanoseconds m_switchInterval;
    mutable std::mutex m_mutex;
    // Plain condition variables, whose waits are timed (a stop_token wait would register a callback on the run's one
    // stop state at every wait, which all the run's threads contend for): a stop wakes them all through m_wakeOnStop.
    std::condition_variable m_released; // waiters wait for the holder to let go
    std::condition_variable m_switched; // a forced dropper waits for someone to take it
    int m_holderLane = -1;
    std::thread::id m_holderThread; // none while nobody holds it
    std::uint64_t m_switchNumber = 0;
    int m_waiting = 0; // threads in acquire, waiting for the holder to let go
    std::atomic<bool> m_dropRequested{false};
    std::stop_callback<std::function<void()>> m_wakeOnStop; // last: it may run as soon as it is made
};

} // namespace interleave::core
