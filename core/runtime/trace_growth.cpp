#include "runtime/trace_growth.h"

#include <limits>
#include <stdexcept>

namespace interleave::core {

void TraceGrowth::begin(const StringTable& strings, std::size_t laneCount) {
    m_mirror = strings;
    m_laneCount = laneCount;
}

std::uint32_t TraceGrowth::intern(std::string_view text) {
    const std::size_t before = m_mirror.size();
    const std::uint32_t id = m_mirror.intern(text);
    if (m_mirror.size() != before) {
        const std::lock_guard lock(m_mutex);
        m_strings.emplace_back(text);
    }
    return id;
}

std::uint16_t TraceGrowth::addLane(LaneInfo lane) {
    if (m_laneCount >= std::numeric_limits<std::uint16_t>::max()) {
        throw std::runtime_error("more than 65,535 lanes");
    }
    const std::lock_guard lock(m_mutex);
    m_lanes.push_back(std::move(lane));
    return static_cast<std::uint16_t>(m_laneCount++);
}

void TraceGrowth::applyTo(Trace& trace) {
    const std::lock_guard lock(m_mutex);
    for (const std::string& text : m_strings) {
        trace.strings.intern(text);
    }
    m_strings.clear();
    for (LaneInfo& lane : m_lanes) {
        trace.lanes.push_back(std::move(lane));
    }
    m_lanes.clear();
}

} // namespace interleave::core
