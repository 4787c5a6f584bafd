// What a trace means: spans per task and lane, counter series, markers.
#include "trace/trace_analysis.h"

#include <algorithm>
#include <unordered_map>

namespace interleave::core {

namespace {

// A span is given its place in the list when it opens, and its end when it closes: events come in time order, so the
// list is in order of start without a sort (a sort of millions of spans could not be stopped, and its buffer's fresh
// pages took a tenth of a second).
struct OpenSpan {
    bool open = false;
    std::size_t at = 0;
};

// Where each task's record is: a table indexed by id when the ids are dense (the engine's are 0, 1, 2, …), else a
// map (a file's ids can be anything).
class TaskSlots {
public:
    TaskSlots(std::uint32_t maxId, std::size_t eventCount) {
        if (maxId <= eventCount) {
            m_dense.assign(static_cast<std::size_t>(maxId) + 1, kNoSlot);
        }
    }
    // The slot of `id`, or `next` after recording it there.
    std::size_t find(std::uint32_t id, std::size_t next, bool& inserted) {
        if (!m_dense.empty()) {
            std::uint32_t& slot = m_dense[id];
            inserted = slot == kNoSlot;
            if (inserted) {
                slot = static_cast<std::uint32_t>(next);
            }
            return slot;
        }
        auto [it, added] = m_sparse.try_emplace(id, next);
        inserted = added;
        return it->second;
    }

private:
    static constexpr std::uint32_t kNoSlot = 0xFFFFFFFFU;
    std::vector<std::uint32_t> m_dense;
    std::unordered_map<std::uint32_t, std::size_t> m_sparse;
};

} // namespace

double counterValue(const Trace& trace, const Event& event) {
    if (event.kind == EventKind::CounterReal) {
        const auto index = static_cast<std::size_t>(static_cast<std::uint32_t>(event.value));
        return index < trace.realValues.size() ? trace.realValues[index] : 0.0;
    }
    return static_cast<double>(event.value);
}

const CounterSeries* TraceAnalysis::counter(std::string_view name) const {
    for (const auto& series : counters) {
        if (series.name == name) {
            return &series;
        }
    }
    return nullptr;
}

const TaskRecord* TraceAnalysis::task(std::uint32_t id) const {
    auto found = std::lower_bound(tasks.begin(), tasks.end(), id,
                                  [](const TaskRecord& record, std::uint32_t wanted) { return record.id < wanted; });
    return found != tasks.end() && found->id == id ? &*found : nullptr;
}

TraceAnalysis analyze(const Trace& trace, const StopCheck& stop) {
    // A first pass sizes everything, so that nothing large is copied into a bigger block as it grows (a copy and its
    // fresh pages, at a million tasks, took a tenth of a second that no stop could interrupt).
    std::uint32_t maxTaskId = 0;
    std::size_t taskStates = 0;
    std::size_t laneStates = 0;
    std::size_t item = 0;
    for (const Event& event : trace.events) {
        stop.at(item++);
        if (event.kind == EventKind::TaskCreated || event.kind == EventKind::TaskParent ||
            event.kind == EventKind::TaskState) {
            maxTaskId = std::max(maxTaskId, event.task);
        }
        taskStates += event.kind == EventKind::TaskState ? 1U : 0U;
        laneStates += event.kind == EventKind::LaneState ? 1U : 0U;
    }
    TraceAnalysis result;
    result.spans.reserve(taskStates);
    result.laneSpans.reserve(laneStates);
    result.tasks.reserve(std::min<std::size_t>(static_cast<std::size_t>(maxTaskId) + 1, trace.events.size()));
    TaskSlots taskSlots(maxTaskId, trace.events.size());
    std::vector<OpenSpan> openTaskSpans;
    openTaskSpans.reserve(result.tasks.capacity());
    std::vector<OpenSpan> openLaneSpans(trace.lanes.size());
    std::unordered_map<std::uint32_t, std::size_t> counterIndex;
    std::int64_t lastTime = 0;

    auto taskSlot = [&](std::uint32_t id) -> std::size_t {
        bool inserted = false;
        const std::size_t slot = taskSlots.find(id, result.tasks.size(), inserted);
        if (inserted) {
            TaskRecord record;
            record.id = id;
            result.tasks.push_back(record);
            openTaskSpans.emplace_back();
        }
        return slot;
    };
    auto closeSpan = [](OpenSpan& open, std::int64_t endNs, std::vector<Span>& in) {
        if (open.open) {
            in[open.at].endNs = endNs;
            open.open = false;
        }
    };
    auto openSpan = [](OpenSpan& open, const Span& span, std::vector<Span>& in) {
        open.open = true;
        open.at = in.size();
        in.push_back(span);
    };

    item = 0;
    for (const Event& event : trace.events) {
        stop.at(item++);
        lastTime = std::max(lastTime, event.timeNs);
        switch (event.kind) {
        case EventKind::TaskCreated: {
            TaskRecord& record = result.tasks[taskSlot(event.task)];
            record.nameId = event.subject;
            record.index = event.value;
            record.createdNs = event.timeNs;
            record.firstLane = event.lane;
            break;
        }
        case EventKind::TaskParent:
            result.tasks[taskSlot(event.task)].parent = static_cast<std::uint32_t>(event.value);
            break;
        case EventKind::TaskState: {
            const std::size_t slot = taskSlot(event.task);
            const auto state = static_cast<TaskState>(event.code);
            closeSpan(openTaskSpans[slot], event.timeNs, result.spans);
            if (isTerminal(state)) {
                result.tasks[slot].endedNs = event.timeNs;
                result.tasks[slot].finalState = state;
            } else {
                openSpan(openTaskSpans[slot],
                         Span{event.timeNs, event.timeNs, event.task, event.lane, state, event.subject, event.value},
                         result.spans);
            }
            break;
        }
        case EventKind::LaneState: {
            if (event.lane >= openLaneSpans.size()) {
                openLaneSpans.resize(event.lane + 1U);
            }
            const auto state = static_cast<TaskState>(event.code);
            closeSpan(openLaneSpans[event.lane], event.timeNs, result.laneSpans);
            if (!isTerminal(state)) {
                openSpan(openLaneSpans[event.lane],
                         Span{event.timeNs, event.timeNs, kNoTask, event.lane, state, event.subject, event.value},
                         result.laneSpans);
            }
            break;
        }
        case EventKind::Counter:
        case EventKind::CounterReal: {
            const double value = counterValue(trace, event);
            auto [it, inserted] = counterIndex.try_emplace(event.subject, result.counters.size());
            if (inserted) {
                CounterSeries series;
                series.nameId = event.subject;
                series.name = trace.strings.at(event.subject);
                series.peak = value;
                result.counters.push_back(std::move(series));
            }
            CounterSeries& series = result.counters[it->second];
            series.points.push_back({event.timeNs, value});
            series.peak = std::max(series.peak, value);
            break;
        }
        case EventKind::Marker:
            result.markers.push_back(MarkerRecord{event.timeNs, event.task, event.lane,
                                                  static_cast<MarkerKind>(event.code), event.subject, event.value});
            break;
        }
    }

    const std::int64_t endNs = trace.endNs > 0 ? trace.endNs : lastTime;
    for (auto& open : openTaskSpans) {
        if (open.open) {
            closeSpan(open, std::max(endNs, result.spans[open.at].startNs), result.spans);
        }
    }
    for (auto& open : openLaneSpans) {
        if (open.open) {
            closeSpan(open, std::max(endNs, result.laneSpans[open.at].startNs), result.laneSpans);
        }
    }
    stop.now();
    auto byId = [](const TaskRecord& a, const TaskRecord& b) { return a.id < b.id; };
    if (!std::is_sorted(result.tasks.begin(), result.tasks.end(), byId)) {
        std::sort(result.tasks.begin(), result.tasks.end(), byId);
    }
    result.makespanNs = endNs;
    return result;
}

std::string notAnalysedMessage(std::size_t events) {
    return "stopped after " + std::to_string(events) + " events; not analysed, so that the stop is quick";
}

std::vector<DeadlockStep> deadlockCycle(const Trace& trace, const TraceAnalysis& analysis) {
    auto nameOf = [&](std::uint32_t id) {
        const TaskRecord* record = analysis.task(id);
        return record != nullptr ? taskDisplayName(trace, *record) : "task " + std::to_string(id);
    };
    std::vector<DeadlockStep> cycle;
    for (const MarkerRecord& marker : analysis.markers) {
        if (marker.kind == MarkerKind::Deadlock) {
            cycle.push_back(DeadlockStep{nameOf(marker.task),
                                         marker.subject < trace.strings.size() ? trace.strings.at(marker.subject) : "",
                                         nameOf(static_cast<std::uint32_t>(marker.line))});
        }
    }
    return cycle;
}

std::string describeDeadlock(const std::vector<DeadlockStep>& cycle) {
    std::string text;
    for (const DeadlockStep& step : cycle) {
        text += (text.empty() ? "" : "; ") + step.task + " waits for '" + step.waitsFor + "', held by " +
                (step.heldBy == step.task ? "itself" : step.heldBy);
    }
    return text;
}

std::string taskDisplayName(const Trace& trace, const TaskRecord& task) {
    std::string name = task.nameId < trace.strings.size() ? trace.strings.at(task.nameId) : std::string();
    if (name.empty()) {
        name = "task";
    }
    if (task.index >= 0) {
        name += " #" + std::to_string(task.index);
    }
    return name;
}

std::int64_t peakConcurrency(const TraceAnalysis& analysis, TaskState state) {
    std::vector<std::pair<std::int64_t, int>> edges;
    for (const Span& span : analysis.spans) {
        if (span.state == state && span.endNs > span.startNs) {
            edges.emplace_back(span.startNs, +1);
            edges.emplace_back(span.endNs, -1);
        }
    }
    // At equal times, ends sort before starts so that back-to-back spans do not count as overlapping.
    std::sort(edges.begin(), edges.end());
    std::int64_t open = 0;
    std::int64_t peak = 0;
    for (const auto& edge : edges) {
        open += edge.second;
        peak = std::max(peak, open);
    }
    return peak;
}

std::int64_t totalTimeInState(const TraceAnalysis& analysis, TaskState state) {
    std::int64_t total = 0;
    for (const Span& span : analysis.spans) {
        if (span.state == state) {
            total += span.endNs - span.startNs;
        }
    }
    return total;
}

} // namespace interleave::core
