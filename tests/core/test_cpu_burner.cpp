// A `cpu: N` step is N ms of the thread's own CPU clock, as Python's time.thread_time() reads it.
#include "plan_builder.h"
#include "runtime/cpu_burner.h"
#include "runtime/run.h"
#include "trace/trace_analysis.h"

#include <gtest/gtest.h>

#include <thread>

namespace interleave::test {
namespace {

TEST(CpuBurner, BurnsTheThreadsOwnCpuTimeToWithinASlice) {
    core::CpuBurner::iterationsPerMs(); // calibrated once per process (about 20 ms of CPU), as a Run does first
    for (const std::int64_t durationNs : {5'000'000LL, 40'000'000LL}) {
        const std::int64_t start = core::CpuBurner::threadCpuNs();
        int slices = 0;
        core::CpuBurner::burnCpuTime(durationNs, 50'000, [&slices] { ++slices; });
        const std::int64_t used = core::CpuBurner::threadCpuNs() - start;
        EXPECT_GE(used, durationNs);
        EXPECT_LT(used, durationNs + 5'000'000) << "overshot by more than a few slices";
        EXPECT_GT(slices, 1); // called between slices, where a stop or a GIL hand-over is honoured
    }
}

// Two CPU-bound threads on one core, or preempted by anything else, still each compute their full CPU time: the
// wall clock may stretch, the CPU time does not.
TEST(CpuBurner, TimeTheThreadIsNotRunningDoesNotCount) {
    core::CpuBurner::iterationsPerMs();
    std::int64_t used[2] = {};
    std::thread threads[2];
    for (int index = 0; index < 2; ++index) {
        threads[index] = std::thread([&used, index] {
            const std::int64_t start = core::CpuBurner::threadCpuNs();
            core::CpuBurner::burnCpuTime(30'000'000, 50'000, [index] {
                if (index == 0) {
                    std::this_thread::sleep_for(std::chrono::microseconds(200)); // off the CPU between slices
                }
            });
            used[index] = core::CpuBurner::threadCpuNs() - start;
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }
    for (const std::int64_t value : used) {
        EXPECT_GE(value, 30'000'000);
        EXPECT_LT(value, 35'000'000);
    }
}

// The engine's cpu step, sequential: four steps of 100 ms take about 400 ms on an otherwise idle thread.
TEST(CpuBurner, ACpuStepIsItsDurationOfCpuTime) {
    PlanBuilder builder(core::Model::Sequential);
    const core::RunResult result =
        runToCompletion(builder.program({withBody(core::OpKind::Repeat, {cpu(100)}, 4)}).build());
    ASSERT_EQ(result.outcome.status, core::RunStatus::Completed);
    const double makespanMs = static_cast<double>(core::analyze(result.trace).makespanNs) / 1e6;
    EXPECT_GE(makespanMs, 400.0);
    EXPECT_LT(makespanMs, 800.0); // wide: a loaded machine preempts the thread, which stretches the wall clock
}

} // namespace
} // namespace interleave::test
