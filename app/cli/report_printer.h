// Human-readable summaries of a lesson's runs: the variants table and the expectations with their verdicts.
#pragma once

#include "metrics/lesson_report.h"

#include <cstdio>
#include <string>

namespace interleave::cli {

struct ReportContext {
    std::string alias; // "L2"
    bool interrupted = false;
};

// The full summary printed by `run`: parameters, a table of variants, then every expectation.
void printRunSummary(std::FILE* out, const core::LessonReport& report, const ReportContext& context);

// The verdicts printed by `check` for one lesson; the lesson's own line says whether it passed.
void printVerdicts(std::FILE* out, const core::LessonReport& report, const ReportContext& context);

} // namespace interleave::cli
