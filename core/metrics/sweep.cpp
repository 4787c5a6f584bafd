#include "metrics/sweep.h"

#include "scenario/lesson_error.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace interleave::core {

namespace {

double number(std::string_view text, std::string_view whole) {
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
        throw UsageError(
            fmt::format("sweep values '{}': '{}' is not a number; write 1,2,4 or 1..8 or 1..64x2", whole, text));
    }
    return value;
}

void add(std::vector<double>& values, double value, std::string_view whole) {
    if (values.size() == kMaxSweepValues) {
        throw UsageError(fmt::format("sweep values '{}': more than {} values", whole, kMaxSweepValues));
    }
    values.push_back(value);
}

} // namespace

std::vector<double> parseSweepValues(std::string_view text) {
    std::vector<double> values;
    const std::size_t dots = text.find("..");
    if (dots == std::string_view::npos) {
        for (std::size_t start = 0; start <= text.size();) {
            const std::size_t comma = std::min(text.find(',', start), text.size());
            add(values, number(text.substr(start, comma - start), text), text);
            start = comma + 1;
        }
        return values;
    }
    const double from = number(text.substr(0, dots), text);
    std::string_view rest = text.substr(dots + 2);
    double factor = 0; // 0: step by one
    if (const std::size_t times = rest.find('x'); times != std::string_view::npos) {
        factor = number(rest.substr(times + 1), text);
        rest = rest.substr(0, times);
        if (factor <= 1 || from <= 0) {
            throw UsageError(fmt::format("sweep values '{}': a range that multiplies needs a factor above 1 and a "
                                         "start above 0",
                                         text));
        }
    }
    const double to = number(rest, text);
    if (to < from) {
        throw UsageError(fmt::format("sweep values '{}': the range ends before it starts", text));
    }
    for (double value = from; value <= to * (1 + 1e-12); value = factor > 0 ? value * factor : value + 1) {
        add(values, value, text);
    }
    return values;
}

SweepPoint sweepPoint(const VariantRun& run, double value, std::optional<double> theoryMs) {
    SweepPoint point;
    point.value = value;
    point.outcome = run.outcome;
    point.makespanMs = static_cast<double>(run.analysis.makespanNs) / 1e6 / run.timeScale;
    for (const TaskRecord& task : run.analysis.tasks) {
        if (task.parent != kNoTask && task.finalState == TaskState::Done) {
            ++point.tasksDone;
        }
    }
    point.throughputPerS = point.makespanMs > 0 ? static_cast<double>(point.tasksDone) * 1000.0 / point.makespanMs : 0;
    point.theoryMs = theoryMs;
    return point;
}

std::optional<double> sweepTheoryMs(const SweepDecl& sweep, const ParameterValues& values) {
    if (!sweep.theoryMs) {
        return std::nullopt;
    }
    const double theory = sweep.theoryMs->evaluate(values);
    return std::isfinite(theory) ? std::optional<double>(theory) : std::nullopt;
}

const SweepDecl* findSweep(const Scenario& scenario, std::string_view variant) {
    for (const SweepDecl& sweep : scenario.sweeps) {
        if (variant.empty() || sweep.variant == variant) {
            return &sweep;
        }
    }
    return nullptr;
}

} // namespace interleave::core
