// Chrome trace import, build pass: records -> lanes, tasks (nested slices flattened into state changes), markers
// and counter samples, sorted by time.
#include "io/chrome_import_records.h"

#include "trace/trace_analysis.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_map>

namespace interleave::core::chrome_import {

namespace {

struct Change {
    std::int64_t timeNs = 0;
    std::uint32_t subject = 0;
    std::int32_t line = 0;
    std::uint16_t lane = 0;
    TaskState state = TaskState::Idle;
};

// Turns possibly nested slices into a sequence of state changes: the innermost open slice wins, `gap` fills the
// time with none open. Slices are sorted here (start, then longer first; stable for equal ones).
class Flattener {
public:
    void run(std::vector<Slice>& slices, TaskState gap, std::uint16_t gapLane, std::vector<Change>& out) {
        std::stable_sort(slices.begin(), slices.end(), [](const Slice& a, const Slice& b) {
            return a.startNs != b.startNs ? a.startNs < b.startNs : a.endNs > b.endNs;
        });
        m_stack.clear();
        m_out = &out;
        m_gap = gap;
        m_gapLane = gapLane;
        for (Slice slice : slices) {
            popUntil(slice.startNs);
            if (!m_stack.empty()) {
                slice.endNs = std::min(slice.endNs, m_stack.back().endNs);
            }
            m_stack.push_back(slice);
            emit(Change{slice.startNs, slice.subject, slice.line, static_cast<std::uint16_t>(slice.laneRef),
                        slice.state});
        }
        popUntil(kOpenEnd);
    }

    // Appends a change, merging it with the previous one at the same time or with the same content.
    static void emit(std::vector<Change>& out, const Change& change) {
        auto same = [](const Change& a, const Change& b) {
            return a.state == b.state && a.subject == b.subject && a.line == b.line && a.lane == b.lane;
        };
        if (!out.empty() && out.back().timeNs == change.timeNs) {
            out.back() = change;
            if (out.size() >= 2 && same(out[out.size() - 2], out.back())) {
                out.pop_back();
            }
            return;
        }
        if (!out.empty() && same(out.back(), change)) {
            return;
        }
        out.push_back(change);
    }

private:
    void emit(const Change& change) { emit(*m_out, change); }
    void popUntil(std::int64_t timeNs) {
        while (!m_stack.empty() && m_stack.back().endNs <= timeNs) {
            const std::int64_t endNs = m_stack.back().endNs;
            m_stack.pop_back();
            if (m_stack.empty()) {
                emit(Change{endNs, 0, 0, m_gapLane, m_gap});
            } else {
                const Slice& top = m_stack.back();
                emit(Change{endNs, top.subject, top.line, static_cast<std::uint16_t>(top.laneRef), top.state});
            }
        }
    }

    std::vector<Slice> m_stack;
    std::vector<Change>* m_out = nullptr;
    TaskState m_gap = TaskState::Idle;
    std::uint16_t m_gapLane = 0;
};

} // namespace

ImportResult buildTrace(ImportRecords records) {
    ImportResult result;
    Trace& trace = records.trace;
    if (records.minNs == kOpenEnd) {
        records.minNs = 0;
        records.maxNs = 0;
    } else if (records.sawInterleave && records.minNs >= 0) {
        records.minNs = 0; // Interleave's times already count from the run's start: keep them
    }
    const std::int64_t endNs = records.maxNs - records.minNs;
    auto shift = [&](std::int64_t timeNs) { return timeNs == kOpenEnd ? endNs : timeNs - records.minNs; };

    records.stats.producer = records.sawViztracer    ? "VizTracer"
                             : records.sawInterleave ? "Interleave"
                             : records.sawNode       ? "node"
                                                     : "Chrome";

    // Roles: Interleave task tids are tasks without a lane; Interleave lane tids are lanes without a task.
    std::vector<SliceKind> roles(records.threads.size(), SliceKind::Generic);
    for (std::size_t index = 0; index < records.threads.size(); ++index) {
        const ThreadRec& thread = records.threads[index];
        if (thread.interleaveTaskSlices > 0) {
            roles[index] = SliceKind::InterleaveTask;
        } else if (thread.interleaveLaneSlices > 0 ||
                   (records.sawInterleave && thread.genericSlices == 0 && thread.nameKey != 0)) {
            roles[index] = SliceKind::InterleaveLane;
        }
    }
    if (records.sawInterleave) {
        // Interleave gives tasks tids above every lane's: a named tid there with no span is a task that never
        // changed state, not a lane.
        std::vector<std::uint64_t> firstTaskTid(records.processes.size(), ~std::uint64_t{0});
        for (std::size_t index = 0; index < records.threads.size(); ++index) {
            if (roles[index] == SliceKind::InterleaveTask && (records.threads[index].tidKey & kStringKeyTag) == 0) {
                auto& first = firstTaskTid[records.threads[index].process];
                first = std::min(first, records.threads[index].tidKey);
            }
        }
        for (std::size_t index = 0; index < records.threads.size(); ++index) {
            const ThreadRec& thread = records.threads[index];
            if (roles[index] == SliceKind::InterleaveLane && thread.slices.empty() &&
                (thread.tidKey & kStringKeyTag) == 0 && thread.tidKey >= firstTaskTid[thread.process]) {
                roles[index] = SliceKind::Unused;
            }
        }
    }

    // Lanes, in the order of sort indices then first appearance.
    auto bySort = [](const auto& a, const auto& b) {
        if (a.hasSort != b.hasSort) {
            return a.hasSort;
        }
        if (a.hasSort && a.sortIndex != b.sortIndex) {
            return a.sortIndex < b.sortIndex;
        }
        return a.seq < b.seq;
    };
    std::vector<std::uint32_t> processOrder(records.processes.size());
    for (std::uint32_t index = 0; index < processOrder.size(); ++index) {
        processOrder[index] = index;
    }
    std::sort(processOrder.begin(), processOrder.end(),
              [&](std::uint32_t a, std::uint32_t b) { return bySort(records.processes[a], records.processes[b]); });
    std::unordered_map<std::uint64_t, std::uint16_t> laneByName; // (process << 32 | lane name key) -> lane
    std::vector<std::uint32_t> threadOrder;                      // threads with a task, in lane order
    for (std::uint32_t processIndex : processOrder) {
        ProcessRec& process = records.processes[processIndex];
        std::vector<std::uint32_t> threads = process.threads;
        std::sort(threads.begin(), threads.end(),
                  [&](std::uint32_t a, std::uint32_t b) { return bySort(records.threads[a], records.threads[b]); });
        const std::string processLabel = records.processName(process);
        for (std::uint32_t threadIndex : threads) {
            ThreadRec& thread = records.threads[threadIndex];
            const SliceKind role = roles[threadIndex];
            const bool wantsLane = role == SliceKind::InterleaveLane || (role == SliceKind::Generic && thread.bound);
            if (wantsLane) {
                if (trace.lanes.size() > std::numeric_limits<std::uint16_t>::max()) {
                    throw std::runtime_error("more than 65536 threads: too many lanes");
                }
                const auto pidNumber =
                    (process.pidKey & kStringKeyTag) != 0 ? std::int64_t{0} : static_cast<std::int64_t>(process.pidKey);
                thread.lane = trace.addLane(processLabel + std::string(kArrow) + records.threadName(thread),
                                            LaneKind::Imported, pidNumber);
                if (process.firstLane == kNone) {
                    process.firstLane = thread.lane;
                }
                if (thread.nameKey != 0) {
                    laneByName.try_emplace(std::uint64_t{processIndex} << 32 | thread.nameKey,
                                           static_cast<std::uint16_t>(thread.lane));
                }
            }
            if ((role == SliceKind::Generic && thread.bound) || role == SliceKind::InterleaveTask) {
                threadOrder.push_back(threadIndex);
            }
        }
    }
    const bool needLane =
        !records.samples.empty() || !records.instants.empty() || !threadOrder.empty() || !records.asyncs.empty();
    if (trace.lanes.empty() && needLane) {
        trace.addLane(records.processes.empty() ? std::string("trace")
                                                : records.processName(records.processes[processOrder[0]]),
                      LaneKind::Imported);
    }
    auto laneNamed = [&](std::uint32_t processIndex, std::uint32_t nameKey, std::uint16_t fallback) {
        auto found = laneByName.find(std::uint64_t{processIndex} << 32 | nameKey);
        return found != laneByName.end() ? found->second : fallback;
    };
    auto defaultLane = [&](const ThreadRec& thread) -> std::uint16_t {
        if (thread.lane != kNone) {
            return static_cast<std::uint16_t>(thread.lane);
        }
        const std::uint32_t first = records.processes[thread.process].firstLane;
        return static_cast<std::uint16_t>(first != kNone ? first : 0);
    };

    // Tasks: threads first (lane order), then async ids by their start.
    std::uint32_t nextTask = 0;
    for (std::uint32_t threadIndex : threadOrder) {
        records.threads[threadIndex].task = nextTask++;
    }
    std::vector<std::uint32_t> asyncOrder(records.asyncs.size());
    for (std::uint32_t index = 0; index < asyncOrder.size(); ++index) {
        asyncOrder[index] = index;
    }
    std::stable_sort(asyncOrder.begin(), asyncOrder.end(), [&](std::uint32_t a, std::uint32_t b) {
        return records.asyncs[a].startNs < records.asyncs[b].startNs;
    });
    for (std::uint32_t asyncIndex : asyncOrder) {
        records.asyncs[asyncIndex].task = nextTask++;
    }

    std::size_t expected =
        records.samples.size() + records.instants.size() + 3 * (threadOrder.size() + records.asyncs.size());
    for (const ThreadRec& thread : records.threads) {
        expected += 2 * (thread.slices.size() + thread.open.size());
    }
    expected += 2 * records.asyncSlices.size();
    std::vector<Event> events;
    events.reserve(expected);
    auto push = [&](std::int64_t timeNs, std::uint32_t task, std::uint16_t lane, EventKind kind, std::uint8_t code,
                    std::uint32_t subject, std::int32_t value) {
        events.push_back(Event{shift(timeNs), task, lane, kind, code, subject, value});
    };

    Flattener flattener;
    std::vector<Change> changes;
    for (std::size_t threadIndex = 0; threadIndex < records.threads.size(); ++threadIndex) {
        ThreadRec& thread = records.threads[threadIndex];
        const SliceKind role = roles[threadIndex];
        for (const OpenSlice& open : thread.open) { // never ended: closed at the trace's end
            Slice slice;
            slice.startNs = open.startNs;
            slice.endNs = records.maxNs;
            slice.subject = open.subject;
            thread.slices.push_back(slice);
        }
        thread.open.clear();
        const std::uint16_t lane = defaultLane(thread);
        for (Slice& slice : thread.slices) {
            slice.laneRef = role == SliceKind::Generic ? lane : laneNamed(thread.process, slice.laneRef, lane);
        }
        changes.clear();
        if (role == SliceKind::InterleaveLane) {
            flattener.run(thread.slices, TaskState::Done, lane, changes);
            for (const Change& change : changes) {
                push(change.timeNs, 0, change.lane, EventKind::LaneState, static_cast<std::uint8_t>(change.state),
                     change.subject, change.line);
            }
        } else if (thread.task != kNone) {
            const bool interleave = role == SliceKind::InterleaveTask;
            const std::uint16_t firstLane =
                interleave && !thread.slices.empty() ? static_cast<std::uint16_t>(thread.slices.front().laneRef) : lane;
            const std::uint32_t nameId = records.trace.strings.intern(records.threadName(thread));
            push(thread.firstNs, thread.task, firstLane, EventKind::TaskCreated, 0, nameId, -1);
            Flattener::emit(changes, Change{thread.firstNs, 0, 0, firstLane, TaskState::Idle});
            flattener.run(thread.slices, TaskState::Idle, firstLane, changes);
            Flattener::emit(changes, Change{std::max(thread.lastNs, changes.back().timeNs), 0, 0, changes.back().lane,
                                            TaskState::Done});
            for (const Change& change : changes) {
                push(change.timeNs, thread.task, change.lane, EventKind::TaskState,
                     static_cast<std::uint8_t>(change.state), change.subject, change.line);
            }
        }
        std::vector<Slice>().swap(thread.slices);
    }

    // Async tasks: their slices grouped by owner (stable: file order within one owner).
    for (AsyncRec& record : records.asyncs) {
        for (const OpenSlice& open : record.open) { // never ended
            Slice slice;
            slice.startNs = open.startNs;
            slice.endNs = records.maxNs;
            slice.subject = open.subject;
            slice.state = TaskState::WaitingIo;
            records.asyncSlices.push_back(
                AsyncSlice{slice, static_cast<std::uint32_t>(&record - records.asyncs.data())});
        }
        record.open.clear();
    }
    std::stable_sort(records.asyncSlices.begin(), records.asyncSlices.end(),
                     [](const AsyncSlice& a, const AsyncSlice& b) { return a.owner < b.owner; });
    std::vector<Slice> slices;
    for (std::size_t at = 0; at < records.asyncSlices.size();) {
        const std::uint32_t owner = records.asyncSlices[at].owner;
        slices.clear();
        for (; at < records.asyncSlices.size() && records.asyncSlices[at].owner == owner; ++at) {
            slices.push_back(records.asyncSlices[at].slice);
        }
        const AsyncRec& record = records.asyncs[owner];
        const ThreadRec& thread = records.threads[record.thread];
        const std::uint16_t lane = defaultLane(thread);
        for (Slice& slice : slices) {
            slice.laneRef = lane;
        }
        push(record.startNs, record.task, lane, EventKind::TaskCreated, 0, record.subject, -1);
        if (thread.task != kNone) {
            push(record.startNs, record.task, lane, EventKind::TaskParent, 0, 0,
                 static_cast<std::int32_t>(thread.task));
        }
        changes.clear();
        flattener.run(slices, TaskState::Done, lane, changes);
        for (const Change& change : changes) {
            push(change.timeNs, record.task, change.lane, EventKind::TaskState, static_cast<std::uint8_t>(change.state),
                 change.subject, change.line);
        }
    }
    std::vector<AsyncSlice>().swap(records.asyncSlices);

    // Instants.
    for (const InstantRec& instant : records.instants) {
        const ThreadRec& thread = records.threads[instant.thread];
        std::uint32_t task = kNoTask;
        std::uint16_t lane = 0;
        if (instant.async != kNone) {
            task = records.asyncs[instant.async].task;
            lane = defaultLane(records.threads[records.asyncs[instant.async].thread]);
        } else if (instant.scope == 't') {
            task = thread.task != kNone ? thread.task : kNoTask;
            lane = defaultLane(thread);
            if (instant.laneRef != 0) {
                lane = laneNamed(thread.process, instant.laneRef, lane);
            }
        } else if (instant.scope == 'p') {
            const std::uint32_t first = records.processes[thread.process].firstLane;
            lane = static_cast<std::uint16_t>(first != kNone ? first : 0);
        }
        push(instant.timeNs, task, lane, EventKind::Marker, static_cast<std::uint8_t>(instant.kind), instant.subject,
             instant.line);
    }

    // Counters: names, then samples.
    {
        // How many keys each (process, name) has, and which final names several processes share.
        std::unordered_map<std::uint64_t, std::uint32_t> keysPerName;
        for (const SeriesRec& series : records.series) {
            ++keysPerName[std::uint64_t{series.process} << 32 | series.nameKey];
        }
        std::vector<std::string> names(records.series.size());
        std::unordered_map<std::string, std::uint32_t> processesPerName;
        for (std::size_t index = 0; index < records.series.size(); ++index) {
            SeriesRec& series = records.series[index];
            const bool single = keysPerName[std::uint64_t{series.process} << 32 | series.nameKey] == 1;
            std::string name = records.keys.at(series.nameKey);
            if (records.sawInterleave && single && name == "loop_lag_ms") {
                name = "loop_lag_us"; // Interleave exports the lag in ms; the model keeps µs
                series.loopLag = true;
            } else if (!single) {
                name += std::string(kDot) + records.keys.at(series.argKey);
            }
            names[index] = std::move(name);
        }
        std::unordered_map<std::string, std::uint32_t> firstProcess;
        for (std::size_t index = 0; index < records.series.size(); ++index) {
            auto [it, inserted] = firstProcess.try_emplace(names[index], records.series[index].process);
            if (!inserted && it->second != records.series[index].process) {
                processesPerName[names[index]] = 2;
            }
        }
        for (std::size_t index = 0; index < records.series.size(); ++index) {
            std::string name = names[index];
            if (processesPerName.count(name) != 0) {
                std::string prefixed = records.processName(records.processes[records.series[index].process]);
                prefixed += kArrow;
                prefixed += name;
                name = std::move(prefixed);
            }
            records.series[index].nameId = records.trace.strings.intern(name);
        }
    }
    for (const Sample& sample : records.samples) {
        const SeriesRec& series = records.series[sample.series];
        const double value = series.loopLag ? std::round(sample.value * 1000.0) : sample.value;
        const std::uint32_t first = records.processes[series.process].firstLane;
        const auto lane = static_cast<std::uint16_t>(first != kNone ? first : 0);
        constexpr double kInt32Max = std::numeric_limits<std::int32_t>::max();
        constexpr double kInt32Min = std::numeric_limits<std::int32_t>::min();
        if (std::trunc(value) == value && value >= kInt32Min && value <= kInt32Max) {
            push(sample.timeNs, 0, lane, EventKind::Counter, 0, series.nameId, static_cast<std::int32_t>(value));
        } else {
            push(sample.timeNs, 0, lane, EventKind::CounterReal, 0, series.nameId,
                 static_cast<std::int32_t>(trace.realValues.size()));
            trace.realValues.push_back(value);
        }
    }
    std::vector<Sample>().swap(records.samples);

    std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.timeNs < b.timeNs; });
    trace.events = std::move(events);
    trace.endNs = endNs;
    result.trace = std::move(records.trace);
    result.stats = std::move(records.stats);
    return result;
}

} // namespace interleave::core::chrome_import
