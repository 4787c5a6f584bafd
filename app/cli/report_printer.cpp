// Prints lesson reports as aligned text tables for a terminal.
#include "report_printer.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace interleave::cli {

namespace {

// Display width of UTF-8 text: one column per code point (enough for "×", "≈", "·").
std::size_t displayWidth(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(
        text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U; }));
}

std::string pad(std::string_view text, std::size_t width, bool right = false) {
    const std::size_t length = displayWidth(text);
    const std::string fill(width > length ? width - length : 0, ' ');
    return right ? fill + std::string(text) : std::string(text) + fill;
}

std::string formatMs(double ms) {
    if (ms >= 100) {
        return fmt::format("{:.1f} ms", ms);
    }
    return fmt::format("{:.2f} ms", ms);
}

std::string formatParameters(const core::ParameterValues& parameters) {
    std::vector<std::string> items;
    items.reserve(parameters.size());
    for (const auto& [name, value] : parameters) {
        items.push_back(fmt::format("{}={}", name, value));
    }
    return fmt::format("{}", fmt::join(items, "  "));
}

std::string formatPeaks(const std::map<std::string, std::int64_t>& peaks) {
    std::vector<std::string> items;
    items.reserve(peaks.size());
    for (const auto& [name, value] : peaks) {
        items.push_back(fmt::format("{}={}", name, value));
    }
    return items.empty() ? "-" : fmt::format("{}", fmt::join(items, " "));
}

std::string_view verdictLabel(core::Verdict verdict) {
    switch (verdict) {
    case core::Verdict::Pass:
        return "PASS";
    case core::Verdict::Fail:
        return "FAIL";
    case core::Verdict::NotMeasured:
        return "N/A ";
    }
    return "?   ";
}

// Rows as columns two spaces apart, each as wide as its widest cell; `rightAligned(column)` says which hold numbers.
// Without `padLast`, the last column is printed as it is (free text, however long).
template <typename RightAligned>
void printAligned(std::FILE* out, const std::vector<std::vector<std::string>>& rows, RightAligned rightAligned,
                  bool padLast) {
    std::vector<std::size_t> widths(rows.empty() ? 0 : rows[0].size(), 0);
    for (const auto& row : rows) {
        for (std::size_t column = 0; column < row.size(); ++column) {
            widths[column] = std::max(widths[column], displayWidth(row[column]));
        }
    }
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t column = 0; column < row.size(); ++column) {
            const bool last = column + 1 == row.size();
            line += "  " + (last && !padLast ? row[column] : pad(row[column], widths[column], rightAligned(column)));
        }
        fmt::print(out, "{}\n", line);
    }
}

void printVariantsTable(std::FILE* out, const core::LessonReport& report) {
    std::vector<std::vector<std::string>> rows = {
        {"variant", "status", "makespan", "speedup", "max lag", "tasks", "events", "peaks"}};
    for (const core::VariantSummary& variant : report.variants) {
        rows.push_back({variant.variant, std::string(core::toString(variant.outcome.status)),
                        formatMs(variant.makespanMs), variant.speedup ? fmt::format("{:.2f}×", *variant.speedup) : "-",
                        variant.maxLagMs ? formatMs(*variant.maxLagMs) : "-", std::to_string(variant.taskCount),
                        std::to_string(variant.eventCount), formatPeaks(variant.peaks)});
    }
    // The last column (the peaks) is free text: not padded.
    printAligned(
        out, rows, [](std::size_t column) { return column >= 2 && column <= 6; }, false);
    for (const core::VariantSummary& variant : report.variants) {
        if (core::endedWithError(variant.outcome.status) || !variant.outcome.error.empty()) {
            fmt::print(out, "  {} {}: {}\n", variant.variant, core::toString(variant.outcome.status),
                       variant.outcome.error);
        }
    }
}

// Every stage any variant ran, in the order they first appear.
std::vector<std::string> stageNames(const core::LessonReport& report) {
    std::vector<std::string> names;
    for (const core::VariantSummary& variant : report.variants) {
        for (const core::StageShare& share : variant.stages.stages) {
            if (std::find(names.begin(), names.end(), share.stage) == names.end()) {
                names.push_back(share.stage);
            }
        }
    }
    return names;
}

// "where the time went": a row per variant, a column per stage, in ms; the columns add up to the makespan.
void printStageBreakdown(std::FILE* out, const core::LessonReport& report) {
    const std::vector<std::string> names = stageNames(report);
    if (names.empty()) {
        return;
    }
    std::vector<std::vector<std::string>> rows(1);
    rows[0].emplace_back("variant");
    rows[0].insert(rows[0].end(), names.begin(), names.end());
    rows[0].emplace_back("outside stages");
    for (const core::VariantSummary& variant : report.variants) {
        std::vector<std::string> row = {variant.variant};
        for (const std::string& name : names) {
            const auto share = std::find_if(variant.stages.stages.begin(), variant.stages.stages.end(),
                                            [&](const core::StageShare& item) { return item.stage == name; });
            row.push_back(share == variant.stages.stages.end() ? "-" : formatMs(share->ms));
        }
        row.push_back(formatMs(variant.stages.outsideMs));
        rows.push_back(std::move(row));
    }
    fmt::print(out, "\nwhere the time went (overlapping stages share their time)\n");
    printAligned(
        out, rows, [](std::size_t column) { return column > 0; }, true);
}

void printExpectations(std::FILE* out, const core::LessonReport& report) {
    for (const core::ExpectationResult& result : report.expectations) {
        const core::ExpectationDecl& expectation = result.expectation;
        fmt::print(out, "  {}  {}\n", verdictLabel(result.verdict), expectation.text);
        fmt::print(out, "        {} · {}: {}\n", expectation.variant, core::toString(expectation.metric),
                   result.detail);
    }
}

std::size_t countVerdicts(const core::LessonReport& report, core::Verdict verdict) {
    return static_cast<std::size_t>(std::count_if(report.expectations.begin(), report.expectations.end(),
                                                  [&](const auto& result) { return result.verdict == verdict; }));
}

std::string tally(const core::LessonReport& report) {
    const std::size_t passed = countVerdicts(report, core::Verdict::Pass);
    const std::size_t notMeasured = countVerdicts(report, core::Verdict::NotMeasured);
    std::string text = fmt::format("{} of {} expectations passed", passed, report.expectations.size());
    if (notMeasured > 0) {
        text += fmt::format(", {} not measured", notMeasured);
    }
    return text;
}

} // namespace

void printRunSummary(std::FILE* out, const core::LessonReport& report, const ReportContext& context) {
    fmt::print(out, "{} {}: {}\n", context.alias, report.lessonId, report.title);
    if (context.interrupted) {
        fmt::print(out, "interrupted: partial results\n");
    }
    fmt::print(out, "parameters: {}\n\n", formatParameters(report.parameters));
    printVariantsTable(out, report);
    printStageBreakdown(out, report);
    if (!report.expectations.empty()) {
        fmt::print(out, "\nexpectations\n");
        printExpectations(out, report);
        fmt::print(out, "\n{}.\n", tally(report));
    }
    std::fflush(out);
}

void printVerdicts(std::FILE* out, const core::LessonReport& report, const ReportContext& context) {
    const bool passed = report.allPassed() && !context.interrupted;
    fmt::print(out, "{} {} {}: {}{}\n", passed ? "PASS" : "FAIL", context.alias, report.lessonId, tally(report),
               context.interrupted ? " (interrupted)" : "");
    for (const core::VariantSummary& variant : report.variants) {
        if (core::endedWithError(variant.outcome.status)) {
            fmt::print(out, "  run of {} {}: {}\n", variant.variant, core::toString(variant.outcome.status),
                       variant.outcome.error);
        }
    }
    printExpectations(out, report);
    std::fflush(out);
}

} // namespace interleave::cli
