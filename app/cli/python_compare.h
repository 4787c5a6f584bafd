// run LESSON --python: each variant's listing run in CPython under the tracer, set against the engine's run.
#pragma once

#include "metrics/cpython_comparison.h"
#include "metrics/lesson_report.h"
#include "progress.h"
#include "scenario/scenario.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>
#include <vector>

namespace interleave::cli {

using PythonComparison = core::CpythonComparison;

// check --python: a line per variant, PASS or FAIL (or "not judged"); false when one fails.
bool printComparisonVerdicts(std::FILE* out, const core::Scenario& scenario,
                             const std::vector<PythonComparison>& comparisons);

std::vector<PythonComparison> compareWithPython(const core::Scenario& scenario, const core::ParameterValues& values,
                                                const std::vector<core::VariantRun>& engineRuns,
                                                ProgressLine& progress);
void printComparisons(std::FILE* out, const std::vector<PythonComparison>& comparisons);
nlohmann::ordered_json comparisonsToJson(const std::vector<PythonComparison>& comparisons);

} // namespace interleave::cli
