// The `bench` command: the engine's headline figures against their targets (`--import`: the import figures).
#include "commands.h"

#include "engine_bench.h"
#include "import_bench.h"
#include "progress.h"
#include "stop_signal.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#ifdef INTERLEAVE_CLI_FIGURES
#include "timeline/timeline_data.h"
#endif

#include <algorithm>
#include <array>
#include <cmath>
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
    if (!std::isfinite(value)) {
        return "-";
    }
    return std::abs(value) >= 100 ? fmt::format("{:.0f}", value) : fmt::format("{:.3g}", value);
}

int printFigures(const std::vector<bench::BenchFigure>& figures, bool quick, bool json, bool strict) {
    const bool allMet =
        std::all_of(figures.begin(), figures.end(), [](const bench::BenchFigure& figure) { return figure.met; });
    if (json) {
        nlohmann::ordered_json list = nlohmann::ordered_json::array();
        for (const bench::BenchFigure& figure : figures) {
            list.push_back({{"name", figure.name},
                            {"value", figure.value},
                            {"unit", figure.unit},
                            {"target", figure.target},
                            {"met", figure.met},
                            {"detail", figure.detail}});
        }
        fmt::print("{}\n",
                   nlohmann::ordered_json{{"quick", quick}, {"all_met", allMet}, {"figures", std::move(list)}}.dump(2));
    } else {
        std::vector<std::array<std::string, 5>> rows = {{"figure", "measured", "target", "status", "against"}};
        for (const bench::BenchFigure& figure : figures) {
            const bool reference = figure.target.empty();
            rows.push_back({figure.name, fmt::format("{} {}", formatValue(figure.value), figure.unit),
                            reference ? std::string("-") : fmt::format("{} {}", figure.target, figure.unit),
                            reference ? "reference" : (figure.met ? "met" : "NOT MET"), figure.detail});
        }
        std::array<std::size_t, 5> widths = {};
        for (const auto& row : rows) {
            for (std::size_t column = 0; column < row.size(); ++column) {
                widths[column] = std::max(widths[column], row[column].size());
            }
        }
        for (const auto& row : rows) {
            fmt::print("{:<{}}  {:>{}}  {:<{}}  {:<{}}  {}\n", row[0], widths[0], row[1], widths[1], row[2], widths[2],
                       row[3], widths[3], row[4]);
        }
        fmt::print("\n{}\n", allMet ? "every target met" : "some targets not met");
    }
    return strict && !allMet ? kExitChecksFailed : kExitOk;
}

// Runs `measure` and prints its figures; a Ctrl-C (bench::BenchInterrupted) ends it with 128 + the signal.
int measureAndPrint(ProgressLine& progress, const std::function<std::vector<bench::BenchFigure>()>& measure, bool quick,
                    bool json, bool strict) {
    try {
        const std::vector<bench::BenchFigure> figures = measure();
        progress.clear();
        return printFigures(figures, quick, json, strict);
    } catch (const bench::BenchInterrupted& interrupted) {
        progress.clear();
        fmt::print(stderr, "interleave-cli: {}\n", interrupted.what());
        return 128 + stopSignal();
    }
}

} // namespace

int runBenchmarks(bool quick, bool json, bool strict) {
    ProgressLine progress;
    bench::BenchOptions options;
    options.quick = quick;
    options.workerExecutable = workerBesideExecutable();
    options.progress = [&progress](const std::string& name) { progress.message(fmt::format("measuring {}…", name)); };
    options.stopRequested = [] { return stopSignal() != 0; };
#ifdef INTERLEAVE_CLI_FIGURES
    options.buildViews = [](const core::Trace& trace) -> std::shared_ptr<const void> {
        auto timeline = std::make_shared<ui::TimelineData>();
        timeline->rebuild(trace);
        return timeline;
    };
#endif
    return measureAndPrint(
        progress, [&options] { return bench::runEngineBenchmarks(options); }, quick, json, strict);
}

int runImportBenchmark(bool quick, bool json, bool strict) {
    ProgressLine progress;
    bench::ImportBenchOptions options;
    if (quick) {
        options.targetBytes = 10ULL * 1000 * 1000;
    }
    options.progress = [&progress](const std::string& step) { progress.message(step + "… (Ctrl-C stops)"); };
    options.stopRequested = [] { return stopSignal() != 0; };
    return measureAndPrint(
        progress, [&options] { return bench::runImportBenchmark(options); }, quick, json, strict);
}

} // namespace interleave::cli
