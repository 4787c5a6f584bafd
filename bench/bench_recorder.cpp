// Google Benchmark: the cost of recording one trace event, on one thread and on two at once.
#include "trace/recorder.h"

#include <benchmark/benchmark.h>

#include <vector>

namespace {

using interleave::core::EventKind;
using interleave::core::Recorder;

Recorder* g_recorder = nullptr;

void recordEvents(benchmark::State& state) {
    if (state.thread_index() == 0) {
        g_recorder = new Recorder;
    }
    // Google Benchmark synchronises threads between set-up and the timed loop.
    std::uint32_t task = 0;
    for (auto _ : state) {
        g_recorder->record(task++, 1, EventKind::TaskState, 1, 0, 0);
    }
    state.SetItemsProcessed(state.iterations());
    if (state.thread_index() == 0) {
        std::vector<interleave::core::Event> drained;
        g_recorder->drain(drained);
        benchmark::DoNotOptimize(drained.data());
        delete g_recorder;
        g_recorder = nullptr;
    }
}
BENCHMARK(recordEvents)->Threads(1)->Threads(2)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
