// A cheap timestamp source for the recorder: the invariant TSC when the CPU has one, CLOCK_MONOTONIC otherwise.
#pragma once

#include <cstdint>

namespace interleave::core {

// CLOCK_MONOTONIC in nanoseconds; comparable across processes on Linux.
std::int64_t monotonicNs();

class TickClock {
public:
    // Raw ticks: TSC cycles, or monotonic ns when the TSC is not usable. Costs a few ns.
    static std::int64_t now() {
#if defined(__x86_64__)
        if (s_useTsc) {
            return static_cast<std::int64_t>(__builtin_ia32_rdtsc());
        }
#endif
        return monotonicNs();
    }
    static bool usesTsc() {
        return s_useTsc;
    }

private:
    static const bool s_useTsc;
};

// Converts ticks to monotonic ns. The rate is measured between the construction anchor and the latest refresh(), so
// the error of converting any tick taken before a refresh stays within a few tens of ns.
class TickConverter {
public:
    TickConverter();
    void refresh();
    std::int64_t toMonotonicNs(std::int64_t ticks) const;

private:
    struct Pair {
        std::int64_t ticks = 0;
        std::int64_t ns = 0;
    };
    static Pair readPair();
    Pair m_anchor;
    double m_nsPerTick = 1.0;
};

} // namespace interleave::core
