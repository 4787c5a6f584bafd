// The `sweep` command: one variant run once per value of one parameter, its makespan and throughput against it.
#include "commands.h"
#include "stop_signal.h"

#include "export_files.h"
#include "figure_output.h"
#include "io/atomic_file.h"
#include "lesson_session.h"
#include "metrics/sweep.h"
#include "scenario/lesson_error.h"
#include "scenario/lesson_loader.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <memory>

namespace interleave::cli {

namespace {

struct SweepPlan {
    std::string variant;
    std::string parameter;
    std::vector<double> values;
    const core::SweepDecl* lessonSweep = nullptr; // its theory goes with it, when the sweep is the lesson's
};

SweepPlan planSweep(const core::Scenario& scenario, const SweepCommand& command) {
    SweepPlan plan;
    const core::SweepDecl* declared = core::findSweep(scenario, command.variant);
    if (command.param.empty()) {
        if (declared == nullptr) {
            throw core::UsageError(
                fmt::format("lesson '{}' has no sweep{}; give one with --param NAME=1,2,4", scenario.id,
                            command.variant.empty() ? "" : fmt::format(" of variant '{}'", command.variant)));
        }
        plan.variant = declared->variant;
        plan.parameter = declared->parameter;
        plan.values = declared->values;
        plan.lessonSweep = declared;
        return plan;
    }
    const std::size_t equals = command.param.find('=');
    if (equals == std::string::npos || equals == 0) {
        throw core::UsageError(fmt::format(
            "--param takes NAME=VALUES, e.g. workers=1,2,4,8 or workers=1..64x2 (got '{}')", command.param));
    }
    plan.parameter = command.param.substr(0, equals);
    plan.values = core::parseSweepValues(std::string_view(command.param).substr(equals + 1));
    if (!command.variant.empty()) {
        plan.variant = command.variant;
    } else if (declared != nullptr) {
        plan.variant = declared->variant;
    } else if (scenario.variants.size() == 1) {
        plan.variant = scenario.variants.front().name;
    } else {
        throw core::UsageError(fmt::format("lesson '{}' has {} variants: choose one with --variant", scenario.id,
                                           scenario.variants.size()));
    }
    if (declared != nullptr && declared->variant == plan.variant && declared->parameter == plan.parameter) {
        plan.lessonSweep = declared;
    }
    return plan;
}

std::string number(double value) {
    return fmt::format("{:g}", value);
}

void printSweep(const core::Scenario& scenario, const core::SweepResult& result, std::size_t planned) {
    fmt::print("{} {}: sweep of {}, variant {} ({} of {} runs)\n", scenario.alias(), scenario.id, result.parameter,
               result.variant, result.points.size(), planned);
    const std::size_t width = std::max<std::size_t>(result.parameter.size(), 5);
    fmt::print("\n  {:>{}}  {:<10} {:>11}  {:>12}  {:>11}  {:>7}\n", result.parameter, width, "status", "makespan",
               "throughput", "theory", "off");
    for (const core::SweepPoint& point : result.points) {
        std::string theory = "-";
        std::string off = "-";
        if (point.theoryMs) {
            theory = fmt::format("{:.1f} ms", *point.theoryMs);
            if (*point.theoryMs > 0) {
                off = fmt::format("{:+.1f}%", (point.makespanMs / *point.theoryMs - 1) * 100);
            }
        }
        fmt::print("  {:>{}}  {:<10} {:>8.1f} ms  {:>8.2f} /s  {:>11}  {:>7}\n", number(point.value), width,
                   core::toString(point.outcome.status), point.makespanMs, point.throughputPerS, theory, off);
    }
    fmt::print("\nthroughput: tasks done (main aside) per second of makespan\n");
}

nlohmann::ordered_json sweepJson(const core::Scenario& scenario, const core::SweepResult& result, bool interrupted) {
    nlohmann::ordered_json points = nlohmann::ordered_json::array();
    for (const core::SweepPoint& point : result.points) {
        nlohmann::ordered_json item{{"value", point.value},
                                    {"status", core::toString(point.outcome.status)},
                                    {"makespan_ms", point.makespanMs},
                                    {"tasks_done", point.tasksDone},
                                    {"throughput_per_s", point.throughputPerS}};
        item["theory_ms"] = point.theoryMs ? nlohmann::ordered_json(*point.theoryMs) : nlohmann::ordered_json();
        if (!point.outcome.error.empty()) {
            item["error"] = point.outcome.error;
        }
        points.push_back(std::move(item));
    }
    return {{"lesson", scenario.id},         {"alias", scenario.alias()},  {"variant", result.variant},
            {"parameter", result.parameter}, {"interrupted", interrupted}, {"points", std::move(points)}};
}

void writeSweepCsv(std::ostream& out, const core::SweepResult& result) {
    out << result.parameter << ",status,makespan_ms,tasks_done,throughput_per_s,theory_ms\n";
    for (const core::SweepPoint& point : result.points) {
        out << fmt::format("{},{},{:.3f},{},{:.3f},{}\n", number(point.value), core::toString(point.outcome.status),
                           point.makespanMs, point.tasksDone, point.throughputPerS,
                           point.theoryMs ? fmt::format("{:.3f}", *point.theoryMs) : std::string());
    }
}

} // namespace

int runSweep(const SweepCommand& command) {
    const core::Scenario scenario = core::findLesson(command.lesson);
    const SweepPlan plan = planSweep(scenario, command);
    std::map<std::string, std::string> overrides = parseOverrides(command.settings.sets);
    if (overrides.count(plan.parameter) != 0) {
        throw core::UsageError(fmt::format("parameter '{}' is swept: it cannot be --set too", plan.parameter));
    }
    const core::RunOptions options = runOptionsFrom(command.settings);
    if (!command.csvPath.empty()) {
        checkWritable(command.csvPath);
    }
    checkFigureRequest(command.figure);
    const bool keepRuns = !command.figure.path.empty();

    // Every value is checked (its parameter's range, the plan's limits) before the first run starts.
    std::vector<core::ParameterValues> parameters;
    std::vector<std::unique_ptr<LessonSession>> sessions;
    for (const double value : plan.values) {
        overrides[plan.parameter] = number(value);
        parameters.push_back(core::resolveParameters(scenario, overrides));
        sessions.push_back(std::make_unique<LessonSession>(scenario, parameters.back(),
                                                           std::vector<std::string>{plan.variant}, options));
    }

    core::SweepResult result;
    std::vector<core::VariantRun> runs; // for the figure: each run's block, named by its value
    result.variant = plan.variant;
    result.parameter = plan.parameter;
    ProgressLine progress;
    int stopped = 0;
    for (std::size_t index = 0; index < sessions.size() && stopped == 0; ++index) {
        SessionResult session = sessions[index]->run(progress);
        sessions[index].reset();
        stopped = session.stopSignal;
        if (session.runs.empty()) {
            break;
        }
        const std::optional<double> theory =
            plan.lessonSweep != nullptr ? core::sweepTheoryMs(*plan.lessonSweep, parameters[index]) : std::nullopt;
        result.points.push_back(core::sweepPoint(session.runs.front(), plan.values[index], theory));
        if (keepRuns) {
            runs.push_back(std::move(session.runs.front()));
            runs.back().variant = fmt::format("{} · {}={}", plan.variant, plan.parameter, number(plan.values[index]));
        }
    }
    progress.clear();

    if (command.settings.json) {
        fmt::print("{}\n", sweepJson(scenario, result, stopped != 0).dump(2));
    } else {
        printSweep(scenario, result, plan.values.size());
    }
    std::fflush(stdout);
    if (stopped != 0) {
        fmt::print(stderr, "interleave-cli: interrupted; the sweep above is partial, and no file was written\n");
        return 128 + stopped;
    }
    std::string writeError;
    try {
        if (!command.csvPath.empty()) {
            try {
                writeFileStoppably(command.csvPath, [&](std::ostream& out) { writeSweepCsv(out, result); });
                fmt::print(command.settings.json ? stderr : stdout, "wrote {}\n", command.csvPath);
            } catch (const core::FileWriteError& error) {
                writeError = error.what();
            }
        }
        if (keepRuns) {
            // The figure's blocks: the runs by value, their speedups against the first, no expectations.
            core::Scenario swept = scenario;
            swept.expectations.clear();
            swept.baseline = runs.empty() ? std::string() : runs.front().variant;
            const core::LessonReport report = core::buildReport(swept, parameters.front(), runs);
            FigureSource figure;
            figure.title = fmt::format("{} · {} · sweep of {}", scenario.alias(), scenario.title, plan.parameter);
            core::ParameterValues shown = parameters.front();
            shown.erase(plan.parameter); // it is the chart's axis, not one value
            figure.subtitle = figureSubtitle(shown, command.settings.timeScale);
            for (const core::VariantRun& run : runs) {
                figure.runs.push_back(&run);
            }
            figure.report = &report;
            figure.baseline = swept.baseline;
            figure.lanesByWorker = scenario.lanesByWorker;
            figure.sweep = &result;
            if (plan.lessonSweep != nullptr && plan.lessonSweep->theoryMs) {
                figure.sweepTheory = plan.lessonSweep->theoryMs->text();
            }
            const std::string figureError = writeFigure(figure, command.figure);
            if (figureError.empty()) {
                fmt::print(command.settings.json ? stderr : stdout, "wrote {}\n", command.figure.path);
            } else if (writeError.empty()) {
                writeError = figureError;
            }
        }
    } catch (const WriteInterrupted& interrupted) {
        fmt::print(stderr, "interleave-cli: {}\n", interrupted.what());
        return 128 + stopSignal();
    }
    if (!writeError.empty()) {
        fmt::print(stderr, "interleave-cli: {}\n", writeError);
        return kExitWriteFailed;
    }
    for (const core::SweepPoint& point : result.points) {
        if (core::endedWithError(point.outcome.status)) {
            fmt::print(stderr, "interleave-cli: {} · {} at {}={}: {}: {}\n", scenario.alias(), plan.variant,
                       plan.parameter, number(point.value), core::toString(point.outcome.status), point.outcome.error);
            return kExitRunFailed;
        }
    }
    return kExitOk;
}

} // namespace interleave::cli
