// fork/exec with a parent-death signal: posix_spawn cannot set one.
#include "broker/child_process.h"

#include "runtime/stop_wait.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <fmt/format.h>
#include <fstream>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace interleave::core {

pid_t startOwnedChild(const std::vector<std::string>& argv, const std::filesystem::path& logFile, int passFd,
                      bool inBackground) {
    if (argv.empty()) {
        throw std::runtime_error("nothing to start");
    }
    // Everything the child needs is made before fork: after it, only async-signal-safe calls until exec.
    std::vector<char*> pointers;
    pointers.reserve(argv.size() + 1);
    for (const std::string& argument : argv) {
        pointers.push_back(const_cast<char*>(argument.c_str()));
    }
    pointers.push_back(nullptr);
    const std::string log = logFile.empty() ? std::string("/dev/null") : logFile.string();
    const int output = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (output < 0) {
        throw std::runtime_error(fmt::format("cannot open '{}': {}", log, std::strerror(errno)));
    }
    const pid_t parent = getpid();
    const unsigned long slack = ordinaryTimerSlackNs(); // the engine's threads lowered theirs; a program gets the usual
    const pid_t child = fork();
    if (child < 0) {
        const int error = errno;
        ::close(output);
        throw std::runtime_error(fmt::format("cannot start '{}': {}", argv.front(), std::strerror(error)));
    }
    if (child == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) { // the parent died before the line above
            _exit(127);
        }
        ::setpgid(0, 0);
        ::prctl(PR_SET_TIMERSLACK, slack, 0UL, 0UL, 0UL);
        if (inBackground) {
            runInBackground();
        }
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::signal(SIGPIPE, SIG_DFL);
        const int input = ::open("/dev/null", O_RDONLY);
        ::dup2(input, STDIN_FILENO);
        ::dup2(output, STDOUT_FILENO);
        ::dup2(output, STDERR_FILENO);
        unsigned firstClosed = 3;
        if (passFd >= 0) {
            if (passFd == 3) {
                ::fcntl(3, F_SETFD, 0); // keep it across exec
            } else {
                ::dup2(passFd, 3); // dup2 leaves the copy open across exec
            }
            firstClosed = 4;
        }
        // Nothing else of ours stays open in it (a worker's pipe, the app's sockets).
        ::syscall(SYS_close_range, firstClosed, ~0U, 0U);
        ::execve(pointers.front(), pointers.data(), environ);
        _exit(127);
    }
    ::close(output);
    return child;
}

std::optional<int> reapIfEnded(pid_t pid) {
    int status = 0;
    pid_t result = 0;
    do {
        result = ::waitpid(pid, &status, WNOHANG);
    } while (result < 0 && errno == EINTR);
    if (result == pid) {
        return status;
    }
    if (result < 0) {
        return 0; // not ours any more (already reaped)
    }
    return std::nullopt;
}

int stopAndReap(pid_t pid, std::chrono::milliseconds grace) {
    ::kill(pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (std::chrono::steady_clock::now() < deadline) {
        if (const auto status = reapIfEnded(pid)) {
            return *status;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

std::string describeWaitStatus(int status) {
    if (WIFSIGNALED(status)) {
        return fmt::format("was killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
    }
    if (WIFEXITED(status)) {
        return fmt::format("exited with code {}", WEXITSTATUS(status));
    }
    return "ended";
}

std::string tailOfFile(const std::filesystem::path& file, std::size_t lines) {
    std::ifstream in(file);
    std::deque<std::string> kept;
    std::size_t trailingEmpty = 0;
    for (std::string line; std::getline(in, line);) {
        trailingEmpty = line.empty() ? trailingEmpty + 1 : 0;
        kept.push_back(std::move(line));
        if (kept.size() > lines + trailingEmpty) {
            kept.pop_front();
        }
    }
    kept.resize(kept.size() - std::min(trailingEmpty, kept.size()));
    std::string text;
    for (const std::string& line : kept) {
        text += (text.empty() ? "" : "\n") + line;
    }
    return text;
}

std::optional<std::filesystem::path> findExecutable(const std::string& name) {
    std::vector<std::filesystem::path> folders;
    if (const char* path = std::getenv("PATH"); path != nullptr) {
        std::string_view rest = path;
        while (!rest.empty()) {
            const auto colon = rest.find(':');
            const std::string_view folder = rest.substr(0, colon);
            if (!folder.empty()) {
                folders.emplace_back(folder);
            }
            rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
        }
    }
    folders.emplace_back("/usr/sbin");
    folders.emplace_back("/usr/bin");
    for (const auto& folder : folders) {
        const auto candidate = folder / name;
        if (::access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
    }
    return std::nullopt;
}

} // namespace interleave::core
