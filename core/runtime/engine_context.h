// What every part of a running engine shares: the plan, the recorder, the stop token, task ids and states.
#pragma once

#include "runtime/lock_graph.h"
#include "runtime/plan.h"
#include "trace/recorder.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>

namespace interleave::core {

class Gil;

// Thrown by fail(p) and by a broken pool; a task that lets it escape ends Failed.
struct TaskFailure {
    std::string message;
};

// String ids the engine itself records, interned before the run starts (never on the hot path).
struct EngineNames {
    std::uint32_t main = 0;
    std::uint32_t gather = 0;
    std::uint32_t threadPool = 0;
    std::uint32_t processPool = 0;
    std::uint32_t messaging = 0; // a worker process's wait for its next job while one was queued
    std::uint32_t offloadJob = 0;
    std::uint32_t blockingCall = 0;
    std::uint32_t inFlight = 0;
    std::uint32_t loopLag = 0;
    std::uint32_t gilHolder = 0;
    std::uint32_t gil = 0;
    std::uint32_t workerStart = 0;
    std::uint32_t heartbeat = 0;
    std::uint32_t shielded = 0;       // the task a shield runs its body in
    std::uint32_t awaitingShield = 0; // what its caller waits on
    std::uint32_t preempted = 0;      // a computing thread the OS took off its core for another
};

class EngineContext {
public:
    EngineContext(const Plan& plan, Recorder& recorder, StringTable& strings);

    const Plan& plan;
    Recorder& recorder;
    EngineNames names;
    Gil* gil = nullptr;

    std::stop_token stopToken() const { return m_stop.get_token(); }
    bool stopRequested() const { return m_stop.stop_requested(); }
    void requestStop() { m_stop.request_stop(); }

    // Records a failure that ends the run (e.g. a broken process pool) and stops everything. First one wins.
    void failRun(const std::string& message, std::uint16_t lane);
    bool runFailed() const { return m_failed.load(std::memory_order_acquire); }
    std::string failureMessage() const;

    // Creates a task: TaskCreated (+ TaskParent) and Ready events; counts it in flight unless it is the main task.
    // `inFlight`: whether the task counts in the in_flight counter (an offloaded job does not: the task awaiting it
    // is already counted).
    TaskRef createTask(std::uint32_t nameId, std::int32_t index, std::uint32_t parent, std::uint16_t lane,
                       bool inFlight = true);
    TaskRef createMainTask(std::uint16_t lane);
    // The same at a time measured elsewhere (`runNs`, ns since the run started); `parent` 0xFFFFFFFF for none.
    TaskRef createTaskAt(std::int64_t runNs, std::uint32_t nameId, std::int32_t index, std::uint32_t parent,
                         std::uint16_t lane, bool inFlight);
    // Records a state change. Terminal states take the task out of flight.
    void setState(TaskRef task, TaskState state, std::uint32_t subject = 0, std::int32_t line = 0);
    void counter(std::uint32_t nameId, std::int64_t value, std::uint16_t lane);
    void marker(TaskRef task, MarkerKind kind, std::uint32_t subject = 0, std::int32_t line = 0);
    void laneState(std::uint16_t lane, TaskState state, std::uint32_t subject = 0, std::int32_t value = 0);
    // The same four at a time already past or measured elsewhere (`runNs`, ns since the run started): what another
    // process reports, timed on its own clock (a broker's worker).
    void setStateAt(std::int64_t runNs, TaskRef task, TaskState state, std::uint32_t subject = 0);
    void counterAt(std::int64_t runNs, std::uint32_t nameId, std::int64_t value, std::uint16_t lane);
    void markerAt(std::int64_t runNs, TaskRef task, MarkerKind kind, std::uint32_t subject = 0);
    void laneStateAt(std::int64_t runNs, std::uint16_t lane, TaskState state, std::uint32_t subject = 0,
                     std::int32_t value = 0);
    // A step of stage `stage` (Plan::stages) begins (+1) or ends (-1): its counter records how many run.
    void stageStep(std::int32_t stage, int delta, std::uint16_t lane);

    // After every engine thread has stopped: ends every task still alive as Cancelled. Returns how many.
    std::size_t cancelLiveTasks();

    // The watchdog's view (Run ends a run that can make no progress). A task waits on others from the moment it
    // queues on a primitive, or waits for its children, until another task hands it what it waits for (the
    // notification, not its waking up: a woken thread may not get a core at once) or it is cancelled. `subject`
    // names what it waits on.
    void beginWaitOnOthers(std::uint32_t subject);
    void endWaitOnOthers(std::uint32_t subject);
    // A timeout in progress can cancel a waiting task: while one is armed (see ArmedTimeout), nothing is called
    // stalled.
    void timeoutArmed(int delta) { m_armedTimeouts.fetch_add(delta, std::memory_order_acq_rel); }
    // True when every live task waits on others, no timeout is armed, and nothing has begun or ended waiting since
    // the last call that said so (`seen` keeps that between calls): call it at intervals, and a true answer means
    // no progress over the whole interval.
    bool stalledSince(std::uint64_t& seen) const;
    // "2 tasks wait on 'a', 1 on its children": what the live tasks wait on, while stalled.
    std::string waitingDescription() const;
    // Ends the run as stalled: records the message and stops everything. Ignored once the run failed.
    void stallRun(const std::string& message, std::uint16_t lane);
    bool runStalled() const { return m_stalled.load(std::memory_order_acquire); }
    // Ends the run as deadlocked: a Deadlock marker for each task of the cycle (on the task; subject: the lock it
    // waits for; value: the id of the task that holds it), then everything stops. The first cycle wins.
    void deadlockRun(const std::vector<DeadlockLink>& cycle);
    bool runDeadlocked() const { return m_deadlocked.load(std::memory_order_acquire); }

    // Who holds each lock and who waits for it (Lock and RLock): the primitives keep it, deadlockRun reads it.
    LockGraph locks;

    std::uint64_t tasksCreated() const { return m_nextTask.load(std::memory_order_relaxed); }
    std::uint64_t tasksFinished() const { return m_finished.load(std::memory_order_relaxed); }
    std::int64_t liveTasks() const { return m_live.load(std::memory_order_acquire); }

private:
    static constexpr std::size_t kStateBlock = 1U << 14U;
    static constexpr std::size_t kMaxBlocks = 1U << 10U; // 16M tasks
    std::atomic<std::uint8_t>* stateSlot(std::uint32_t task);
    // One event at `runNs`, or stamped now when it is negative.
    void recordAt(std::int64_t runNs, std::uint32_t task, std::uint16_t lane, EventKind kind, std::uint8_t code,
                  std::uint32_t subject, std::int32_t value);
    void changeState(std::int64_t runNs, TaskRef task, TaskState state, std::uint32_t subject, std::int32_t line);

    const StringTable& m_strings; // complete before the run starts: read, never written, while it runs
    std::stop_source m_stop;
    std::atomic<std::uint32_t> m_nextTask{0};
    std::atomic<std::uint64_t> m_finished{0};
    std::atomic<std::int64_t> m_inFlight{0};
    std::atomic<std::int64_t> m_live{0};
    std::atomic<bool> m_failed{false};
    std::atomic<bool> m_stalled{false};
    std::atomic<bool> m_deadlocked{false};
    std::atomic<std::int64_t> m_waitingOnOthers{0};
    std::atomic<std::uint64_t> m_waitChanges{0}; // begin and end of every wait on others
    std::atomic<int> m_armedTimeouts{0};
    mutable std::mutex m_waitMutex;
    std::map<std::uint32_t, std::int64_t> m_waitSubjects; // subject: how many tasks wait on it
    mutable std::mutex m_mutex;
    std::string m_failure;
    std::mutex m_stageMutex; // the stage counters' samples are recorded in the order their values change
    std::vector<std::int64_t> m_stageSteps;
    std::array<std::atomic<std::atomic<std::uint8_t>*>, kMaxBlocks> m_stateBlocks{};
    std::vector<std::unique_ptr<std::atomic<std::uint8_t>[]>> m_ownedBlocks;
};

// A staged step in progress for as long as it is in scope (EngineContext::stageStep); nothing when `stage` is -1.
class StageScope {
public:
    StageScope(EngineContext& context, std::int32_t stage, std::uint16_t lane)
        : m_context(context), m_stage(stage), m_lane(lane) {
        if (m_stage >= 0) {
            m_context.stageStep(m_stage, 1, m_lane);
        }
    }
    ~StageScope() {
        if (m_stage >= 0) {
            m_context.stageStep(m_stage, -1, m_lane);
        }
    }
    StageScope(const StageScope&) = delete;
    StageScope& operator=(const StageScope&) = delete;

private:
    EngineContext& m_context;
    std::int32_t m_stage;
    std::uint16_t m_lane;
};

// A timeout armed for as long as it is in scope (EngineContext::timeoutArmed).
class ArmedTimeout {
public:
    explicit ArmedTimeout(EngineContext& context) : m_context(context) { m_context.timeoutArmed(1); }
    ~ArmedTimeout() { m_context.timeoutArmed(-1); }
    ArmedTimeout(const ArmedTimeout&) = delete;
    ArmedTimeout& operator=(const ArmedTimeout&) = delete;

private:
    EngineContext& m_context;
};

// A wait on others for as long as it is in scope, for a waiter that resumes on the loop (which runs it at once
// once it is woken).
class WaitOnOthers {
public:
    WaitOnOthers(EngineContext& context, std::uint32_t subject) : m_context(context), m_subject(subject) {
        m_context.beginWaitOnOthers(subject);
    }
    ~WaitOnOthers() { m_context.endWaitOnOthers(m_subject); }
    WaitOnOthers(const WaitOnOthers&) = delete;
    WaitOnOthers& operator=(const WaitOnOthers&) = delete;

private:
    EngineContext& m_context;
    std::uint32_t m_subject;
};

} // namespace interleave::core
