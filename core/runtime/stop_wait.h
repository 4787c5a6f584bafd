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
// The timer slack the process started with, read before any of its threads lowered its own: how late an ordinary
// program's sleeps may end (Linux's default is 50 µs). python3 runs with it.
unsigned long ordinaryTimerSlackNs();
// time.sleep(0) as CPython 3.11 makes it on Linux: clock_nanosleep to the absolute time it was called at. Linux still
// parks the thread until the timer slack has run out (some 50-70 µs under the ordinary slack), so the call is made
// under the ordinary slack, as python3's threads make it, not under the engine's lowered one.
void sleepZeroAsCpython();
// Puts the calling thread in the background scheduling class (SCHED_IDLE): it runs only when no ordinary thread wants
// its core. Threads and processes it starts inherit the class.
void runInBackground();
// Lowers the calling thread's priority (nice 10) without leaving the ordinary class: on a core an ordinary thread also
// wants it gets about a tenth, on an idle one all of it. For work the window waits on but must not be slowed by
// (a finished variant's analysis, freeing a run): unlike SCHED_IDLE it cannot be starved while it holds a lock, such
// as malloc's, that the window takes too.
void runAtLowPriority();

} // namespace interleave::core
