// One run of one variant: owns the engine thread, the pools and the recorder, and hands out the growing trace.
#pragma once

#include "runtime/plan.h"
#include "trace/recorder.h"
#include "trace/trace.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace interleave::core {

// Stalled: the watchdog ended a run in which no task could make progress (every live task waited on another, or
// on a primitive no running task would touch), within about 100 ms of it starting to wait forever.
// Deadlocked: tasks waited for each other's locks in a cycle; the run ended the moment the cycle closed, with a
// Deadlock marker on each task of it. A lesson can mean it (L13): its expectations are judged, as for a completed run.
enum class RunStatus : std::uint8_t { NotStarted, Running, Completed, Failed, Stopped, Stalled, Deadlocked };
std::string_view toString(RunStatus status);
// Failed or stalled: the run ended with an error to show (a deadlock is shown with its cycle, and judged).
constexpr bool endedWithError(RunStatus status) {
    return status == RunStatus::Failed || status == RunStatus::Stalled;
}

struct RunOutcome {
    RunStatus status = RunStatus::NotStarted;
    std::string
        error; // for Failed: what went wrong, e.g. "broken process pool: worker 2 (pid 1234) was killed by signal 9"
};

class Run {
public:
    explicit Run(Plan plan);
    ~Run(); // stops the run if it is still going, then joins and reaps everything it owns
    Run(const Run&) = delete;
    Run& operator=(const Run&) = delete;

    void start();
    // Thread-safe and returns at once: cancels every task; threads are joined and workers reaped before finished().
    void requestStop();
    // True once the run has ended (completed, failed or stopped) and every thread and worker is gone.
    bool waitFor(std::chrono::nanoseconds timeout);
    void wait();
    bool finished() const;

    // Moves newly recorded events into trace(). Call from one consumer thread only (the GUI thread once a frame,
    // or the CLI); trace() may be read on that thread between calls. With a `limit`, about that many of the earliest
    // (see Recorder::drain), so that a burst is taken over several frames, or a stopped run's millions of events are
    // not all taken in.
    std::size_t pollTrace(std::size_t limit = Recorder::kNoLimit);
    // The run has finished and every event it recorded is in trace() (and its end is fixed).
    bool traceComplete() const;
    const Trace& trace() const;
    // Once finished and drained: the trace, moved out (millions of events are not copied); trace() is empty after.
    Trace takeTrace();
    // The same, but trace() keeps its names and lanes (copied, not moved): a view drawing this run's live timeline
    // on another thread still reads them. Only the consumer calls it, as pollTrace.
    Trace takeEvents();
    // The events the last pollTrace() appended, sorted by time: what a live view adds incrementally.
    const std::vector<Event>& lastBatch() const;

    RunOutcome outcome() const;
    // A broker run's "interleave-worker --broker URL --run ID" (a worker started with it joins), once its broker is
    // up; "" otherwise.
    std::string brokerJoinCommand() const;
    const Plan& plan() const;
    std::int64_t elapsedNs() const; // since start, frozen once finished
    std::uint64_t tasksFinished() const;
    std::uint64_t tasksCreated() const;

    class Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

// Starts, waits and drains in one call; for tests and the CLI when no progress is needed.
struct RunResult {
    Trace trace;
    RunOutcome outcome;
};
RunResult runToCompletion(Plan plan);

} // namespace interleave::core
