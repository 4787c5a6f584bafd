// The files `run --csv` and `run --trace` write: checked before the run (so a bad path fails early), written after,
// each through a temporary file renamed into place (an earlier file survives a failed export).
#pragma once

#include "metrics/lesson_report.h"

#include <filesystem>
#include <functional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace interleave::cli {

// "run.csv" -> "run-counters.csv"; "out/spans" -> "out/spans-counters".
std::filesystem::path countersPathFor(const std::filesystem::path& spansPath);

// Throws UsageError when `path` cannot be written: its folder is missing, is not a folder or is read-only, or the
// path is a folder itself.
void checkWritable(const std::filesystem::path& path);

// A stop (Ctrl-C) while an export was written: that file was left as it was (the files written before it stay).
class WriteInterrupted : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Writes one file through a temporary file renamed into place; a stop fails it at its next 64 KB (WriteInterrupted),
// a failed write throws core::FileWriteError. Either way an earlier file of that name is left as it was.
void writeFileStoppably(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write);

class ExportFiles {
public:
    // Checks that the requested files can be written; throws UsageError naming one that cannot.
    ExportFiles(const std::string& csvPath, const std::string& tracePath, const std::string& runFilePath = {});

    bool any() const { return !m_spansPath.empty() || !m_tracePath.empty() || !m_runFilePath.empty(); }
    // Writes every run, partial ones included; returns the paths written, for the summary. Throws
    // core::FileWriteError when a write fails, WriteInterrupted when a stop comes while the CSV or trace files are
    // written (checked every 64 KB). `scenario` is the lesson for the run file (null for an import).
    std::vector<std::string> write(const std::string& lessonLabel, const std::vector<core::VariantRun>& runs,
                                   const core::Scenario* scenario = nullptr,
                                   const core::ParameterValues& parameters = {});

private:
    std::filesystem::path m_spansPath;
    std::filesystem::path m_countersPath;
    std::filesystem::path m_tracePath;
    std::filesystem::path m_runFilePath;
};

} // namespace interleave::cli
