// The body of interleave-worker: a process-pool child that runs jobs sent over stdin and reports on stdout.
#pragma once

#include "scenario/scenario.h"

#include <cstdint>

namespace interleave::core {

struct WorkerSettings {
    std::int64_t parentPid = 0;
    std::uint16_t lane = 0;
    std::int64_t runStartNs = 0;
    double cpuIterationsPerMs = 0;
    std::uint64_t seed = 1;
    bool background = false;         // SCHED_IDLE rather than SCHED_BATCH (RunOptions::backgroundPools)
    std::uint32_t messagingName = 0; // the trace's name for a wait on the pipe while work was queued; 0 = not drawn
};

// Parses "--parent P --lane L --run-start NS --cpu-rate R --seed S [--background 0|1] [--messaging ID]". Returns false
// on bad arguments.
bool parseWorkerArguments(int argc, const char* const* argv, WorkerSettings& settings);

// Whether a worker process runs this op (the op table's `inWorker` says which may be sent to one).
bool workerRuns(OpKind kind);

// Serves jobs until stdin closes; returns the process exit code.
int runWorker(const WorkerSettings& settings);

} // namespace interleave::core
