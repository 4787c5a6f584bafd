// Waits that a run's stop request interrupts.
#include "runtime/stop_wait.h"

#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

namespace interleave::core {

void sleepUntil(EngineClock::time_point deadline, const std::stop_token& stop) {
    std::mutex mutex;
    std::condition_variable_any wakeUp;
    std::unique_lock lock(mutex);
    // Predicate-free wait: only the deadline or the stop ends it (spurious wake-ups loop back).
    while (!stop.stop_requested() && EngineClock::now() < deadline) {
        wakeUp.wait_until(lock, stop, deadline, [] { return false; });
    }
    if (stop.stop_requested()) {
        throw RunStopped{};
    }
}

void tightenTimerSlack() {
    ordinaryTimerSlackNs(); // read before the first thread lowers its own: the threads it starts inherit the lower
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
}

unsigned long ordinaryTimerSlackNs() {
    static const unsigned long slack = [] {
        constexpr unsigned long kLinuxDefault = 50'000;
        const int current = prctl(PR_GET_TIMERSLACK, 0UL, 0UL, 0UL, 0UL);
        return current > 1 ? static_cast<unsigned long>(current) : kLinuxDefault;
    }();
    return slack;
}

void sleepZeroAsCpython() {
    prctl(PR_SET_TIMERSLACK, ordinaryTimerSlackNs(), 0UL, 0UL, 0UL);
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &now, nullptr);
    tightenTimerSlack();
}

void runInBackground() {
    const sched_param none{};
    sched_setscheduler(0, SCHED_IDLE, &none); // 0: on Linux, the calling thread alone
}

void runAtLowPriority() {
    constexpr int kNice = 10;
    setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kNice); // a thread id: on Linux, that thread alone
}

} // namespace interleave::core
