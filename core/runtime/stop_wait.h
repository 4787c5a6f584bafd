// Waits that a run's stop request interrupts: every blocking wait in the engine goes through these.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <stop_token>

namespace interleave::core {

// Thrown out of a blocking wait when the run is being stopped; unwinds the blocked task.
struct RunStopped {};

using EngineClock = std::chrono::steady_clock;

inline EngineClock::time_point deadlineAfter(std::int64_t durationNs) {
    return EngineClock::now() + std::chrono::nanoseconds(durationNs);
}

// Sleeps until `deadline`; throws RunStopped if the stop is requested first.
void sleepUntil(EngineClock::time_point deadline, const std::stop_token& stop);

// Waits on `condition` until `ready()` holds; throws RunStopped if the stop is requested first.
template <typename Predicate>
void waitOrStop(std::condition_variable_any& condition, std::unique_lock<std::mutex>& lock, const std::stop_token& stop,
                Predicate ready) {
    if (!condition.wait(lock, stop, ready)) {
        throw RunStopped{};
    }
}

// Lowers the calling thread's timer slack so waits end within microseconds of their deadline.
void tightenTimerSlack();
// Puts the calling thread in the background scheduling class (SCHED_IDLE): it runs only when no ordinary thread wants
// its core. Threads and processes it starts inherit the class.
void runInBackground();
// Lowers the calling thread's priority (nice 10) without leaving the ordinary class: on a core an ordinary thread also
// wants it gets about a tenth, on an idle one all of it. For work the window waits on but must not be slowed by
// (a finished variant's analysis, freeing a run): unlike SCHED_IDLE it cannot be starved while it holds a lock, such
// as malloc's, that the window takes too.
void runAtLowPriority();

} // namespace interleave::core
