// The interleave-cli commands (list, run, check, bench, import), their options and exit codes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace interleave::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitChecksFailed = 1; // an expectation failed
inline constexpr int kExitUsage = 2;        // a bad lesson file, argument or setting: nothing ran
inline constexpr int kExitRunFailed = 3;    // a run failed (e.g. a broken process pool)
inline constexpr int kExitWriteFailed = 4;  // an export could not be written (any earlier file is left intact)
inline constexpr int kExitInternal = 5;     // an unexpected error inside interleave-cli: a bug to report
// A stop signal gives 128 + its number: 130 for Ctrl-C.

struct RunSettings {
    std::vector<std::string> sets; // "name=value" parameter overrides
    double timeScale = 1.0;
    std::uint64_t seed = 1;
    bool json = false;
    std::string broker;      // --broker URL: a running Redis for the broker model (L17); empty = a private one
    std::string brokerRunId; // --broker-run ID: the run's id on the broker; empty = a fresh one
};

// --export FILE [--width W] [--height H] [--dpi D]: a figure of what ran or was imported.
struct FigureOptions {
    std::string path; // fig.svg|png|pdf; empty = no figure
    int width = 1600;
    int height = 900;
    double dpi = 96;
};

struct RunCommand {
    bool python = false;               // --python: each variant's listing in CPython too, set beside the engine's run
    std::string lesson;                // id, alias (L2) or path
    std::vector<std::string> variants; // empty = every variant
    RunSettings settings;
    std::string csvPath;
    std::string tracePath;
    std::string savePath; // a run file (.interleave) the desktop app opens
    FigureOptions figure;
};

struct CheckCommand {
    bool python = false; // --python: each listing in CPython too, within the lesson's cpython_tolerance
    std::string lesson;  // empty with `all`
    bool all = false;
    RunSettings settings;
};

struct ImportCommand {
    std::string file; // a Chrome trace JSON
    std::string csvPath;
    std::string tracePath;
    std::string savePath;
    FigureOptions figure;
    bool json = false;
};

// sweep LESSON [--variant V] [--param NAME=VALUES]: the variant once per value of one parameter.
struct SweepCommand {
    std::string lesson;
    std::string variant; // empty: the lesson's sweep's (or its only variant's)
    std::string param;   // "workers=1,2,4" or "workers=1..64x2"; empty: the lesson's sweep
    RunSettings settings;
    std::string csvPath;
    FigureOptions figure; // the sweep chart above its runs' timeline
};

// trace SCRIPT [ARGS...]: a Python program run under the CPython tracer.
struct TraceCommand {
    std::string script;
    std::vector<std::string> arguments;
    double timeLimitS = 600;
    std::string csvPath;
    std::string tracePath;
    std::string savePath;
    FigureOptions figure;
    bool json = false;
};

int listLessons(bool json);
int tracePython(const TraceCommand& command);
int runSweep(const SweepCommand& command);
int runLesson(const RunCommand& command);
int checkLessons(const CheckCommand& command);
int runBenchmarks(bool quick, bool json, bool strict);
int importTrace(const ImportCommand& command);
int runImportBenchmark(bool quick, bool json, bool strict); // bench --import

} // namespace interleave::cli
