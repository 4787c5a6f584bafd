// interleave-worker: a process-pool child started by the engine with posix_spawn; not meant to be run by hand.
#include "runtime/worker_process.h"

#include <cstdio>

int main(int argc, char** argv) {
    interleave::core::WorkerSettings settings;
    if (!interleave::core::parseWorkerArguments(argc, argv, settings)) {
        std::fprintf(stderr, "interleave-worker: started by interleave's engine only "
                             "(--parent PID --lane N --run-start NS --cpu-rate R --seed S)\n");
        return 64;
    }
    return interleave::core::runWorker(settings);
}
