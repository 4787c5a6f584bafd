// The recorded trace of one run: time-ordered events, the lanes they happened on and their interned strings.
#pragma once

#include "trace/event.h"
#include "trace/string_table.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace interleave::core {

enum class LaneKind : std::uint8_t { Loop, Main, PoolThread, WorkerProcess, Imported };

struct LaneInfo {
    std::string name;
    LaneKind kind = LaneKind::Main;
    std::int64_t processId = 0; // the OS pid for worker processes, 0 otherwise
};

// One Trace type serves live runs, replays, saved run files and imports.
struct Trace {
    std::vector<Event> events; // always sorted by timeNs
    StringTable strings;
    std::vector<LaneInfo> lanes;
    std::vector<double> realValues; // values of CounterReal events (imports); live runs leave it empty
    std::int64_t endNs = 0;         // when the run ended; the makespan

    // Appends a drained batch (itself sorted) and keeps the whole sequence sorted, even when some events of the
    // batch were published late and belong before the current tail.
    void appendSorted(const std::vector<Event>& batch);

    std::uint16_t addLane(std::string name, LaneKind kind, std::int64_t processId = 0);
};

std::string_view toString(LaneKind kind);

// The subject of a worker process's lane span while it waited for its next job and one was queued.
inline constexpr std::string_view kMessagingName = "messaging";

// A stage's counter (`stage:` on a lesson's steps) counts how many of its steps run at each moment: "stage:payment".
inline constexpr std::string_view kStageCounterPrefix = "stage:";
inline std::string stageCounterName(std::string_view stage) {
    return std::string(kStageCounterPrefix) + std::string(stage);
}
inline bool isStageCounter(std::string_view counter) {
    return counter.starts_with(kStageCounterPrefix);
}

} // namespace interleave::core
