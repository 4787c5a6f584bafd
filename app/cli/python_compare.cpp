// Each variant's listing, rendered with the run's parameters, run by python3 under the CPython tracer.
#include "python_compare.h"

#include "lesson_session.h"
#include "python/python_script.h"
#include "runtime/plan.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

namespace interleave::cli {

namespace {

std::string lagText(const PythonComparison& each) {
    if (!each.engineLagMs && !each.pythonLagMs) {
        return "-";
    }
    auto one = [](const std::optional<double>& lag) { return lag ? fmt::format("{:.1f}", *lag) : std::string("-"); };
    return fmt::format("{} / {} ms", one(each.engineLagMs), one(each.pythonLagMs));
}

std::string peaksText(const PythonComparison& each) {
    std::vector<std::string> peaks;
    for (const core::PeakPair& peak : each.peaks) {
        peaks.push_back(fmt::format("{} {} / {}", peak.counter, peak.engine, peak.python));
    }
    return peaks.empty() ? std::string("-") : fmt::format("{}", fmt::join(peaks, ", "));
}

nlohmann::ordered_json optionalJson(const std::optional<double>& value) {
    return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json peaksJson(const PythonComparison& each) {
    nlohmann::ordered_json peaks = nlohmann::ordered_json::object();
    for (const core::PeakPair& peak : each.peaks) {
        peaks[peak.counter] = {{"engine", peak.engine}, {"python", peak.python}};
    }
    return peaks;
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
        // The listing's run as the app makes it: the variant's CPython twin, compiled from the lesson.
        const core::VariantRun python =
            runPlan(scenario.alias(), core::compilePlan(scenario, core::cpythonVariant(*variant, listing), values, {}),
                    progress);
        comparisons.push_back(
            core::compareWithCpython(scenario, core::summarize(engine, nullptr), core::summarize(python, nullptr)));
    }
    std::error_code ignored;
    std::filesystem::remove_all(folder, ignored);
    return comparisons;
}

void printComparisons(std::FILE* out, const std::vector<PythonComparison>& comparisons) {
    fmt::print(out, "\nthe engine and CPython (python3 running each variant's listing under the tracer)\n");
    fmt::print(out, "  {:<22} {:>11} {:>11} {:>8} {:>15}  {}\n", "variant", "engine", "CPython", "off", "max lag",
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
        fmt::print(out, "  {:<22} {:>8.1f} ms {:>8.1f} ms {:>+7.1f}% {:>15}  {}\n", each.variant, each.engineMs,
                   each.pythonMs, each.offPercent(), lagText(each), peaksText(each));
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
             {"off_percent", each.offPercent()},
             {"engine_max_lag_ms", optionalJson(each.engineLagMs)},
             {"python_max_lag_ms", optionalJson(each.pythonLagMs)},
             {"status", std::string(core::toString(each.status))},
             {"error", each.error.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(each.error)},
             {"peaks", peaksJson(each)},
             {"judged", each.judged},
             {"agrees", each.agrees}});
    }
    return list;
}

} // namespace interleave::cli
