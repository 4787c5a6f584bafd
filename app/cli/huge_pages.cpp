#include "huge_pages.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include <unistd.h>

namespace interleave::cli {

namespace {

constexpr const char* kTunables = "glibc.malloc.hugetlb=1:glibc.malloc.arena_max=1:glibc.malloc.top_pad=33554432";

bool kernelHasHugePages() {
    // "always [madvise] never": the bracketed mode is the one in force.
    std::ifstream mode("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string text;
    std::getline(mode, text);
    return text.find("[always]") != std::string::npos || text.find("[madvise]") != std::string::npos;
}

} // namespace

void reexecWithHugePages(char** argv) {
    const char* current = std::getenv("GLIBC_TUNABLES");
    const std::string existing = current != nullptr ? current : "";
    if (existing.find("glibc.malloc.") != std::string::npos || !kernelHasHugePages()) {
        return; // already tuned (by the first execution, or by the user, whose choice stands)
    }
    const std::string tunables = existing.empty() ? kTunables : existing + ":" + kTunables;
    if (setenv("GLIBC_TUNABLES", tunables.c_str(), 1) != 0) {
        return;
    }
    execv("/proc/self/exe", argv);
    // Only reached when the execution failed: run on as we are, without the tunables in the environment.
    if (current != nullptr) {
        setenv("GLIBC_TUNABLES", current, 1);
    } else {
        unsetenv("GLIBC_TUNABLES");
    }
}

} // namespace interleave::cli
