// One executor per op: what a task does when it reaches the op, on the event loop (a coroutine, which suspends while
// it waits) beside the same on an OS thread (a call, which blocks). The primitives' state machines are shared
// (primitive_state.h), so the two ways differ only in how the task waits, not in what the op means.
//
// Adding an op: its OpKind and its row in scenario/op_table.cpp, its pair of executors here (or beside the model's
// machinery for the larger ones, such as fanOutOnLoop) with its row in executorOf, its tests and its docs line.
#include "runtime/engine.h"
#include "runtime/seeded_failure.h"
#include "runtime/stop_wait.h"

#include <fmt/format.h>

#include <array>
#include <thread>

namespace interleave::core {

namespace {

// A primitive of the loop's kind (asyncio) or of the threads' kind (threading, queue), by the step's index. Each
// exists in the model whose tasks use it: a step that reaches the other kind is a plan that mixes them.
template <typename Primitives>
auto& primitiveFor(const Primitives& primitives, const PlanStep& step, const char* where) {
    const auto& primitive = primitives.at(static_cast<std::size_t>(step.primitive));
    if (!primitive) {
        throw TaskFailure{"step '" + std::string(toString(step.kind)) + "' " + where};
    }
    return *primitive;
}

template <typename Primitives> auto& onThread(const Primitives& primitives, const PlanStep& step) {
    return primitiveFor(primitives, step,
                        "uses an event-loop primitive from a thread; asyncio primitives are not thread-safe");
}

template <typename Primitives> auto& onLoop(const Primitives& primitives, const PlanStep& step) {
    return primitiveFor(primitives, step, "uses a threading primitive on the event loop");
}

} // namespace

// --- Waits and work ----------------------------------------------------------------------------------------------

LoopAwaitable<void> Engine::ioOnLoop(TaskFrame& task, const PlanStep& step) {
    m_context.setState(task.ref, TaskState::WaitingIo, step.labelId, step.line);
    co_await sleepAsync(task, step.durationNs);
    runOnLoop(task.ref, step.line);
}

void Engine::ioOnThread(TaskFrame& task, const PlanStep& step) {
    sleepOnThread(task, step, TaskState::WaitingIo, step.labelId);
}

LoopAwaitable<void> Engine::blockOnLoop(TaskFrame& task, const PlanStep& step) {
    // A blocking call made on the loop: the whole loop stops with it, which is the point. Like time.sleep, it lets go
    // of the GIL meanwhile (the loop's next cpu step takes it back).
    m_context.setState(task.ref, TaskState::Blocked, step.labelId ? step.labelId : m_context.names.blockingCall,
                       step.line);
    dropLoopGil();
    sleepUntil(deadlineAfter(step.durationNs), m_context.stopToken());
    runOnLoop(task.ref, step.line);
    co_return;
}

void Engine::blockOnThread(TaskFrame& task, const PlanStep& step) {
    sleepOnThread(task, step, TaskState::Blocked, step.labelId ? step.labelId : m_context.names.blockingCall);
}

void Engine::sleepOnThread(TaskFrame& task, const PlanStep& step, TaskState state, std::uint32_t label) {
    // In a thread io and a blocking call are both a blocking wait that lets go of the GIL; the thread takes it back
    // after. The wait is recorded before the GIL goes, so that the next holder's running never overlaps this one's.
    m_context.setState(task.ref, state, label, step.line);
    if (m_gil) {
        m_gil->letGo(task.ref);
    }
    sleepUntil(deadlineAfter(step.durationNs), m_context.stopToken());
    resumeAfterWait(task.ref, step.line, {});
}

LoopAwaitable<void> Engine::cpuOnLoop(TaskFrame& task, const PlanStep& step) {
    // The loop thread keeps the GIL after the step, as CPython's loop runs its coroutines: another thread gets it at
    // a switch interval's drop request, or when the loop goes idle (dropLoopGil), not between two steps.
    burnCpu(task, step);
    co_return;
}

void Engine::cpuOnThread(TaskFrame& task, const PlanStep& step) {
    burnCpu(task, step);
}

LoopAwaitable<void> Engine::failOnLoop(TaskFrame& task, const PlanStep& step) {
    failOnThread(task, step); // nothing to wait for: the same on both
    co_return;
}

void Engine::failOnThread(TaskFrame& task, const PlanStep& step) {
    if (drawFailure(task, step.probability)) {
        throw TaskFailure{kFailMessage};
    }
}

// --- Semaphores and locks ----------------------------------------------------------------------------------------

LoopAwaitable<void> Engine::acquireOnLoop(TaskFrame& task, const PlanStep& step) {
    co_await onLoop(m_asyncSemaphores, step).acquire(task.ref, step.line, task.control.get());
}

void Engine::acquireOnThread(TaskFrame& task, const PlanStep& step) {
    if (!onThread(m_blockingSemaphores, step).acquire(task.ref, step.line, step.durationNs)) {
        // lock.acquire(timeout=…) returned False: the step fails (a retry around it tries again), as code that
        // raises on it does.
        const std::uint32_t lock = m_plan.primitives[static_cast<std::size_t>(step.primitive)].nameId;
        m_context.marker(task.ref, MarkerKind::Timeout, lock, step.line);
        throw TaskFailure{fmt::format("TimeoutError: could not acquire '{}' within {} ms", m_plan.strings.at(lock),
                                      step.durationNs / 1'000'000)};
    }
}

LoopAwaitable<void> Engine::releaseOnLoop(TaskFrame& task, const PlanStep& step) {
    onLoop(m_asyncSemaphores, step).release(task.ref);
    co_return;
}

void Engine::releaseOnThread(TaskFrame& task, const PlanStep& step) {
    onThread(m_blockingSemaphores, step).release(task.ref);
}

// --- Queues ------------------------------------------------------------------------------------------------------

LoopAwaitable<void> Engine::putOnLoop(TaskFrame& task, const PlanStep& step) {
    co_await onLoop(m_asyncQueues, step).put(task.ref, step.line, task.control.get());
}

void Engine::putOnThread(TaskFrame& task, const PlanStep& step) {
    onThread(m_blockingQueues, step).put(task.ref, step.line);
}

LoopAwaitable<void> Engine::getOnLoop(TaskFrame& task, const PlanStep& step) {
    co_await onLoop(m_asyncQueues, step).get(task.ref, step.line, task.control.get());
}

void Engine::getOnThread(TaskFrame& task, const PlanStep& step) {
    onThread(m_blockingQueues, step).get(task.ref, step.line);
}

LoopAwaitable<void> Engine::taskDoneOnLoop(TaskFrame& task, const PlanStep& step) {
    onLoop(m_asyncQueues, step).taskDone(task.ref);
    co_return;
}

void Engine::taskDoneOnThread(TaskFrame& task, const PlanStep& step) {
    onThread(m_blockingQueues, step).taskDone(task.ref);
}

LoopAwaitable<void> Engine::closeOnLoop(TaskFrame& task, const PlanStep& step) {
    onLoop(m_asyncQueues, step).close(task.ref);
    co_return;
}

void Engine::closeOnThread(TaskFrame& task, const PlanStep& step) {
    onThread(m_blockingQueues, step).close(task.ref);
}

// `async for item in queue` / `for item in iter(queue.get, None)`: the body once per item, task_done after each,
// until the queue is closed and empty.
LoopAwaitable<void> Engine::consumeOnLoop(TaskFrame& task, const PlanStep& step) {
    AsyncQueue& queue = onLoop(m_asyncQueues, step);
    while (co_await queue.get(task.ref, step.line, task.control.get())) {
        co_await stepsAsync(task, step.body);
        queue.taskDone(task.ref);
    }
}

void Engine::consumeOnThread(TaskFrame& task, const PlanStep& step) {
    BlockingQueue& queue = onThread(m_blockingQueues, step);
    while (queue.get(task.ref, step.line)) {
        retakeGil(task.ref, step.line);
        stepsBlocking(task, step.body);
        queue.taskDone(task.ref);
    }
}

// --- Events ------------------------------------------------------------------------------------------------------

LoopAwaitable<void> Engine::waitOnLoop(TaskFrame& task, const PlanStep& step) {
    if (const auto& condition = m_asyncConditions.at(static_cast<std::size_t>(step.primitive))) {
        co_await condition->wait(task.ref, step.line, task.control.get(), subjectOf(step));
    } else {
        co_await onLoop(m_asyncEvents, step).wait(task.ref, step.line, task.control.get());
    }
}

void Engine::waitOnThread(TaskFrame& task, const PlanStep& step) {
    if (const auto& condition = m_blockingConditions.at(static_cast<std::size_t>(step.primitive))) {
        condition->wait(task.ref, step.line, subjectOf(step));
    } else {
        onThread(m_blockingEvents, step).wait(task.ref, step.line);
    }
}

LoopAwaitable<void> Engine::setOnLoop(TaskFrame& task, const PlanStep& step) {
    onLoop(m_asyncEvents, step).set(task.ref);
    co_return;
}

void Engine::setOnThread(TaskFrame& task, const PlanStep& step) {
    onThread(m_blockingEvents, step).set(task.ref);
}

// --- Conditions and buffers: a bounded buffer by hand -----------------------------------------------------------

std::uint32_t Engine::subjectOf(const PlanStep& step) const {
    // What a waiting lane is drawn waiting on: wait_for's test ("cond: buf full"), or the condition.
    return step.labelId != 0 ? step.labelId : m_plan.primitives[static_cast<std::size_t>(step.primitive)].nameId;
}

bool Engine::SharedBuffer::holds(BufferTest test) const {
    const std::int64_t now = size.load(std::memory_order_relaxed);
    return test == BufferTest::NotEmpty ? now > 0 : capacity == 0 || now < capacity;
}

Engine::SharedBuffer& Engine::bufferAt(std::int32_t index, OpKind kind) {
    const auto& buffer = m_buffers.at(static_cast<std::size_t>(index));
    if (!buffer) {
        throw TaskFailure{"step '" + std::string(toString(kind)) + "' needs a buffer"};
    }
    return *buffer;
}

LoopAwaitable<void> Engine::waitForOnLoop(TaskFrame& task, const PlanStep& step) {
    const SharedBuffer& buffer = bufferAt(step.untilBuffer, step.kind);
    co_await onLoop(m_asyncConditions, step)
        .waitFor(task.ref, step.line, task.control.get(), subjectOf(step),
                 [&buffer, &step] { return buffer.holds(step.until); });
}

void Engine::waitForOnThread(TaskFrame& task, const PlanStep& step) {
    const SharedBuffer& buffer = bufferAt(step.untilBuffer, step.kind);
    onThread(m_blockingConditions, step).waitFor(task.ref, step.line, subjectOf(step), [&buffer, &step] {
        return buffer.holds(step.until);
    });
}

LoopAwaitable<void> Engine::notifyOnLoop(TaskFrame& task, const PlanStep& step) {
    onLoop(m_asyncConditions, step).notify(task.ref, step.kind == OpKind::NotifyAll);
    co_return;
}

void Engine::notifyOnThread(TaskFrame& task, const PlanStep& step) {
    onThread(m_blockingConditions, step).notify(task.ref, step.kind == OpKind::NotifyAll);
}

LoopAwaitable<void> Engine::appendOnLoop(TaskFrame& task, const PlanStep& step) {
    appendOnThread(task, step); // nothing to wait for: the same on both
    co_return;
}

void Engine::appendOnThread(TaskFrame& task, const PlanStep& step) {
    SharedBuffer& buffer = bufferAt(step.primitive, step.kind);
    const std::int64_t size = buffer.size.fetch_add(1, std::memory_order_relaxed) + 1;
    m_context.counter(buffer.counters.level, size, task.ref.lane);
}

LoopAwaitable<void> Engine::popLeftOnLoop(TaskFrame& task, const PlanStep& step) {
    popLeftOnThread(task, step);
    co_return;
}

void Engine::popLeftOnThread(TaskFrame& task, const PlanStep& step) {
    SharedBuffer& buffer = bufferAt(step.primitive, step.kind);
    std::int64_t size = buffer.size.load(std::memory_order_relaxed);
    do {
        if (size == 0) {
            throw TaskFailure{"IndexError: pop from an empty deque"};
        }
    } while (!buffer.size.compare_exchange_weak(size, size - 1, std::memory_order_relaxed));
    const std::int64_t taken = buffer.taken.fetch_add(1, std::memory_order_relaxed) + 1;
    m_context.counter(buffer.counters.level, size - 1, task.ref.lane);
    m_context.counter(buffer.counters.taken, taken, task.ref.lane);
}

// --- Structure: bodies run in place ------------------------------------------------------------------------------

LoopAwaitable<void> Engine::repeatOnLoop(TaskFrame& task, const PlanStep& step) {
    co_await stepsAsync(task, step.body, step.count); // one coroutine frame for all the rounds
}

void Engine::repeatOnThread(TaskFrame& task, const PlanStep& step) {
    for (std::int64_t round = 0; round < step.count; ++round) {
        stepsBlocking(task, step.body);
    }
}

void Engine::shieldOnThread(TaskFrame& task, const PlanStep& step) {
    stepsBlocking(task, step.body); // nothing cancels a thread: the body runs as it would unshielded
}

// A cleanup step in a step list is handled there (the steps after it are its try block); reached on its own, it has
// nothing after it, and its body just runs.
LoopAwaitable<void> Engine::cleanupOnLoop(TaskFrame& task, const PlanStep& step) {
    co_await stepsAsync(task, step.body);
}

void Engine::cleanupOnThread(TaskFrame& task, const PlanStep& step) {
    stepsBlocking(task, step.body);
}

void Engine::timeoutOnThread(TaskFrame& /*task*/, const PlanStep& /*step*/) {
    // Refused when the plan is compiled (a thread cannot be cancelled); kept for a hand-built plan.
    throw TaskFailure{"timeout needs the event loop: a thread cannot be cancelled"};
}

// --- Shared variables: a race, for real ------------------------------------------------------------------------

Engine::SharedVariable& Engine::variableOf(const PlanStep& step) {
    const auto& variable = m_variables.at(static_cast<std::size_t>(step.primitive));
    if (!variable) {
        throw TaskFailure{"step '" + std::string(toString(step.kind)) + "' needs a shared variable"};
    }
    return *variable;
}

void Engine::storeVariable(const TaskFrame& task, SharedVariable& variable, std::int64_t value) {
    variable.value.store(value, std::memory_order_relaxed);
    const std::int64_t writes = variable.writes.fetch_add(1, std::memory_order_relaxed) + 1;
    m_context.counter(variable.counters.level, value, task.ref.lane);
    m_context.counter(variable.counters.writes, writes, task.ref.lane);
}

LoopAwaitable<void> Engine::readOnLoop(TaskFrame& task, const PlanStep& step) {
    readOnThread(task, step); // nothing to wait for: the same on both
    co_return;
}

void Engine::readOnThread(TaskFrame& task, const PlanStep& step) {
    task.readValue = variableOf(step).value.load(std::memory_order_relaxed);
}

LoopAwaitable<void> Engine::writeOnLoop(TaskFrame& task, const PlanStep& step) {
    writeOnThread(task, step);
    co_return;
}

void Engine::writeOnThread(TaskFrame& task, const PlanStep& step) {
    // counter = tmp + 1: whatever another task wrote since this one's read is overwritten.
    storeVariable(task, variableOf(step), task.readValue + 1);
}

LoopAwaitable<void> Engine::incrementOnLoop(TaskFrame& task, const PlanStep& step) {
    incrementOnThread(task, step);
    co_return;
}

void Engine::incrementOnThread(TaskFrame& task, const PlanStep& step) {
    // counter += 1: a load and a store with no switch point between them. Under a GIL nothing comes between; two
    // threads on two cores still can (free-threaded Python's `+=` is not atomic either).
    SharedVariable& variable = variableOf(step);
    storeVariable(task, variable, variable.value.load(std::memory_order_relaxed) + 1);
}

LoopAwaitable<void> Engine::yieldOnLoop(TaskFrame& task, const PlanStep& step) {
    // await asyncio.sleep(0): the task goes to the back of the ready queue, and the loop runs the others first.
    m_context.setState(task.ref, TaskState::Ready, 0, step.line);
    co_await sleepAsync(task, 0);
    runOnLoop(task.ref, step.line);
}

void Engine::yieldOnThread(TaskFrame& task, const PlanStep& step) {
    // time.sleep(0): the thread lets go of the GIL and sleeps as CPython's does, for the OS's shortest sleep; the
    // others take the GIL meanwhile (CPython 3.11 loses about three updates in four of L12 at this point). With no
    // GIL, the threads sleep side by side. It is ready, not waiting: the sleep is not the program's.
    m_context.setState(task.ref, TaskState::Ready, 0, step.line);
    if (m_gil) {
        m_gil->letGo(task.ref);
    }
    sleepZeroAsCpython();
    resumeAfterWait(task.ref, step.line, {});
}

// --- The table -----------------------------------------------------------------------------------------------------

const Engine::OpExecutor& Engine::executorOf(OpKind kind) {
    static constexpr std::array<OpExecutor, kOpKindCount> kExecutors = {{
        {OpKind::Io, &Engine::ioOnLoop, &Engine::ioOnThread},
        {OpKind::Block, &Engine::blockOnLoop, &Engine::blockOnThread},
        {OpKind::Cpu, &Engine::cpuOnLoop, &Engine::cpuOnThread},
        {OpKind::Acquire, &Engine::acquireOnLoop, &Engine::acquireOnThread},
        {OpKind::Release, &Engine::releaseOnLoop, &Engine::releaseOnThread},
        {OpKind::Put, &Engine::putOnLoop, &Engine::putOnThread},
        {OpKind::Get, &Engine::getOnLoop, &Engine::getOnThread},
        {OpKind::TaskDone, &Engine::taskDoneOnLoop, &Engine::taskDoneOnThread},
        {OpKind::Close, &Engine::closeOnLoop, &Engine::closeOnThread},
        {OpKind::Consume, &Engine::consumeOnLoop, &Engine::consumeOnThread},
        {OpKind::Wait, &Engine::waitOnLoop, &Engine::waitOnThread},
        {OpKind::Set, &Engine::setOnLoop, &Engine::setOnThread},
        {OpKind::Gather, &Engine::fanOutOnLoop, &Engine::fanOutOnThread},
        {OpKind::Group, &Engine::fanOutOnLoop, &Engine::fanOutOnThread},
        {OpKind::Spawn, &Engine::fanOutOnLoop, &Engine::fanOutOnThread},
        {OpKind::Offload, &Engine::offloadOnLoop, &Engine::offloadOnThread},
        {OpKind::Repeat, &Engine::repeatOnLoop, &Engine::repeatOnThread},
        {OpKind::Timeout, &Engine::timeoutOnLoop, &Engine::timeoutOnThread},
        {OpKind::Retry, &Engine::retryOnLoop, &Engine::retryOnThread},
        {OpKind::Shield, &Engine::shieldOnLoop, &Engine::shieldOnThread},
        {OpKind::Fail, &Engine::failOnLoop, &Engine::failOnThread},
        {OpKind::Cleanup, &Engine::cleanupOnLoop, &Engine::cleanupOnThread},
        {OpKind::Read, &Engine::readOnLoop, &Engine::readOnThread},
        {OpKind::Write, &Engine::writeOnLoop, &Engine::writeOnThread},
        {OpKind::Increment, &Engine::incrementOnLoop, &Engine::incrementOnThread},
        {OpKind::Yield, &Engine::yieldOnLoop, &Engine::yieldOnThread},
        {OpKind::WaitFor, &Engine::waitForOnLoop, &Engine::waitForOnThread},
        {OpKind::Notify, &Engine::notifyOnLoop, &Engine::notifyOnThread},
        {OpKind::NotifyAll, &Engine::notifyOnLoop, &Engine::notifyOnThread},
        {OpKind::Append, &Engine::appendOnLoop, &Engine::appendOnThread},
        {OpKind::PopLeft, &Engine::popLeftOnLoop, &Engine::popLeftOnThread},
    }};
    static_assert(rowsInKindOrder(kExecutors), "kExecutors: one row per OpKind, in OpKind order");
    return kExecutors[static_cast<std::size_t>(kind)];
}

} // namespace interleave::core
