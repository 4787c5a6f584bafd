// Writes the CSV and Chrome trace exports of a session's runs.
#include "export_files.h"

#include "scenario/lesson_error.h"
#include "trace/trace_export.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace interleave::cli {

namespace {

void openFor(std::ofstream& stream, const std::filesystem::path& path) {
    errno = 0;
    stream.open(path, std::ios::out | std::ios::trunc | std::ios::binary);
    if (!stream.is_open()) {
        throw core::UsageError(fmt::format("cannot write '{}': {}", path.string(),
                                           errno != 0 ? std::strerror(errno) : "cannot open the file"));
    }
}

void finish(std::ofstream& stream, const std::filesystem::path& path, std::vector<std::string>& written) {
    stream.flush();
    if (!stream) {
        throw std::runtime_error(fmt::format("writing '{}' failed", path.string()));
    }
    stream.close();
    written.push_back(path.string());
}

} // namespace

std::filesystem::path countersPathFor(const std::filesystem::path& spansPath) {
    std::filesystem::path result = spansPath;
    result.replace_filename(spansPath.stem().string() + "-counters" + spansPath.extension().string());
    return result;
}

ExportFiles::ExportFiles(const std::string& csvPath, const std::string& tracePath) {
    if (!csvPath.empty()) {
        m_spansPath = csvPath;
        m_countersPath = countersPathFor(m_spansPath);
        openFor(m_spans, m_spansPath);
        openFor(m_counters, m_countersPath);
    }
    if (!tracePath.empty()) {
        m_tracePath = tracePath;
        openFor(m_trace, m_tracePath);
    }
}

std::vector<std::string> ExportFiles::write(const std::string& lessonLabel, const std::vector<core::VariantRun>& runs) {
    std::vector<core::LabelledTrace> traces;
    traces.reserve(runs.size());
    for (const core::VariantRun& run : runs) {
        traces.push_back(core::LabelledTrace{run.variant, &run.trace, &run.analysis, lessonLabel});
    }
    std::vector<std::string> written;
    if (m_spans.is_open()) {
        core::writeSpansCsv(m_spans, traces);
        finish(m_spans, m_spansPath, written);
        core::writeCountersCsv(m_counters, traces);
        finish(m_counters, m_countersPath, written);
    }
    if (m_trace.is_open()) {
        core::writeChromeTrace(m_trace, traces);
        finish(m_trace, m_tracePath, written);
    }
    return written;
}

} // namespace interleave::cli
