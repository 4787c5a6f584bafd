// The body of interleave-worker: runs jobs from stdin, streams events and results to stdout.
#include "runtime/worker_process.h"

#include "runtime/cpu_burner.h"
#include "runtime/pipe_io.h"
#include "runtime/seeded_failure.h"
#include "runtime/stop_wait.h"
#include "runtime/worker_protocol.h"
#include "trace/clock.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <ctime>
#include <sched.h>
#include <string>
#include <string_view>
#include <sys/prctl.h>
#include <unistd.h>

namespace interleave::core {

namespace {

// A cpu step computes in slices of about this much, reading the thread's CPU clock after each (CpuBurner).
constexpr std::int64_t kCpuSliceNs = 50'000;

void sleepFor(std::int64_t durationNs) {
    timespec deadline{};
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    const std::int64_t target =
        static_cast<std::int64_t>(deadline.tv_sec) * 1'000'000'000 + deadline.tv_nsec + durationNs;
    deadline.tv_sec = static_cast<time_t>(target / 1'000'000'000);
    deadline.tv_nsec = static_cast<long>(target % 1'000'000'000);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nullptr) == EINTR) {
    }
}

// What a worker tells the engine: its events, sent in batches so that the live timeline follows the job without a
// write per step (a batch every few milliseconds, and the rest with the job's answer in one write).
class WorkerOutput {
public:
    explicit WorkerOutput(const WorkerSettings& settings) : m_settings(settings) {}

    std::int64_t now() const { return monotonicNs() - m_settings.runStartNs; }
    void push(std::int64_t timeNs, std::uint32_t task, EventKind kind, TaskState state, std::uint32_t subject,
              std::int32_t value) {
        m_events.push_back(
            Event{timeNs, task, m_settings.lane, kind, static_cast<std::uint8_t>(state), subject, value});
    }
    void flushIfDue() {
        if (!m_events.empty() && now() - m_lastFlushNs >= kFlushEveryNs) {
            writeAll(STDOUT_FILENO, encodeEvents(m_events));
            m_events.clear();
            m_lastFlushNs = now();
        }
    }
    // The events left, then `done`, in one write. False when the engine has gone.
    bool answer(const WorkerJobDone& done) {
        std::string frames = m_events.empty() ? std::string() : encodeEvents(m_events);
        frames += encodeJobDone(done);
        m_events.clear();
        m_lastFlushNs = now();
        return writeAll(STDOUT_FILENO, frames);
    }

private:
    static constexpr std::int64_t kFlushEveryNs = 5'000'000;
    const WorkerSettings& m_settings;
    std::vector<Event> m_events;
    std::int64_t m_lastFlushNs = 0;
};

// Runs one task's steps, recording its states as the engine would in a thread.
class JobRunner {
public:
    JobRunner(const WorkerSettings& settings, std::uint32_t task, WorkerOutput& output)
        : m_output(output), m_task(task), m_random(taskRandomState(settings.seed, task)) {}

    void run(const std::vector<PlanStep>& steps) {
        for (const PlanStep& step : steps) {
            runStep(step);
            m_output.flushIfDue();
        }
    }

private:
    void state(TaskState state, std::uint32_t subject, std::int32_t line) {
        m_output.push(m_output.now(), m_task, EventKind::TaskState, state, subject, line);
    }

    void runStep(const PlanStep& step) {
        const StepRunner runner = kStepRunners[static_cast<std::size_t>(step.kind)].run;
        if (runner == nullptr) {
            throw TaskFailureInWorker{"this step cannot run in a worker process"}; // refused before it is sent
        }
        (this->*runner)(step);
    }

    // The ops a worker process runs, as a thread of the engine runs them (engine_ops.cpp): the op table's
    // `inWorker` rows, and only those (a test checks both ways).
    void io(const PlanStep& step) {
        state(TaskState::WaitingIo, step.labelId, step.line);
        sleepFor(step.durationNs);
        state(TaskState::Running, 0, step.line);
    }
    void block(const PlanStep& step) {
        state(TaskState::Blocked, step.labelId, step.line);
        sleepFor(step.durationNs);
        state(TaskState::Running, 0, step.line);
    }
    void cpu(const PlanStep& step) {
        state(TaskState::Running, step.labelId, step.line);
        CpuBurner::burnCpuTime(step.durationNs, kCpuSliceNs, [] {});
    }
    void repeat(const PlanStep& step) {
        for (std::int64_t round = 0; round < step.count; ++round) {
            for (const PlanStep& inner : step.body) {
                runStep(inner);
            }
        }
    }
    void fail(const PlanStep& step) {
        if (drawFailure(m_random, step.probability)) {
            throw TaskFailureInWorker{kFailMessage}; // as in the engine, from the same stream
        }
    }

    using StepRunner = void (JobRunner::*)(const PlanStep&);
    struct StepRow {
        OpKind kind;
        StepRunner run; // nullptr: not run in a worker
    };
    static constexpr std::array<StepRow, kOpKindCount> kStepRunners = {{
        {OpKind::Io, &JobRunner::io},
        {OpKind::Block, &JobRunner::block},
        {OpKind::Cpu, &JobRunner::cpu},
        {OpKind::Acquire, nullptr},
        {OpKind::Release, nullptr},
        {OpKind::Put, nullptr},
        {OpKind::Get, nullptr},
        {OpKind::TaskDone, nullptr},
        {OpKind::Close, nullptr},
        {OpKind::Consume, nullptr},
        {OpKind::Wait, nullptr},
        {OpKind::Set, nullptr},
        {OpKind::Gather, nullptr},
        {OpKind::Group, nullptr},
        {OpKind::Spawn, nullptr},
        {OpKind::Offload, nullptr},
        {OpKind::Repeat, &JobRunner::repeat},
        {OpKind::Timeout, nullptr},
        {OpKind::Retry, nullptr},
        {OpKind::Shield, nullptr},
        {OpKind::Fail, &JobRunner::fail},
        {OpKind::Cleanup, nullptr},
        {OpKind::Read, nullptr},
        {OpKind::Write, nullptr},
        {OpKind::Increment, nullptr},
        {OpKind::Yield, nullptr},
        {OpKind::WaitFor, nullptr},
        {OpKind::Notify, nullptr},
        {OpKind::NotifyAll, nullptr},
        {OpKind::Append, nullptr},
        {OpKind::PopLeft, nullptr},
    }};
    static_assert(rowsInKindOrder(kStepRunners), "kStepRunners: one row per OpKind, in OpKind order");

public:
    static bool runs(OpKind kind) { return kStepRunners[static_cast<std::size_t>(kind)].run != nullptr; }
    struct TaskFailureInWorker {
        std::string message;
    };

private:
    WorkerOutput& m_output;
    std::uint32_t m_task;
    std::uint64_t m_random; // the task's fail(p) stream (seeded_failure.h)
};

// Draws on the worker's lane why it waited for this job since its last one ended: with nothing queued it was idle;
// once the engine had queued the job, the wait was messaging (the answer read, the next job written and read).
void recordWaitForJob(WorkerOutput& output, const WorkerSettings& settings, const WorkerJob& job,
                      std::int64_t lastJobEndNs, std::int64_t receivedNs) {
    if (lastJobEndNs < 0 || settings.messagingName == 0) {
        return;
    }
    const std::int64_t messagingFrom = std::clamp(job.queuedNs, lastJobEndNs, receivedNs);
    if (messagingFrom > lastJobEndNs) {
        output.push(lastJobEndNs, 0, EventKind::LaneState, TaskState::Idle, 0, 0);
    }
    output.push(messagingFrom, 0, EventKind::LaneState, TaskState::Idle, settings.messagingName, 0);
    output.push(receivedNs, 0, EventKind::LaneState, TaskState::Done, 0, 0);
}

template <typename T> bool parseNumber(std::string_view text, T& value) {
    const auto* end = text.data() + text.size();
    auto [ptr, error] = std::from_chars(text.data(), end, value);
    return error == std::errc() && ptr == end;
}

} // namespace

bool workerRuns(OpKind kind) {
    return JobRunner::runs(kind);
}

bool parseWorkerArguments(int argc, const char* const* argv, WorkerSettings& settings) {
    int seen = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view key = argv[i];
        const std::string_view value = argv[i + 1];
        bool ok = false;
        if (key == "--parent") {
            ok = parseNumber(value, settings.parentPid);
        } else if (key == "--lane") {
            ok = parseNumber(value, settings.lane);
        } else if (key == "--run-start") {
            ok = parseNumber(value, settings.runStartNs);
        } else if (key == "--cpu-rate") {
            ok = parseNumber(value, settings.cpuIterationsPerMs);
        } else if (key == "--seed") {
            ok = parseNumber(value, settings.seed);
        } else if (key == "--messaging") {
            ok = parseNumber(value, settings.messagingName);
            --seen; // optional
        } else if (key == "--background") {
            int flag = -1;
            ok = parseNumber(value, flag) && (flag == 0 || flag == 1);
            settings.background = flag == 1;
            --seen; // optional
        }
        if (!ok) {
            return false;
        }
        ++seen;
    }
    return seen == 5 && (argc - 1) % 2 == 0;
}

int runWorker(const WorkerSettings& settings) {
    // Die with the engine, whatever happens to it; then make sure it did not die before we got here.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (static_cast<std::int64_t>(getppid()) != settings.parentPid) {
        return 1;
    }
    std::signal(SIGPIPE, SIG_IGN);
    // Workers are CPU-bound by nature: as batch tasks they never delay the engine's loop when the cores are
    // oversubscribed (L7 runs 4 workers on 2 cores), while their throughput stays the same. In the background class
    // (the desktop app's) they yield to the engine's loop, and to the window, at once.
    if (settings.background) {
        runInBackground();
    } else {
        const sched_param batch{};
        sched_setscheduler(0, SCHED_BATCH, &batch);
    }
    tightenTimerSlack();
    CpuBurner::setIterationsPerMs(settings.cpuIterationsPerMs);
    if (!writeAll(STDOUT_FILENO, encodeReady(getpid()))) {
        return 1;
    }
    std::string payload;
    WorkerOutput output(settings);
    std::int64_t lastJobEndNs = -1;
    for (;;) {
        unsigned char header[kFrameHeaderSize];
        if (!readExactly(STDIN_FILENO, header, sizeof(header))) {
            return 0; // the engine closed the pipe: the pool is shutting down
        }
        const FrameHeader frame = decodeFrameHeader(header);
        payload.resize(frame.size);
        if (!readExactly(STDIN_FILENO, payload.data(), payload.size())) {
            return 1;
        }
        if (frame.type != WorkerMessage::Job) {
            return 2;
        }
        const WorkerJob job = decodeJob(payload);
        recordWaitForJob(output, settings, job, lastJobEndNs, output.now());
        WorkerJobDone done{job.jobId, true, 0, {}};
        for (std::size_t item = 0; item < job.tasks.size() && done.ok; ++item) {
            JobRunner runner(settings, job.tasks[item], output);
            try {
                runner.run(job.steps);
            } catch (const JobRunner::TaskFailureInWorker& failure) {
                done.ok = false;
                done.failedItem = static_cast<std::uint32_t>(item);
                done.error = failure.message;
            }
        }
        lastJobEndNs = output.now();
        if (!output.answer(done)) {
            return 1;
        }
    }
}

} // namespace interleave::core
