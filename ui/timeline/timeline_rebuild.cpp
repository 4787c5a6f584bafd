// TimelineData from a whole trace at once (a finished run, a run file, an import): its analysis's spans, markers and
// counters, then the group lanes' counts; every loop checks the stop.
#include "timeline/timeline_build.h"
#include "timeline/timeline_data.h"

#include <algorithm>

namespace interleave::ui {

using namespace timeline_build;

void TimelineData::rebuild(const core::Trace& recorded, double timeScale, const core::StopCheck& stop) {
    clear();
    setTimeScale(timeScale);
    if (m_timeScale != 1.0) {
        auto lessonTime = std::make_shared<core::Trace>(recorded);
        for (core::Event& event : lessonTime->events) {
            event.timeNs = lessonNs(event.timeNs);
        }
        lessonTime->endNs = lessonNs(lessonTime->endNs);
        m_lessonTrace = std::move(lessonTime);
    }
    const core::Trace& trace = m_lessonTrace ? *m_lessonTrace : recorded;
    m_trace = &trace;
    syncLanes(trace);
    const core::TraceAnalysis analysis = core::analyze(trace, stop);
    m_lastEventNs = trace.events.empty() ? 0 : trace.events.back().timeNs;
    m_endNs = std::max({analysis.makespanNs, trace.endNs, m_lastEventNs});

    m_taskLanes.reserve(analysis.tasks.size());
    m_taskLaneIndex.reserve(analysis.tasks.size());
    for (const core::TaskRecord& task : analysis.tasks) {
        stop.at(m_taskLanes.size());
        TimelineLane lane;
        lane.name = QString::fromStdString(core::taskDisplayName(trace, task));
        lane.task = task.id;
        lane.workerLane = task.firstLane;
        lane.parent = task.parent;
        lane.nameId = task.nameId;
        lane.index = task.index;
        m_taskLaneIndex.emplace(task.id, m_taskLanes.size());
        m_taskLanes.push_back(std::move(lane));
    }
    m_liveTasks.assign(m_taskLanes.size(), LiveTask{});
    for (std::size_t index = 0; index < m_taskLanes.size(); ++index) {
        stop.at(index);
        regroup(index, 0);
    }

    // Each worker lane's spans: its tasks' and its own, each list in order of start as the analysis gives them, then
    // merged (a task's first at equal starts) without a sort that no stop could interrupt.
    std::vector<std::vector<TimelineSpan>> taskSpansOf(m_workerLanes.size());
    std::vector<std::vector<TimelineSpan>> ownSpansOf(m_workerLanes.size());
    auto toWorker = [&](const core::Span& span, std::vector<std::vector<TimelineSpan>>& into) {
        if (span.lane >= into.size()) {
            workerLane(span.lane);
            taskSpansOf.resize(m_workerLanes.size());
            ownSpansOf.resize(m_workerLanes.size());
        }
        into[span.lane].push_back(toTimelineSpan(span));
    };
    for (std::size_t spanIndex = 0; spanIndex < analysis.spans.size(); ++spanIndex) {
        stop.at(spanIndex);
        const core::Span& span = analysis.spans[spanIndex];
        auto found = m_taskLaneIndex.find(span.task);
        if (found != m_taskLaneIndex.end()) {
            m_taskLanes[found->second].spans.push_back(toTimelineSpan(span));
        }
        if (occupiesLane(span.state)) {
            toWorker(span, taskSpansOf);
        }
    }
    for (const core::Span& span : analysis.laneSpans) {
        toWorker(span, ownSpansOf);
    }
    rebuildGroupCounts(analysis, stop);
    std::size_t added = 0;
    for (std::size_t lane = 0; lane < taskSpansOf.size(); ++lane) {
        const std::vector<TimelineSpan>& tasks = taskSpansOf[lane];
        const std::vector<TimelineSpan>& own = ownSpansOf[lane];
        std::size_t task = 0;
        std::size_t self = 0;
        while (task < tasks.size() || self < own.size()) {
            stop.at(added++);
            const bool taskFirst =
                self == own.size() || (task < tasks.size() && tasks[task].startNs <= own[self].startNs);
            addWorkerSpan(taskFirst ? tasks[task++] : own[self++], nullptr);
        }
    }

    for (const core::MarkerRecord& marker : analysis.markers) {
        const TimelineMarker item = markerOf(marker.timeNs, marker.kind, marker.task, marker.subject, marker.line);
        m_markerKinds |= markerBit(item.kind);
        auto found = m_taskLaneIndex.find(marker.task);
        if (found != m_taskLaneIndex.end()) {
            m_taskLanes[found->second].markers.push_back(item);
        }
        workerLane(marker.lane).markers.push_back(item);
    }

    for (const core::CounterSeries& series : analysis.counters) {
        if (LockLanes::isHolderCounter(series.name)) {
            for (std::size_t at = 0; at < series.points.size(); ++at) {
                stop.at(at);
                m_locks.sample(series.nameId, series.name, series.points[at].timeNs, series.points[at].value);
            }
            continue;
        }
        if (series.name == kGilHolderCounter) {
            for (std::size_t at = 0; at < series.points.size(); ++at) {
                stop.at(at);
                const core::CounterPoint& point = series.points[at];
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
        track.points.reserve(series.points.size() * (isLag ? 3 : 1));
        for (std::size_t at = 0; at < series.points.size(); ++at) {
            stop.at(at);
            const core::CounterPoint& point = series.points[at];
            if (isLag) {
                appendLagSample(track, point.timeNs, point.value / 1000.0 / m_timeScale);
                continue;
            }
            track.peak = track.points.empty() ? point.value : std::max(track.peak, point.value);
            track.points.emplace_back(point.timeNs, point.value);
        }
        stop.now();
        track.index.sync(track.points); // here, off the GUI thread when a finished run is rebuilt
        m_counterIndex.emplace(series.nameId, m_counters.size());
        m_counters.push_back(std::move(track));
    }
    m_locks.closeAll(m_endNs);
    m_gilLane.name = QStringLiteral("GIL");
}

void TimelineData::rebuildGroupCounts(const core::TraceAnalysis& analysis, const core::StopCheck& stop) {
    // The same +1/-1 steps appendLive counts, from the spans: in time order, so that the counters only append.
    struct Delta {
        std::int64_t timeNs;
        int group;
        core::TaskState state;
        std::uint32_t subject;
        std::int32_t delta;
    };
    std::vector<Delta> deltas;
    deltas.reserve(analysis.spans.size() * 2 + analysis.tasks.size());
    auto groupOf = [&](std::uint32_t task) {
        auto found = m_taskLaneIndex.find(task);
        return found == m_taskLaneIndex.end() ? -1 : m_taskLanes[found->second].group;
    };
    std::size_t item = 0;
    for (const core::Span& span : analysis.spans) {
        stop.at(item++);
        if (const int group = groupOf(span.task); group >= 0) {
            deltas.push_back(Delta{span.startNs, group, span.state, span.subject, +1});
            deltas.push_back(Delta{span.endNs, group, span.state, span.subject, -1});
        }
    }
    for (const core::TaskRecord& task : analysis.tasks) {
        if (const int group = groupOf(task.id); group >= 0 && task.endedNs >= 0 && core::isTerminal(task.finalState)) {
            deltas.push_back(Delta{task.endedNs, group, task.finalState, 0, +1});
        }
    }
    core::stableSortStoppably(
        deltas, [](const Delta& a, const Delta& b) { return a.timeNs < b.timeNs; }, stop);
    for (std::size_t at = 0; at < deltas.size(); ++at) {
        stop.at(at);
        const Delta& delta = deltas[at];
        countGroupState(delta.group, delta.state, delta.subject, delta.timeNs, delta.delta);
    }
}

} // namespace interleave::ui
