// Real computation, calibrated against the thread's own CPU clock.
#include "runtime/cpu_burner.h"

#include <algorithm>
#include <atomic>
#include <ctime>
#include <mutex>

namespace interleave::core {

namespace {

std::atomic<double> g_iterationsPerMs{0.0};
std::once_flag g_calibrated;
std::atomic<std::uint64_t> g_sink{0};

std::uint64_t mix(std::int64_t iterations) {
    std::uint64_t state = 0x9E3779B97F4A7C15ULL;
    for (std::int64_t i = 0; i < iterations; ++i) {
        // splitmix64: cheap, branch-free, and impossible to fold at compile time for a runtime count.
        state += 0x9E3779B97F4A7C15ULL;
        std::uint64_t z = state;
        z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
        state ^= z ^ (z >> 31U);
    }
    return state;
}

void calibrate() {
    if (g_iterationsPerMs.load() > 0) {
        return;
    }
    mix(200'000); // warm up caches and frequency
    // Best of a few rounds: the least-disturbed measurement is the one closest to the machine's real speed.
    double best = 0;
    for (int round = 0; round < 5; ++round) {
        constexpr std::int64_t kIterations = 1'000'000;
        const std::int64_t start = CpuBurner::threadCpuNs();
        g_sink.fetch_xor(mix(kIterations), std::memory_order_relaxed);
        const std::int64_t elapsed = std::max<std::int64_t>(CpuBurner::threadCpuNs() - start, 1);
        best = std::max(best, static_cast<double>(kIterations) * 1e6 / static_cast<double>(elapsed));
    }
    g_iterationsPerMs.store(best);
}

} // namespace

std::int64_t CpuBurner::threadCpuNs() {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

double CpuBurner::iterationsPerMs() {
    std::call_once(g_calibrated, calibrate);
    return g_iterationsPerMs.load();
}

void CpuBurner::setIterationsPerMs(double value) {
    if (value > 0) {
        g_iterationsPerMs.store(value);
    }
}

std::int64_t CpuBurner::iterationsFor(std::int64_t durationNs) {
    return static_cast<std::int64_t>(static_cast<double>(durationNs) * iterationsPerMs() / 1e6);
}

std::uint64_t CpuBurner::burn(std::int64_t iterations) {
    const std::uint64_t result = mix(iterations);
    g_sink.fetch_xor(result, std::memory_order_relaxed);
    return result;
}

} // namespace interleave::core
