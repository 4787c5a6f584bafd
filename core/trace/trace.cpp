// The recorded trace of one run.
#include "trace/trace.h"

#include <algorithm>

namespace interleave::core {

void Trace::appendSorted(const std::vector<Event>& batch) {
    if (batch.empty()) {
        return;
    }
    const auto oldSize = static_cast<std::ptrdiff_t>(events.size());
    events.insert(events.end(), batch.begin(), batch.end());
    if (oldSize > 0 && batch.front().timeNs < events[static_cast<std::size_t>(oldSize) - 1].timeNs) {
        auto byTime = [](const Event& a, const Event& b) { return a.timeNs < b.timeNs; };
        // Only the overlapping tail needs merging: find where the batch's first event belongs.
        auto mergeFrom = std::upper_bound(events.begin(), events.begin() + oldSize, batch.front(), byTime);
        std::inplace_merge(mergeFrom, events.begin() + oldSize, events.end(), byTime);
    }
}

std::uint16_t Trace::addLane(std::string name, LaneKind kind, std::int64_t processId) {
    lanes.push_back(LaneInfo{std::move(name), kind, processId});
    return static_cast<std::uint16_t>(lanes.size() - 1);
}

std::string_view toString(LaneKind kind) {
    switch (kind) {
    case LaneKind::Loop:
        return "loop";
    case LaneKind::Main:
        return "main";
    case LaneKind::PoolThread:
        return "pool-thread";
    case LaneKind::WorkerProcess:
        return "worker-process";
    case LaneKind::Imported:
        return "imported";
    }
    return "unknown";
}

} // namespace interleave::core
