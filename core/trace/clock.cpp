// Timestamp source selection and tick-to-ns conversion.
#include "trace/clock.h"

#include <ctime>
#include <fstream>
#include <string>
#include <thread>

namespace interleave::core {

namespace {

bool cpuHasInvariantTsc() {
#if defined(__x86_64__)
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line)) {
        if (line.rfind("flags", 0) == 0) {
            return line.find(" constant_tsc") != std::string::npos && line.find(" nonstop_tsc") != std::string::npos;
        }
    }
#endif
    return false;
}

} // namespace

const bool TickClock::s_useTsc = cpuHasInvariantTsc();

std::int64_t monotonicNs() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

TickConverter::Pair TickConverter::readPair() {
    if (!TickClock::usesTsc()) {
        const std::int64_t ns = monotonicNs();
        return {ns, ns};
    }
    // Bracket the clock read between two tick reads and keep the tightest of a few tries.
    Pair best;
    std::int64_t bestWidth = -1;
    for (int attempt = 0; attempt < 5; ++attempt) {
        const std::int64_t before = TickClock::now();
        const std::int64_t ns = monotonicNs();
        const std::int64_t after = TickClock::now();
        if (bestWidth < 0 || after - before < bestWidth) {
            bestWidth = after - before;
            best = {before + (after - before) / 2, ns};
        }
    }
    return best;
}

TickConverter::TickConverter() : m_anchor(readPair()) {
    if (TickClock::usesTsc()) {
        // A first rough rate so that conversions before any refresh are sane.
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        refresh();
    }
}

void TickConverter::refresh() {
    if (!TickClock::usesTsc()) {
        return;
    }
    const Pair latest = readPair();
    if (latest.ticks > m_anchor.ticks) {
        m_nsPerTick = static_cast<double>(latest.ns - m_anchor.ns) / static_cast<double>(latest.ticks - m_anchor.ticks);
    }
}

std::int64_t TickConverter::toMonotonicNs(std::int64_t ticks) const {
    if (!TickClock::usesTsc()) {
        return ticks;
    }
    return m_anchor.ns + static_cast<std::int64_t>(static_cast<double>(ticks - m_anchor.ticks) * m_nsPerTick);
}

} // namespace interleave::core
