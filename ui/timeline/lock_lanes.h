// The lanes of a run's locks: who held each one over time, as the GIL lane shows the GIL's holder. They are read from
// each lock's "<lock>.holder" counter (the holding task's id, -1 when it is free), the whole series at once or sample
// by sample while the run is live.
#pragma once

#include "timeline/timeline_lane.h"
#include "trace/trace.h"

#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace interleave::ui {

class LockLanes {
public:
    // Whether a counter is a lock's holder: "<lock>.holder", not the GIL's ("gil.holder").
    static bool isHolderCounter(std::string_view name);

    // One sample of the holder counter `counterName`: a tenure ends, and one begins when `holder` >= 0. Its spans are
    // Running, with the holder's task id and, for the shade of each tenure, the same id in `lane`.
    void sample(std::uint32_t counterId, std::string_view counterName, std::int64_t timeNs, double holder);
    // The same for a live counter sample, when its counter is a holder (its name is looked at once); false when not.
    bool sampleIfHolder(const core::Trace& trace, std::uint32_t counterId, std::int64_t timeNs, double value);
    void closeAll(std::int64_t timeNs); // the end of a finished run: every tenure still open ends here

    // One per lock, in the order they were first taken; each named after its lock, with `nameId` its counter's id.
    const std::vector<TimelineLane>& lanes() const { return m_lanes; }
    // The lock's name ("a" for "lock a"), for its waiters counter ("a.waiters").
    static QString lockOf(const TimelineLane& lane) { return lane.name.mid(5); }

private:
    std::vector<TimelineLane> m_lanes;
    std::unordered_map<std::uint32_t, std::size_t> m_index; // counter id -> lane
    std::unordered_map<std::uint32_t, bool> m_isHolder;     // counter id -> whether it is a holder counter
};

} // namespace interleave::ui
