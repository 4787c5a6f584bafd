// python3 interleave_trace.py --fd 3 -- SCRIPT ARGS..., read on the engine thread.
#include "python/python_run.h"

#include "broker/child_process.h"
#include "scenario/lesson_loader.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <fstream>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace interleave::core {

namespace {

struct Pipe {
    int read = -1;
    int write = -1;
    Pipe() {
        int ends[2];
        if (::pipe2(ends, O_CLOEXEC) != 0) {
            throw std::runtime_error(fmt::format("cannot make a pipe: {}", std::strerror(errno)));
        }
        read = ends[0];
        write = ends[1];
    }
    ~Pipe() {
        closeWrite();
        if (read >= 0) {
            ::close(read);
        }
    }
    Pipe(const Pipe&) = delete;
    Pipe& operator=(const Pipe&) = delete;
    void closeWrite() {
        if (write >= 0) {
            ::close(write);
            write = -1;
        }
    }
};

// How long the pipe is read after the program's own process has exited: its workers' last records come then.
constexpr std::int64_t kAfterExitNs = 500'000'000;

} // namespace

std::filesystem::path locatePythonTracer() {
    if (const char* configured = std::getenv("INTERLEAVE_PYTHON_TRACER"); configured != nullptr && *configured) {
        return configured;
    }
    return builtinLessonDirectory().parent_path() / "python" / "interleave_trace.py";
}

PythonRun::PythonRun(EngineContext& context, TraceGrowth& growth) : m_context(context), m_growth(growth) {}

void PythonRun::run() {
    const PythonProgram& program = m_context.plan.python;
    PythonTraceReader reader(m_context, m_growth);
    pid_t child = -1;
    bool reaped = false;
    int status = 0;
    try {
        const auto interpreter = findExecutable(program.interpreter);
        if (!interpreter) {
            throw std::runtime_error(fmt::format("{} is not installed: install it with 'sudo apt install python3' "
                                                 "(scripts/install-deps does)",
                                                 program.interpreter));
        }
        const std::filesystem::path tracer = locatePythonTracer();
        if (!std::filesystem::exists(tracer)) {
            throw std::runtime_error(fmt::format("the CPython tracer is missing: no {}", tracer.string()));
        }
        std::vector<std::string> argv{interpreter->string(),  "-u", tracer.string(), "--fd", "3", "--",
                                      program.script.string()};
        argv.insert(argv.end(), program.arguments.begin(), program.arguments.end());
        if (!program.outputFile.empty()) {
            std::ofstream(program.outputFile, std::ios::trunc); // this run's output only
        }
        Pipe events;
        // In the app the program is the lesson's work as the engine's pools are: both yield to the window alike.
        child = startOwnedChild(argv,
                                program.outputFile.empty() ? std::filesystem::path("/dev/stderr") : program.outputFile,
                                events.write, m_context.plan.options.backgroundPools);
        events.closeWrite();
        const std::int64_t startedNs = m_context.recorder.nowNs();
        std::vector<char> buffer(1 << 16);
        bool open = true;
        std::int64_t exitedNs = -1; // when the program's own process was seen gone
        while (open) {
            if (m_context.stopRequested()) {
                break;
            }
            if (exitedNs < 0) {
                const pid_t gone = ::waitpid(child, &status, WNOHANG);
                if (gone == child) {
                    reaped = true;
                    exitedNs = m_context.recorder.nowNs();
                }
            } else if (m_context.recorder.nowNs() - exitedNs > kAfterExitNs) {
                // A process it forked holds the pipe open and lives on: the program is over (as in a terminal,
                // whose prompt comes back); what is left of its process group is stopped below.
                break;
            }
            if (program.timeLimitNs > 0 && m_context.recorder.nowNs() - startedNs > program.timeLimitNs) {
                ::kill(-child, SIGKILL);
                throw std::runtime_error(fmt::format("stopped: the program ran past its time limit of {} s",
                                                     program.timeLimitNs / 1'000'000'000));
            }
            pollfd ready{events.read, POLLIN, 0};
            const int polled = ::poll(&ready, 1, 20);
            if (polled < 0 && errno != EINTR) {
                throw std::runtime_error(fmt::format("cannot read the tracer's pipe: {}", std::strerror(errno)));
            }
            if (polled <= 0) {
                continue;
            }
            const ssize_t got = ::read(events.read, buffer.data(), buffer.size());
            if (got < 0) {
                if (errno == EINTR || errno == EAGAIN) {
                    continue;
                }
                throw std::runtime_error(fmt::format("cannot read the tracer's pipe: {}", std::strerror(errno)));
            }
            if (got == 0) {
                open = false; // every writer (the program and its worker processes) is gone
                break;
            }
            reader.feed(std::string_view(buffer.data(), static_cast<std::size_t>(got)));
        }
        if (open) {
            ::kill(-child, SIGKILL); // stopped, or over: the program and every process it started
        }
        while (!reaped && ::waitpid(child, &status, 0) < 0 && errno == EINTR) {
        }
        reaped = true;
        // Its worker processes are in its process group: none outlives it.
        ::kill(-child, SIGKILL);
        if (!m_context.stopRequested()) {
            if (!reader.ended()) {
                // Killed, crashed, or its end never written: the program closed or reused the tracer's fd 3.
                throw std::runtime_error(fmt::format(
                    "{} {} before the tracer could write the program's end (did the program close or reuse file "
                    "descriptor 3?){}",
                    program.interpreter, describeWaitStatus(status),
                    program.outputFile.empty() ? std::string() : ":\n" + tailOfFile(program.outputFile, 20)));
            }
            if (reader.exitStatus() != 0) {
                const std::string& failure = reader.failure();
                if (failure.empty() || failure.starts_with("os._exit")) {
                    throw std::runtime_error(fmt::format("the program exited with status {}", reader.exitStatus()));
                }
                // Its traceback, from its output, when that went to a file.
                const std::string traceback =
                    program.outputFile.empty() ? std::string() : tailOfFile(program.outputFile, 30);
                throw std::runtime_error(traceback.find(failure) != std::string::npos
                                             ? "the program raised:\n" + traceback
                                             : "the program raised " + failure);
            }
        }
    } catch (const std::exception& problem) {
        if (child > 0 && !reaped) {
            ::kill(-child, SIGKILL);
            while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
            }
        }
        m_context.failRun(problem.what(), 0);
    }
    m_endNs = std::max(reader.lastNs(), m_context.recorder.nowNs() > 0 ? reader.lastNs() : 0);
    if (m_endNs == 0) {
        m_endNs = m_context.recorder.nowNs();
    }
}

} // namespace interleave::core
