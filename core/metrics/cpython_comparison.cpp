#include "metrics/cpython_comparison.h"

#include "metrics/lesson_report.h"

#include <cmath>
#include <cstdio>
#include <memory>
#include <mutex>

namespace interleave::core {

namespace {

constexpr std::string_view kTwin = " · CPython";

std::string askVersion() {
    // Run through the shell's PATH lookup, as the runs themselves find python3.
    const std::unique_ptr<FILE, int (*)(FILE*)> pipe(
        ::popen("python3 -c 'import sys; print(\"%d.%d\" % sys.version_info[:2])' 2>/dev/null", "r"), ::pclose);
    if (!pipe) {
        return "CPython";
    }
    char buffer[32] = {};
    const std::size_t got = std::fread(buffer, 1, sizeof buffer - 1, pipe.get());
    std::string version(buffer, got);
    while (!version.empty() && (version.back() == '\n' || version.back() == '\r')) {
        version.pop_back();
    }
    const bool looksRight =
        !version.empty() && version.size() < 8 && version.find_first_not_of("0123456789.") == std::string::npos;
    return looksRight ? "CPython " + version : "CPython";
}

} // namespace

const std::string& cpythonLabel() {
    static std::once_flag once;
    static std::string label;
    std::call_once(once, [] { label = askVersion(); });
    return label;
}

std::string cpythonVariantName(const std::string& variant) {
    return variant + " · " + cpythonLabel();
}

std::optional<std::string> engineVariantOf(const std::string& name) {
    const auto at = name.rfind(kTwin);
    if (at == std::string::npos || at == 0) {
        return std::nullopt;
    }
    return name.substr(0, at);
}

CpythonComparison compareWithCpython(const Scenario& scenario, const VariantSummary& engine,
                                     const VariantSummary& python) {
    CpythonComparison comparison;
    comparison.variant = engine.variant;
    comparison.pythonVariant = python.variant;
    comparison.engineMs = engine.makespanMs;
    comparison.pythonMs = python.makespanMs;
    comparison.engineLagMs = engine.maxLagMs;
    comparison.pythonLagMs = python.maxLagMs;
    comparison.status = python.outcome.status;
    comparison.error = python.outcome.error;
    if (const VariantDecl* variant = scenario.findVariant(engine.variant)) {
        comparison.judged = variant->cpythonAgrees;
    }
    comparison.tolerance = scenario.cpythonTolerance;
    comparison.agrees = python.outcome.status == RunStatus::Completed &&
                        std::abs(comparison.offPercent()) <= comparison.tolerance * 100;
    for (const auto& [counter, peak] : engine.peaks) {
        if (const auto theirs = python.peaks.find(counter); theirs != python.peaks.end()) {
            comparison.peaks.push_back(PeakPair{counter, peak, theirs->second});
        }
    }
    return comparison;
}

std::vector<CpythonComparison> cpythonComparisons(const Scenario& scenario,
                                                  const std::vector<VariantSummary>& summaries) {
    std::vector<CpythonComparison> comparisons;
    for (const VariantSummary& engine : summaries) {
        if (engineVariantOf(engine.variant)) {
            continue;
        }
        for (const VariantSummary& python : summaries) {
            if (engineVariantOf(python.variant) == engine.variant) {
                comparisons.push_back(compareWithCpython(scenario, engine, python));
                break;
            }
        }
    }
    return comparisons;
}

} // namespace interleave::core
