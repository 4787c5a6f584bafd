// Runs a lesson's variants one after the other, with live progress, draining the trace, and stopping on Ctrl-C.
#pragma once

#include "metrics/lesson_report.h"
#include "progress.h"
#include "runtime/plan.h"
#include "scenario/scenario.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace interleave::cli {

struct SessionResult {
    std::vector<core::VariantRun> runs; // in the order they ran; the last one is partial when interrupted
    int stopSignal = 0;                 // the signal that interrupted the session, 0 when none

    bool interrupted() const { return stopSignal != 0; }
    bool anyRunFailed() const;
};

class LessonSession {
public:
    // Compiles every variant's plan up front, so that a limit or a bad value is refused before anything runs.
    // Throws UsageError (unknown variant, limit) or LessonError.
    LessonSession(const core::Scenario& scenario, const core::ParameterValues& parameters,
                  const std::vector<std::string>& variants, const core::RunOptions& options);

    SessionResult run(ProgressLine& progress);

private:
    const core::Scenario& m_scenario;
    std::vector<core::Plan> m_plans;
};

// The variants to run: `requested` by name (UsageError listing the lesson's variants when one is unknown), or all.
std::vector<std::string> selectVariants(const core::Scenario& scenario, const std::vector<std::string>& requested);

// Runs one plan with progress on stderr and Ctrl-C stopping it: the run, drained and analysed. `label` names it in
// the progress line (a lesson's alias).
core::VariantRun runPlan(const std::string& label, core::Plan plan, ProgressLine& progress);

struct RunSettings;
// The options a run takes from the command line; UsageError for a malformed broker URL or run id.
core::RunOptions runOptionsFrom(const RunSettings& settings);

// "name=value" strings to a map; UsageError when one has no '='.
std::map<std::string, std::string> parseOverrides(const std::vector<std::string>& sets);

} // namespace interleave::cli
