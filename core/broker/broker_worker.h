// interleave-worker --broker URL --run ID: a worker of a broker run (L17). It takes jobs from the run's Redis stream
// with a consumer group, reclaims jobs left pending too long by a worker that died, acknowledges or dead-letters them,
// and reports what it does as events on the run's event stream, timed on the broker's clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace interleave::core {

struct BrokerWorkerSettings {
    std::string url;
    std::string runId;
    int number = 0;             // the run numbers the workers it starts; 0 = take the next free number from the run
    std::int64_t parentPid = 0; // leave when this process is no longer the parent; 0 = a worker started by hand
    std::chrono::milliseconds waitForRun{60'000}; // how long to wait for a run that has not started yet
};

// Parses "--broker URL --run ID [--worker N] [--parent PID] [--wait-s S]"; false when these are not broker arguments
// or are malformed (the message says why).
bool parseBrokerWorkerArguments(int argc, const char* const* argv, BrokerWorkerSettings& settings,
                                std::string& message);

// Works until the run ends; returns the exit code (0, or 69 when the broker cannot be reached or is lost).
int runBrokerWorker(const BrokerWorkerSettings& settings);

} // namespace interleave::core
