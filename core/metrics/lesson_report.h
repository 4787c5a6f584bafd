// Derived figures of a lesson's runs: makespan, speedup, peaks, lag, and each expectation's verdict.
#pragma once

#include "metrics/cpython_comparison.h"
#include "metrics/stage_breakdown.h"
#include "runtime/run.h"
#include "scenario/scenario.h"
#include "trace/trace_analysis.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace interleave::core {

// The trace of one variant's run, with its analysis.
struct VariantRun {
    std::string variant;
    Trace trace;
    TraceAnalysis analysis;
    RunOutcome outcome;
    double timeScale = 1.0; // the run's slow motion; time metrics are reported in lesson time (divided by it)
};

struct VariantSummary {
    std::string variant;
    RunOutcome outcome;
    double makespanMs = 0;
    std::optional<double> speedup;             // baseline makespan / makespan, when the baseline ran
    std::optional<double> maxLagMs;            // async variants only
    std::map<std::string, std::int64_t> peaks; // counter name -> peak value
    std::size_t taskCount = 0;
    std::size_t eventCount = 0;
    std::vector<DeadlockStep> deadlock; // a deadlocked run's cycle (its error says it in words)
    StageBreakdown stages;              // where the time went, when its steps name stages
};

enum class Verdict : std::uint8_t { Pass, Fail, NotMeasured };

struct ExpectationResult {
    ExpectationDecl expectation;
    std::optional<double> measured;
    double expected = 0;
    Verdict verdict = Verdict::NotMeasured;
    std::string detail; // e.g. "measured 2004.8 ms, expected 2000 ± 10%"
};

struct LessonReport {
    std::string lessonId;
    std::string title;
    ParameterValues parameters;
    std::vector<VariantSummary> variants;
    std::vector<ExpectationResult> expectations;
    std::vector<CpythonComparison> cpython; // variants run in CPython too, set against the engine's runs
    bool allPassed() const;
};

// The value of `metric` for `run`; `baseline` is needed for speedup. nullopt when it cannot be measured (e.g. a
// counter the run never recorded, or speedup without a baseline run).
std::optional<double> measureMetric(const MetricRef& metric, const VariantRun& run, const VariantRun* baseline);

VariantSummary summarize(const VariantRun& run, const VariantRun* baseline);

// Summaries for every run, and a verdict for each expectation whose variant ran (NotMeasured otherwise).
LessonReport buildReport(const Scenario& scenario, const ParameterValues& parameters,
                         const std::vector<VariantRun>& runs);
// The same for runs held elsewhere (a run's trace can be hundreds of MB: nothing is copied).
LessonReport buildReport(const Scenario& scenario, const ParameterValues& parameters,
                         const std::vector<const VariantRun*>& runs);

std::string_view toString(Verdict verdict);

} // namespace interleave::core
