// One run of one variant: the engine thread, the recorder, and the trace handed out as it grows.
#include "runtime/run.h"

#include "runtime/cpu_burner.h"
#include "runtime/engine.h"
#include "trace/recorder.h"

#include <algorithm>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <system_error>
#include <thread>

namespace interleave::core {

std::string_view toString(RunStatus status) {
    switch (status) {
    case RunStatus::NotStarted:
        return "not started";
    case RunStatus::Running:
        return "running";
    case RunStatus::Completed:
        return "completed";
    case RunStatus::Failed:
        return "failed";
    case RunStatus::Stopped:
        return "stopped";
    case RunStatus::Stalled:
        return "stalled";
    case RunStatus::Deadlocked:
        return "deadlocked";
    }
    return "unknown";
}

constexpr std::int64_t kReservedEventsMax = 16'000'000;

class Run::Impl {
public:
    explicit Impl(Plan runPlan) : plan(std::move(runPlan)) {
        trace.strings = plan.strings;
        // A task records about ten to fifteen events (created, parent, its states, counters; L6's semaphore variant
        // 13), and a step one or two more (L8's bounded queue: 622,000 events for 258 tasks and 400,000 steps): room
        // for them up front, so that the consumer's drains never copy a large trace into a bigger buffer inside a
        // frame (untouched capacity costs no memory). The same for one drain's batch: a burst of 100,000 tasks
        // created at once is a few events each.
        const double expected = static_cast<double>(plan.taskCount) * 24 + static_cast<double>(plan.stepCount) * 2;
        trace.events.reserve(static_cast<std::size_t>(std::min(expected, static_cast<double>(kReservedEventsMax))));
        batch.reserve(static_cast<std::size_t>(std::min<std::int64_t>(plan.taskCount * 4, kReservedEventsMax)));
        // The engine adds its lanes and names before any consumer can look at the trace.
        engine = std::make_unique<Engine>(plan, recorder, trace.strings, trace.lanes);
    }

    void engineMain() {
        recorder.restartClock(); // time zero: the engine thread is up and about to start the pools and the program
        {
            std::jthread watchdog;
            try {
                watchdog = std::jthread([this](const std::stop_token& stop) { watch(stop); });
            } catch (const std::system_error&) {
                // Out of threads: the run goes on without a watchdog (a stop still ends it).
            }
            engine->run();
        } // the watchdog is asked to stop and joined here

        std::lock_guard lock(mutex);
        endNs = engine->endNs();
        if (engine->context().runFailed()) {
            outcome = {RunStatus::Failed, engine->context().failureMessage()};
        } else if (engine->context().runDeadlocked()) {
            outcome = {RunStatus::Deadlocked, engine->context().failureMessage()};
        } else if (engine->context().runStalled()) {
            outcome = {RunStatus::Stalled, engine->context().failureMessage()};
        } else if (stopRequested) {
            outcome = {RunStatus::Stopped, {}};
        } else if (!engine->mainFailure().empty()) {
            outcome = {RunStatus::Failed, "the main task failed: " + engine->mainFailure()};
        } else {
            outcome = {RunStatus::Completed, {}};
        }
        finished = true;
        finishedCondition.notify_all();
    }

    // Ends the run as stalled once no task can make progress: looked at every kWatchInterval, so within two of them
    // of the last task starting to wait forever.
    void watch(const std::stop_token& stop) {
        std::mutex sleepMutex;
        std::condition_variable_any sleep;
        std::unique_lock lock(sleepMutex);
        std::uint64_t seen = ~std::uint64_t{0};
        EngineContext& context = engine->context();
        while (!sleep.wait_for(lock, stop, kWatchInterval, [&stop] { return stop.stop_requested(); })) {
            if (context.stalledSince(seen)) {
                context.stallRun("no task can make progress: every live task waits on another (" +
                                     context.waitingDescription() + ") and no timer or worker will wake one",
                                 0);
                return;
            }
        }
    }

    static constexpr std::chrono::milliseconds kWatchInterval{50};

    Plan plan;
    Recorder recorder;
    Trace trace;
    std::vector<Event> batch;
    std::unique_ptr<Engine> engine;
    std::thread thread;
    std::mutex joinMutex; // joins `thread` once, whoever waits (waitFor)
    mutable std::mutex mutex;
    std::condition_variable finishedCondition;
    bool started = false;
    bool finished = false;
    bool stopRequested = false;
    bool drainedAfterFinish = false;
    std::int64_t endNs = 0;
    RunOutcome outcome;
};

Run::Run(Plan plan) : m_impl(std::make_unique<Impl>(std::move(plan))) {}

Run::~Run() {
    std::lock_guard joining(m_impl->joinMutex);
    if (m_impl->thread.joinable()) {
        requestStop();
        m_impl->thread.join();
    }
}

void Run::start() {
    std::lock_guard lock(m_impl->mutex);
    if (m_impl->started) {
        return;
    }
    // A worker that died must not take the engine down with SIGPIPE when we write to it.
    std::signal(SIGPIPE, SIG_IGN);
    CpuBurner::iterationsPerMs(); // calibrate before time zero, so the calibration is not part of the run
    m_impl->started = true;
    m_impl->outcome.status = RunStatus::Running;
    try {
        m_impl->thread = std::thread([impl = m_impl.get()] { impl->engineMain(); });
    } catch (const std::system_error& error) {
        // Out of threads (a memory or process limit): a run that failed to start, not a crash.
        m_impl->outcome = {RunStatus::Failed, std::string("cannot start the engine's thread: ") + error.what()};
        m_impl->finished = true;
        m_impl->finishedCondition.notify_all();
    }
}

void Run::requestStop() {
    {
        std::lock_guard lock(m_impl->mutex);
        if (m_impl->finished) {
            return;
        }
        m_impl->stopRequested = true;
    }
    m_impl->engine->requestStop();
}

bool Run::waitFor(std::chrono::nanoseconds timeout) {
    std::unique_lock lock(m_impl->mutex);
    if (!m_impl->started) {
        return false;
    }
    const bool done = m_impl->finishedCondition.wait_for(lock, timeout, [this] { return m_impl->finished; });
    lock.unlock();
    if (done) {
        // Two threads may wait at once (the window's and a finishing worker's): one of them joins.
        std::lock_guard joining(m_impl->joinMutex);
        if (m_impl->thread.joinable()) {
            m_impl->thread.join();
        }
    }
    return done;
}

void Run::wait() {
    while (!waitFor(std::chrono::seconds(1))) {
        if (!m_impl->started) {
            return;
        }
    }
}

bool Run::finished() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->finished;
}

std::size_t Run::pollTrace(std::size_t limit) {
    bool finishedNow = false;
    {
        std::lock_guard lock(m_impl->mutex);
        finishedNow = m_impl->finished;
        if (finishedNow && m_impl->drainedAfterFinish) {
            m_impl->batch.clear();
            return 0;
        }
    }
    m_impl->batch.clear();
    const std::size_t count = m_impl->recorder.drain(m_impl->batch, limit);
    // Names and lanes that came during the run go in before the events that use them: they were added before those
    // events were recorded.
    m_impl->engine->growth().applyTo(m_impl->trace);
    m_impl->trace.appendSorted(m_impl->batch);
    // The worker pids are carried by the ends of their start-up (the other ends of their lane spans carry none). Looked
    // up batch by batch: a drain costs what it drained, never a pass over the whole trace (the GUI thread drains once a
    // frame).
    for (const Event& event : m_impl->batch) {
        if (event.kind == EventKind::LaneState && static_cast<TaskState>(event.code) == TaskState::Done &&
            event.value > 0 && event.lane < m_impl->trace.lanes.size() &&
            m_impl->trace.lanes[event.lane].kind == LaneKind::WorkerProcess) {
            m_impl->trace.lanes[event.lane].processId = event.value;
        }
    }
    if (finishedNow && !m_impl->recorder.hasPending()) {
        // Everything is recorded and drained: fix the end.
        m_impl->drainedAfterFinish = true;
        m_impl->trace.endNs = m_impl->endNs;
    } else {
        m_impl->trace.endNs = m_impl->recorder.nowNs();
    }
    return count;
}

bool Run::traceComplete() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->drainedAfterFinish;
}

const Trace& Run::trace() const {
    return m_impl->trace;
}

Trace Run::takeTrace() {
    return std::move(m_impl->trace);
}

Trace Run::takeEvents() {
    Trace taken;
    taken.events = std::move(m_impl->trace.events);
    m_impl->trace.events.clear();
    taken.strings = m_impl->trace.strings;
    taken.lanes = m_impl->trace.lanes;
    taken.realValues = m_impl->trace.realValues;
    taken.endNs = m_impl->trace.endNs;
    return taken;
}

const std::vector<Event>& Run::lastBatch() const {
    return m_impl->batch;
}

RunOutcome Run::outcome() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->outcome;
}

std::string Run::brokerJoinCommand() const {
    return m_impl->engine->brokerJoinCommand();
}

const Plan& Run::plan() const {
    return m_impl->plan;
}

std::int64_t Run::elapsedNs() const {
    std::lock_guard lock(m_impl->mutex);
    if (!m_impl->started) {
        return 0;
    }
    return m_impl->finished ? m_impl->endNs : m_impl->recorder.nowNs();
}

std::uint64_t Run::tasksFinished() const {
    return m_impl->engine->context().tasksFinished();
}
std::uint64_t Run::tasksCreated() const {
    return m_impl->engine->context().tasksCreated();
}

RunResult runToCompletion(Plan plan) {
    Run run(std::move(plan));
    run.start();
    // Drained every 10 ms: the recorder recycles a drained chunk of events, and a chunk it can recycle is one it
    // does not have to map and fault in afresh.
    while (!run.waitFor(std::chrono::milliseconds(10))) {
        run.pollTrace();
    }
    run.pollTrace();
    RunResult result{run.takeTrace(), run.outcome()};
    return result;
}

} // namespace interleave::core
