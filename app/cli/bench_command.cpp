// The `bench` command: the engine's headline figures against their targets (`--import`: the import figures).
#include "commands.h"

#include "io/import_bench.h"
#include "progress.h"
#include "runtime/engine_bench.h"
#include "stop_signal.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <filesystem>
#include <functional>
#include <system_error>

namespace interleave::cli {

namespace {

// interleave-worker beside this executable; empty (the engine's default) when /proc/self/exe cannot be read.
std::filesystem::path workerBesideExecutable() {
    std::error_code error;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
    return error ? std::filesystem::path() : self.parent_path() / "interleave-worker";
}

std::string formatValue(double value) {
    return std::abs(value) >= 100 ? fmt::format("{:.0f}", value) : fmt::format("{:.3g}", value);
}

int printFigures(const std::vector<core::BenchFigure>& figures, bool quick, bool json, bool strict) {
    const bool allMet =
        std::all_of(figures.begin(), figures.end(), [](const core::BenchFigure& figure) { return figure.met; });
    if (json) {
        nlohmann::ordered_json list = nlohmann::ordered_json::array();
        for (const core::BenchFigure& figure : figures) {
            list.push_back({{"name", figure.name},
                            {"value", figure.value},
                            {"unit", figure.unit},
                            {"target", figure.target},
                            {"met", figure.met}});
        }
        fmt::print("{}\n",
                   nlohmann::ordered_json{{"quick", quick}, {"all_met", allMet}, {"figures", std::move(list)}}.dump(2));
    } else {
        std::vector<std::array<std::string, 4>> rows = {{"figure", "measured", "target", "status"}};
        for (const core::BenchFigure& figure : figures) {
            rows.push_back({figure.name, fmt::format("{} {}", formatValue(figure.value), figure.unit),
                            fmt::format("{} {}", figure.target, figure.unit), figure.met ? "met" : "NOT MET"});
        }
        std::array<std::size_t, 4> widths = {};
        for (const auto& row : rows) {
            for (std::size_t column = 0; column < row.size(); ++column) {
                widths[column] = std::max(widths[column], row[column].size());
            }
        }
        for (const auto& row : rows) {
            fmt::print("{:<{}}  {:>{}}  {:<{}}  {}\n", row[0], widths[0], row[1], widths[1], row[2], widths[2], row[3]);
        }
        fmt::print("\n{}\n", allMet ? "every target met" : "some targets not met");
    }
    return strict && !allMet ? kExitChecksFailed : kExitOk;
}

// Runs `measure` and prints its figures; a Ctrl-C (core::BenchInterrupted) ends it with 128 + the signal.
int measureAndPrint(ProgressLine& progress, const std::function<std::vector<core::BenchFigure>()>& measure, bool quick,
                    bool json, bool strict) {
    try {
        const std::vector<core::BenchFigure> figures = measure();
        progress.clear();
        return printFigures(figures, quick, json, strict);
    } catch (const core::BenchInterrupted& interrupted) {
        progress.clear();
        fmt::print(stderr, "interleave-cli: {}\n", interrupted.what());
        return 128 + stopSignal();
    }
}

} // namespace

int runBenchmarks(bool quick, bool json, bool strict) {
    ProgressLine progress;
    core::BenchOptions options;
    options.quick = quick;
    options.workerExecutable = workerBesideExecutable();
    options.progress = [&progress](const std::string& name) { progress.message(fmt::format("measuring {}…", name)); };
    options.stopRequested = [] { return stopSignal() != 0; };
    return measureAndPrint(
        progress, [&options] { return core::runEngineBenchmarks(options); }, quick, json, strict);
}

int runImportBenchmark(bool quick, bool json, bool strict) {
    ProgressLine progress;
    core::ImportBenchOptions options;
    if (quick) {
        options.targetBytes = 10ULL * 1000 * 1000;
    }
    options.progress = [&progress](const std::string& step) { progress.message(step + "… (Ctrl-C stops)"); };
    options.stopRequested = [] { return stopSignal() != 0; };
    return measureAndPrint(
        progress, [&options] { return core::runImportBenchmark(options); }, quick, json, strict);
}

} // namespace interleave::cli
