// A timeline's lane: the spans and markers of one task, one OS lane, the GIL or a lock.
#pragma once

#include "trace/trace_analysis.h"

#include <QString>

#include <cstdint>
#include <vector>

namespace interleave::ui {

struct TimelineSpan {
    std::int64_t startNs = 0;
    std::int64_t endNs = 0; // == startNs while the span is still open (live); views draw it up to TimelineData::endNs
    std::uint32_t task = core::kNoTask;
    core::TaskState state = core::TaskState::Running;
    std::uint32_t subject = 0; // interned name (primitive, call) in the trace's string table; 0 = none
    std::int32_t line = 0;     // listing line of the step, 0 = none
    std::uint16_t lane = 0;    // the OS lane it ran on (loop, thread, worker)
    bool open = false;         // still going (live runs)
};

struct TimelineMarker {
    std::int64_t timeNs = 0;
    core::MarkerKind kind = core::MarkerKind::Exception;
    std::uint32_t task = core::kNoTask;
    std::uint32_t subject = 0; // message or (MarkerKind::Instant) name id in the trace's string table; 0 = none
    std::uint32_t holder = core::kNoTask; // Deadlock: the task holding the lock `subject` that `task` waits for
};

enum class LaneMode : std::uint8_t { ByTask, ByWorker };

struct TimelineLane {
    QString name;
    std::uint32_t task = core::kNoTask;   // the task of a by-task lane; kNoTask for worker lanes
    std::uint16_t workerLane = 0;         // the OS lane of a by-worker lane
    std::uint32_t parent = core::kNoTask; // the parent task of a by-task lane (TaskParent)
    std::uint32_t nameId = 0;             // by-task: the task's name id (TaskCreated), 0 = none
    std::int32_t index = -1;              // by-task: its position in a fan-out, -1 = not part of one
    std::int32_t group = -1;              // by-task: its TaskGroup in TimelineData::groups(), -1 = none
    std::vector<TimelineSpan> spans;      // sorted by startNs, not overlapping
    std::vector<TimelineMarker> markers;  // sorted by timeNs
};

} // namespace interleave::ui
