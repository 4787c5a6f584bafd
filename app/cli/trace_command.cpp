// The `trace` command: runs a Python program under the CPython tracer (resources/python/interleave_trace.py) and
// reports its tasks, threads and processes, with the same exports as `run`.
#include "commands.h"

#include "export_files.h"
#include "figure_output.h"
#include "lesson_session.h"
#include "progress.h"
#include "stop_signal.h"

#include "io/atomic_file.h"
#include "metrics/lesson_report.h"
#include "runtime/plan.h"
#include "scenario/lesson_error.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>

namespace interleave::cli {

namespace {

// The busiest counters' peaks, as `run` prints them: name=peak.
std::string peaksOf(const core::TraceAnalysis& analysis) {
    std::vector<std::string> peaks;
    for (const core::CounterSeries& series : analysis.counters) {
        peaks.push_back(fmt::format("{}={:g}", series.name, series.peak));
    }
    return peaks.empty() ? std::string("-") : fmt::format("{}", fmt::join(peaks, " "));
}

// A plan that runs `script` under the CPython tracer, its output on stderr. UsageError when it is not a file.
core::Plan pythonPlan(const std::string& label, const std::filesystem::path& script,
                      const std::vector<std::string>& arguments, double timeLimitS) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(script, error)) {
        throw core::UsageError(fmt::format("{}: no such Python file", script.string()));
    }
    core::Plan plan;
    plan.lessonId = "python";
    plan.variant = label;
    plan.model = core::Model::Python;
    plan.python.script = std::filesystem::absolute(script);
    plan.python.arguments = arguments;
    if (!(timeLimitS > 0 && timeLimitS <= 24 * 3600)) {
        throw core::UsageError(fmt::format("--time-limit {} s: give 1 s to 24 h", timeLimitS));
    }
    plan.python.timeLimitNs = static_cast<std::int64_t>(timeLimitS * 1e9);
    return plan;
}

} // namespace

int tracePython(const TraceCommand& command) {
    ExportFiles exports(command.csvPath, command.tracePath, command.savePath);
    checkFigureRequest(command.figure);
    const std::filesystem::path script = command.script;
    const std::string label = script.filename().string();
    core::Plan plan = pythonPlan(label, script, command.arguments, command.timeLimitS);
    // The program's own output goes to stderr: stdout may be a JSON document.
    ProgressLine progress;
    std::vector<core::VariantRun> runs;
    runs.push_back(runPlan("python", std::move(plan), progress));
    const core::VariantRun& run = runs.front();
    const bool stopped = stopSignal() != 0;
    std::vector<std::string> written;
    std::string writeError;
    if (!stopped) {
        try {
            try {
                written = exports.write(label, runs);
            } catch (const core::FileWriteError& error) {
                writeError = error.what();
            }
            if (!command.figure.path.empty()) {
                FigureSource figure;
                figure.title = label;
                figure.subtitle = "CPython · " + script.string();
                figure.runs.push_back(&runs[0]);
                if (std::string figureError = writeFigure(figure, command.figure); figureError.empty()) {
                    written.push_back(command.figure.path);
                } else if (writeError.empty()) {
                    writeError = std::move(figureError);
                }
            }
        } catch (const WriteInterrupted& interrupted) {
            fmt::print(stderr, "interleave-cli: {}\n", interrupted.what());
            leaveTeardownToExit();
            return 128 + stopSignal();
        }
    }
    const double makespanMs = static_cast<double>(run.analysis.makespanNs) / 1e6;
    if (command.json) {
        nlohmann::ordered_json peaks = nlohmann::ordered_json::object();
        for (const core::CounterSeries& series : run.analysis.counters) {
            peaks[series.name] = series.peak;
        }
        const nlohmann::ordered_json document = {{"script", script.string()},
                                                 {"status", std::string(core::toString(run.outcome.status))},
                                                 {"error", run.outcome.error.empty()
                                                               ? nlohmann::ordered_json(nullptr)
                                                               : nlohmann::ordered_json(run.outcome.error)},
                                                 {"makespan_ms", makespanMs},
                                                 {"lanes", run.trace.lanes.size()},
                                                 {"tasks", run.analysis.tasks.size()},
                                                 {"events", run.trace.events.size()},
                                                 {"peaks", peaks},
                                                 {"written", written}};
        fmt::print("{}\n", document.dump(2));
    } else {
        fmt::print("{} under CPython: {}, {:.1f} ms\n", script.string(), core::toString(run.outcome.status),
                   makespanMs);
        fmt::print("  lanes   {}\n", run.trace.lanes.size());
        fmt::print("  tasks   {}\n", run.analysis.tasks.size());
        fmt::print("  events  {}\n", run.trace.events.size());
        fmt::print("  peaks   {}\n", peaksOf(run.analysis));
        if (!run.outcome.error.empty()) {
            fmt::print("{}\n", run.outcome.error);
        }
        if (!written.empty()) {
            fmt::print("wrote {}\n", fmt::join(written, ", "));
        }
    }
    std::fflush(stdout);
    if (!writeError.empty()) {
        fmt::print(stderr, "interleave-cli: {}\n", writeError);
        return kExitWriteFailed;
    }
    if (stopped) {
        return 128 + stopSignal();
    }
    return core::endedWithError(run.outcome.status) ? kExitRunFailed : kExitOk;
}

} // namespace interleave::cli
