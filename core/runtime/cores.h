// How many CPU cores this process may use: the machine's, fewer when its affinity mask (taskset,
// sched_setaffinity) or a container's CPU limit (cgroup cpu.max, or cpu.cfs_quota_us under cgroup v1) says so.
// `cores` in a lesson's expressions, the summary's "N CPU cores" and a figure's subtitle all mean this.
#pragma once

#include <optional>
#include <string_view>

namespace interleave::core {

int usableCores();
// Keeps the calling thread (and the threads and processes it starts from now on, which inherit it) to the first
// `cpus` CPUs of its affinity mask, as `taskset` does. False when the system refuses.
bool pinThisThread(int cpus);

// The cores a CPU limit allows, rounded up: cgroup v2's cpu.max ("150000 100000" → 2; "max 100000" → none).
std::optional<int> coresFromCpuMax(std::string_view text);
// cgroup v1's quota and period in µs (a quota of -1 → none).
std::optional<int> coresFromQuota(long long quotaUs, long long periodUs);

} // namespace interleave::core
