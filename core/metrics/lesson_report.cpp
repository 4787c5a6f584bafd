// Derived figures of a lesson's runs (makespan, speedup, peaks, lag, GIL hand-offs) and each expectation's verdict.
#include "metrics/lesson_report.h"
#include "runtime/cores.h"

#include "scenario/primitive_table.h"
#include "trace/trace_export.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>

namespace interleave::core {

namespace {

constexpr std::string_view kGilHolderCounter = "gil.holder"; // value = holding lane, -1 = released
constexpr double kNsPerMs = 1'000'000.0;

// A suffix the runtime records for primitives ("<primitive>.<suffix>", from the primitive table) or the GIL.
bool isPrimitiveCounterSuffix(std::string_view suffix) {
    if (suffix == "holder") {
        return true;
    }
    for (const PrimitiveInfo& info : allPrimitives()) {
        for (const std::string_view counter : countersOf(info)) {
            if (counter == suffix) {
                return true;
            }
        }
    }
    return false;
}

// A counter the run never sampled reads 0 when the run knew its name: its primitive never changed.
bool isKnownCounter(const Trace& trace, std::string_view name) {
    if (name == "in_flight" || trace.strings.find(name) != 0) {
        return true;
    }
    const auto dot = name.rfind('.');
    if (dot == std::string_view::npos || dot == 0) {
        return false;
    }
    const std::string_view suffix = name.substr(dot + 1);
    const bool primitiveSuffix = isPrimitiveCounterSuffix(suffix);
    return primitiveSuffix && trace.strings.find(name.substr(0, dot)) != 0;
}

// Accepts "waiting-io", "waiting_io", "Waiting-IO", and the long forms "waiting-for-gil" / "blocked-on".
std::optional<TaskState> parseState(std::string_view text) {
    std::string normalized;
    for (char c : text) {
        normalized += c == '_' || c == ' ' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (normalized == "waiting-for-gil") {
        return TaskState::WaitingGil;
    }
    if (normalized == "blocked-on") {
        return TaskState::Blocked;
    }
    for (int i = 0; i < kTaskStateCount; ++i) {
        const auto state = static_cast<TaskState>(i);
        if (toString(state) == normalized) {
            return state;
        }
    }
    return std::nullopt;
}

struct GilHandoffs {
    std::vector<std::int64_t> intervalsNs; // time each holder kept the GIL before another lane took it
    bool recorded = false;
};

// A hand-off is an acquisition by a lane other than the previous acquirer; re-acquisitions by the same lane (after
// an io wait, or a slice with nobody waiting) extend the current tenure.
GilHandoffs gilHandoffs(const VariantRun& run) {
    GilHandoffs result;
    const CounterSeries* series = run.analysis.counter(kGilHolderCounter);
    if (series == nullptr) {
        result.recorded = isKnownCounter(run.trace, kGilHolderCounter);
        return result;
    }
    result.recorded = true;
    std::int64_t holder = -1;
    std::int64_t tenureStartNs = 0;
    for (const CounterPoint& point : series->points) {
        const auto lane = static_cast<std::int64_t>(point.value); // the holder's lane, an integer
        if (lane < 0) {
            continue;
        }
        if (holder >= 0 && lane != holder) {
            result.intervalsNs.push_back(point.timeNs - tenureStartNs);
        }
        if (lane != holder) {
            holder = lane;
            tenureStartNs = point.timeNs;
        }
    }
    return result;
}

double median(std::vector<std::int64_t> values) {
    const std::size_t middle = values.size() / 2;
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(middle), values.end());
    const auto upper = static_cast<double>(values[middle]);
    if (values.size() % 2 == 1) {
        return upper;
    }
    const auto lower =
        static_cast<double>(*std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(middle)));
    return (lower + upper) / 2.0;
}

std::string_view unitOf(MetricKind kind) {
    switch (kind) {
    case MetricKind::MakespanMs:
    case MetricKind::MaxLagMs:
    case MetricKind::StateTimeMs:
    case MetricKind::GilSwitchMs:
    case MetricKind::MessagingMs:
    case MetricKind::StageMs:
        return " ms";
    case MetricKind::Speedup:
        return "×";
    case MetricKind::Peak:
    case MetricKind::PeakConcurrent:
    case MetricKind::GilHandoffs:
    case MetricKind::Markers:
    case MetricKind::TasksEnded:
    case MetricKind::Final:
    case MetricKind::Lost:
        return "";
    }
    return "";
}

// A measured figure for reading: whole numbers bare; others keep about four significant digits ("2004.8", "9.95",
// "0.312").
std::string formatFigure(double value) {
    if (!std::isfinite(value)) {
        return fmt::format("{}", value);
    }
    if (std::abs(value - std::round(value)) < 1e-9) {
        return fmt::format("{:.0f}", value);
    }
    const double magnitude = std::abs(value);
    if (magnitude >= 100) {
        return fmt::format("{:.1f}", value);
    }
    if (magnitude >= 1) {
        return fmt::format("{:.2f}", value);
    }
    return fmt::format("{:.3f}", value);
}

bool compare(Comparison comparison, double measured, double expected, double tolerance) {
    switch (comparison) {
    case Comparison::Near:
        return std::abs(measured - expected) <= tolerance * std::abs(expected) + 1e-9;
    case Comparison::AtMost:
        return measured <= expected + 1e-9;
    case Comparison::AtLeast:
        return measured >= expected - 1e-9;
    case Comparison::Equals:
        return std::abs(measured - expected) < 1e-9;
    }
    return false;
}

std::string expectedText(const ExpectationDecl& expectation, double expected) {
    const std::string value = formatFigure(expected);
    switch (expectation.comparison) {
    case Comparison::Near:
        return fmt::format("≈ {} (±{}%)", value, formatFigure(expectation.tolerance * 100));
    case Comparison::AtMost:
        return fmt::format("≤ {}", value);
    case Comparison::AtLeast:
        return fmt::format("≥ {}", value);
    case Comparison::Equals:
        return fmt::format("exactly {}", value);
    }
    return value;
}

void judge(ExpectationResult& result, double measured) {
    const ExpectationDecl& expectation = result.expectation;
    result.measured = measured;
    const bool passed = compare(expectation.comparison, measured, result.expected, expectation.tolerance);
    result.verdict = passed ? Verdict::Pass : Verdict::Fail;
    result.detail = fmt::format("measured {}{}, expected {}", formatFigure(measured), unitOf(expectation.metric.kind),
                                expectedText(expectation, result.expected));
    if (!passed && expectation.comparison == Comparison::Near && result.expected != 0) {
        const double off = (measured - result.expected) / std::abs(result.expected) * 100;
        result.detail += fmt::format(": off by {}{}%", off > 0 ? "+" : "", formatFigure(off));
    }
}

const VariantRun* findRun(const std::vector<const VariantRun*>& runs, std::string_view variant) {
    for (const VariantRun* run : runs) {
        if (run->variant == variant) {
            return run;
        }
    }
    return nullptr;
}

bool isUsableBaseline(const VariantRun* run) {
    return run != nullptr && run->outcome.status == RunStatus::Completed && run->analysis.makespanNs > 0;
}

ExpectationResult evaluate(const ExpectationDecl& expectation, const ParameterValues& parameters, const VariantRun* run,
                           const VariantRun* baseline, const std::string& baselineName) {
    ExpectationResult result;
    result.expectation = expectation;
    try {
        result.expected = expectation.value.evaluate(parameters);
    } catch (const std::exception& error) {
        result.detail = fmt::format("cannot compute the expected value: {}", error.what());
        return result;
    }
    if (!std::isfinite(result.expected)) {
        // 1 / $n with n = 0: no measurement is near infinity (and inf ± 10% would take any).
        result.detail = fmt::format("cannot compute the expected value: '{}' gives {} with these parameters",
                                    expectation.value.text(), std::isnan(result.expected) ? "no number" : "infinity");
        result.expected = 0;
        return result;
    }
    if (run == nullptr) {
        result.detail = fmt::format("variant '{}' was not run", expectation.variant);
        return result;
    }
    switch (run->outcome.status) {
    case RunStatus::Failed:
    case RunStatus::Stalled:
        result.verdict = Verdict::Fail;
        result.detail = fmt::format("the run {}: {}", run->outcome.status == RunStatus::Failed ? "failed" : "stalled",
                                    run->outcome.error.empty() ? "no reason given" : run->outcome.error);
        return result;
    case RunStatus::Stopped:
        result.detail = "the run was stopped before it finished";
        return result;
    case RunStatus::NotStarted:
    case RunStatus::Running:
        result.detail = "the run has not finished";
        return result;
    case RunStatus::Completed:
    case RunStatus::Deadlocked: // the lesson may mean it: its markers and the time until it are measured
        break;
    }
    const std::optional<double> measured = measureMetric(expectation.metric, *run, baseline);
    if (!measured) {
        if (expectation.metric.kind == MetricKind::Speedup) {
            result.detail = fmt::format("speedup needs a completed run of the baseline variant '{}'", baselineName);
        } else {
            result.detail = expectation.metric.kind == MetricKind::MaxLagMs
                                ? std::string("the loop-lag heartbeat recorded no sample in this run")
                                : fmt::format("{} was not recorded in this run", toString(expectation.metric));
        }
        return result;
    }
    judge(result, *measured);
    return result;
}

} // namespace

bool LessonReport::allPassed() const {
    const bool runsOk = std::none_of(variants.begin(), variants.end(), [](const VariantSummary& summary) {
        return endedWithError(summary.outcome.status);
    });
    const bool expectationsOk = std::all_of(expectations.begin(), expectations.end(),
                                            [](const ExpectationResult& r) { return r.verdict == Verdict::Pass; });
    return runsOk && expectationsOk;
}

namespace {

std::optional<double> measureInRunTime(const MetricRef& metric, const VariantRun& run, const VariantRun* baseline);

bool isDuration(MetricKind kind) {
    return kind == MetricKind::MakespanMs || kind == MetricKind::MaxLagMs || kind == MetricKind::StateTimeMs ||
           kind == MetricKind::GilSwitchMs || kind == MetricKind::MessagingMs || kind == MetricKind::StageMs;
}

} // namespace

// A counter's last sample; 0 for a known counter never sampled, none for an unknown one.
std::optional<double> finalValue(const VariantRun& run, const std::string& counter) {
    if (const CounterSeries* series = run.analysis.counter(counter); series != nullptr && !series->points.empty()) {
        return series->points.back().value;
    }
    return isKnownCounter(run.trace, counter) ? std::optional<double>(0.0) : std::nullopt;
}

std::optional<double> measureMetric(const MetricRef& metric, const VariantRun& run, const VariantRun* baseline) {
    std::optional<double> value = measureInRunTime(metric, run, baseline);
    // Slow motion stretches every duration; expectations are stated in the lesson's own time.
    if (value && isDuration(metric.kind) && run.timeScale > 0) {
        *value /= run.timeScale;
    }
    return value;
}

namespace {

std::optional<double> measureInRunTime(const MetricRef& metric, const VariantRun& run, const VariantRun* baseline) {
    const TraceAnalysis& analysis = run.analysis;
    switch (metric.kind) {
    case MetricKind::MakespanMs:
        return static_cast<double>(analysis.makespanNs) / kNsPerMs;
    case MetricKind::Speedup:
        if (baseline == nullptr || baseline->analysis.makespanNs <= 0 || analysis.makespanNs <= 0) {
            return std::nullopt;
        }
        return static_cast<double>(baseline->analysis.makespanNs) / static_cast<double>(analysis.makespanNs);
    case MetricKind::MaxLagMs: {
        // Never sampled means the heartbeat never ran (no loop, or a loop busy for the whole run): unknown, not 0.
        for (const CounterSeries& series : analysis.counters) {
            if (isLoopLagCounter(series.name)) {
                return std::max(series.peak, 0.0) / 1000.0; // us -> ms
            }
        }
        return std::nullopt;
    }
    case MetricKind::Peak: {
        if (isLoopLagCounter(metric.argument)) { // peak(loop_lag_ms) reads like max_lag_ms, in ms
            return measureMetric(MetricRef{MetricKind::MaxLagMs, {}, {}}, run, baseline);
        }
        if (const CounterSeries* series = analysis.counter(metric.argument)) {
            return static_cast<double>(series->peak);
        }
        return isKnownCounter(run.trace, metric.argument) ? std::optional<double>(0.0) : std::nullopt;
    }
    case MetricKind::PeakConcurrent: {
        const auto state = parseState(metric.argument);
        return state ? std::optional<double>(static_cast<double>(peakConcurrency(analysis, *state))) : std::nullopt;
    }
    case MetricKind::StateTimeMs: {
        const auto state = parseState(metric.argument);
        if (!state) {
            return std::nullopt;
        }
        if (metric.task.empty()) {
            return static_cast<double>(totalTimeInState(analysis, *state)) / kNsPerMs;
        }
        // Only the tasks of that name: "producer", or every "handle #n" for "handle".
        const std::uint32_t nameId = run.trace.strings.find(metric.task);
        if (nameId == 0) {
            return std::nullopt;
        }
        std::int64_t totalNs = 0;
        for (const Span& span : analysis.spans) {
            const TaskRecord* task = span.state == *state ? analysis.task(span.task) : nullptr;
            if (task != nullptr && task->nameId == nameId) {
                totalNs += span.endNs - span.startNs;
            }
        }
        return static_cast<double>(totalNs) / kNsPerMs;
    }
    case MetricKind::GilSwitchMs: {
        const GilHandoffs handoffs = gilHandoffs(run);
        if (handoffs.intervalsNs.empty()) {
            return std::nullopt;
        }
        return median(handoffs.intervalsNs) / kNsPerMs;
    }
    case MetricKind::Markers: {
        const auto count =
            std::count_if(analysis.markers.begin(), analysis.markers.end(),
                          [&](const MarkerRecord& marker) { return toString(marker.kind) == metric.argument; });
        return static_cast<double>(count);
    }
    case MetricKind::TasksEnded: {
        const auto state = parseState(metric.argument);
        if (!state) {
            return std::nullopt;
        }
        const auto count = std::count_if(analysis.tasks.begin(), analysis.tasks.end(),
                                         [&](const TaskRecord& task) { return task.finalState == *state; });
        return static_cast<double>(count);
    }
    case MetricKind::GilHandoffs: {
        const GilHandoffs handoffs = gilHandoffs(run);
        return handoffs.recorded ? std::optional<double>(static_cast<double>(handoffs.intervalsNs.size()))
                                 : std::nullopt;
    }
    case MetricKind::Final:
        return finalValue(run, metric.argument);
    case MetricKind::Lost: {
        // Updates written and not in the value: each write meant +1 from 0 (the engine's variables start at 0).
        const auto writes = finalValue(run, metric.argument + ".writes");
        const auto value = finalValue(run, metric.argument + ".value");
        return writes && value ? std::optional<double>(*writes - *value) : std::nullopt;
    }
    case MetricKind::MessagingMs: {
        const std::uint32_t messaging = run.trace.strings.find(kMessagingName);
        if (messaging == 0) {
            return 0.0; // no worker ever waited on a message
        }
        std::int64_t totalNs = 0;
        for (const Span& span : analysis.laneSpans) {
            if (span.state == TaskState::Idle && span.subject == messaging) {
                totalNs += span.endNs - span.startNs;
            }
        }
        return static_cast<double>(totalNs) / kNsPerMs;
    }
    case MetricKind::StageMs: {
        const StageBreakdown breakdown = stageBreakdown(analysis);
        for (const StageShare& share : breakdown.stages) {
            if (share.stage == metric.argument) {
                return share.ms;
            }
        }
        return std::nullopt;
    }
    }
    return std::nullopt;
}

} // namespace

VariantSummary summarize(const VariantRun& run, const VariantRun* baseline) {
    VariantSummary summary;
    summary.variant = run.variant;
    summary.outcome = run.outcome;
    // In lesson time, like every other figure of the summary (a slowed run's trace is in wall time).
    summary.makespanMs =
        static_cast<double>(run.analysis.makespanNs) / kNsPerMs / (run.timeScale > 0 ? run.timeScale : 1.0);
    if (run.outcome.status == RunStatus::Completed) {
        summary.speedup = measureMetric(MetricRef{MetricKind::Speedup, {}, {}}, run, baseline);
    }
    summary.maxLagMs = measureMetric(MetricRef{MetricKind::MaxLagMs, {}, {}}, run, baseline);
    for (const CounterSeries& series : run.analysis.counters) {
        // Lag has its own figure, and a holder's "peak" (the GIL's, a lock's) would be a lane or a task number.
        // A stage's counter is read as the breakdown below.
        if (!isLoopLagCounter(series.name) && !series.name.ends_with(".holder") && !isStageCounter(series.name)) {
            summary.peaks[series.name] =
                static_cast<std::int64_t>(std::llround(series.peak)); // live counters are integers
        }
    }
    summary.stages = stageBreakdown(run.analysis, run.timeScale);
    summary.taskCount = run.analysis.tasks.size();
    summary.eventCount = run.trace.events.size();
    if (run.outcome.status == RunStatus::Deadlocked) {
        summary.deadlock = deadlockCycle(run.trace, run.analysis);
        if (!summary.deadlock.empty()) {
            summary.outcome.error = describeDeadlock(summary.deadlock);
        }
    }
    return summary;
}

LessonReport buildReport(const Scenario& scenario, const ParameterValues& parameters,
                         const std::vector<VariantRun>& runs) {
    std::vector<const VariantRun*> pointers;
    pointers.reserve(runs.size());
    for (const VariantRun& run : runs) {
        pointers.push_back(&run);
    }
    return buildReport(scenario, parameters, pointers);
}

LessonReport buildReport(const Scenario& scenario, const ParameterValues& parameters,
                         const std::vector<const VariantRun*>& runs) {
    LessonReport report;
    report.lessonId = scenario.id;
    report.title = scenario.title;
    report.parameters = parameters;
    if (report.parameters.find("cores") == report.parameters.end()) {
        report.parameters["cores"] = usableCores();
    }

    const VariantRun* baselineRun = findRun(runs, scenario.baseline);
    const VariantRun* baseline = isUsableBaseline(baselineRun) ? baselineRun : nullptr;
    for (const VariantRun* run : runs) {
        report.variants.push_back(summarize(*run, baseline));
    }
    report.cpython = cpythonComparisons(scenario, report.variants);
    for (const ExpectationDecl& expectation : scenario.expectations) {
        report.expectations.push_back(
            evaluate(expectation, report.parameters, findRun(runs, expectation.variant), baseline, scenario.baseline));
    }
    return report;
}

std::string_view toString(Verdict verdict) {
    switch (verdict) {
    case Verdict::Pass:
        return "pass";
    case Verdict::Fail:
        return "fail";
    case Verdict::NotMeasured:
        return "not-measured";
    }
    return "unknown";
}

} // namespace interleave::core
