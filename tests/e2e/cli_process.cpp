// Child-process plumbing for the CLI end-to-end tests: spawn, drain both pipes with poll(), signal, reap.
#include "cli_process.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <poll.h>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace interleave::e2e {

namespace {

using Clock = std::chrono::steady_clock;

struct Pipe {
    int read = -1;
    int write = -1;
};

Pipe makePipe() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe2 failed");
    }
    return {fds[0], fds[1]};
}

std::chrono::milliseconds since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

// One child of `pid` (e.g. a worker process), from /proc/<pid>/task/<tid>/children; 0 when it has none.
int firstChildOf(pid_t pid) {
    std::error_code error;
    for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", error)) {
        std::ifstream children(task.path() / "children");
        int child = 0;
        if (children >> child && child > 0) {
            return child;
        }
    }
    return 0;
}

int exitCodeOf(int status) {
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

} // namespace

CliResult runCli(const std::vector<std::string>& args, const CliOptions& options) {
    Pipe out = makePipe();
    Pipe err = makePipe();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out.write, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err.write, STDERR_FILENO);

    // The child must see SIGINT with its default disposition even if this test runner ignores it.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    sigset_t noMask;
    sigemptyset(&noMask);
    posix_spawnattr_setsigmask(&attributes, &noMask);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

    std::vector<std::string> argvStrings = {INTERLEAVE_CLI_PATH};
    argvStrings.insert(argvStrings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    argv.reserve(argvStrings.size() + 1);
    for (std::string& arg : argvStrings) {
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);

    const auto start = Clock::now();
    pid_t pid = 0;
    std::vector<char*> environment;
    for (char** variable = environ; *variable != nullptr; ++variable) {
        const std::string_view entry(*variable);
        const bool dropped =
            std::any_of(options.unsetEnvironment.begin(), options.unsetEnvironment.end(), [&](const std::string& name) {
                return entry.size() > name.size() && entry.compare(0, name.size(), name) == 0 &&
                       entry[name.size()] == '=';
            });
        if (!dropped) {
            environment.push_back(*variable);
        }
    }
    for (const std::string& entry : options.setEnvironment) {
        environment.push_back(const_cast<char*>(entry.c_str()));
    }
    environment.push_back(nullptr);
    const int spawned = posix_spawn(&pid, INTERLEAVE_CLI_PATH, &actions, &attributes, argv.data(), environment.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    close(out.write);
    close(err.write);
    if (spawned != 0) {
        close(out.read);
        close(err.read);
        throw std::runtime_error("posix_spawn of " + std::string(INTERLEAVE_CLI_PATH) + " failed");
    }

    CliResult result;
    std::optional<Clock::time_point> signalledAt;
    pollfd fds[2] = {{out.read, POLLIN, 0}, {err.read, POLLIN, 0}};
    std::string* sinks[2] = {&result.out, &result.err};
    int open = 2;
    bool killed = false;
    while (open > 0) {
        if (options.interruptAfter && !signalledAt && since(start) >= *options.interruptAfter &&
            (!options.interruptWhen || options.interruptWhen())) {
            kill(pid, SIGINT);
            signalledAt = Clock::now();
        }
        if (options.killChildAfter && result.killedGrandchild == 0 && since(start) >= *options.killChildAfter) {
            if (const int child = firstChildOf(pid); child > 0 && kill(child, SIGKILL) == 0) {
                result.killedGrandchild = child;
            }
        }
        if (!killed && since(start) >= options.timeout) {
            kill(pid, SIGKILL);
            killed = true;
        }
        if (poll(fds, 2, 10) < 0 && errno != EINTR) {
            break;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
                continue;
            }
            char buffer[65536];
            const ssize_t count = read(fds[i].fd, buffer, sizeof buffer);
            if (count > 0) {
                sinks[i]->append(buffer, static_cast<std::size_t>(count));
            } else if (count == 0 || errno != EINTR) {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open;
            }
        }
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.elapsed = since(start);
    if (signalledAt) {
        result.afterSignal = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - *signalledAt);
    }
    result.exitCode = exitCodeOf(status);
    return result;
}

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "interleave-e2e-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    m_path = pattern;
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(m_path, ignored);
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void writeFile(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

} // namespace interleave::e2e
