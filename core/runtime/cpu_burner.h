// Real computation measured in "CPU milliseconds on one core", calibrated once per process.
#pragma once

#include <algorithm>
#include <cstdint>

namespace interleave::core {

class CpuBurner {
public:
    // Calibrates on first use (about 30 ms), unless setIterationsPerMs() was called first (worker processes get the
    // parent's figure so that a CPU-ms means the same thing everywhere).
    static double iterationsPerMs();
    static void setIterationsPerMs(double value);

    static std::int64_t iterationsFor(std::int64_t durationNs);
    // Runs `iterations` rounds of integer mixing; the result is consumed so the work cannot be optimised away.
    static std::uint64_t burn(std::int64_t iterations);

    // The calling thread's own CPU clock (CLOCK_THREAD_CPUTIME_ID), as Python's time.thread_time() reads it: it
    // advances only while the thread runs, so time spent preempted or waiting (for the GIL) does not count.
    static std::int64_t threadCpuNs();
    // Computes until the calling thread's CPU clock has advanced `durationNs`, in slices of about `sliceNs` (the
    // calibration only sizes the slices); `betweenSlices` runs after each one (a stop check, a GIL hand-over).
    // A `cpu: N` step means this: N ms of the thread's CPU time, however long it takes on the wall clock.
    template <typename Between>
    static void burnCpuTime(std::int64_t durationNs, std::int64_t sliceNs, Between&& betweenSlices) {
        // The thread's CPU clock is a system call: it is read every few slices rather than after each (a tracer
        // such as strace stops the thread at every call, which doubled a cpu step's wall time), planning never past
        // half of what is left, so that the step still ends within about a slice of its time when the calibration
        // is off by 2x. betweenSlices (a stop, a GIL drop request) still runs after every slice.
        constexpr std::int64_t kMaxSlicesBetweenReads = 20;
        const std::int64_t slice = std::max<std::int64_t>(1, iterationsFor(sliceNs));
        const std::int64_t start = threadCpuNs();
        std::int64_t slicesBeforeRead = 1;
        while (durationNs > 0) {
            burn(slice);
            if (--slicesBeforeRead == 0) {
                const std::int64_t remaining = durationNs - (threadCpuNs() - start);
                if (remaining <= 0) {
                    return; // done: nothing to hand over after the last slice
                }
                slicesBeforeRead = std::clamp<std::int64_t>(remaining / (2 * std::max<std::int64_t>(sliceNs, 1)), 1,
                                                            kMaxSlicesBetweenReads);
            }
            betweenSlices();
        }
    }
};

} // namespace interleave::core
