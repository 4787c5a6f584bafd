// Google Benchmark: the cost of recording one trace event on one and on two threads, with a consumer draining every
// millisecond as a live run does.
#include "trace/recorder.h"

#include <benchmark/benchmark.h>

#include <atomic>
#include <thread>
#include <vector>

namespace {

using interleave::core::Event;
using interleave::core::EventKind;
using interleave::core::Recorder;

struct DrainedRecorder {
    Recorder recorder;
    std::atomic<bool> running{true};
    std::thread consumer{[this] {
        std::vector<Event> batch;
        while (running.load()) {
            batch.clear();
            recorder.drain(batch);
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }};
    ~DrainedRecorder() {
        running.store(false);
        consumer.join();
    }
};

DrainedRecorder* g_shared = nullptr;

void recordEvents(benchmark::State& state) {
    if (state.thread_index() == 0) {
        g_shared = new DrainedRecorder;
    }
    std::uint32_t task = 0;
    for (auto _ : state) { // the loop's start and end synchronise the benchmark's threads
        g_shared->recorder.record(task++, 1, EventKind::TaskState, 1, 0, 0);
    }
    state.SetItemsProcessed(state.iterations());
    if (state.thread_index() == 0) {
        delete g_shared;
        g_shared = nullptr;
    }
}
BENCHMARK(recordEvents)->Threads(1)->Threads(2)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
