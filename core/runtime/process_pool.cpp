// A pool of real interleave-worker processes started with posix_spawn.
#include "runtime/process_pool.h"

#include "runtime/cpu_burner.h"
#include "runtime/pipe_io.h"

#include <asio/read.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>

extern char** environ;

namespace interleave::core {

std::filesystem::path locateWorkerExecutable(const std::filesystem::path& configured) {
    if (!configured.empty()) {
        return configured;
    }
    if (const char* fromEnvironment = std::getenv("INTERLEAVE_WORKER"); fromEnvironment && *fromEnvironment) {
        return fromEnvironment;
    }
    std::error_code error;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
    if (!error) {
        for (const auto& candidate : {self.parent_path() / "interleave-worker",
                                      self.parent_path().parent_path() / "app" / "interleave-worker"}) {
            if (std::filesystem::exists(candidate)) {
                return candidate;
            }
        }
    }
    return "interleave-worker";
}

ProcessPool::ProcessPool(EngineContext& context, asio::io_context& io, std::vector<std::uint16_t> lanes,
                         std::filesystem::path workerExecutable)
    : m_context(context), m_io(io), m_executable(std::move(workerExecutable)) {
    for (std::size_t i = 0; i < lanes.size(); ++i) {
        auto worker = std::make_unique<Worker>();
        worker->index = static_cast<int>(i) + 1;
        worker->lane = lanes[i];
        m_workers.push_back(std::move(worker));
    }
}

ProcessPool::~ProcessPool() {
    killAndReap();
}

void ProcessPool::start() {
    if (::access(m_executable.c_str(), X_OK) != 0) {
        throw std::runtime_error(
            fmt::format("cannot start the process pool: no worker executable at '{}'", m_executable.string()));
    }
    for (auto& worker : m_workers) {
        spawn(*worker);
        readHeader(*worker);
    }
}

namespace {

// A file descriptor closed when it goes out of scope, unless released.
struct OwnedFd {
    int fd = -1;
    OwnedFd() = default;
    OwnedFd(const OwnedFd&) = delete;
    OwnedFd& operator=(const OwnedFd&) = delete;
    ~OwnedFd() {
        if (fd >= 0) {
            ::close(fd);
        }
    }
    int release() { return std::exchange(fd, -1); }
};

// posix_spawn's file actions and attributes, initialised and destroyed in step.
struct SpawnSetup {
    posix_spawn_file_actions_t actions{};
    posix_spawnattr_t attributes{};
    bool hasActions = false;
    bool hasAttributes = false;
    SpawnSetup() = default;
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;
    ~SpawnSetup() {
        if (hasActions) {
            posix_spawn_file_actions_destroy(&actions);
        }
        if (hasAttributes) {
            posix_spawnattr_destroy(&attributes);
        }
    }
};

} // namespace

void ProcessPool::spawn(Worker& worker) {
    // Every call below returns an error number rather than setting errno; any failure stops the pool's start with
    // the reason, and nothing is left open.
    auto check = [&worker](int result, const char* what) {
        if (result != 0) {
            throw std::runtime_error(
                fmt::format("cannot start worker {}: {}: {}", worker.index, what, std::strerror(result)));
        }
    };
    OwnedFd toChild[2];
    OwnedFd fromChild[2];
    int ends[2];
    check(pipe2(ends, O_CLOEXEC) != 0 ? errno : 0, "pipe");
    toChild[0].fd = ends[0];
    toChild[1].fd = ends[1];
    check(pipe2(ends, O_CLOEXEC) != 0 ? errno : 0, "pipe");
    fromChild[0].fd = ends[0];
    fromChild[1].fd = ends[1];

    SpawnSetup setup;
    check(posix_spawn_file_actions_init(&setup.actions), "posix_spawn_file_actions_init");
    setup.hasActions = true;
    check(posix_spawn_file_actions_adddup2(&setup.actions, toChild[0].fd, STDIN_FILENO), "dup2 of its input");
    check(posix_spawn_file_actions_adddup2(&setup.actions, fromChild[1].fd, STDOUT_FILENO), "dup2 of its output");
    check(posix_spawnattr_init(&setup.attributes), "posix_spawnattr_init");
    setup.hasAttributes = true;
    sigset_t noSignals;
    sigemptyset(&noSignals);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    check(posix_spawnattr_setsigmask(&setup.attributes, &noSignals), "posix_spawnattr_setsigmask");
    check(posix_spawnattr_setsigdefault(&setup.attributes, &defaults), "posix_spawnattr_setsigdefault");
    // Own process group: a Ctrl-C at the terminal goes to the engine, which then stops the workers itself.
    check(posix_spawnattr_setpgroup(&setup.attributes, 0), "posix_spawnattr_setpgroup");
    check(posix_spawnattr_setflags(&setup.attributes,
                                   POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP),
          "posix_spawnattr_setflags");

    const std::string parent = std::to_string(getpid());
    const std::string lane = std::to_string(worker.lane);
    const std::string runStart = std::to_string(m_context.recorder.runStartNs());
    const std::string cpuRate = fmt::format("{:.3f}", CpuBurner::iterationsPerMs());
    const std::string seed = std::to_string(m_context.plan.options.seed);
    const std::string program = m_executable.string();
    // glibc's posix_spawn sets no SCHED_IDLE: a background worker puts itself there (RunOptions::backgroundPools).
    const char* background = m_context.plan.options.backgroundPools ? "1" : "0";
    const std::string messaging = std::to_string(m_context.names.messaging);
    const char* argv[] = {program.c_str(),  "--parent",    parent.c_str(),    "--lane", lane.c_str(), "--run-start",
                          runStart.c_str(), "--cpu-rate",  cpuRate.c_str(),   "--seed", seed.c_str(), "--background",
                          background,       "--messaging", messaging.c_str(), nullptr};
    m_context.laneState(worker.lane, TaskState::Starting, m_context.names.workerStart, 0);
    const int result =
        posix_spawn(&worker.pid, program.c_str(), &setup.actions, &setup.attributes, const_cast<char**>(argv), environ);
    if (result != 0) {
        worker.pid = -1;
        throw std::runtime_error(
            fmt::format("cannot start worker {} ('{}'): {}", worker.index, program, std::strerror(result)));
    }
    // The child has its ends; the parent keeps the others.
    worker.input = toChild[1].release();
    worker.output = std::make_unique<asio::posix::stream_descriptor>(m_io, fromChild[0].release());
}

void ProcessPool::readHeader(Worker& worker) {
    asio::async_read(*worker.output, asio::buffer(worker.header), [this, &worker](std::error_code error, std::size_t) {
        if (error) {
            onPipeClosed(worker);
            return;
        }
        FrameHeader frame;
        try {
            frame = decodeFrameHeader(worker.header.data());
        } catch (const std::exception& problem) {
            m_context.failRun(
                fmt::format("broken process pool: worker {} sent a bad message ({})", worker.index, problem.what()),
                worker.lane);
            return;
        }
        worker.payload.resize(frame.size);
        readPayload(worker, frame.type);
    });
}

void ProcessPool::readPayload(Worker& worker, WorkerMessage type) {
    asio::async_read(*worker.output, asio::buffer(worker.payload),
                     [this, &worker, type](std::error_code error, std::size_t) {
                         if (error) {
                             onPipeClosed(worker);
                             return;
                         }
                         handleMessage(worker, type);
                         readHeader(worker);
                     });
}

void ProcessPool::handleMessage(Worker& worker, WorkerMessage type) {
    switch (type) {
    case WorkerMessage::Ready:
        worker.ready = true;
        m_context.laneState(worker.lane, TaskState::Done, m_context.names.workerStart,
                            static_cast<std::int32_t>(decodeReady(worker.payload)));
        dispatch();
        break;
    case WorkerMessage::Events: {
        const std::vector<Event> events = decodeEvents(worker.payload);
        m_context.recorder.appendForeign(events);
        break;
    }
    case WorkerMessage::JobDone: {
        const WorkerJobDone done = decodeJobDone(worker.payload);
        worker.busy = false;
        auto completion = m_running.extract(done.jobId);
        dispatch();
        if (!completion.empty()) {
            completion.mapped()(done, worker.lane);
        }
        break;
    }
    case WorkerMessage::Job:
        break; // never sent by a worker
    }
}

void ProcessPool::submit(WorkerJob job, Completion done) {
    if (m_broken) {
        done(WorkerJobDone{job.jobId, false, 0, "the process pool is broken"}, 0);
        return;
    }
    job.queuedNs = m_context.recorder.nowNs();
    m_pending.emplace_back(std::move(job), std::move(done));
    dispatch();
}

void ProcessPool::dispatch() {
    for (auto& worker : m_workers) {
        if (m_pending.empty()) {
            break;
        }
        if (!worker->ready || worker->busy || worker->input < 0) {
            continue;
        }
        auto [job, done] = std::move(m_pending.front());
        m_pending.pop_front();
        worker->busy = true;
        worker->currentJob = job.jobId;
        worker->currentTask = job.tasks.front();
        m_running.emplace(job.jobId, std::move(done));
        payForMessage();
        if (!writeAll(worker->input, encodeJob(job))) {
            // The worker is gone; its closed pipe reports it as a broken pool.
            continue;
        }
    }
    if (m_shuttingDown && m_pending.empty()) {
        closeInputs();
    }
}

void ProcessPool::payForMessage() {
    // CPython's cost of a message (the lesson's message_cpu_ms), paid as real CPU on this thread, one message after
    // another, as the executor's helper threads do under the GIL; a stop cuts it short.
    struct Stopped {};
    if (m_context.plan.messageCpuNs <= 0) {
        return;
    }
    try {
        CpuBurner::burnCpuTime(m_context.plan.messageCpuNs, kMessageSliceNs, [this] {
            if (m_context.stopRequested()) {
                throw Stopped{};
            }
        });
    } catch (const Stopped&) {
        return;
    }
}

void ProcessPool::shutdown() {
    m_shuttingDown = true;
    if (m_pending.empty()) {
        closeInputs();
    }
}

void ProcessPool::closeInputs() {
    for (auto& worker : m_workers) {
        if (worker->input >= 0 && !worker->busy) {
            ::close(worker->input);
            worker->input = -1;
        }
    }
}

std::string ProcessPool::describeExit(Worker& worker, int status) const {
    if (WIFSIGNALED(status)) {
        const int signal = WTERMSIG(status);
        return fmt::format("was killed by signal {} ({})", signal, strsignal(signal));
    }
    if (WIFEXITED(status)) {
        return fmt::format("exited with status {}", WEXITSTATUS(status));
    }
    return fmt::format("closed its pipe (pid {})", worker.pid);
}

void ProcessPool::onPipeClosed(Worker& worker) {
    if (worker.reaped || worker.pid < 0 || worker.reapTimer) {
        return;
    }
    if (worker.input >= 0) {
        ::close(worker.input);
        worker.input = -1;
    }
    reap(worker, m_shuttingDown && !worker.busy, 0);
}

void ProcessPool::reap(Worker& worker, bool expected, int attempt) {
    // A child whose pipe just closed may take a moment to become reapable: look again every millisecond on the loop's
    // timer (never sleeping on the loop thread), and after 50 ms kill it.
    int status = 0;
    const pid_t result = waitpid(worker.pid, &status, WNOHANG);
    if (result == 0 && attempt < kReapAttempts) {
        if (!worker.reapTimer) {
            worker.reapTimer = std::make_unique<asio::steady_timer>(m_io);
        }
        worker.reapTimer->expires_after(std::chrono::milliseconds(1));
        worker.reapTimer->async_wait([this, &worker, expected, attempt](std::error_code error) {
            if (!error && !worker.reaped) {
                reap(worker, expected, attempt + 1);
            }
        });
        return;
    }
    if (result == 0) {
        kill(worker.pid, SIGKILL);
        while (waitpid(worker.pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    worker.reaped = true;
    if (expected || m_context.stopRequested()) {
        return;
    }
    m_broken = true;
    const std::string message = fmt::format(
        "broken process pool: worker {} (pid {}) {}{}", worker.index, worker.pid, describeExit(worker, status),
        worker.busy ? fmt::format(" while running task {}", worker.currentTask) : std::string(" while idle"));
    m_context.failRun(message, worker.lane);
    // Everything queued or running fails the same way, as CPython's BrokenProcessPool does.
    auto running = std::move(m_running);
    auto pending = std::move(m_pending);
    for (auto& [jobId, done] : running) {
        done(WorkerJobDone{jobId, false, 0, message}, worker.lane);
    }
    for (auto& [job, done] : pending) {
        done(WorkerJobDone{job.jobId, false, 0, message}, worker.lane);
    }
}

void ProcessPool::killAndReap() {
    for (auto& worker : m_workers) {
        if (worker->input >= 0) {
            ::close(worker->input);
            worker->input = -1;
        }
        if (worker->reapTimer) {
            worker->reapTimer->cancel();
        }
        if (worker->pid > 0 && !worker->reaped) {
            kill(worker->pid, SIGKILL);
            int status = 0;
            while (waitpid(worker->pid, &status, 0) < 0 && errno == EINTR) {
            }
            worker->reaped = true;
        }
    }
}

std::vector<std::int64_t> ProcessPool::processIds() const {
    std::vector<std::int64_t> ids;
    for (const auto& worker : m_workers) {
        ids.push_back(worker->pid);
    }
    return ids;
}

} // namespace interleave::core
