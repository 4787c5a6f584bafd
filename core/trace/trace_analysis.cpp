// What a trace means: spans per task and lane, counter series, markers.
#include "trace/trace_analysis.h"

#include <algorithm>
#include <unordered_map>

namespace interleave::core {

namespace {

struct OpenSpan {
    bool open = false;
    Span span;
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
    TraceAnalysis result;
    std::unordered_map<std::uint32_t, std::size_t> taskIndex;
    std::vector<OpenSpan> openTaskSpans;
    std::vector<OpenSpan> openLaneSpans(trace.lanes.size());
    std::unordered_map<std::uint32_t, std::size_t> counterIndex;
    std::int64_t lastTime = 0;

    auto taskSlot = [&](std::uint32_t id) -> std::size_t {
        auto [it, inserted] = taskIndex.try_emplace(id, result.tasks.size());
        if (inserted) {
            TaskRecord record;
            record.id = id;
            result.tasks.push_back(record);
            openTaskSpans.emplace_back();
        }
        return it->second;
    };
    auto closeSpan = [](OpenSpan& open, std::int64_t endNs, std::vector<Span>& into) {
        if (open.open) {
            open.span.endNs = endNs;
            into.push_back(open.span);
            open.open = false;
        }
    };

    std::size_t item = 0;
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
                openTaskSpans[slot].open = true;
                openTaskSpans[slot].span =
                    Span{event.timeNs, event.timeNs, event.task, event.lane, state, event.subject, event.value};
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
                openLaneSpans[event.lane].open = true;
                openLaneSpans[event.lane].span =
                    Span{event.timeNs, event.timeNs, kNoTask, event.lane, state, event.subject, event.value};
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
        closeSpan(open, std::max(endNs, open.span.startNs), result.spans);
    }
    for (auto& open : openLaneSpans) {
        closeSpan(open, std::max(endNs, open.span.startNs), result.laneSpans);
    }
    auto byStart = [](const Span& a, const Span& b) { return a.startNs < b.startNs; };
    stop.now();
    std::stable_sort(result.spans.begin(), result.spans.end(), byStart);
    stop.now();
    std::stable_sort(result.laneSpans.begin(), result.laneSpans.end(), byStart);
    std::sort(result.tasks.begin(), result.tasks.end(),
              [](const TaskRecord& a, const TaskRecord& b) { return a.id < b.id; });
    result.makespanNs = endNs;
    return result;
}

std::string notAnalysedMessage(std::size_t events) {
    return "stopped after " + std::to_string(events) + " events; not analysed, so that the stop is quick";
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
