// Ctrl-C handling: a flag set by the signal handler, polled by the run loop.
#include "stop_signal.h"

#include <csignal>
#include <unistd.h>

namespace interleave::cli {

namespace {

volatile std::sig_atomic_t g_stopSignal = 0;

extern "C" void onStopSignal(int signalNumber) {
    if (g_stopSignal != 0) {
        _exit(128 + signalNumber); // a second Ctrl-C while the first stop is still pending: give up now
    }
    g_stopSignal = signalNumber;
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
    return g_stopSignal;
}

} // namespace interleave::cli
