// run LESSON --python: each variant's listing run in CPython under the tracer, set against the engine's run.
#pragma once

#include "metrics/lesson_report.h"
#include "progress.h"
#include "scenario/scenario.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>
#include <vector>

namespace interleave::cli {

struct PythonComparison {
    std::string variant;
    double engineMs = 0;
    double pythonMs = 0; // from the program's first traced moment to its end (interpreter start-up left out)
    core::RunStatus status = core::RunStatus::NotStarted;
    std::string error;
    std::vector<std::string> peaks; // "sem.in_use 10 / 10" for counters both recorded
    bool judged = true;             // the variant is expected to agree (VariantDecl::cpythonAgrees)
    bool agrees = false;            // judged: CPython completed within the lesson's cpython_tolerance
    double offPercent() const { return engineMs > 0 ? (pythonMs - engineMs) / engineMs * 100 : 0; }
};

// check --python: a line per variant, PASS or FAIL (or "not judged"); false when one fails.
bool printComparisonVerdicts(std::FILE* out, const core::Scenario& scenario,
                             const std::vector<PythonComparison>& comparisons);

std::vector<PythonComparison> compareWithPython(const core::Scenario& scenario, const core::ParameterValues& values,
                                                const std::vector<core::VariantRun>& engineRuns,
                                                ProgressLine& progress);
void printComparisons(std::FILE* out, const std::vector<PythonComparison>& comparisons);
nlohmann::ordered_json comparisonsToJson(const std::vector<PythonComparison>& comparisons);

} // namespace interleave::cli
