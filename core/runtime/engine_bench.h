// The engine's headline figures, measured live: coroutine switches, recording cost, timer fidelity, pool start-up.
#pragma once

#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace interleave::core {

struct BenchFigure {
    std::string name;   // "coroutine switches on the loop"
    double value = 0;   // measured
    std::string unit;   // "M/s", "ns/event", "bytes/event", "% over ideal", "ms"
    std::string target; // "≥ 10", as a teacher-readable bound
    bool met = false;
};

struct BenchOptions {
    bool quick = false; // smaller sizes, for tests
    std::filesystem::path workerExecutable;
    std::function<void(const std::string&)> progress; // called before each figure is measured
    std::function<bool()> stopRequested;              // asked before each figure; true stops with BenchInterrupted
};

// A benchmark stopped at the user's request (Ctrl-C); whatever it wrote is removed.
struct BenchInterrupted : std::runtime_error {
    BenchInterrupted() : std::runtime_error("the benchmark was interrupted") {}
};

std::vector<BenchFigure> runEngineBenchmarks(const BenchOptions& options);

} // namespace interleave::core
