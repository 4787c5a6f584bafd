// The cores this process may use: affinity first, then the cgroup's CPU limit.
#include "runtime/cores.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <string>
#include <thread>

#include <sched.h>

namespace interleave::core {

namespace {

std::string firstLine(const std::string& path) {
    std::ifstream file(path);
    std::string line;
    std::getline(file, line);
    return line;
}

std::optional<long long> number(std::string_view text) {
    long long value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end == text.data()) {
        return std::nullopt;
    }
    return value;
}

// This process's cgroup v2 folder, from the "0::/path" line of /proc/self/cgroup.
std::string unifiedCgroup() {
    std::ifstream file("/proc/self/cgroup");
    std::string line;
    while (std::getline(file, line)) {
        if (line.rfind("0::", 0) == 0) {
            return line.substr(3);
        }
    }
    return {};
}

std::optional<int> cgroupLimit() {
    const std::string folder = unifiedCgroup();
    if (!folder.empty()) {
        if (const std::string max = firstLine("/sys/fs/cgroup" + folder + "/cpu.max"); !max.empty()) {
            return coresFromCpuMax(max);
        }
    }
    const auto quota = number(firstLine("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"));
    const auto period = number(firstLine("/sys/fs/cgroup/cpu/cpu.cfs_period_us"));
    if (quota && period) {
        return coresFromQuota(*quota, *period);
    }
    return std::nullopt;
}

} // namespace

std::optional<int> coresFromCpuMax(std::string_view text) {
    const std::size_t space = text.find(' ');
    if (space == std::string_view::npos || text.substr(0, space) == "max") {
        return std::nullopt;
    }
    const auto quota = number(text.substr(0, space));
    const auto period = number(text.substr(space + 1));
    if (!quota || !period) {
        return std::nullopt;
    }
    return coresFromQuota(*quota, *period);
}

std::optional<int> coresFromQuota(long long quotaUs, long long periodUs) {
    if (quotaUs <= 0 || periodUs <= 0) {
        return std::nullopt;
    }
    return static_cast<int>(std::max(1LL, (quotaUs + periodUs - 1) / periodUs));
}

int usableCores() {
    int cores = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
    cpu_set_t mask;
    CPU_ZERO(&mask);
    if (sched_getaffinity(0, sizeof(mask), &mask) == 0) {
        cores = std::min(cores, std::max(1, CPU_COUNT(&mask)));
    }
    if (const std::optional<int> limit = cgroupLimit()) {
        cores = std::min(cores, *limit);
    }
    return cores;
}

bool pinThisThread(int cpus) {
    cpu_set_t mask;
    CPU_ZERO(&mask);
    if (sched_getaffinity(0, sizeof(mask), &mask) != 0) {
        return false;
    }
    cpu_set_t chosen;
    CPU_ZERO(&chosen);
    int taken = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && taken < cpus; ++cpu) {
        if (CPU_ISSET(cpu, &mask)) {
            CPU_SET(cpu, &chosen);
            ++taken;
        }
    }
    return taken > 0 && sched_setaffinity(0, sizeof(chosen), &chosen) == 0;
}

} // namespace interleave::core
