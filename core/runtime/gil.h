// A simulated global interpreter lock that behaves like CPython's: held by cpu slices, handed over on request after
// the switch interval, and recorded (holder counter, waiting-for-GIL spans).
#pragma once

#include "runtime/engine_context.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>

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
    // The holder gives the GIL to the waiter that asked, waits until it has been taken, then queues for it again.
    void yieldToWaiter(TaskRef task, std::int32_t line);

    std::uint64_t handoffs() const;

private:
    void acquireLocked(std::unique_lock<std::mutex>& lock, TaskRef task, std::int32_t line, bool alreadyWaiting);
    void releaseLocked(TaskRef task);

    EngineContext& m_context;
    const std::chrono::nanoseconds m_switchInterval;
    mutable std::mutex m_mutex;
    std::condition_variable_any m_released; // waiters wait for the holder to let go
    std::condition_variable_any m_switched; // a forced dropper waits for someone to take it
    int m_holderLane = -1;
    std::uint64_t m_switchNumber = 0;
    std::atomic<bool> m_dropRequested{false};
};

} // namespace interleave::core
