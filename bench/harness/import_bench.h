// The import figure: a generated ~100 MB Chrome trace imported in a child process, timed, its peak memory measured.
#pragma once

#include "engine_bench.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace interleave::bench {

// Writes a synthetic Chrome trace of about `targetBytes` (object form) with what real tools write: M process and
// thread names, many threads of nested X slices (children first, as VizTracer writes them) and B/E pairs, async
// b/n/e requests, two-key C counters with fractional values and i instants. Returns the bytes written.
// `stopRequested`, when given, is asked at every flush; true throws BenchInterrupted.
std::uint64_t writeSyntheticChromeTrace(const std::filesystem::path& file, std::uint64_t targetBytes,
                                        const std::function<bool()>& stopRequested = {});

struct ImportBenchOptions {
    std::uint64_t targetBytes = 100ULL * 1000 * 1000;
    std::filesystem::path directory; // where the trace is written (and deleted); empty = the system temp directory
    std::function<void(const std::string&)> progress;
    // Asked while writing and while the child imports: true kills the child, removes the file and throws
    // BenchInterrupted.
    std::function<bool()> stopRequested;
};

// Figures: import time (target ≤ 3 s) and peak RSS of the importing child process as a multiple of the file size
// (target ≤ 4×). The import runs in a forked child so that its peak RSS (wait4's ru_maxrss) measures it alone.
std::vector<BenchFigure> runImportBenchmark(const ImportBenchOptions& options);

} // namespace interleave::bench
