// TimelineData: lanes, counter tracks and the GIL lane of one variant, from a whole trace or from live batches.
#include "timeline_data.h"

#include <algorithm>

namespace interleave::ui {

namespace {

constexpr std::string_view kLoopLagCounter = "loop_lag_us";
constexpr std::string_view kGilHolderCounter = "gil.holder";

bool occupiesLane(core::TaskState state) {
    return state == core::TaskState::Running || state == core::TaskState::Blocked ||
           state == core::TaskState::WaitingGil;
}

QString laneName(const core::Trace& trace, std::size_t lane) {
    if (lane < trace.lanes.size()) {
        return QString::fromStdString(trace.lanes[lane].name);
    }
    return QStringLiteral("lane %1").arg(lane);
}

QString displayName(const core::Trace& trace, std::uint32_t nameId, std::int32_t index) {
    core::TaskRecord record;
    record.nameId = nameId;
    record.index = index;
    return QString::fromStdString(core::taskDisplayName(trace, record));
}

TimelineSpan toTimelineSpan(const core::Span& span) {
    return TimelineSpan{span.startNs, span.endNs, span.task, span.state, span.subject, span.line, span.lane, false};
}

} // namespace

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

void TimelineData::rebuild(const core::Trace& trace) {
    clear();
    m_trace = &trace;
    syncLanes(trace);
    const core::TraceAnalysis analysis = core::analyze(trace);
    m_lastEventNs = trace.events.empty() ? 0 : trace.events.back().timeNs;
    m_endNs = std::max({analysis.makespanNs, trace.endNs, m_lastEventNs});

    m_taskLanes.reserve(analysis.tasks.size());
    for (const core::TaskRecord& task : analysis.tasks) {
        TimelineLane lane;
        lane.name = QString::fromStdString(core::taskDisplayName(trace, task));
        lane.task = task.id;
        lane.workerLane = task.firstLane;
        lane.parent = task.parent;
        m_taskLaneIndex.emplace(task.id, m_taskLanes.size());
        m_taskLanes.push_back(std::move(lane));
    }
    m_liveTasks.assign(m_taskLanes.size(), LiveTask{});

    std::vector<std::vector<TimelineSpan>> perLane(m_workerLanes.size());
    auto toWorker = [&](const core::Span& span) {
        if (span.lane >= perLane.size()) {
            workerLane(span.lane);
            perLane.resize(m_workerLanes.size());
        }
        perLane[span.lane].push_back(toTimelineSpan(span));
    };
    for (const core::Span& span : analysis.spans) {
        auto found = m_taskLaneIndex.find(span.task);
        if (found != m_taskLaneIndex.end()) {
            m_taskLanes[found->second].spans.push_back(toTimelineSpan(span));
        }
        if (occupiesLane(span.state)) {
            toWorker(span);
        }
    }
    for (const core::Span& span : analysis.laneSpans) {
        toWorker(span);
    }
    for (auto& spans : perLane) {
        std::stable_sort(spans.begin(), spans.end(),
                         [](const TimelineSpan& a, const TimelineSpan& b) { return a.startNs < b.startNs; });
        for (const TimelineSpan& span : spans) {
            addWorkerSpan(span, nullptr);
        }
    }

    for (const core::MarkerRecord& marker : analysis.markers) {
        const TimelineMarker item{marker.timeNs, marker.kind, marker.task, marker.subject};
        auto found = m_taskLaneIndex.find(marker.task);
        if (found != m_taskLaneIndex.end()) {
            m_taskLanes[found->second].markers.push_back(item);
        }
        workerLane(marker.lane).markers.push_back(item);
    }

    for (const core::CounterSeries& series : analysis.counters) {
        if (series.name == kGilHolderCounter) {
            for (const core::CounterPoint& point : series.points) {
                closeGilTenure(point.timeNs);
                if (point.value >= 0) {
                    m_gilLane.spans.push_back(TimelineSpan{point.timeNs, point.timeNs, core::kNoTask,
                                                           core::TaskState::Running, 0, 0,
                                                           static_cast<std::uint16_t>(point.value), true});
                }
            }
            closeGilTenure(m_endNs);
            continue;
        }
        const bool isLag = series.name == kLoopLagCounter;
        CounterTrack track;
        track.name = isLag ? QStringLiteral("loop_lag_ms") : QString::fromStdString(series.name);
        track.points.reserve(series.points.size());
        for (const core::CounterPoint& point : series.points) {
            const double value = isLag ? point.value / 1000.0 : point.value;
            track.peak = track.points.empty() ? value : std::max(track.peak, value);
            track.points.emplace_back(point.timeNs, value);
        }
        m_counterIndex.emplace(series.nameId, m_counters.size());
        m_counters.push_back(std::move(track));
    }
    m_gilLane.name = QStringLiteral("GIL");
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
    for (std::size_t index = at; index < m_taskLanes.size(); ++index) {
        m_taskLaneIndex[m_taskLanes[index].task] = index;
    }
    return at;
}

void TimelineData::appendLive(const core::Trace& trace, std::span<const core::Event> batch) {
    m_trace = &trace;
    m_gilLane.name = QStringLiteral("GIL");
    syncLanes(trace);
    for (const core::Event& event : batch) {
        m_lastEventNs = std::max(m_lastEventNs, event.timeNs);
        switch (event.kind) {
        case core::EventKind::TaskCreated: {
            TimelineLane& lane = m_taskLanes[taskLaneFor(trace, event.task)];
            lane.name = displayName(trace, event.subject, event.value);
            lane.workerLane = event.lane;
            break;
        }
        case core::EventKind::TaskParent:
            m_taskLanes[taskLaneFor(trace, event.task)].parent = static_cast<std::uint32_t>(event.value);
            break;
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
    // While live, trace.endNs is "now" (open spans are drawn up to it); once finished, the run's end.
    m_endNs = std::max(m_lastEventNs, trace.endNs);
}

void TimelineData::liveTaskState(const core::Event& event) {
    const std::size_t index = taskLaneFor(*m_trace, event.task);
    TimelineLane& lane = m_taskLanes[index];
    LiveTask& live = m_liveTasks[index];
    std::int64_t time = event.timeNs;
    if (!lane.spans.empty() && lane.spans.back().open) {
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

CounterTrack& TimelineData::counterTrack(const core::Trace& trace, std::uint32_t subject, bool* isLag) {
    *isLag = subject == m_loopLagId && m_loopLagId != 0;
    auto [it, inserted] = m_counterIndex.try_emplace(subject, m_counters.size());
    if (inserted) {
        CounterTrack track;
        track.name = *isLag ? QStringLiteral("loop_lag_ms")
                            : QString::fromStdString(subject < trace.strings.size() ? trace.strings.at(subject)
                                                                                    : std::string("counter"));
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
    bool isLag = false;
    CounterTrack& track = counterTrack(trace, event.subject, &isLag);
    const double sample = core::counterValue(trace, event);
    const double value = isLag ? sample / 1000.0 : sample;
    track.points.emplace_back(event.timeNs, value);
    track.peak = track.points.size() == 1 ? value : std::max(track.peak, value);
}

void TimelineData::liveMarker(const core::Event& event) {
    const TimelineMarker marker{event.timeNs, static_cast<core::MarkerKind>(event.code), event.task, event.subject};
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
