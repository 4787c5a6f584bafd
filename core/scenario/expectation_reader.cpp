// Reads a lesson's expectations and checks that each metric can be measured on its variant.
#include "scenario/expectation_reader.h"
#include "scenario/primitive_table.h"

#include <fmt/format.h>

#include <algorithm>

namespace interleave::core {

namespace {

std::vector<std::string> variantNames(const Scenario& scenario) {
    std::vector<std::string> names;
    for (const auto& variant : scenario.variants) {
        names.push_back(variant.name);
    }
    return names;
}

// Calls `visit` on every step of `ops`, its children's and its body's included.
template <typename Visit> void forEachOp(const std::vector<Op>& ops, const Visit& visit) {
    for (const Op& op : ops) {
        visit(op);
        for (const ChildTemplate& child : op.children) {
            forEachOp(child.body, visit);
        }
        forEachOp(op.body, visit);
    }
}

// The names a variant's tasks can have: main, its children's names, and shields' and offloads' labels.
void collectTaskNames(const std::vector<Op>& ops, std::vector<std::string>& names) {
    forEachOp(ops, [&names](const Op& op) {
        if ((op.kind == OpKind::Shield || op.kind == OpKind::Offload) && !op.label.empty()) {
            names.push_back(op.label);
        }
        for (const ChildTemplate& child : op.children) {
            names.push_back(child.name);
        }
    });
}

void collectStages(const std::vector<Op>& ops, std::vector<std::string>& stages) {
    forEachOp(ops, [&stages](const Op& op) {
        if (!op.stage.empty()) {
            stages.push_back(op.stage);
        }
    });
}

// Metrics that only make sense for some variants or primitives are refused here rather than never measured.
void checkMetric(const LessonSource& source, const Scenario& scenario, const ExpectationDecl& expectation,
                 const std::string& text, const SourceLocation& where) {
    const VariantDecl& variant = *scenario.findVariant(expectation.variant);
    const MetricRef& metric = expectation.metric;
    const std::string name = toString(metric);
    const bool needsLoop =
        metric.kind == MetricKind::MaxLagMs || (metric.kind == MetricKind::Peak && metric.argument == "loop_lag_ms");
    if (needsLoop && variant.model != Model::Async) {
        source.fail(where, fmt::format("{} needs an event loop, but variant '{}' is {}", name, variant.name,
                                       toString(variant.model)));
    }
    const bool needsGil = metric.kind == MetricKind::GilSwitchMs || metric.kind == MetricKind::GilHandoffs ||
                          (metric.kind == MetricKind::Peak && metric.argument == "gil.holder");
    if (needsGil && !variant.gil) {
        source.fail(where, fmt::format("{} needs a GIL, but variant '{}' has no 'gil: true'", name, variant.name));
    }
    if (!metric.task.empty()) {
        std::vector<std::string> tasks = {"main"};
        collectTaskNames(variant.program, tasks);
        if (std::find(tasks.begin(), tasks.end(), metric.task) == tasks.end()) {
            std::sort(tasks.begin(), tasks.end());
            tasks.erase(std::unique(tasks.begin(), tasks.end()), tasks.end());
            SourceLocation at = where;
            at.column += static_cast<int>(text.rfind(metric.task));
            source.fail(at, fmt::format("variant '{}' has no task named '{}'; its tasks are {}", variant.name,
                                        metric.task, joinNames(tasks)));
        }
    }
    if (metric.kind == MetricKind::MessagingMs && !variant.processes) {
        source.fail(where,
                    fmt::format("{} measures a process pool, but variant '{}' has no 'processes'", name, variant.name));
    }
    SourceLocation at = where;
    const std::size_t open = text.find('(');
    at.column += static_cast<int>(text.find(metric.argument, open == std::string::npos ? 0 : open));
    if (metric.kind == MetricKind::StageMs) {
        std::vector<std::string> stages;
        collectStages(variant.program, stages);
        if (std::find(stages.begin(), stages.end(), metric.argument) == stages.end()) {
            std::sort(stages.begin(), stages.end());
            stages.erase(std::unique(stages.begin(), stages.end()), stages.end());
            source.fail(at, stages.empty() ? fmt::format("variant '{}' names no stage: put 'stage: NAME' on its "
                                                         "steps",
                                                         variant.name)
                                           : fmt::format("variant '{}' has no stage '{}'; its stages are {}",
                                                         variant.name, metric.argument, joinNames(stages)));
        }
        return;
    }
    if (metric.kind == MetricKind::Lost) {
        const PrimitiveDecl* variable = scenario.findPrimitive(metric.argument);
        if (variable == nullptr || variable->kind != PrimitiveKind::Variable) {
            source.fail(at, fmt::format("lost() takes a shared variable, and '{}' is not one declared with "
                                        "'kind: variable'",
                                        metric.argument));
        }
        return;
    }
    const bool readsCounter = metric.kind == MetricKind::Peak || metric.kind == MetricKind::Final;
    if (!readsCounter || metric.argument == "in_flight" || metric.argument == "loop_lag_ms" ||
        metric.argument == "gil.holder") {
        return;
    }
    if (std::find(kBrokerCounters.begin(), kBrokerCounters.end(), metric.argument) != kBrokerCounters.end()) {
        if (variant.model != Model::Broker) {
            source.fail(at, fmt::format("'{}' is a counter of the broker model, and variant '{}' does not use it",
                                        metric.argument, variant.name));
        }
        return;
    }
    const std::size_t dot = metric.argument.find('.');
    if (dot == std::string::npos) {
        source.fail(at, fmt::format("unknown counter '{}'; counters are in_flight, loop_lag_ms, gil.holder "
                                    "and <primitive>.<counter>",
                                    metric.argument));
    }
    const std::string primitiveName = metric.argument.substr(0, dot);
    const std::string counter = metric.argument.substr(dot + 1);
    const PrimitiveDecl* primitive = scenario.findPrimitive(primitiveName);
    if (primitive == nullptr) {
        source.fail(at, fmt::format("counter '{}' names '{}', which is not a declared primitive", metric.argument,
                                    primitiveName));
    }
    std::vector<std::string> counters;
    for (const std::string_view known : countersOf(primitiveInfo(primitive->kind))) {
        counters.emplace_back(known);
    }
    if (std::find(counters.begin(), counters.end(), counter) == counters.end()) {
        for (auto& known : counters) {
            known.insert(0, primitiveName + ".");
        }
        const std::string_view kind = toString(primitive->kind);
        const std::string_view article = kind.find_first_of("aeiou") == 0 ? "an" : "a";
        source.fail(at, counters.empty()
                            ? fmt::format("'{}' is {} {}, which has no counters", primitiveName, article, kind)
                            : fmt::format("'{}' is {} {}; its counters are {}", primitiveName, article, kind,
                                          joinNames(counters)));
    }
}

} // namespace

std::string readVariantReference(const LessonSource& source, const Scenario& scenario, const YamlField& field) {
    std::string name = readText(source, field);
    if (scenario.findVariant(name) == nullptr) {
        source.fail(field.valueLocation,
                    fmt::format("unknown variant '{}'; the variants are: {}", name, joinNames(variantNames(scenario))));
    }
    return name;
}

ExpectationDecl readExpectation(const LessonSource& source, const Scenario& scenario, const YAML::Node& node) {
    YamlMapping mapping(source, node, source.locate(node), "an expectation",
                        {"text", "variant", "metric", "near", "at_most", "at_least", "equals", "tolerance"});
    ExpectationDecl expectation;
    expectation.location = mapping.location();
    if (const YamlField* variant = mapping.find("variant")) {
        expectation.variant = readVariantReference(source, scenario, *variant);
    } else if (scenario.variants.size() == 1) {
        expectation.variant = scenario.variants.front().name;
    } else {
        source.fail(mapping.location(),
                    fmt::format("an expectation needs 'variant' (one of: {})", joinNames(variantNames(scenario))));
    }
    const YamlField& metric = mapping.require("metric");
    SourceLocation metricLocation = metric.valueLocation;
    if (metric.value.Tag() == "!") {
        metricLocation.column += 1; // past the opening quote
    }
    const std::string metricText = readText(source, metric);
    expectation.metric = parseMetric(metricText, metricLocation);
    checkMetric(source, scenario, expectation, metricText, metricLocation);

    const YamlField* comparison = nullptr;
    for (const YamlField& candidate : mapping.fields()) {
        if (candidate.name == "near" || candidate.name == "at_most" || candidate.name == "at_least" ||
            candidate.name == "equals") {
            if (comparison != nullptr) {
                source.fail(candidate.keyLocation, fmt::format("an expectation takes one comparison, but has "
                                                               "both '{}' and '{}'",
                                                               comparison->name, candidate.name));
            }
            comparison = &candidate;
        }
    }
    if (comparison == nullptr) {
        source.fail(mapping.location(), "an expectation needs one of: near, at_most, at_least, equals");
    }
    expectation.comparison = comparison->name == "near"       ? Comparison::Near
                             : comparison->name == "at_most"  ? Comparison::AtMost
                             : comparison->name == "at_least" ? Comparison::AtLeast
                                                              : Comparison::Equals;
    expectation.value = readExpression(source, *comparison);
    if (const YamlField* tolerance = mapping.find("tolerance")) {
        if (expectation.comparison != Comparison::Near) {
            source.fail(tolerance->keyLocation, "'tolerance' only applies to 'near'");
        }
        expectation.tolerance = readNumber(source, *tolerance);
        if (expectation.tolerance < 0) {
            source.fail(tolerance->valueLocation, "'tolerance' must not be negative");
        }
    }
    expectation.text = toString(expectation.metric) + " " + comparison->name + " " + expectation.value.text();
    if (const YamlField* text = mapping.find("text")) {
        expectation.text = readText(source, *text);
    }
    return expectation;
}

} // namespace interleave::core
