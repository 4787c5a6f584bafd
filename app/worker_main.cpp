// interleave-worker: a process-pool child started by the engine with posix_spawn, or a broker worker (L17), which a
// run starts itself and which anyone may start by hand to join a run: interleave-worker --broker URL --run ID.
#include "broker/broker_worker.h"
#include "runtime/worker_process.h"

#include <cstdio>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
    const bool broker = argc > 1 && (std::strcmp(argv[1], "--broker") == 0 || std::strcmp(argv[1], "--run") == 0);
    if (broker) {
        interleave::core::BrokerWorkerSettings settings;
        std::string message;
        if (!interleave::core::parseBrokerWorkerArguments(argc, argv, settings, message)) {
            std::fprintf(stderr, "interleave-worker: %s\nusage: interleave-worker --broker URL --run ID [--wait-s S]\n",
                         message.c_str());
            return 64;
        }
        return interleave::core::runBrokerWorker(settings);
    }
    interleave::core::WorkerSettings settings;
    if (!interleave::core::parseWorkerArguments(argc, argv, settings)) {
        std::fprintf(stderr, "interleave-worker: a process-pool worker is started by interleave's engine only; to join "
                             "a broker run (L17): interleave-worker --broker URL --run ID\n");
        return 64;
    }
    return interleave::core::runWorker(settings);
}
