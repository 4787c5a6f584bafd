// The `import` command: reads a Chrome trace JSON (node, VizTracer, Perfetto, Interleave's own), prints what it
// holds and optionally writes the same CSV and Chrome exports as `run`.
#include "commands.h"

#include "export_files.h"
#include "figure_output.h"
#include "progress.h"
#include "stop_signal.h"

#include "io/atomic_file.h"
#include "io/chrome_import.h"
#include "metrics/lesson_report.h"
#include "trace/trace_analysis.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>

namespace interleave::cli {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

struct Figures {
    std::size_t lanes = 0;
    std::size_t tasks = 0;
    std::size_t spans = 0;
    std::size_t counters = 0;
    std::size_t samples = 0;
    std::size_t markers = 0;
};

Figures figuresOf(const core::Trace& trace, const core::TraceAnalysis& analysis) {
    Figures figures;
    figures.lanes = trace.lanes.size();
    figures.tasks = analysis.tasks.size();
    figures.spans = analysis.spans.size() + analysis.laneSpans.size();
    figures.counters = analysis.counters.size();
    for (const core::CounterSeries& series : analysis.counters) {
        figures.samples += series.points.size();
    }
    figures.markers = analysis.markers.size();
    return figures;
}

} // namespace

int importTrace(const ImportCommand& command) {
    // Checked first, so that a bad output path fails before a long import.
    ExportFiles exports(command.csvPath, command.tracePath, command.savePath);
    checkFigureRequest(command.figure);
    const std::filesystem::path file = command.file;

    ProgressLine progress;
    const std::string label = file.filename().string();
    const auto started = std::chrono::steady_clock::now();
    core::ImportResult imported;
    try {
        imported = core::importChromeTrace(file, [&](std::uint64_t bytes, std::uint64_t total) {
            if (stopSignal() != 0) {
                return false;
            }
            const double percent = total > 0 ? 100.0 * static_cast<double>(bytes) / static_cast<double>(total) : 0;
            progress.message(fmt::format("importing {}  {:.0f}%  ({:.1f} of {:.1f} MB)  (Ctrl-C stops)", label, percent,
                                         static_cast<double>(bytes) / kMiB, static_cast<double>(total) / kMiB));
            return true;
        });
    } catch (const core::ImportCancelled&) {
        progress.clear();
        fmt::print(stderr, "interleave-cli: import of {} cancelled\n", file.string());
        return 128 + (stopSignal() != 0 ? stopSignal() : 2);
    } catch (const core::ImportError& error) {
        progress.clear();
        fmt::print(stderr, "interleave-cli: {}\n", error.what());
        return kExitUsage;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    progress.message(fmt::format("analyzing {}…", label));
    std::vector<core::VariantRun> runs(1);
    runs[0].variant = file.stem().string();
    runs[0].trace = std::move(imported.trace);
    try {
        runs[0].analysis = core::analyze(runs[0].trace, core::StopCheck([] { return stopSignal() != 0; }));
    } catch (const core::WorkStopped&) {
        progress.clear();
        fmt::print(stderr, "interleave-cli: import of {} stopped while it was analysed; nothing was written\n",
                   file.string());
        leaveTeardownToExit();
        return 128 + stopSignal();
    }
    runs[0].outcome.status = core::RunStatus::Completed;
    progress.clear();

    const core::ImportStats& stats = imported.stats;
    const Figures figures = figuresOf(runs[0].trace, runs[0].analysis);
    const double durationMs = static_cast<double>(runs[0].trace.endNs) / 1e6;
    std::vector<std::string> written;
    std::string writeError;
    try {
        try {
            written = exports.write(label, runs);
        } catch (const core::FileWriteError& error) {
            writeError = error.what();
        }
        if (!command.figure.path.empty()) {
            FigureSource figure;
            figure.title = file.filename().string();
            figure.subtitle =
                fmt::format("{} trace · {} lanes · {} tasks", stats.producer, figures.lanes, figures.tasks);
            figure.runs.push_back(&runs[0]);
            if (std::string figureError = writeFigure(figure, command.figure); figureError.empty()) {
                written.push_back(command.figure.path);
            } else if (writeError.empty()) {
                writeError = std::move(figureError);
            }
        }
    } catch (const WriteInterrupted& stopped) {
        fmt::print(stderr, "interleave-cli: {}\n", stopped.what());
        leaveTeardownToExit();
        return 128 + stopSignal();
    }

    if (command.json) {
        const nlohmann::ordered_json document = {{"file", file.string()},      {"bytes", stats.bytes},
                                                 {"producer", stats.producer}, {"import_s", seconds},
                                                 {"duration_ms", durationMs},  {"events", stats.events},
                                                 {"ignored", stats.ignored},   {"unmatched_ends", stats.unmatchedEnds},
                                                 {"lanes", figures.lanes},     {"tasks", figures.tasks},
                                                 {"spans", figures.spans},     {"counters", figures.counters},
                                                 {"samples", figures.samples}, {"markers", figures.markers},
                                                 {"written", written}};
        fmt::print("{}\n", document.dump(2));
    } else {
        fmt::print("{}: {} trace, {:.1f} MB read in {:.2f} s\n", file.string(), stats.producer,
                   static_cast<double>(stats.bytes) / kMiB, seconds);
        fmt::print("  duration   {:.3f} ms\n", durationMs);
        fmt::print("  lanes      {}\n", figures.lanes);
        fmt::print("  tasks      {}\n", figures.tasks);
        fmt::print("  spans      {}\n", figures.spans);
        fmt::print("  counters   {} ({} samples)\n", figures.counters, figures.samples);
        fmt::print("  markers    {}\n", figures.markers);
        fmt::print("  events     {} ({} ignored: kinds Interleave does not draw; {} unmatched ends)\n", stats.events,
                   stats.ignored, stats.unmatchedEnds);
        if (!written.empty()) {
            fmt::print("wrote {}\n", fmt::join(written, ", "));
        }
    }
    if (!writeError.empty()) {
        fmt::print(stderr, "interleave-cli: {}\n", writeError);
        return kExitWriteFailed;
    }
    return kExitOk;
}

} // namespace interleave::cli
