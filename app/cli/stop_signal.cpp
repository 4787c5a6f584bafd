// Ctrl-C handling: a flag set by the signal handler, polled by the run loop.
#include "stop_signal.h"

#include <atomic>
#include <csignal>
#include <unistd.h>

namespace interleave::cli {

namespace {

// Set by the handler, read by other threads (the run loop, an import's watcher): a lock-free atomic is both safe in a
// signal handler and visible across threads, which a volatile sig_atomic_t is not.
std::atomic<int> g_stopSignal{0};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void onStopSignal(int signalNumber) {
    if (g_stopSignal.exchange(signalNumber) != 0) {
        _exit(128 + signalNumber); // a second Ctrl-C while the first stop is still pending: give up now
    }
}

} // namespace

void installStopHandlers() {
    struct sigaction action = {};
    action.sa_handler = onStopSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

int stopSignal() {
    return g_stopSignal.load();
}

namespace {
std::atomic<bool> g_teardownLeft{false};
} // namespace

void leaveTeardownToExit() {
    g_teardownLeft.store(true);
}

bool teardownLeftToExit() {
    return g_teardownLeft.load();
}

} // namespace interleave::cli
