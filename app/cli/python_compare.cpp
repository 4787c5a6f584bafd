// Each variant's listing, rendered with the run's parameters, run by python3 under the CPython tracer.
#include "python_compare.h"

#include "lesson_session.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

namespace interleave::cli {

namespace {

// The program's own time: from its first traced moment (the interpreter is up) to its last.
double programMs(const core::VariantRun& run) {
    for (const core::Event& event : run.trace.events) {
        if (event.kind == core::EventKind::TaskCreated) {
            return static_cast<double>(run.trace.endNs - event.timeNs) / 1e6;
        }
    }
    return 0;
}

} // namespace

std::vector<PythonComparison> compareWithPython(const core::Scenario& scenario, const core::ParameterValues& values,
                                                const std::vector<core::VariantRun>& engineRuns,
                                                ProgressLine& progress) {
    const std::filesystem::path folder =
        std::filesystem::temp_directory_path() / fmt::format("interleave-listings-{}", getpid());
    std::filesystem::create_directories(folder);
    std::vector<PythonComparison> comparisons;
    for (const core::VariantRun& engine : engineRuns) {
        const core::VariantDecl* variant = scenario.findVariant(engine.variant);
        if (variant == nullptr) {
            continue;
        }
        const std::filesystem::path listing = folder / (engine.variant + ".py");
        std::ofstream(listing) << scenario.renderListing(*variant, values);
        core::VariantRun python =
            runPlan(scenario.alias() + " CPython", pythonPlan(engine.variant, listing, {}, 600), progress);
        PythonComparison comparison;
        comparison.variant = engine.variant;
        comparison.engineMs = static_cast<double>(engine.analysis.makespanNs) / 1e6 / std::max(engine.timeScale, 1e-9);
        comparison.pythonMs = programMs(python);
        comparison.status = python.outcome.status;
        comparison.error = python.outcome.error;
        comparison.judged = variant->cpythonAgrees;
        comparison.agrees = python.outcome.status == core::RunStatus::Completed &&
                            std::abs(comparison.offPercent()) <= scenario.cpythonTolerance * 100;
        for (const core::CounterSeries& series : engine.analysis.counters) {
            if (const core::CounterSeries* theirs = python.analysis.counter(series.name)) {
                comparison.peaks.push_back(fmt::format("{} {:g} / {:g}", series.name, series.peak, theirs->peak));
            }
        }
        comparisons.push_back(std::move(comparison));
    }
    std::error_code ignored;
    std::filesystem::remove_all(folder, ignored);
    return comparisons;
}

void printComparisons(std::FILE* out, const std::vector<PythonComparison>& comparisons) {
    fmt::print(out, "\nthe engine and CPython (python3 running each variant's listing under the tracer)\n");
    fmt::print(out, "  {:<22} {:>11} {:>11} {:>8}  {}\n", "variant", "engine", "CPython", "off",
               "peaks (engine / CPython)");
    for (const PythonComparison& each : comparisons) {
        if (core::endedWithError(each.status)) {
            // The error's last line: an exception's type and message.
            std::string last = each.error;
            while (!last.empty() && last.back() == '\n') {
                last.pop_back();
            }
            fmt::print(out, "  {:<22} {:>8.1f} ms  CPython: {}\n", each.variant, each.engineMs,
                       last.substr(last.rfind('\n') == std::string::npos ? 0 : last.rfind('\n') + 1));
            continue;
        }
        const double off = each.engineMs > 0 ? (each.pythonMs - each.engineMs) / each.engineMs * 100 : 0;
        fmt::print(out, "  {:<22} {:>8.1f} ms {:>8.1f} ms {:>+7.1f}%  {}\n", each.variant, each.engineMs, each.pythonMs,
                   off, each.peaks.empty() ? std::string("-") : fmt::format("{}", fmt::join(each.peaks, ", ")));
    }
}

bool printComparisonVerdicts(std::FILE* out, const core::Scenario& scenario,
                             const std::vector<PythonComparison>& comparisons) {
    bool passed = true;
    for (const PythonComparison& each : comparisons) {
        const std::string verdict = !each.judged ? "--  " : each.agrees ? "PASS" : "FAIL";
        passed = passed && (!each.judged || each.agrees);
        if (core::endedWithError(each.status)) {
            fmt::print(out, "  {}  {} in CPython: {}\n", verdict, each.variant,
                       each.error.substr(0, each.error.find('\n')));
        } else {
            fmt::print(out, "  {}  {} in CPython: {:.1f} ms against the engine's {:.1f} ms ({:+.1f}%; {} ±{:g}%)\n",
                       verdict, each.variant, each.pythonMs, each.engineMs, each.offPercent(),
                       each.judged ? "expected within" : "not expected to agree; tolerance",
                       scenario.cpythonTolerance * 100);
        }
    }
    return passed;
}

nlohmann::ordered_json comparisonsToJson(const std::vector<PythonComparison>& comparisons) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const PythonComparison& each : comparisons) {
        list.push_back(
            {{"variant", each.variant},
             {"engine_ms", each.engineMs},
             {"python_ms", each.pythonMs},
             {"off_percent", each.engineMs > 0 ? (each.pythonMs - each.engineMs) / each.engineMs * 100 : 0},
             {"status", std::string(core::toString(each.status))},
             {"error", each.error.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(each.error)},
             {"peaks", each.peaks},
             {"judged", each.judged},
             {"agrees", each.agrees}});
    }
    return list;
}

} // namespace interleave::cli
