// Writes the CSV and Chrome trace exports of a session's runs.
#include "export_files.h"

#include "stop_signal.h"

#include "io/atomic_file.h"
#include "io/run_file.h"
#include "scenario/lesson_error.h"
#include "trace/trace_export.h"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <functional>
#include <streambuf>

#include <unistd.h>

namespace interleave::cli {

// A stop (Ctrl-C) fails the write at its next 64 KB block: a million tasks' trace takes seconds to write, and a stop
// is to be quick.
void writeFileStoppably(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write) {
    try {
        core::writeFileAtomically(path, write, [] { return stopSignal() != 0; });
    } catch (const core::FileWriteError&) {
        if (stopSignal() != 0) {
            throw WriteInterrupted(fmt::format("stopped while writing '{}'; it was left as it was", path.string()));
        }
        throw;
    }
}

std::filesystem::path countersPathFor(const std::filesystem::path& spansPath) {
    std::filesystem::path result = spansPath;
    result.replace_filename(spansPath.stem().string() + "-counters" + spansPath.extension().string());
    return result;
}

void checkWritable(const std::filesystem::path& path) {
    std::error_code error;
    if (std::filesystem::is_directory(path, error)) {
        throw core::UsageError(fmt::format("cannot write '{}': it is a folder", path.string()));
    }
    const std::filesystem::path folder = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    if (!std::filesystem::exists(folder, error)) {
        throw core::UsageError(
            fmt::format("cannot write '{}': the folder '{}' does not exist", path.string(), folder.string()));
    }
    if (!std::filesystem::is_directory(folder, error)) {
        throw core::UsageError(fmt::format("cannot write '{}': '{}' is not a folder", path.string(), folder.string()));
    }
    if (::access(folder.c_str(), W_OK) != 0) {
        throw core::UsageError(fmt::format("cannot write '{}': {}", path.string(), std::strerror(errno)));
    }
}

ExportFiles::ExportFiles(const std::string& csvPath, const std::string& tracePath, const std::string& runFilePath) {
    if (!runFilePath.empty()) {
        m_runFilePath = runFilePath;
        checkWritable(m_runFilePath);
    }
    if (!csvPath.empty()) {
        m_spansPath = csvPath;
        m_countersPath = countersPathFor(m_spansPath);
        checkWritable(m_spansPath);
    }
    if (!tracePath.empty()) {
        m_tracePath = tracePath;
        checkWritable(m_tracePath);
    }
}

std::vector<std::string> ExportFiles::write(const std::string& lessonLabel, const std::vector<core::VariantRun>& runs,
                                            const core::Scenario* scenario, const core::ParameterValues& parameters) {
    std::vector<core::LabelledTrace> traces;
    traces.reserve(runs.size());
    for (const core::VariantRun& run : runs) {
        traces.push_back(core::LabelledTrace{run.variant, &run.trace, &run.analysis, lessonLabel});
    }
    std::vector<std::string> written;
    if (!m_spansPath.empty()) {
        writeFileStoppably(m_spansPath, [&](std::ostream& out) { core::writeSpansCsv(out, traces); });
        written.push_back(m_spansPath.string());
        writeFileStoppably(m_countersPath, [&](std::ostream& out) { core::writeCountersCsv(out, traces); });
        written.push_back(m_countersPath.string());
    }
    if (!m_tracePath.empty()) {
        writeFileStoppably(m_tracePath, [&](std::ostream& out) { core::writeChromeTrace(out, traces); });
        written.push_back(m_tracePath.string());
    }
    if (!m_runFilePath.empty()) {
        std::vector<const core::VariantRun*> finished;
        for (const core::VariantRun& run : runs) {
            finished.push_back(&run);
        }
        core::RunFile file = core::makeRunFile(scenario, parameters, finished);
        if (scenario == nullptr) {
            file.lessonTitle = lessonLabel; // an imported trace: its file name
        }
        writeFileStoppably(m_runFilePath, [&](std::ostream& out) { core::writeRunFile(out, file); });
        written.push_back(m_runFilePath.string());
    }
    return written;
}

} // namespace interleave::cli
