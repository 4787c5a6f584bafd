// Names and lanes that appear while a run goes on (a broker worker that joins, a Python program's tasks, locks and
// threads): the engine numbers them as the consumer's trace will, and the consumer takes them in before the events
// that use them (Run::pollTrace), so that the trace's names are never written while the consumer reads them.
#pragma once

#include "trace/string_table.h"
#include "trace/trace.h"

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace interleave::core {

class TraceGrowth {
public:
    // The trace's names and lane count once the engine has added its own (the end of its constructor).
    void begin(const StringTable& strings, std::size_t laneCount);
    // Engine side, one thread: the id `text` has, or will have once the consumer takes it in.
    std::uint32_t intern(std::string_view text);
    // Engine side, one thread: the lane's index in the trace once taken in.
    std::uint16_t addLane(LaneInfo lane);
    std::size_t laneCount() const { return m_laneCount; }
    // Consumer side: appends what was added since the last call.
    void applyTo(Trace& trace);

private:
    StringTable m_mirror; // the trace's names as they will be (engine side only)
    std::size_t m_laneCount = 0;
    std::mutex m_mutex; // the two below
    std::vector<std::string> m_strings;
    std::vector<LaneInfo> m_lanes;
};

} // namespace interleave::core
