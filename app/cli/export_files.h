// The files `run --csv` and `run --trace` write: opened before the run (so a bad path fails early), filled after.
#pragma once

#include "metrics/lesson_report.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace interleave::cli {

// "run.csv" -> "run-counters.csv"; "out/spans" -> "out/spans-counters".
std::filesystem::path countersPathFor(const std::filesystem::path& spansPath);

class ExportFiles {
public:
    // Opens (truncating) the requested files; throws UsageError naming a file that cannot be written.
    ExportFiles(const std::string& csvPath, const std::string& tracePath);

    bool any() const { return m_spans.is_open() || m_trace.is_open(); }
    // Writes every run, partial ones included; returns the paths written, for the summary.
    std::vector<std::string> write(const std::string& lessonLabel, const std::vector<core::VariantRun>& runs);

private:
    std::filesystem::path m_spansPath;
    std::filesystem::path m_countersPath;
    std::filesystem::path m_tracePath;
    std::ofstream m_spans;
    std::ofstream m_counters;
    std::ofstream m_trace;
};

} // namespace interleave::cli
