// A variant run by the engine set against its listing run in CPython under the tracer: makespan, lag and the peaks
// of the counters both recorded, with the difference in %. The app's summary and `interleave-cli run/check --python`
// say the same thing from this.
#pragma once

#include "runtime/run.h"
#include "scenario/scenario.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace interleave::core {

struct VariantSummary;

struct PeakPair {
    std::string counter;
    std::int64_t engine = 0;
    std::int64_t python = 0;
};

struct CpythonComparison {
    std::string variant;       // the engine's
    std::string pythonVariant; // "gather · CPython 3.11"
    double engineMs = 0;
    double pythonMs = 0; // from the program's first traced moment (interpreter start-up left out) to its end
    std::optional<double> engineLagMs;
    std::optional<double> pythonLagMs;
    std::vector<PeakPair> peaks;              // the counters both recorded
    RunStatus status = RunStatus::NotStarted; // CPython's
    std::string error;                        // CPython's, when it failed
    bool judged = true;                       // the variant is expected to agree (VariantDecl::cpythonAgrees)
    double tolerance = 0;                     // the lesson's cpython_tolerance
    bool agrees = false;                      // CPython completed within the tolerance
    double offPercent() const { return engineMs > 0 ? (pythonMs - engineMs) / engineMs * 100 : 0; }
};

// "CPython 3.11": the python3 on the PATH, asked once ("CPython" when there is none).
const std::string& cpythonLabel();
// The name of `variant`'s run in CPython: "gather · CPython 3.11".
std::string cpythonVariantName(const std::string& variant);
// The engine's variant a CPython run's name is of ("gather" for "gather · CPython 3.11"), or nullopt.
std::optional<std::string> engineVariantOf(const std::string& name);

CpythonComparison compareWithCpython(const Scenario& scenario, const VariantSummary& engine,
                                     const VariantSummary& python);
// A comparison for each CPython run in `summaries` whose engine variant ran too, in the engine runs' order.
std::vector<CpythonComparison> cpythonComparisons(const Scenario& scenario,
                                                  const std::vector<VariantSummary>& summaries);

} // namespace interleave::core
