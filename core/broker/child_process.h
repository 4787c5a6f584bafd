// Children a broker run owns (its private redis-server, its workers): started so that they die with the run.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace interleave::core {

// fork + exec of `argv` (argv[0] the program's path), with its output to `logFile` (or /dev/null), in its own process
// group, and SIGKILLed by the kernel when the thread that started it ends: the engine thread, which lives exactly as
// long as the run (and dies with the app if the app is killed). Throws std::runtime_error.
// `passFd`, when not -1, becomes the child's file descriptor 3 (a pipe it reports on). `inBackground`: the child runs
// in the background scheduling class (SCHED_IDLE), as the engine's pools do under RunOptions::backgroundPools.
pid_t startOwnedChild(const std::vector<std::string>& argv, const std::filesystem::path& logFile = {}, int passFd = -1,
                      bool inBackground = false);

// Reaps `pid` if it has ended; returns its wait status then.
std::optional<int> reapIfEnded(pid_t pid);
// SIGTERM, then SIGKILL after `grace`, and reaps it; returns its wait status. Once per child, and never after
// reapIfEnded() returned its status.
int stopAndReap(pid_t pid, std::chrono::milliseconds grace);
// "exited with code 3", "was killed by signal 9"
std::string describeWaitStatus(int status);

// The last `lines` lines of a text file (a child's log), trailing empty lines left out, joined by newlines; "" when
// it cannot be read.
std::string tailOfFile(const std::filesystem::path& file, std::size_t lines);

// Searches $PATH, then /usr/sbin and /usr/bin, for an executable named `name`.
std::optional<std::filesystem::path> findExecutable(const std::string& name);

} // namespace interleave::core
