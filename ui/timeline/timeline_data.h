// What the timeline and the charts draw for one variant: lanes of spans and counter tracks, built from a core::Trace,
// either all at once (a finished run) or batch by batch while the run is live.
#pragma once

#include "timeline/lock_lanes.h"
#include "timeline/min_max_index.h"
#include "trace/trace.h"
#include "trace/trace_analysis.h"

#include <QString>

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace interleave::ui {

struct CounterTrack {
    QString name;                                        // "sem.in_use", "items.depth", "in_flight", "loop_lag_ms"
    std::vector<std::pair<std::int64_t, double>> points; // (ns, value); loop lag already converted to ms
    double peak = 0;
    // Draw straight lines between points, not steps. The loop lag is: the heartbeat that fires L ms late at t says the
    // loop was busy from t - L, so the track holds a sawtooth, (t - L, 0) -> (t, L) -> (t, 0), and shows the lag
    // building over the time the loop was busy rather than as a spike at the end.
    bool linear = false;
    MinMaxIndex index; // over `points`, synced whenever they grow (the charts downsample with it)
};

// How many members of a group are in one state over time, as steps: `count` holds from `timeNs` until the next step.
// `integral` is the integral of the count from the first step to `timeNs` (in member·ns), so that the mean count over
// any time range is two binary searches away, whatever the number of steps: a group lane costs pixels, not events.
struct CountSteps {
    struct Step {
        std::int64_t timeNs = 0;
        std::int32_t count = 0;
        std::int64_t integral = 0;
    };
    // Sorted by timeNs, one step per distinct time. A deque: it grows by blocks and never copies its steps, where a
    // vector of a 100,000-task group's steps doubled (a copy of megabytes) inside a live frame.
    std::deque<Step> steps;

    // +delta from timeNs on. A time before the last step's (a state change published a few µs late) is taken as the
    // last step's time, so that steps stay sorted and the counters append only.
    void add(std::int64_t timeNs, std::int32_t delta);
    std::int32_t countAt(std::int64_t timeNs) const;    // 0 before the first step
    std::int64_t integralTo(std::int64_t timeNs) const; // from the beginning of time to timeNs
    // The same for times that increase from call to call (a lane's pixel columns, left to right): `cursor` (0 at
    // first) keeps where the last one ended, and the search goes on from there by doubling strides, so that a row of
    // columns costs about one pass over the steps it spans rather than a full binary search per column.
    std::int64_t integralTo(std::int64_t timeNs, std::size_t& cursor) const;
    double meanCount(std::int64_t fromNs, std::int64_t toNs) const; // time-weighted over [fromNs, toNs)
};

// Sibling tasks with one name: the same parent and name id, each with a fan-out index ("fetch #0" … "fetch #999").
// The counters are kept up to date as member states change (rebuild and appendLive alike): +1 for the new state, -1
// for the old. For a terminal state (Done, Failed, Cancelled) the count is cumulative: members that ended so by then.
struct TaskGroup {
    static constexpr std::uint32_t kNoSubject = 0xFFFFFFFFU;    // no member has been in the state yet
    static constexpr std::uint32_t kMixedSubject = 0xFFFFFFFEU; // members were in it on different subjects
    QString name;                                               // "fetch"
    std::uint32_t nameId = 0;
    std::uint32_t parent = core::kNoTask;
    std::size_t size = 0; // members
    std::array<CountSteps, core::kTaskStateCount> states;
    std::array<std::uint32_t, core::kTaskStateCount> subjects; // the one subject of each state, or the above

    TaskGroup() { subjects.fill(kNoSubject); }
    std::int32_t countAt(core::TaskState state, std::int64_t timeNs) const;
};

// Times are in lesson time: a run in slow motion (time scale s) is drawn with every timestamp and the loop lag divided
// by s, so that the timeline, the charts, the summary (core::LessonReport does the same) and figures agree, and replay
// at the slow-motion speed shows it as it ran. Only the names come from the trace as it was recorded.
//
// By-worker lanes hold only the spans that occupy the OS lane: Running, Blocked, WaitingGil and the lane-level spans
// (Starting, Idle). Ready and WaitingIo spans are left out there (they do not use the lane), and on the loop lane a
// Blocked span is kept only when no other task ran during it, i.e. when it froze the loop (a wait on a semaphore or on
// children does not). So every lane stays sorted by start and nearly free of overlaps (the engine may publish a state
// change a few µs late), which the layout's binary search needs.
class TimelineData {
public:
    // Forgets everything (a new live run starts from an empty TimelineData).
    void clear();
    // Rebuilds everything from a whole trace (a finished run, a replay, an import) recorded at `timeScale`.
    // Throws core::WorkStopped when `stop` says so (a figure of a million tasks takes seconds to lay out).
    void rebuild(const core::Trace& trace, double timeScale = 1.0, const core::StopCheck& stop = {});
    // A live run's slow motion, set before its first batch (clear() resets it to 1).
    void setTimeScale(double timeScale);
    // Room for a live run's tasks up front, so that growing to 100,000 lanes never copies them all (or rehashes the
    // index) inside one frame.
    void reserveTasks(std::size_t tasks);
    // Frees about `lanes` lanes' memory, from the end; true while there is more to free. A live timeline of 100,000
    // lanes is let go of this way, a slice per turn of the thread that built it: freed at once it is a frame's
    // worth of work, and freed on another thread it holds the allocator's lock that thread's frames need.
    bool shed(std::size_t lanes);
    // Adds one drained batch (sorted by time) of a live run; `trace` is the run's trace (for names and lanes) as it
    // is after that batch was appended. An event older than its task's open span is clamped to that span's start.
    void appendLive(const core::Trace& trace, std::span<const core::Event> batch);
    double timeScale() const { return m_timeScale; }
    // The trace this was built from was moved from `from` to `to` (same content): names are looked up there now.
    void retarget(const core::Trace& from, const core::Trace& to);

    const std::vector<TimelineLane>& lanes(LaneMode mode) const;
    const std::vector<CounterTrack>& counters() const { return m_counters; }
    const CounterTrack* counter(const QString& name) const;
    // GIL holder: spans of the holding worker lane (state Running), one lane named "GIL"; empty without a GIL.
    const TimelineLane& gilLane() const { return m_gilLane; }
    bool hasGil() const { return !m_gilLane.spans.empty(); }
    // Lock holders: a lane per lock the run took, named "lock <name>" (LockLanes).
    const std::vector<TimelineLane>& lockLanes() const { return m_locks.lanes(); }
    // The marker kinds drawn anywhere in this variant, one bit per core::MarkerKind (for the legend).
    std::uint32_t markerKinds() const { return m_markerKinds; }
    bool hasMarkers(core::MarkerKind kind) const { return (m_markerKinds & (1U << static_cast<unsigned>(kind))) != 0; }
    bool hasLoopLag() const;
    // Loop lag below this (lesson time) is the host's noise, not the lesson: the views leave it out.
    static constexpr double kLagNoiseMs = 5.0;
    double loopLagPeakMs() const; // 0 without a loop

    std::int64_t endNs() const { return m_endNs; } // the latest time seen (the run's end once finished)
    std::size_t spanCount() const;
    QString taskName(std::uint32_t task) const;
    QString subjectName(std::uint32_t subject) const;
    const core::Trace* trace() const { return m_trace; }

    // By-task lanes only: groups of sibling tasks with one name (TimelineLane::group points here). A group may have
    // a single member; views fold those of two or more into one row.
    const std::vector<TaskGroup>& groups() const { return m_groups; }
    // The group of a task's lane, -1 for none.
    int groupOfTask(std::uint32_t task) const;
    // Changes when lanes are added or regrouped, or the whole is cleared or rebuilt (not when spans grow): views
    // cache their rows against it. Unique across all instances, so that an exact timeline moved into the place of a
    // live one never shows the live one's revision.
    std::uint64_t structureRevision() const { return m_structureRevision; }

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
    std::size_t reservedSpans(std::uint16_t lane) const; // room for a live lane's spans (reserveTasks)
    void liveTaskState(const core::Event& event);
    void liveLaneState(const core::Event& event);
    void liveCounter(const core::Trace& trace, const core::Event& event);
    void liveMarker(const core::Event& event);
    void closeGilTenure(std::int64_t timeNs);
    CounterTrack& counterTrack(const core::Trace& trace, std::uint32_t subject, bool* isLag);
    // Puts the lane in the group its name, index and parent say (moving a counted open state along).
    void regroup(std::size_t laneIndex, std::int64_t timeNs);
    void rebuildGroupCounts(const core::TraceAnalysis& analysis, const core::StopCheck& stop);
    void countGroupState(int group, core::TaskState state, std::uint32_t subject, std::int64_t timeNs,
                         std::int32_t delta);

    std::int64_t lessonNs(std::int64_t wallNs) const;

    const core::Trace* m_trace = nullptr;
    std::shared_ptr<const core::Trace> m_lessonTrace; // rebuild's copy in lesson time, when the run was slowed
    std::vector<core::Event> m_lessonBatch;           // appendLive's batch in lesson time (reused)
    double m_timeScale = 1.0;
    std::size_t m_reservedTasks = 0; // reserveTasks: room given to each worker lane's spans as it appears
    std::vector<TimelineLane> m_taskLanes;
    std::vector<TimelineLane> m_workerLanes;
    std::uint32_t m_markerKinds = 0;
    TimelineLane m_gilLane;
    LockLanes m_locks;
    std::vector<CounterTrack> m_counters;
    std::unordered_map<std::uint32_t, std::size_t> m_taskLaneIndex;
    std::unordered_map<std::uint32_t, std::size_t> m_counterIndex;
    std::vector<TaskGroup> m_groups;
    std::unordered_map<std::uint64_t, std::size_t> m_groupIndex; // (parent << 32 | nameId) -> index in m_groups
    static std::uint64_t nextRevision();
    std::uint64_t m_structureRevision = nextRevision();
    std::vector<LiveTask> m_liveTasks;       // parallel to m_taskLanes
    std::vector<std::size_t> m_openLaneSpan; // per OS lane: index of its open lane-level span, kNone when none
    std::vector<bool> m_loopLanes;           // per OS lane: an event loop (the Blocked rule above)
    std::uint32_t m_gilHolderId = 0;         // string ids of the special counters; 0 = not interned
    std::uint32_t m_loopLagId = 0;
    bool m_namesLooked = false;
    std::int64_t m_lastEventNs = 0;
    std::int64_t m_endNs = 0;
};

// What the views hold: a shared, read-only handle. The owner (a run's VariantSlot, a figure's build) hands out
// handles that keep it alive, so a view never reads data its run has dropped, whatever order things happen in.
using SharedTimeline = std::shared_ptr<const TimelineData>;

} // namespace interleave::ui
