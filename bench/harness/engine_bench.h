// The engine's headline figures, measured live through the real engine: switch cost against CPython's, recording
// cost against the cost of the timestamp alone, memory a run keeps per event, timer precision, pool start-up.
#pragma once

#include "trace/trace.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace interleave::bench {

struct BenchFigure {
    std::string name;   // "switch through the engine (await io 0, recorded)"
    double value = 0;   // measured
    std::string unit;   // "ns/switch", "x the floor", "bytes/event", "%", "ms"
    std::string target; // "<= 2", as a teacher-readable bound; empty for a reference figure (a floor or a peer)
    bool met = true;    // a reference figure has no target and is always met
    std::string detail; // what it was measured against, e.g. "43 ns/event against a 12 ns timestamp"
};

struct BenchOptions {
    bool quick = false; // smaller sizes, for tests
    std::filesystem::path workerExecutable;
    std::function<void(const std::string&)> progress; // called before each figure is measured
    std::function<bool()> stopRequested;              // asked before each figure; true stops with BenchInterrupted
    // What a front end keeps for a run beside its trace and analysis (the app's timeline), built from the trace and
    // held while the heap is read. Empty: the memory figure counts the trace and the analysis only.
    std::function<std::shared_ptr<const void>(const core::Trace&)> buildViews;
    std::string viewsName = "timeline"; // what buildViews builds, for the figure's name
    // The peer interpreter; empty: none (the CPython figures are left out and the detail says so).
    std::string python = "python3";
};

// A benchmark stopped at the user's request (Ctrl-C); whatever it wrote is removed.
struct BenchInterrupted : std::runtime_error {
    BenchInterrupted() : std::runtime_error("the benchmark was interrupted") {}
};

std::vector<BenchFigure> runEngineBenchmarks(const BenchOptions& options);

// CPython running the switch shape (`tasks` gathered coroutines, each awaiting asyncio.sleep(0) `switches` times):
// ns per switch, or nothing when `python` cannot be run.
std::optional<double> cpythonSwitchNs(const std::string& python, int tasks, int switches);

} // namespace interleave::bench
