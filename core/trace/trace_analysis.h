// What a trace means: spans per task and lane, counter series, markers and the figures derived from them.
#pragma once

#include "trace/trace.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace interleave::core {

// Thrown by long work over a trace (its analysis, a timeline's rebuild) that a stop cut short.
class WorkStopped : public std::runtime_error {
public:
    WorkStopped() : std::runtime_error("stopped") {}
};

// Whether a stop (Ctrl-C) was asked for, looked at every so many items of a long loop: a million tasks' trace takes
// seconds to analyse and lay out, and a stop is to take at most 200 ms. Empty, it never stops the work.
class StopCheck {
public:
    StopCheck() = default;
    explicit StopCheck(std::function<bool()> requested) : m_requested(std::move(requested)) {}
    // Throws WorkStopped when a stop was asked for; asks only every 65,536th item.
    void at(std::size_t item) const {
        if ((item & 0xFFFFU) == 0) {
            now();
        }
    }
    void now() const {
        if (m_requested && m_requested()) {
            throw WorkStopped();
        }
    }

private:
    std::function<bool()> m_requested;
};

// std::stable_sort in steps a stop can come between: runs of 65,536 sorted, then merged pairwise, run by run, through a
// buffer that is appended to (its pages faulted a run at a time, never all at once). Only the last merge is whole.
template <typename T, typename Less> void stableSortStoppably(std::vector<T>& items, Less less, const StopCheck& stop) {
    constexpr std::size_t kRun = 65'536;
    const std::size_t size = items.size();
    for (std::size_t from = 0; from < size; from += kRun) {
        stop.now();
        const auto begin = items.begin() + static_cast<std::ptrdiff_t>(from);
        std::stable_sort(begin, begin + static_cast<std::ptrdiff_t>(std::min(kRun, size - from)), less);
    }
    std::vector<T> merged;
    if (size > kRun) {
        merged.reserve(size);
    }
    for (std::size_t width = kRun; width < size; width *= 2) {
        merged.clear();
        for (std::size_t from = 0; from < size; from += 2 * width) {
            stop.now();
            const auto first = items.begin() + static_cast<std::ptrdiff_t>(from);
            const auto middle = items.begin() + static_cast<std::ptrdiff_t>(std::min(from + width, size));
            const auto last = items.begin() + static_cast<std::ptrdiff_t>(std::min(from + 2 * width, size));
            std::merge(first, middle, middle, last, std::back_inserter(merged), less); // stable: the left run first
        }
        items.swap(merged);
    }
}

inline constexpr std::uint32_t kNoTask = 0xFFFFFFFFu;

struct Span {
    std::int64_t startNs = 0;
    std::int64_t endNs = 0;
    std::uint32_t task = kNoTask; // kNoTask for lane-level spans (worker start-up, idle)
    std::uint16_t lane = 0;
    TaskState state = TaskState::Running;
    std::uint32_t subject = 0; // primitive or call name id
    std::int32_t line = 0;     // listing line of the step, 0 when none
};

struct TaskRecord {
    std::uint32_t id = 0;
    std::uint32_t nameId = 0;
    std::int32_t index = -1; // position within its fan-out, -1 for a single task
    std::uint32_t parent = kNoTask;
    std::int64_t createdNs = 0;
    std::int64_t endedNs = -1; // -1 while still alive
    TaskState finalState = TaskState::Ready;
    std::uint16_t firstLane = 0;
};

struct CounterPoint {
    std::int64_t timeNs = 0;
    double value = 0; // integral for live runs; imported counters may be fractional
};

struct CounterSeries {
    std::uint32_t nameId = 0;
    std::string name;
    std::vector<CounterPoint> points;
    double peak = 0;
};

struct MarkerRecord {
    std::int64_t timeNs = 0;
    std::uint32_t task = kNoTask;
    std::uint16_t lane = 0;
    MarkerKind kind = MarkerKind::Exception;
    std::uint32_t subject = 0;
    std::int32_t line = 0; // the listing's line; a Deadlock marker's is the id of the task holding its lock
};

struct TraceAnalysis {
    std::vector<Span> spans;     // task spans, ordered by start time
    std::vector<Span> laneSpans; // lane-level spans (worker start-up)
    std::vector<TaskRecord> tasks;
    std::vector<CounterSeries> counters;
    std::vector<MarkerRecord> markers;
    std::int64_t makespanNs = 0;

    const CounterSeries* counter(std::string_view name) const;
    const TaskRecord* task(std::uint32_t id) const;
};

// The sample of a Counter or CounterReal event.
double counterValue(const Trace& trace, const Event& event);

// A run stopped by the user is analysed only when that is quick (about 100 ms at this size): the analysis of a million
// tasks' 8 million events took 1.4 s, and a stop is to take at most 200 ms. A larger one is reported stopped, with its
// event count and no figures (the CLI's summary; the app keeps its live timeline).
inline constexpr std::size_t kAnalysedWhenStopped = 500'000;
std::string notAnalysedMessage(std::size_t events);

// Builds spans from state changes. Spans still open at the end are closed at trace.endNs (or the last event). Throws
// WorkStopped when `stop` says so.
TraceAnalysis analyze(const Trace& trace, const StopCheck& stop = {});

// "request #3", or the bare name for a task that is not part of a fan-out.
std::string taskDisplayName(const Trace& trace, const TaskRecord& task);

// One task of a deadlock's cycle, read from its Deadlock marker: the task, the lock it waits for, and the task that
// holds that lock (the next one of the cycle).
struct DeadlockStep {
    std::string task;
    std::string waitsFor;
    std::string heldBy;
};
std::vector<DeadlockStep> deadlockCycle(const Trace& trace, const TraceAnalysis& analysis);
// "a-then-b waits for 'b', held by b-then-a; b-then-a waits for 'a', held by a-then-b".
std::string describeDeadlock(const std::vector<DeadlockStep>& cycle);

// The most spans in `state` open at one instant.
std::int64_t peakConcurrency(const TraceAnalysis& analysis, TaskState state);

// Total time spent by all tasks in `state`.
std::int64_t totalTimeInState(const TraceAnalysis& analysis, TaskState state);

} // namespace interleave::core
