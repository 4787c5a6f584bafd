// Waits that a run's stop request interrupts.
#include "runtime/stop_wait.h"

#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
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
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
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
