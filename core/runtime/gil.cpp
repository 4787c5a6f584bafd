// A simulated global interpreter lock with CPython's hand-off rules.
#include "runtime/gil.h"

#include "runtime/stop_wait.h"

namespace interleave::core {

namespace {
// This thread let go of the GIL for a wait and takes it back after (one Gil per run; a run's threads are its own).
thread_local bool t_letGo = false;
} // namespace

Gil::Gil(EngineContext& context, std::int64_t switchIntervalNs)
    : m_context(context), m_switchInterval(std::chrono::nanoseconds(switchIntervalNs)),
      m_wakeOnStop(context.stopToken(), [this] {
          // Without m_mutex: the thread that stops the run may hold it. A waiter that checked just before this
          // wakes at the end of its timed wait instead.
          m_released.notify_all();
          m_switched.notify_all();
      }) {}

void Gil::acquire(TaskRef task, std::int32_t line) {
    std::unique_lock lock(m_mutex);
    acquireLocked(lock, task, line, false);
}

void Gil::acquireLocked(std::unique_lock<std::mutex>& lock, TaskRef task, std::int32_t line, bool alreadyWaiting) {
    std::stop_token stop = m_context.stopToken();
    if (m_holderThread == std::this_thread::get_id()) {
        // Already this thread's: an inline child runs on its parent's thread, inside the parent's hold.
        t_letGo = false;
        m_context.setState(task, TaskState::Running, 0, line);
        return;
    }
    if (m_holderLane >= 0) {
        if (!alreadyWaiting) {
            m_context.setState(task, TaskState::WaitingGil, m_context.names.gil, line);
        }
        ++m_waiting;
        struct Waiting {
            int& count;
            ~Waiting() { --count; }
        } waiting{m_waiting};
        while (m_holderLane >= 0) {
            const std::uint64_t switchesBefore = m_switchNumber;
            m_released.wait_for(lock, m_switchInterval, [&] { return m_holderLane < 0 || stop.stop_requested(); });
            if (stop.stop_requested()) {
                throw RunStopped{};
            }
            // A whole interval went by, still held, and nobody switched: ask the holder to drop it (CPython's
            // gil_drop_request).
            if (m_holderLane >= 0 && m_switchNumber == switchesBefore) {
                m_dropRequested.store(true, std::memory_order_relaxed);
            }
        }
    }
    m_holderLane = task.lane;
    m_holderThread = std::this_thread::get_id();
    t_letGo = false;
    ++m_switchNumber;
    m_dropRequested.store(false, std::memory_order_relaxed);
    m_context.counter(m_context.names.gilHolder, task.lane, task.lane);
    m_context.setState(task, TaskState::Running, 0, line);
    m_switched.notify_all();
}

void Gil::releaseLocked(TaskRef task) {
    m_holderLane = -1;
    m_holderThread = {};
    m_context.counter(m_context.names.gilHolder, -1, task.lane);
    m_released.notify_one();
}

void Gil::release(TaskRef task, std::int32_t line) {
    std::lock_guard lock(m_mutex);
    m_context.setState(task, TaskState::Ready, 0, line);
    releaseLocked(task);
}

void Gil::yieldToWaiter(TaskRef task, std::int32_t line) {
    std::stop_token stop = m_context.stopToken();
    std::unique_lock lock(m_mutex);
    if (m_waiting == 0 || m_holderThread != std::this_thread::get_id()) {
        return; // nobody to give it to: the holder goes on
    }
    const std::uint64_t switchesBefore = m_switchNumber;
    m_context.setState(task, TaskState::WaitingGil, m_context.names.gil, line);
    releaseLocked(task);
    // Forced switching: do not race the waiter for the GIL we just dropped.
    while (m_switchNumber == switchesBefore && !stop.stop_requested()) {
        m_switched.wait_for(lock, m_switchInterval);
    }
    if (stop.stop_requested()) {
        throw RunStopped{};
    }
    acquireLocked(lock, task, line, true);
}

void Gil::letGo(TaskRef task) {
    std::lock_guard lock(m_mutex);
    if (m_holderThread == std::this_thread::get_id()) {
        releaseLocked(task);
        t_letGo = true;
    }
}

void Gil::drop(TaskRef task) {
    std::lock_guard lock(m_mutex);
    t_letGo = false;
    if (m_holderThread == std::this_thread::get_id()) {
        releaseLocked(task);
    }
}

bool Gil::retake(TaskRef task, std::int32_t line) {
    if (!t_letGo) {
        return false;
    }
    acquire(task, line); // clears t_letGo once taken
    return true;
}

bool Gil::awaitingRetake() const {
    return t_letGo;
}

bool Gil::heldByThisThread() const {
    std::lock_guard lock(m_mutex);
    return m_holderThread == std::this_thread::get_id();
}

std::uint64_t Gil::handoffs() const {
    std::lock_guard lock(m_mutex);
    return m_switchNumber;
}

} // namespace interleave::core
