// Ctrl-C handling: the signal handler only records the signal; the run loop polls it and stops the run.
#pragma once

namespace interleave::cli {

// Installs handlers for SIGINT and SIGTERM. A second signal while a stop is pending exits at once.
void installStopHandlers();
// The signal that asked to stop, or 0.
int stopSignal();
// A stopped run whose engine was still cancelling and freeing its tasks after the stop's grace was left to finish on
// its own: the process then exits without tearing anything down (std::_Exit), as a second Ctrl-C does.
void leaveTeardownToExit();
bool teardownLeftToExit();

} // namespace interleave::cli
