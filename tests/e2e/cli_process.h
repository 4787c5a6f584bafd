// Runs interleave-cli as a child process (posix_spawn, no shell), capturing stdout, stderr and the exit code.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace interleave::e2e {

struct CliResult {
    int exitCode = -1; // 128 + signal when the child died of a signal
    std::string out;
    std::string err;
    std::chrono::milliseconds elapsed{0};
    std::chrono::milliseconds afterSignal{0}; // from sending the interrupt to the child's exit
    int killedGrandchild = 0;                 // pid of the CLI's child killed by killChildAfter, 0 when none
};

struct CliOptions {
    std::chrono::milliseconds timeout{120'000};              // the child is killed when it takes longer
    std::optional<std::chrono::milliseconds> interruptAfter; // send SIGINT this long after the start
    std::function<bool()> interruptWhen; // with interruptAfter: not before this also holds (polled every 10 ms)
    std::optional<std::chrono::milliseconds> killChildAfter; // SIGKILL one of the CLI's own child processes
    std::vector<std::string> unsetEnvironment;               // variables the child does not inherit ("DISPLAY")
    std::vector<std::string> setEnvironment;                 // "NAME=value" entries added (after unsetting)
};

// Runs INTERLEAVE_CLI_PATH with `args`.
CliResult runCli(const std::vector<std::string>& args, const CliOptions& options = {});

// A fresh empty directory under the system temp directory, removed by the destructor.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return m_path; }
    std::string file(const std::string& name) const { return m_path + "/" + name; }

private:
    std::string m_path;
};

std::string readFile(const std::string& path);
void writeFile(const std::string& path, const std::string& text);

} // namespace interleave::e2e
