// TimelineData: lanes, counter tracks and the GIL lane of one variant, from a whole trace or from live batches.
#include "timeline_data.h"
#include "timeline/timeline_build.h"

#include <algorithm>
#include <atomic>

namespace interleave::ui {

using namespace timeline_build;

void CountSteps::add(std::int64_t timeNs, std::int32_t delta) {
    if (steps.empty()) {
        steps.push_back(Step{timeNs, delta, 0});
        return;
    }
    Step& last = steps.back();
    if (timeNs <= last.timeNs) {
        last.count += delta;
        return;
    }
    steps.push_back(Step{timeNs, last.count + delta, last.integral + last.count * (timeNs - last.timeNs)});
}

std::int32_t CountSteps::countAt(std::int64_t timeNs) const {
    auto after = std::upper_bound(steps.begin(), steps.end(), timeNs,
                                  [](std::int64_t time, const Step& step) { return time < step.timeNs; });
    return after == steps.begin() ? 0 : std::prev(after)->count;
}

std::int64_t CountSteps::integralTo(std::int64_t timeNs) const {
    auto after = std::upper_bound(steps.begin(), steps.end(), timeNs,
                                  [](std::int64_t time, const Step& step) { return time < step.timeNs; });
    if (after == steps.begin()) {
        return 0;
    }
    const Step& step = *std::prev(after);
    return step.integral + step.count * (timeNs - step.timeNs);
}

std::int64_t CountSteps::integralTo(std::int64_t timeNs, std::size_t& cursor) const {
    // Invariants: every step before `low` starts at or before timeNs; the step at `high`, if any, after it.
    std::size_t low = std::min(cursor, steps.size());
    if (low > 0 && steps[low - 1].timeNs > timeNs) {
        low = 0; // an earlier time than last time: search from the start
    }
    std::size_t high = low;
    for (std::size_t stride = 1; high < steps.size() && steps[high].timeNs <= timeNs; stride *= 2) {
        low = high + 1;
        high += stride;
    }
    high = std::min(high, steps.size());
    const auto after = std::upper_bound(steps.begin() + static_cast<std::ptrdiff_t>(low),
                                        steps.begin() + static_cast<std::ptrdiff_t>(high), timeNs,
                                        [](std::int64_t time, const Step& step) { return time < step.timeNs; });
    cursor = static_cast<std::size_t>(after - steps.begin());
    if (after == steps.begin()) {
        return 0;
    }
    const Step& step = *std::prev(after);
    return step.integral + step.count * (timeNs - step.timeNs);
}

double CountSteps::meanCount(std::int64_t fromNs, std::int64_t toNs) const {
    if (toNs <= fromNs) {
        return countAt(fromNs);
    }
    return static_cast<double>(integralTo(toNs) - integralTo(fromNs)) / static_cast<double>(toNs - fromNs);
}

std::int32_t TaskGroup::countAt(core::TaskState state, std::int64_t timeNs) const {
    return states[static_cast<std::size_t>(state)].countAt(timeNs);
}

void TimelineData::clear() {
    *this = TimelineData();
}

void TimelineData::syncLanes(const core::Trace& trace) {
    if (!m_namesLooked) {
        m_gilHolderId = trace.strings.find(kGilHolderCounter);
        m_loopLagId = trace.strings.find(kLoopLagCounter);
        m_namesLooked = m_gilHolderId != 0 || m_loopLagId != 0;
    }
    for (std::size_t lane = m_workerLanes.size(); lane < trace.lanes.size(); ++lane) {
        workerLane(static_cast<std::uint16_t>(lane));
    }
    for (std::size_t lane = 0; lane < trace.lanes.size(); ++lane) {
        m_loopLanes[lane] = trace.lanes[lane].kind == core::LaneKind::Loop;
    }
}

TimelineLane& TimelineData::workerLane(std::uint16_t lane) {
    while (m_workerLanes.size() <= lane) {
        TimelineLane fresh;
        fresh.workerLane = static_cast<std::uint16_t>(m_workerLanes.size());
        fresh.name = m_trace ? laneName(*m_trace, fresh.workerLane) : QStringLiteral("lane %1").arg(fresh.workerLane);
        if (m_reservedTasks > 0) {
            fresh.spans.reserve(reservedSpans(fresh.workerLane));
        }
        m_workerLanes.push_back(std::move(fresh));
        m_openLaneSpan.push_back(kNone);
        m_loopLanes.push_back(false);
    }
    return m_workerLanes[lane];
}

void TimelineData::addWorkerSpan(const TimelineSpan& span, std::size_t* indexOut) {
    TimelineLane& lane = workerLane(span.lane);
    if (span.state == core::TaskState::Running && m_loopLanes[span.lane]) {
        // Another task runs on the loop: the Blocked spans still going there did not freeze it (see the header).
        while (!lane.spans.empty()) {
            const TimelineSpan& last = lane.spans.back();
            if (last.state != core::TaskState::Blocked || last.task == span.task ||
                (!last.open && last.endNs <= span.startNs)) {
                break;
            }
            if (last.open) {
                auto owner = m_taskLaneIndex.find(last.task);
                if (owner != m_taskLaneIndex.end() && owner->second < m_liveTasks.size()) {
                    m_liveTasks[owner->second] = LiveTask{};
                }
            }
            lane.spans.pop_back();
        }
    }
    lane.spans.push_back(span);
    if (indexOut != nullptr) {
        *indexOut = lane.spans.size() - 1;
    }
}

void TimelineData::reserveTasks(std::size_t tasks) {
    // The vectors that grow with the task count: doubling one of 100,000 elements inside a frame (a copy, and page
    // faults on the new block) cost 5-10 ms each time. Reserved room that is never written costs no memory.
    m_reservedTasks = tasks;
    for (TimelineLane& lane : m_workerLanes) {
        lane.spans.reserve(reservedSpans(lane.workerLane));
    }
    m_taskLanes.reserve(tasks);
    m_liveTasks.reserve(tasks);
    m_taskLaneIndex.reserve(tasks);
}

void TimelineData::setTimeScale(double timeScale) {
    m_timeScale = timeScale > 0 ? timeScale : 1.0;
}

void TimelineData::retarget(const core::Trace& from, const core::Trace& to) {
    if (m_trace == &from) {
        m_trace = &to;
    }
}

std::int64_t TimelineData::lessonNs(std::int64_t wallNs) const {
    return m_timeScale == 1.0 ? wallNs : static_cast<std::int64_t>(static_cast<double>(wallNs) / m_timeScale);
}

std::uint64_t TimelineData::nextRevision() {
    static std::atomic<std::uint64_t> revisions{0};
    return revisions.fetch_add(1, std::memory_order_relaxed) + 1;
}

void TimelineData::regroup(std::size_t laneIndex, std::int64_t timeNs) {
    TimelineLane& lane = m_taskLanes[laneIndex];
    auto keyOf = [](std::uint32_t parent, std::uint32_t nameId) {
        return (static_cast<std::uint64_t>(parent) << 32U) | nameId;
    };
    const std::uint64_t key = keyOf(lane.parent, lane.nameId);
    if (lane.group >= 0) {
        const auto old = static_cast<std::size_t>(lane.group);
        TaskGroup& current = m_groups[old];
        if (lane.index >= 0 && keyOf(current.parent, current.nameId) == key) {
            return;
        }
        // Live, a task is named (TaskCreated) before its parent is known (TaskParent): the group it was put in for
        // that moment goes again (it is the last one, with this task alone and nothing counted), so that live and
        // rebuilt data have the same groups in the same order.
        const bool counted = std::any_of(current.states.begin(), current.states.end(),
                                         [](const CountSteps& steps) { return !steps.steps.empty(); });
        if (current.size == 1 && old + 1 == m_groups.size() && !counted) {
            m_groupIndex.erase(keyOf(current.parent, current.nameId));
            m_groups.pop_back();
            lane.group = -1;
        }
    } else if (lane.index < 0) {
        return;
    }
    int wanted = -1;
    if (lane.index >= 0) {
        auto [it, inserted] = m_groupIndex.try_emplace(key, m_groups.size());
        if (inserted) {
            TaskGroup group;
            group.name = m_trace != nullptr ? displayName(*m_trace, lane.nameId, -1) : QStringLiteral("task");
            group.nameId = lane.nameId;
            group.parent = lane.parent;
            m_groups.push_back(std::move(group));
        }
        wanted = static_cast<int>(it->second);
    }
    if (lane.group >= 0 && !lane.spans.empty() && lane.spans.back().open) {
        // Already counted in its old group (a name or parent published after a state): move the count along.
        const TimelineSpan& open = lane.spans.back();
        countGroupState(lane.group, open.state, open.subject, timeNs, -1);
        if (wanted >= 0) {
            countGroupState(wanted, open.state, open.subject, timeNs, +1);
        }
    } else if (lane.group < 0 && wanted >= 0 && !lane.spans.empty() && lane.spans.back().open) {
        const TimelineSpan& open = lane.spans.back();
        countGroupState(wanted, open.state, open.subject, timeNs, +1);
    }
    if (lane.group >= 0) {
        --m_groups[static_cast<std::size_t>(lane.group)].size;
    }
    if (wanted >= 0) {
        ++m_groups[static_cast<std::size_t>(wanted)].size;
    }
    lane.group = wanted;
    m_structureRevision = nextRevision();
}

void TimelineData::countGroupState(int group, core::TaskState state, std::uint32_t subject, std::int64_t timeNs,
                                   std::int32_t delta) {
    TaskGroup& target = m_groups[static_cast<std::size_t>(group)];
    const auto slot = static_cast<std::size_t>(state);
    if (slot >= target.states.size()) {
        return;
    }
    target.states[slot].add(timeNs, delta);
    if (delta > 0) {
        std::uint32_t& seen = target.subjects[slot];
        seen = seen == TaskGroup::kNoSubject || seen == subject ? subject : TaskGroup::kMixedSubject;
    }
}

int TimelineData::groupOfTask(std::uint32_t task) const {
    auto found = m_taskLaneIndex.find(task);
    return found == m_taskLaneIndex.end() ? -1 : m_taskLanes[found->second].group;
}

void TimelineData::closeGilTenure(std::int64_t timeNs) {
    if (!m_gilLane.spans.empty() && m_gilLane.spans.back().open) {
        TimelineSpan& last = m_gilLane.spans.back();
        last.endNs = std::max(timeNs, last.startNs);
        last.open = false;
    }
}

std::size_t TimelineData::taskLaneFor(const core::Trace& trace, std::uint32_t task) {
    auto found = m_taskLaneIndex.find(task);
    if (found != m_taskLaneIndex.end()) {
        return found->second;
    }
    TimelineLane lane;
    lane.task = task;
    lane.name = displayName(trace, 0, -1);
    // Tasks appear in id order except for rare cross-thread publication order: insert in place then.
    std::size_t at = m_taskLanes.size();
    while (at > 0 && m_taskLanes[at - 1].task > task) {
        --at;
    }
    m_taskLanes.insert(m_taskLanes.begin() + static_cast<std::ptrdiff_t>(at), std::move(lane));
    m_liveTasks.insert(m_liveTasks.begin() + static_cast<std::ptrdiff_t>(at), LiveTask{});
    m_structureRevision = nextRevision();
    for (std::size_t index = at; index < m_taskLanes.size(); ++index) {
        m_taskLaneIndex[m_taskLanes[index].task] = index;
    }
    return at;
}

bool TimelineData::shed(std::size_t lanes) {
    auto fromTheEnd = [&lanes](auto& items) {
        const std::size_t count = std::min(lanes, items.size());
        items.erase(items.end() - static_cast<std::ptrdiff_t>(count), items.end());
        lanes -= count;
    };
    fromTheEnd(m_taskLanes);
    fromTheEnd(m_workerLanes);
    m_liveTasks.resize(std::min(m_liveTasks.size(), m_taskLanes.size()));
    for (; lanes > 0 && !m_taskLaneIndex.empty(); --lanes) {
        m_taskLaneIndex.erase(m_taskLaneIndex.begin());
    }
    return !m_taskLanes.empty() || !m_workerLanes.empty() || !m_taskLaneIndex.empty();
}

void TimelineData::appendLive(const core::Trace& trace, std::span<const core::Event> batch) {
    m_trace = &trace;
    if (m_timeScale != 1.0) {
        m_lessonBatch.assign(batch.begin(), batch.end());
        for (core::Event& event : m_lessonBatch) {
            event.timeNs = lessonNs(event.timeNs);
        }
        batch = m_lessonBatch;
    }
    m_gilLane.name = QStringLiteral("GIL");
    syncLanes(trace);
    for (const core::Event& event : batch) {
        m_lastEventNs = std::max(m_lastEventNs, event.timeNs);
        switch (event.kind) {
        case core::EventKind::TaskCreated: {
            const std::size_t index = taskLaneFor(trace, event.task);
            TimelineLane& lane = m_taskLanes[index];
            lane.name = displayName(trace, event.subject, event.value);
            lane.workerLane = event.lane;
            lane.nameId = event.subject;
            lane.index = event.value;
            // The engine publishes a child's parent right after it (TaskParent): taken now, the task joins its group
            // at once, not a group of its own for that moment (its ten step counters allocated and freed, 100,000
            // times at the start of L6 at scale).
            if (const core::Event* next = &event + 1; next != batch.data() + batch.size() &&
                                                      next->kind == core::EventKind::TaskParent &&
                                                      next->task == event.task) {
                lane.parent = static_cast<std::uint32_t>(next->value);
            }
            regroup(index, event.timeNs);
            break;
        }
        case core::EventKind::TaskParent: {
            const std::size_t index = taskLaneFor(trace, event.task);
            m_taskLanes[index].parent = static_cast<std::uint32_t>(event.value);
            regroup(index, event.timeNs);
            break;
        }
        case core::EventKind::TaskState:
            liveTaskState(event);
            break;
        case core::EventKind::LaneState:
            liveLaneState(event);
            break;
        case core::EventKind::Counter:
        case core::EventKind::CounterReal: // imports only; handled for completeness
            liveCounter(trace, event);
            break;
        case core::EventKind::Marker:
            liveMarker(event);
            break;
        }
    }
    for (CounterTrack& track : m_counters) {
        track.index.sync(track.points); // O(the samples this batch added)
    }
    // While live, trace.endNs is "now" (open spans are drawn up to it); once finished, the run's end.
    m_endNs = std::max(m_lastEventNs, lessonNs(trace.endNs));
}

void TimelineData::liveTaskState(const core::Event& event) {
    const std::size_t index = taskLaneFor(*m_trace, event.task);
    TimelineLane& lane = m_taskLanes[index];
    LiveTask& live = m_liveTasks[index];
    std::int64_t time = event.timeNs;
    const bool wasOpen = !lane.spans.empty() && lane.spans.back().open;
    const core::TaskState oldState = wasOpen ? lane.spans.back().state : core::TaskState::Ready;
    if (wasOpen) {
        TimelineSpan& open = lane.spans.back();
        time = std::max(time, open.startNs);
        open.endNs = time;
        open.open = false;
    } else if (!lane.spans.empty()) {
        time = std::max(time, lane.spans.back().endNs);
    }
    if (live.workerSpan != kNone) {
        TimelineSpan& open = m_workerLanes[live.workerLane].spans[live.workerSpan];
        open.endNs = std::max(time, open.startNs);
        open.open = false;
        live = LiveTask{};
    }
    const auto state = static_cast<core::TaskState>(event.code);
    if (lane.group >= 0) {
        if (wasOpen) {
            countGroupState(lane.group, oldState, 0, time, -1);
        }
        countGroupState(lane.group, state, event.subject, time, +1);
    }
    if (core::isTerminal(state)) {
        return;
    }
    const TimelineSpan span{time, time, event.task, state, event.subject, event.value, event.lane, true};
    lane.spans.push_back(span);
    if (occupiesLane(state)) {
        std::size_t spanIndex = kNone;
        addWorkerSpan(span, &spanIndex);
        // addWorkerSpan may have reset LiveTask entries; look the slot up again.
        m_liveTasks[index] = LiveTask{event.lane, spanIndex};
    }
}

void TimelineData::liveLaneState(const core::Event& event) {
    TimelineLane& lane = workerLane(event.lane);
    std::int64_t time = event.timeNs;
    std::size_t& open = m_openLaneSpan[event.lane];
    if (open != kNone) {
        TimelineSpan& span = lane.spans[open];
        time = std::max(time, span.startNs);
        span.endNs = time;
        span.open = false;
        open = kNone;
    }
    const auto state = static_cast<core::TaskState>(event.code);
    if (!core::isTerminal(state)) {
        std::size_t spanIndex = kNone;
        addWorkerSpan(TimelineSpan{time, time, core::kNoTask, state, event.subject, event.value, event.lane, true},
                      &spanIndex);
        m_openLaneSpan[event.lane] = spanIndex;
    }
}

std::size_t TimelineData::reservedSpans(std::uint16_t lane) const {
    // A loop or main lane gets a few spans per task: L6's loop at 100,000 requests has 200,080, so room for four. A
    // pool's lanes share the tasks (the lanes are all in the trace before the first event).
    constexpr std::size_t kSpansPerTask = 4;
    if (m_trace == nullptr || lane >= m_trace->lanes.size()) {
        return m_reservedTasks * kSpansPerTask;
    }
    const core::LaneKind kind = m_trace->lanes[lane].kind;
    if (kind != core::LaneKind::PoolThread && kind != core::LaneKind::WorkerProcess) {
        return m_reservedTasks * kSpansPerTask;
    }
    const auto poolLanes = static_cast<std::size_t>(
        std::count_if(m_trace->lanes.begin(), m_trace->lanes.end(), [](const core::LaneInfo& info) {
            return info.kind == core::LaneKind::PoolThread || info.kind == core::LaneKind::WorkerProcess;
        }));
    return m_reservedTasks * kSpansPerTask / std::max<std::size_t>(poolLanes, 1) + 256;
}

CounterTrack& TimelineData::counterTrack(const core::Trace& trace, std::uint32_t subject, bool* isLag) {
    *isLag = subject == m_loopLagId && m_loopLagId != 0;
    auto [it, inserted] = m_counterIndex.try_emplace(subject, m_counters.size());
    if (inserted) {
        CounterTrack track;
        track.name = *isLag ? QStringLiteral("loop_lag_ms")
                            : QString::fromStdString(subject < trace.strings.size() ? trace.strings.at(subject)
                                                                                    : std::string("counter"));
        // A live run's counters change a couple of times per task (in flight, a semaphore's waiters): room up front,
        // as for the lanes (reserveTasks), so that the track of 100,000 tasks never doubles inside a frame.
        track.points.reserve(m_reservedTasks * 2);
        m_counters.push_back(std::move(track));
    }
    return m_counters[it->second];
}

void TimelineData::liveCounter(const core::Trace& trace, const core::Event& event) {
    if (event.subject == m_gilHolderId && m_gilHolderId != 0) {
        closeGilTenure(event.timeNs);
        if (event.value >= 0) {
            m_gilLane.spans.push_back(TimelineSpan{event.timeNs, event.timeNs, core::kNoTask, core::TaskState::Running,
                                                   0, 0, static_cast<std::uint16_t>(event.value), true});
        }
        return;
    }
    const double sample = core::counterValue(trace, event);
    if (m_locks.sampleIfHolder(trace, event.subject, event.timeNs, sample)) {
        return;
    }
    bool isLag = false;
    CounterTrack& track = counterTrack(trace, event.subject, &isLag);
    if (isLag) {
        appendLagSample(track, event.timeNs, sample / 1000.0 / m_timeScale);
        return;
    }
    track.points.emplace_back(event.timeNs, sample);
    track.peak = track.points.size() == 1 ? sample : std::max(track.peak, sample);
}

void TimelineData::liveMarker(const core::Event& event) {
    const TimelineMarker marker =
        markerOf(event.timeNs, static_cast<core::MarkerKind>(event.code), event.task, event.subject, event.value);
    m_markerKinds |= markerBit(marker.kind);
    auto found = m_taskLaneIndex.find(event.task);
    if (found != m_taskLaneIndex.end()) {
        m_taskLanes[found->second].markers.push_back(marker);
    }
    workerLane(event.lane).markers.push_back(marker);
}

const std::vector<TimelineLane>& TimelineData::lanes(LaneMode mode) const {
    return mode == LaneMode::ByTask ? m_taskLanes : m_workerLanes;
}

const CounterTrack* TimelineData::counter(const QString& name) const {
    for (const CounterTrack& track : m_counters) {
        if (track.name == name) {
            return &track;
        }
    }
    return nullptr;
}

bool TimelineData::hasLoopLag() const {
    const CounterTrack* lag = counter(QStringLiteral("loop_lag_ms"));
    return lag != nullptr && !lag->points.empty();
}

double TimelineData::loopLagPeakMs() const {
    const CounterTrack* lag = counter(QStringLiteral("loop_lag_ms"));
    return lag != nullptr ? lag->peak : 0.0;
}

std::size_t TimelineData::spanCount() const {
    std::size_t count = 0;
    for (const TimelineLane& lane : m_taskLanes) {
        count += lane.spans.size();
    }
    return count;
}

QString TimelineData::taskName(std::uint32_t task) const {
    auto found = m_taskLaneIndex.find(task);
    return found != m_taskLaneIndex.end() ? m_taskLanes[found->second].name : QString();
}

QString TimelineData::subjectName(std::uint32_t subject) const {
    if (m_trace == nullptr || subject == 0 || subject >= m_trace->strings.size()) {
        return {};
    }
    return QString::fromStdString(m_trace->strings.at(subject));
}

} // namespace interleave::ui
