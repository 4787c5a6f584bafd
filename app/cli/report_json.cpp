// Builds the --json documents of `run` and `check` from lesson reports.
#include "report_json.h"

#include <cmath>

namespace interleave::cli {

namespace {

nlohmann::ordered_json optionalNumber(const std::optional<double>& value) {
    return value && std::isfinite(*value) ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json variantToJson(const core::VariantSummary& variant) {
    nlohmann::ordered_json peaks = nlohmann::ordered_json::object();
    for (const auto& [name, value] : variant.peaks) {
        peaks[name] = value;
    }
    nlohmann::ordered_json deadlock = nlohmann::ordered_json::array();
    for (const core::DeadlockStep& step : variant.deadlock) {
        deadlock.push_back({{"task", step.task}, {"waits_for", step.waitsFor}, {"held_by", step.heldBy}});
    }
    nlohmann::ordered_json stages = nlohmann::ordered_json::array();
    for (const core::StageShare& share : variant.stages.stages) {
        stages.push_back({{"stage", share.stage}, {"ms", share.ms}});
    }
    return {{"name", variant.variant},
            {"status", std::string(core::toString(variant.outcome.status))},
            {"error", variant.outcome.error.empty() ? nlohmann::ordered_json(nullptr)
                                                    : nlohmann::ordered_json(variant.outcome.error)},
            {"makespan_ms", variant.makespanMs},
            {"speedup", optionalNumber(variant.speedup)},
            {"max_lag_ms", optionalNumber(variant.maxLagMs)},
            {"peaks", std::move(peaks)},
            {"tasks", variant.taskCount},
            {"events", variant.eventCount},
            {"stages", std::move(stages)},
            {"outside_stages_ms", variant.stages.empty() ? nlohmann::ordered_json(nullptr)
                                                         : nlohmann::ordered_json(variant.stages.outsideMs)},
            {"deadlock", variant.deadlock.empty() ? nlohmann::ordered_json(nullptr) : std::move(deadlock)}};
}

nlohmann::ordered_json expectationToJson(const core::ExpectationResult& result) {
    return {{"text", result.expectation.text},
            {"variant", result.expectation.variant},
            {"metric", core::toString(result.expectation.metric)},
            {"measured", optionalNumber(result.measured)},
            {"expected", optionalNumber(result.expected)},
            {"verdict", std::string(core::toString(result.verdict))},
            {"detail", result.detail}};
}

} // namespace

nlohmann::ordered_json reportToJson(const core::LessonReport& report, const std::string& alias, bool interrupted) {
    nlohmann::ordered_json parameters = nlohmann::ordered_json::object();
    for (const auto& [name, value] : report.parameters) {
        // Integer parameters print as integers: "requests": 10, not 10.0.
        const bool whole = std::abs(value) < 1e15 && std::floor(value) == value;
        parameters[name] =
            whole ? nlohmann::ordered_json(static_cast<std::int64_t>(value)) : nlohmann::ordered_json(value);
    }
    nlohmann::ordered_json variants = nlohmann::ordered_json::array();
    for (const core::VariantSummary& variant : report.variants) {
        variants.push_back(variantToJson(variant));
    }
    nlohmann::ordered_json expectations = nlohmann::ordered_json::array();
    for (const core::ExpectationResult& result : report.expectations) {
        expectations.push_back(expectationToJson(result));
    }
    return {{"lesson", report.lessonId},
            {"alias", alias},
            {"title", report.title},
            {"interrupted", interrupted},
            {"passed", report.allPassed() && !interrupted},
            {"parameters", std::move(parameters)},
            {"variants", std::move(variants)},
            {"expectations", std::move(expectations)}};
}

} // namespace interleave::cli
