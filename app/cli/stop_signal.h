// Ctrl-C handling: the signal handler only records the signal; the run loop polls it and stops the run.
#pragma once

#include <memory>

namespace interleave::cli {

// Installs handlers for SIGINT and SIGTERM. A second signal while a stop is pending exits at once.
void installStopHandlers();
// The signal that asked to stop, or 0.
int stopSignal();
// A stopped run whose engine was still cancelling and freeing its tasks after the stop's grace was left to finish on
// its own: the process then exits without tearing anything down (std::_Exit), as a second Ctrl-C does.
void leaveTeardownToExit();
bool teardownLeftToExit();

// Leaves what `owned` holds to the process's exit, which takes a stopped or finished session's memory back at once
// (a million tasks' coroutine frames, timeline lanes or traces took 0.2–0.6 s to free one block at a time).
template <typename T> void leaveToExit(std::unique_ptr<T>& owned) {
    static_cast<void>(owned.release());
    leaveTeardownToExit();
}

} // namespace interleave::cli
