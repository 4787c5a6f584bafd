// What TimelineData's two builders share (timeline_data.cpp, live batches; timeline_rebuild.cpp, a whole trace):
// the special counters' names and how a recorded span, marker or lag sample becomes the timeline's.
#pragma once

#include "timeline/timeline_data.h"

#include <algorithm>
#include <string_view>

namespace interleave::ui::timeline_build {

// A marker kind's bit in TimelineData::markerKinds(); none for a kind past the mask (a damaged trace's code).
inline std::uint32_t markerBit(core::MarkerKind kind) {
    const auto index = static_cast<unsigned>(kind);
    return index < 32 ? 1U << index : 0U;
}

inline constexpr std::string_view kLoopLagCounter = "loop_lag_us";
inline constexpr std::string_view kGilHolderCounter = "gil.holder";

// A recorded marker as the timeline keeps it: a deadlock's value is the task holding the lock its task waits for.
inline TimelineMarker markerOf(std::int64_t timeNs, core::MarkerKind kind, std::uint32_t task, std::uint32_t subject,
                               std::int32_t value) {
    return TimelineMarker{timeNs, kind, task, subject,
                          kind == core::MarkerKind::Deadlock ? static_cast<std::uint32_t>(value) : core::kNoTask};
}

inline bool occupiesLane(core::TaskState state) {
    return state == core::TaskState::Running || state == core::TaskState::Blocked ||
           state == core::TaskState::WaitingGil;
}

inline QString laneName(const core::Trace& trace, std::size_t lane) {
    if (lane < trace.lanes.size()) {
        return QString::fromStdString(trace.lanes[lane].name);
    }
    return QStringLiteral("lane %1").arg(lane);
}

inline QString displayName(const core::Trace& trace, std::uint32_t nameId, std::int32_t index) {
    core::TaskRecord record;
    record.nameId = nameId;
    record.index = index;
    return QString::fromStdString(core::taskDisplayName(trace, record));
}

inline TimelineSpan toTimelineSpan(const core::Span& span) {
    return TimelineSpan{span.startNs, span.endNs, span.task, span.state, span.subject, span.line, span.lane, false};
}

// One heartbeat of the loop lag as its sawtooth (see CounterTrack::linear).
inline void appendLagSample(CounterTrack& track, std::int64_t timeNs, double lagMs) {
    track.linear = true;
    const auto since = static_cast<std::int64_t>(lagMs * 1e6);
    const std::int64_t previous = track.points.empty() ? 0 : track.points.back().first;
    track.points.emplace_back(std::max(previous, timeNs - since), 0.0);
    track.points.emplace_back(timeNs, lagMs);
    track.points.emplace_back(timeNs, 0.0);
    track.peak = std::max(track.peak, lagMs);
}

} // namespace interleave::ui::timeline_build
