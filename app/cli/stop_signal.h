// Ctrl-C handling: the signal handler only records the signal; the run loop polls it and stops the run.
#pragma once

namespace interleave::cli {

// Installs handlers for SIGINT and SIGTERM. A second signal while a stop is pending exits at once.
void installStopHandlers();
// The signal that asked to stop, or 0.
int stopSignal();

} // namespace interleave::cli
