// What every part of a running engine shares.
#include "runtime/engine_context.h"

#include <algorithm>
#include <span>

namespace interleave::core {

namespace {
constexpr std::uint8_t kNotCreated = 0xFF;
// Set in a task's state slot when it is not one of the tasks in flight (an offloaded job: Python counts the task
// that awaits it, not the executor's future).
constexpr std::uint8_t kUncounted = 0x80;
constexpr std::uint8_t kStateBits = 0x7F;
} // namespace

EngineContext::EngineContext(const Plan& runPlan, Recorder& runRecorder, StringTable& strings)
    : plan(runPlan), recorder(runRecorder), m_strings(strings), m_stageSteps(runPlan.stages.size(), 0) {
    names.main = strings.intern("main");
    names.gather = strings.intern("awaiting children");
    names.threadPool = strings.intern("thread pool");
    names.processPool = strings.intern("process pool");
    names.offloadJob = strings.intern("offloaded job");
    names.blockingCall = strings.intern("blocking call");
    names.inFlight = strings.intern("in_flight");
    names.loopLag = strings.intern("loop_lag_us");
    names.gilHolder = strings.intern("gil.holder");
    names.gil = strings.intern("GIL");
    names.workerStart = strings.intern("worker start-up");
    names.messaging = strings.intern(kMessagingName);
    names.heartbeat = strings.intern("heartbeat");
    names.shielded = strings.intern("shielded");
    names.awaitingShield = strings.intern("awaiting the shielded task");
    names.preempted = strings.intern("preempted by the OS");
}

std::atomic<std::uint8_t>* EngineContext::stateSlot(std::uint32_t task) {
    const std::size_t block = task / kStateBlock;
    if (block >= kMaxBlocks) {
        return nullptr;
    }
    std::atomic<std::uint8_t>* slots = m_stateBlocks[block].load(std::memory_order_acquire);
    if (slots == nullptr) {
        std::lock_guard lock(m_mutex);
        slots = m_stateBlocks[block].load(std::memory_order_acquire);
        if (slots == nullptr) {
            auto fresh = std::make_unique<std::atomic<std::uint8_t>[]>(kStateBlock);
            for (std::size_t i = 0; i < kStateBlock; ++i) {
                fresh[i].store(kNotCreated, std::memory_order_relaxed);
            }
            slots = fresh.get();
            m_ownedBlocks.push_back(std::move(fresh));
            m_stateBlocks[block].store(slots, std::memory_order_release);
        }
    }
    return &slots[task % kStateBlock];
}

TaskRef EngineContext::createTask(std::uint32_t nameId, std::int32_t index, std::uint32_t parent, std::uint16_t lane,
                                  bool inFlight) {
    const TaskRef task{m_nextTask.fetch_add(1, std::memory_order_relaxed), lane};
    const bool counted = inFlight && parent != 0xFFFFFFFFU; // main is not one of the tasks in flight either
    if (auto* slot = stateSlot(task.id)) {
        slot->store(static_cast<std::uint8_t>(static_cast<std::uint8_t>(TaskState::Ready) | (counted ? 0 : kUncounted)),
                    std::memory_order_relaxed);
    }
    m_live.fetch_add(1, std::memory_order_acq_rel);
    recorder.record(task.id, lane, EventKind::TaskCreated, 0, nameId, index);
    if (parent != 0xFFFFFFFFU) {
        recorder.record(task.id, lane, EventKind::TaskParent, 0, 0, static_cast<std::int32_t>(parent));
    }
    if (counted) {
        const std::int64_t now = m_inFlight.fetch_add(1, std::memory_order_relaxed) + 1;
        recorder.record(task.id, lane, EventKind::Counter, 0, names.inFlight, static_cast<std::int32_t>(now));
    }
    recorder.record(task.id, lane, EventKind::TaskState, static_cast<std::uint8_t>(TaskState::Ready), 0, 0);
    return task;
}

TaskRef EngineContext::createTaskAt(std::int64_t runNs, std::uint32_t nameId, std::int32_t index, std::uint32_t parent,
                                    std::uint16_t lane, bool inFlight) {
    runNs = std::max<std::int64_t>(runNs, 0);
    const TaskRef task{m_nextTask.fetch_add(1, std::memory_order_relaxed), lane};
    const bool counted = inFlight && parent != 0xFFFFFFFFU;
    if (auto* slot = stateSlot(task.id)) {
        slot->store(static_cast<std::uint8_t>(static_cast<std::uint8_t>(TaskState::Ready) | (counted ? 0 : kUncounted)),
                    std::memory_order_relaxed);
    }
    m_live.fetch_add(1, std::memory_order_acq_rel);
    recordAt(runNs, task.id, lane, EventKind::TaskCreated, 0, nameId, index);
    if (parent != 0xFFFFFFFFU) {
        recordAt(runNs, task.id, lane, EventKind::TaskParent, 0, 0, static_cast<std::int32_t>(parent));
    }
    if (counted) {
        const std::int64_t now = m_inFlight.fetch_add(1, std::memory_order_relaxed) + 1;
        recordAt(runNs, task.id, lane, EventKind::Counter, 0, names.inFlight, static_cast<std::int32_t>(now));
    }
    recordAt(runNs, task.id, lane, EventKind::TaskState, static_cast<std::uint8_t>(TaskState::Ready), 0, 0);
    return task;
}

TaskRef EngineContext::createMainTask(std::uint16_t lane) {
    return createTask(names.main, -1, 0xFFFFFFFFU, lane);
}

void EngineContext::recordAt(std::int64_t runNs, std::uint32_t task, std::uint16_t lane, EventKind kind,
                             std::uint8_t code, std::uint32_t subject, std::int32_t value) {
    if (runNs < 0) {
        recorder.record(task, lane, kind, code, subject, value);
        return;
    }
    const Event event{runNs, task, lane, kind, code, subject, value};
    recorder.appendForeign(std::span<const Event>(&event, 1));
}

void EngineContext::setState(TaskRef task, TaskState state, std::uint32_t subject, std::int32_t line) {
    changeState(-1, task, state, subject, line);
}

void EngineContext::setStateAt(std::int64_t runNs, TaskRef task, TaskState state, std::uint32_t subject) {
    changeState(std::max<std::int64_t>(runNs, 0), task, state, subject, 0);
}

void EngineContext::counterAt(std::int64_t runNs, std::uint32_t nameId, std::int64_t value, std::uint16_t lane) {
    recordAt(std::max<std::int64_t>(runNs, 0), 0, lane, EventKind::Counter, 0, nameId,
             static_cast<std::int32_t>(value));
}

void EngineContext::markerAt(std::int64_t runNs, TaskRef task, MarkerKind kind, std::uint32_t subject) {
    recordAt(std::max<std::int64_t>(runNs, 0), task.id, task.lane, EventKind::Marker, static_cast<std::uint8_t>(kind),
             subject, 0);
}

void EngineContext::laneStateAt(std::int64_t runNs, std::uint16_t lane, TaskState state, std::uint32_t subject,
                                std::int32_t value) {
    recordAt(std::max<std::int64_t>(runNs, 0), 0, lane, EventKind::LaneState, static_cast<std::uint8_t>(state), subject,
             value);
}

void EngineContext::changeState(std::int64_t runNs, TaskRef task, TaskState state, std::uint32_t subject,
                                std::int32_t line) {
    recordAt(runNs, task.id, task.lane, EventKind::TaskState, static_cast<std::uint8_t>(state), subject, line);
    if (isTerminal(state)) {
        bool counted = task.id != 0;
        if (auto* slot = stateSlot(task.id)) {
            const std::uint8_t previous = slot->load(std::memory_order_relaxed);
            counted = (previous & kUncounted) == 0;
            slot->store(static_cast<std::uint8_t>(static_cast<std::uint8_t>(state) | (previous & kUncounted)),
                        std::memory_order_relaxed);
        }
        if (counted) {
            const std::int64_t inFlight = m_inFlight.fetch_sub(1, std::memory_order_relaxed) - 1;
            recordAt(runNs, task.id, task.lane, EventKind::Counter, 0, names.inFlight,
                     static_cast<std::int32_t>(inFlight));
        }
        m_finished.fetch_add(1, std::memory_order_relaxed);
        m_live.fetch_sub(1, std::memory_order_acq_rel);
    }
}

void EngineContext::counter(std::uint32_t nameId, std::int64_t value, std::uint16_t lane) {
    recorder.record(0, lane, EventKind::Counter, 0, nameId, static_cast<std::int32_t>(value));
}

void EngineContext::marker(TaskRef task, MarkerKind kind, std::uint32_t subject, std::int32_t line) {
    recorder.record(task.id, task.lane, EventKind::Marker, static_cast<std::uint8_t>(kind), subject, line);
}

void EngineContext::laneState(std::uint16_t lane, TaskState state, std::uint32_t subject, std::int32_t value) {
    recorder.record(0, lane, EventKind::LaneState, static_cast<std::uint8_t>(state), subject, value);
}

void EngineContext::stageStep(std::int32_t stage, int delta, std::uint16_t lane) {
    const std::lock_guard lock(m_stageMutex);
    const auto index = static_cast<std::size_t>(stage);
    m_stageSteps[index] += delta;
    counter(plan.stages[index].counterId, m_stageSteps[index], lane);
}

void EngineContext::failRun(const std::string& message, std::uint16_t lane) {
    {
        std::lock_guard lock(m_mutex);
        if (m_failed.load(std::memory_order_relaxed)) {
            return;
        }
        m_failure = message;
        m_failed.store(true, std::memory_order_release);
    }
    recorder.record(0, lane, EventKind::Marker, static_cast<std::uint8_t>(MarkerKind::BrokenPool), 0, 0);
    requestStop();
}

void EngineContext::beginWaitOnOthers(std::uint32_t subject) {
    {
        std::lock_guard lock(m_waitMutex);
        ++m_waitSubjects[subject];
    }
    m_waitingOnOthers.fetch_add(1, std::memory_order_acq_rel);
    m_waitChanges.fetch_add(1, std::memory_order_acq_rel);
}

void EngineContext::endWaitOnOthers(std::uint32_t subject) {
    {
        std::lock_guard lock(m_waitMutex);
        if (auto found = m_waitSubjects.find(subject); found != m_waitSubjects.end() && --found->second == 0) {
            m_waitSubjects.erase(found);
        }
    }
    m_waitingOnOthers.fetch_sub(1, std::memory_order_acq_rel);
    m_waitChanges.fetch_add(1, std::memory_order_acq_rel);
}

bool EngineContext::stalledSince(std::uint64_t& seen) const {
    const std::uint64_t changes = m_waitChanges.load(std::memory_order_acquire);
    const std::int64_t live = m_live.load(std::memory_order_acquire);
    const bool allWait = live > 0 && m_waitingOnOthers.load(std::memory_order_acquire) == live &&
                         m_armedTimeouts.load(std::memory_order_acquire) == 0;
    const bool same = changes == seen;
    seen = allWait ? changes : ~std::uint64_t{0}; // a later call says stalled only if nothing moved in between
    return allWait && same;
}

std::string EngineContext::waitingDescription() const {
    std::lock_guard lock(m_waitMutex);
    std::string text;
    for (const auto& [subject, count] : m_waitSubjects) {
        const std::string& name = m_strings.at(subject);
        text += text.empty() ? "" : ", ";
        text += std::to_string(count) + (subject == names.gather ? " on their children" : " on '" + name + "'");
    }
    return text;
}

void EngineContext::stallRun(const std::string& message, std::uint16_t lane) {
    {
        std::lock_guard lock(m_mutex);
        if (m_failed.load(std::memory_order_relaxed) || m_stalled.load(std::memory_order_relaxed)) {
            return;
        }
        m_failure = message;
        m_stalled.store(true, std::memory_order_release);
    }
    recorder.record(0, lane, EventKind::Marker, static_cast<std::uint8_t>(MarkerKind::Stalled), 0, 0);
    requestStop();
}

void EngineContext::deadlockRun(const std::vector<DeadlockLink>& cycle) {
    std::string message = "deadlock: ";
    for (std::size_t at = 0; at < cycle.size(); ++at) {
        const DeadlockLink& link = cycle[at];
        message += (at == 0 ? "" : "; ") + std::string("task ") + std::to_string(link.task.id) + " waits for '" +
                   m_strings.at(link.lock) + "', held by task " + std::to_string(link.holder.id);
    }
    {
        std::lock_guard lock(m_mutex);
        if (m_failed.load(std::memory_order_relaxed) || m_stalled.load(std::memory_order_relaxed) ||
            m_deadlocked.load(std::memory_order_relaxed)) {
            return;
        }
        m_failure = message;
        m_deadlocked.store(true, std::memory_order_release);
    }
    for (const DeadlockLink& link : cycle) {
        recorder.record(link.task.id, link.task.lane, EventKind::Marker,
                        static_cast<std::uint8_t>(MarkerKind::Deadlock), link.lock,
                        static_cast<std::int32_t>(link.holder.id));
    }
    requestStop();
}

std::string EngineContext::failureMessage() const {
    std::lock_guard lock(m_mutex);
    return m_failure;
}

std::size_t EngineContext::cancelLiveTasks() {
    std::size_t cancelled = 0;
    const std::uint32_t created = m_nextTask.load();
    for (std::uint32_t id = 0; id < created; ++id) {
        auto* slot = stateSlot(id);
        if (slot == nullptr) {
            break;
        }
        const std::uint8_t value = slot->load(std::memory_order_relaxed);
        if (value != kNotCreated && !isTerminal(static_cast<TaskState>(value & kStateBits))) {
            // The lane is not known here; lane 0 is the run's main lane, and spans keep the lane they ran on.
            setState(TaskRef{id, 0}, TaskState::Cancelled);
            ++cancelled;
        }
    }
    return cancelled;
}

} // namespace interleave::core
