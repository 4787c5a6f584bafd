// Out of threads (a memory limit, a process limit): a run that cannot start its pool fails with a message, and the
// program goes on. It once aborted with "terminate called without an active exception" (the threads already started
// were destroyed unjoined).
#include "plan_builder.h"
#include "runtime/run.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace interleave::test {
namespace {

// The address space this process maps now, from /proc/self/statm (pages).
std::size_t mappedBytes() {
    std::ifstream statm("/proc/self/statm");
    std::size_t pages = 0;
    statm >> pages;
    return pages * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

TEST(OutOfThreads, APoolThatCannotStartFailsTheRunCleanly) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    GTEST_SKIP() << "a sanitizer reserves terabytes of address space: an address-space limit cannot starve threads";
#endif
    PlanBuilder builder(Model::Threads);
    builder.threads(256); // 8 MiB of stack each: 2 GiB of address space
    builder.program({builder.fanOut(OpKind::Gather, "job", 4, {io(1)})});
    const Plan plan = builder.build();
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        // Room for what is mapped now and a little more, not for 256 thread stacks.
        const rlimit limit{mappedBytes() + (64U << 20U), mappedBytes() + (64U << 20U)};
        ::setrlimit(RLIMIT_AS, &limit);
        const RunResult result = runToCompletion(plan);
        const bool clean = result.outcome.status == RunStatus::Failed &&
                           result.outcome.error.find("cannot start the pool") != std::string::npos;
        if (!clean) {
            std::fprintf(stderr, "status %d: %s\n", static_cast<int>(result.outcome.status),
                         result.outcome.error.c_str());
        }
        std::_Exit(clean ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status)) << "the child ended by signal " << WTERMSIG(status);
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

} // namespace
} // namespace interleave::test
