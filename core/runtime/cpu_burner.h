// Real computation measured in "CPU milliseconds on one core", calibrated once per process.
#pragma once

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
};

} // namespace interleave::core
