// `cores` is the cores this process may use: its affinity mask and a container's CPU limit count, not only the
// machine's processors.
#include "runtime/cores.h"

#include <gtest/gtest.h>

#include <thread>

#include <sched.h>

namespace interleave::core {
namespace {

TEST(Cores, ACgroupLimitIsRoundedUpToWholeCores) {
    EXPECT_EQ(coresFromCpuMax("150000 100000"), 2);
    EXPECT_EQ(coresFromCpuMax("100000 100000"), 1);
    EXPECT_EQ(coresFromCpuMax("50000 100000"), 1); // half a core is still one to run on
    EXPECT_EQ(coresFromCpuMax("max 100000"), std::nullopt);
    EXPECT_EQ(coresFromCpuMax("nonsense"), std::nullopt);
    EXPECT_EQ(coresFromQuota(300000, 100000), 3);
    EXPECT_EQ(coresFromQuota(-1, 100000), std::nullopt); // cgroup v1: no limit
}

TEST(Cores, AnAffinityMaskOfOneCpuMeansOneCore) {
    cpu_set_t saved;
    CPU_ZERO(&saved);
    ASSERT_EQ(sched_getaffinity(0, sizeof(saved), &saved), 0);
    EXPECT_GE(usableCores(), 1);
    EXPECT_LE(usableCores(), static_cast<int>(std::max(1U, std::thread::hardware_concurrency())));
    int first = 0;
    while (!CPU_ISSET(first, &saved)) {
        ++first;
    }
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    ASSERT_EQ(sched_setaffinity(0, sizeof(one), &one), 0); // this thread only (taskset -c N)
    EXPECT_EQ(usableCores(), 1);
    ASSERT_EQ(sched_setaffinity(0, sizeof(saved), &saved), 0);
}

} // namespace
} // namespace interleave::core
