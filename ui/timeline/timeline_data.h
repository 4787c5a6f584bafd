// What the timeline and the charts draw for one variant: lanes of spans and counter tracks, built from a core::Trace,
// either all at once (a finished run) or batch by batch while the run is live.
#pragma once

#include "trace/trace.h"
#include "trace/trace_analysis.h"

#include <QString>

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
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
};

enum class LaneMode : std::uint8_t { ByTask, ByWorker };

struct TimelineLane {
    QString name;
    std::uint32_t task = core::kNoTask;   // the task of a by-task lane; kNoTask for worker lanes
    std::uint16_t workerLane = 0;         // the OS lane of a by-worker lane
    std::uint32_t parent = core::kNoTask; // the parent task of a by-task lane (TaskParent)
    std::vector<TimelineSpan> spans;      // sorted by startNs, not overlapping
    std::vector<TimelineMarker> markers;  // sorted by timeNs
};

struct CounterTrack {
    QString name;                                        // "sem.in_use", "items.depth", "in_flight", "loop_lag_ms"
    std::vector<std::pair<std::int64_t, double>> points; // (ns, value); loop lag already converted to ms
    double peak = 0;
};

// By-worker lanes hold only the spans that occupy the OS lane: Running, Blocked, WaitingGil and the lane-level spans
// (Starting, Idle). Ready and WaitingIo spans are left out there (they do not use the lane), and on the loop lane a
// Blocked span is kept only when no other task ran during it, i.e. when it froze the loop (a wait on a semaphore or on
// children does not). So every lane stays sorted by start and nearly free of overlaps (the engine may publish a state
// change a few µs late), which the layout's binary search needs.
class TimelineData {
public:
    // Forgets everything (a new live run starts from an empty TimelineData).
    void clear();
    // Rebuilds everything from a whole trace (a finished run, a replay, an import).
    void rebuild(const core::Trace& trace);
    // Adds one drained batch (sorted by time) of a live run; `trace` is the run's trace (for names and lanes) as it
    // is after that batch was appended. An event older than its task's open span is clamped to that span's start.
    void appendLive(const core::Trace& trace, std::span<const core::Event> batch);

    const std::vector<TimelineLane>& lanes(LaneMode mode) const;
    const std::vector<CounterTrack>& counters() const { return m_counters; }
    const CounterTrack* counter(const QString& name) const;
    // GIL holder: spans of the holding worker lane (state Running), one lane named "GIL"; empty without a GIL.
    const TimelineLane& gilLane() const { return m_gilLane; }
    bool hasGil() const { return !m_gilLane.spans.empty(); }
    bool hasLoopLag() const;

    std::int64_t endNs() const { return m_endNs; } // the latest time seen (the run's end once finished)
    std::size_t spanCount() const;
    QString taskName(std::uint32_t task) const;
    QString subjectName(std::uint32_t subject) const;
    const core::Trace* trace() const { return m_trace; }

private:
    static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
    struct LiveTask {
        std::size_t workerLane = kNone; // where the task's open by-worker span is
        std::size_t workerSpan = kNone;
    };
    void syncLanes(const core::Trace& trace);
    TimelineLane& workerLane(std::uint16_t lane);
    std::size_t taskLaneFor(const core::Trace& trace, std::uint32_t task);
    void addWorkerSpan(const TimelineSpan& span, std::size_t* indexOut);
    void liveTaskState(const core::Event& event);
    void liveLaneState(const core::Event& event);
    void liveCounter(const core::Trace& trace, const core::Event& event);
    void liveMarker(const core::Event& event);
    void closeGilTenure(std::int64_t timeNs);
    CounterTrack& counterTrack(const core::Trace& trace, std::uint32_t subject, bool* isLag);

    const core::Trace* m_trace = nullptr;
    std::vector<TimelineLane> m_taskLanes;
    std::vector<TimelineLane> m_workerLanes;
    TimelineLane m_gilLane;
    std::vector<CounterTrack> m_counters;
    std::unordered_map<std::uint32_t, std::size_t> m_taskLaneIndex;
    std::unordered_map<std::uint32_t, std::size_t> m_counterIndex;
    std::vector<LiveTask> m_liveTasks;       // parallel to m_taskLanes
    std::vector<std::size_t> m_openLaneSpan; // per OS lane: index of its open lane-level span, kNone when none
    std::vector<bool> m_loopLanes;           // per OS lane: an event loop (the Blocked rule above)
    std::uint32_t m_gilHolderId = 0;         // string ids of the special counters; 0 = not interned
    std::uint32_t m_loopLagId = 0;
    bool m_namesLooked = false;
    std::int64_t m_lastEventNs = 0;
    std::int64_t m_endNs = 0;
};

} // namespace interleave::ui
