// Turns the text of one lesson file into a validated Scenario: top-level keys, parameters, primitives, variants
// and expectations, each error at the file:line:col of the node that is wrong.
#include "scenario/lesson_reader.h"

#include "scenario/op_parser.h"
#include "scenario/yaml_fields.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace interleave::core {

namespace {

std::string formatNumber(double value) {
    if (value == std::floor(value) && std::abs(value) < 1e15) {
        return fmt::format("{}", static_cast<long long>(value));
    }
    return fmt::format("{}", value);
}

bool isVariantName(std::string_view name) {
    if (name.empty() || !std::isalnum(static_cast<unsigned char>(name[0]))) {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '+' || c == '.';
    });
}

std::vector<std::string> variantNames(const Scenario& scenario) {
    std::vector<std::string> names;
    for (const auto& variant : scenario.variants) {
        names.push_back(variant.name);
    }
    return names;
}

bool usesThreadPlacement(const std::vector<Op>& steps) {
    return std::any_of(steps.begin(), steps.end(), [](const Op& op) {
        if (op.placement == Placement::Threads || usesThreadPlacement(op.body)) {
            return true;
        }
        return std::any_of(op.children.begin(), op.children.end(),
                           [](const ChildTemplate& child) { return usesThreadPlacement(child.body); });
    });
}

class LessonReader {
public:
    LessonReader(LessonSource& source, const YAML::Node& root)
        : m_source(source), m_top(source, root, SourceLocation{source.file, 1, 1}, "the lesson",
                                  {"id", "number", "title", "topic", "summary", "notes", "baseline", "listing",
                                   "parameters", "primitives", "variants", "expectations"}) {}

    ReadLesson read() {
        ReadLesson result;
        Scenario& scenario = result.scenario;
        m_scenario = &scenario;
        scenario.sourcePath = m_source.file;
        const YamlField& id = m_top.require("id");
        scenario.id = readName(m_source, id, "a lesson id");
        result.idLocation = id.valueLocation;
        const YamlField& number = m_top.require("number");
        scenario.number = readInteger(m_source, number, 1);
        result.numberLocation = number.valueLocation;
        scenario.title = readRequiredText("title");
        scenario.topic = readRequiredText("topic");
        scenario.summary = readOptionalText("summary");
        scenario.notes = readOptionalText("notes");
        scenario.listing = readOptionalText("listing");
        if (const YamlField* parameters = m_top.find("parameters")) {
            readParameters(*parameters);
        }
        if (const YamlField* primitives = m_top.find("primitives")) {
            readPrimitives(*primitives);
        }
        readVariants(m_top.require("variants"));
        scenario.baseline = scenario.variants.front().name;
        if (const YamlField* baseline = m_top.find("baseline")) {
            scenario.baseline = readVariantReference(*baseline);
        }
        if (const YamlField* expectations = m_top.find("expectations")) {
            readExpectations(*expectations);
        }
        return result;
    }

private:
    std::string readRequiredText(std::string_view key) {
        const YamlField& field = m_top.require(key);
        std::string text = readText(m_source, field);
        if (text.empty()) {
            m_source.fail(field.valueLocation, fmt::format("'{}' must not be empty", key));
        }
        return text;
    }

    std::string readOptionalText(std::string_view key) {
        const YamlField* field = m_top.find(key);
        return field == nullptr ? std::string() : readText(m_source, *field);
    }

    void readParameters(const YamlField& field) {
        YamlMapping parameters(m_source, field.value, field.valueLocation, "parameters", {});
        for (const YamlField& entry : parameters.fields()) {
            if (!isValidName(entry.name) || entry.name.find('-') != std::string::npos) {
                m_source.fail(entry.keyLocation, fmt::format("'{}' is not a valid parameter name: use letters, "
                                                             "digits and '_', starting with a letter",
                                                             entry.name));
            }
            if (entry.name == "cores") {
                m_source.fail(entry.keyLocation, "'cores' is reserved: it is the machine's core count");
            }
            m_scenario->parameters.push_back(readParameter(entry));
            m_source.parameterNames.push_back(entry.name);
        }
    }

    ParameterDecl readParameter(const YamlField& entry) {
        YamlMapping mapping(m_source, entry.value, entry.valueLocation, fmt::format("parameter '{}'", entry.name),
                            {"default", "min", "max", "label", "unit", "description", "integer"});
        ParameterDecl parameter;
        parameter.name = entry.name;
        parameter.location = entry.keyLocation;
        const YamlField& defaultField = mapping.require("default");
        const YamlField& minField = mapping.require("min");
        const YamlField& maxField = mapping.require("max");
        parameter.defaultValue = readNumber(m_source, defaultField);
        parameter.minimum = readNumber(m_source, minField);
        parameter.maximum = readNumber(m_source, maxField);
        parameter.label = entry.name;
        if (const YamlField* label = mapping.find("label")) {
            parameter.label = readText(m_source, *label);
        }
        if (const YamlField* unit = mapping.find("unit")) {
            parameter.unit = readText(m_source, *unit);
        }
        if (const YamlField* description = mapping.find("description")) {
            parameter.description = readText(m_source, *description);
        }
        auto whole = [](double value) { return value == std::floor(value); };
        const YamlField* integer = mapping.find("integer");
        parameter.integer = integer != nullptr
                                ? readFlag(m_source, *integer)
                                : whole(parameter.defaultValue) && whole(parameter.minimum) && whole(parameter.maximum);
        if (parameter.integer) {
            for (const YamlField* field : {&defaultField, &minField, &maxField}) {
                if (!whole(readNumber(m_source, *field))) {
                    m_source.fail(field->valueLocation,
                                  fmt::format("'{}' of parameter '{}' must be a whole number (integer: true)",
                                              field->name, entry.name));
                }
            }
        }
        if (parameter.minimum > parameter.maximum) {
            m_source.fail(minField.valueLocation,
                          fmt::format("min {} of parameter '{}' is above its max {}", formatNumber(parameter.minimum),
                                      entry.name, formatNumber(parameter.maximum)));
        }
        if (parameter.defaultValue < parameter.minimum || parameter.defaultValue > parameter.maximum) {
            m_source.fail(defaultField.valueLocation,
                          fmt::format("default {} of parameter '{}' is outside its range {} to {}",
                                      formatNumber(parameter.defaultValue), entry.name, formatNumber(parameter.minimum),
                                      formatNumber(parameter.maximum)));
        }
        return parameter;
    }

    void readPrimitives(const YamlField& field) {
        YamlMapping primitives(m_source, field.value, field.valueLocation, "primitives", {});
        for (const YamlField& entry : primitives.fields()) {
            if (!isValidName(entry.name) || entry.name.find('.') != std::string::npos) {
                m_source.fail(entry.keyLocation, fmt::format("'{}' is not a valid primitive name", entry.name));
            }
            if (entry.name == "gil" || entry.name == "in_flight" || entry.name == "loop_lag_ms") {
                m_source.fail(entry.keyLocation, fmt::format("'{}' is reserved for a built-in counter", entry.name));
            }
            PrimitiveDecl primitive;
            primitive.name = entry.name;
            primitive.location = entry.keyLocation;
            const std::initializer_list<std::string_view> kinds = {"semaphore", "lock", "queue", "event"};
            std::string kind;
            const YamlField* capacity = nullptr;
            std::optional<YamlMapping> mapping;
            if (entry.value.IsScalar()) {
                kind = readChoice(
                    m_source, YamlField{"kind", entry.key, entry.value, entry.keyLocation, entry.valueLocation}, kinds);
            } else {
                mapping.emplace(m_source, entry.value, entry.valueLocation, fmt::format("primitive '{}'", entry.name),
                                std::initializer_list<std::string_view>{"kind", "capacity"});
                kind = readChoice(m_source, mapping->require("kind"), kinds);
                capacity = mapping->find("capacity");
            }
            primitive.kind = kind == "semaphore" ? PrimitiveKind::Semaphore
                             : kind == "lock"    ? PrimitiveKind::Lock
                             : kind == "queue"   ? PrimitiveKind::Queue
                                                 : PrimitiveKind::Event;
            if (capacity != nullptr) {
                if (primitive.kind == PrimitiveKind::Lock || primitive.kind == PrimitiveKind::Event) {
                    m_source.fail(capacity->keyLocation, fmt::format("a {} has no capacity", kind));
                }
                primitive.capacity = readExpression(m_source, *capacity);
            }
            m_scenario->primitives.push_back(std::move(primitive));
        }
    }

    void readVariants(const YamlField& field) {
        YamlMapping variants(m_source, field.value, field.valueLocation, "variants", {});
        if (variants.fields().empty()) {
            m_source.fail(field.valueLocation, "the lesson needs at least one variant");
        }
        for (const YamlField& entry : variants.fields()) {
            if (!isVariantName(entry.name)) {
                m_source.fail(entry.keyLocation, fmt::format("'{}' is not a valid variant name: use letters, digits, "
                                                             "'-', '_', '+' and '.'",
                                                             entry.name));
            }
            m_scenario->variants.push_back(readVariant(entry));
        }
    }

    VariantDecl readVariant(const YamlField& entry) {
        YamlMapping mapping(m_source, entry.value, entry.valueLocation, fmt::format("variant '{}'", entry.name),
                            {"model", "description", "listing", "threads", "processes", "gil", "switch_interval_ms",
                             "heartbeat_ms", "program"});
        VariantDecl variant;
        variant.name = entry.name;
        variant.location = entry.keyLocation;
        if (const YamlField* model = mapping.find("model")) {
            const std::string word = readChoice(m_source, *model, {"sequential", "async", "threads"});
            variant.model = word == "sequential" ? Model::Sequential : word == "async" ? Model::Async : Model::Threads;
        }
        if (const YamlField* description = mapping.find("description")) {
            variant.description = readText(m_source, *description);
        }
        if (const YamlField* listing = mapping.find("listing")) {
            variant.listing = readText(m_source, *listing);
        }
        if (const YamlField* threads = mapping.find("threads")) {
            variant.threads = readExpression(m_source, *threads);
        }
        if (const YamlField* processes = mapping.find("processes")) {
            variant.processes = readExpression(m_source, *processes);
        }
        const YamlField* gil = mapping.find("gil");
        if (gil != nullptr) {
            variant.gil = readFlag(m_source, *gil);
        }
        if (const YamlField* interval = mapping.find("switch_interval_ms")) {
            if (!variant.gil) {
                m_source.fail(interval->keyLocation, "switch_interval_ms only applies with 'gil: true'");
            }
            variant.switchIntervalMs = readExpression(m_source, *interval);
        }
        if (const YamlField* heartbeat = mapping.find("heartbeat_ms")) {
            if (variant.model != Model::Async) {
                m_source.fail(heartbeat->keyLocation, "heartbeat_ms only applies to the async model");
            }
            variant.heartbeatMs = readExpression(m_source, *heartbeat);
        }
        const ProgramContext context{m_source, *m_scenario, variant.name,
                                     countListingLines(m_scenario->listingFor(variant))};
        variant.program = parseProgram(context, mapping.require("program"));
        if (variant.model == Model::Threads && !variant.threads) {
            m_source.fail(entry.keyLocation, fmt::format("variant '{}' uses the threads model and needs 'threads: N' "
                                                         "(the size of its thread pool)",
                                                         variant.name));
        }
        if (variant.gil && variant.model != Model::Threads && !variant.threads &&
            !usesThreadPlacement(variant.program)) {
            m_source.fail(gil->keyLocation, fmt::format("'gil: true' needs threads, but variant '{}' runs nothing on "
                                                        "a thread pool",
                                                        variant.name));
        }
        checkPlacements(m_source, variant);
        return variant;
    }

    std::string readVariantReference(const YamlField& field) {
        const std::string name = readText(m_source, field);
        if (m_scenario->findVariant(name) == nullptr) {
            m_source.fail(field.valueLocation, fmt::format("unknown variant '{}'; the variants are: {}", name,
                                                           joinNames(variantNames(*m_scenario))));
        }
        return name;
    }

    void readExpectations(const YamlField& field) {
        if (!field.value.IsSequence()) {
            m_source.fail(field.valueLocation, "'expectations' takes a list, each item starting with '- '");
        }
        for (const auto& item : field.value) {
            m_scenario->expectations.push_back(readExpectation(item));
        }
    }

    ExpectationDecl readExpectation(const YAML::Node& node) {
        YamlMapping mapping(m_source, node, m_source.locate(node), "an expectation",
                            {"text", "variant", "metric", "near", "at_most", "at_least", "equals", "tolerance"});
        ExpectationDecl expectation;
        expectation.location = mapping.location();
        if (const YamlField* variant = mapping.find("variant")) {
            expectation.variant = readVariantReference(*variant);
        } else if (m_scenario->variants.size() == 1) {
            expectation.variant = m_scenario->variants.front().name;
        } else {
            m_source.fail(mapping.location(), fmt::format("an expectation needs 'variant' (one of: {})",
                                                          joinNames(variantNames(*m_scenario))));
        }
        const YamlField& metric = mapping.require("metric");
        SourceLocation metricLocation = metric.valueLocation;
        if (metric.value.Tag() == "!") {
            metricLocation.column += 1; // past the opening quote
        }
        const std::string metricText = readText(m_source, metric);
        expectation.metric = parseMetric(metricText, metricLocation);
        checkMetric(expectation, metricText, metricLocation);

        const YamlField* comparison = nullptr;
        for (const YamlField& candidate : mapping.fields()) {
            if (candidate.name == "near" || candidate.name == "at_most" || candidate.name == "at_least" ||
                candidate.name == "equals") {
                if (comparison != nullptr) {
                    m_source.fail(candidate.keyLocation, fmt::format("an expectation takes one comparison, but has "
                                                                     "both '{}' and '{}'",
                                                                     comparison->name, candidate.name));
                }
                comparison = &candidate;
            }
        }
        if (comparison == nullptr) {
            m_source.fail(mapping.location(), "an expectation needs one of: near, at_most, at_least, equals");
        }
        expectation.comparison = comparison->name == "near"       ? Comparison::Near
                                 : comparison->name == "at_most"  ? Comparison::AtMost
                                 : comparison->name == "at_least" ? Comparison::AtLeast
                                                                  : Comparison::Equals;
        expectation.value = readExpression(m_source, *comparison);
        if (const YamlField* tolerance = mapping.find("tolerance")) {
            if (expectation.comparison != Comparison::Near) {
                m_source.fail(tolerance->keyLocation, "'tolerance' only applies to 'near'");
            }
            expectation.tolerance = readNumber(m_source, *tolerance);
            if (expectation.tolerance < 0) {
                m_source.fail(tolerance->valueLocation, "'tolerance' must not be negative");
            }
        }
        expectation.text = toString(expectation.metric) + " " + comparison->name + " " + expectation.value.text();
        if (const YamlField* text = mapping.find("text")) {
            expectation.text = readText(m_source, *text);
        }
        return expectation;
    }

    // Metrics that only make sense for some variants or primitives are refused here rather than never measured.
    void checkMetric(const ExpectationDecl& expectation, const std::string& text, const SourceLocation& where) {
        const VariantDecl& variant = *m_scenario->findVariant(expectation.variant);
        const MetricRef& metric = expectation.metric;
        const std::string name = toString(metric);
        const bool needsLoop = metric.kind == MetricKind::MaxLagMs ||
                               (metric.kind == MetricKind::Peak && metric.argument == "loop_lag_ms");
        if (needsLoop && variant.model != Model::Async) {
            m_source.fail(where, fmt::format("{} needs an event loop, but variant '{}' is {}", name, variant.name,
                                             toString(variant.model)));
        }
        const bool needsGil = metric.kind == MetricKind::GilSwitchMs || metric.kind == MetricKind::GilHandoffs ||
                              (metric.kind == MetricKind::Peak && metric.argument == "gil.holder");
        if (needsGil && !variant.gil) {
            m_source.fail(where,
                          fmt::format("{} needs a GIL, but variant '{}' has no 'gil: true'", name, variant.name));
        }
        if (metric.kind != MetricKind::Peak || metric.argument == "in_flight" || metric.argument == "loop_lag_ms" ||
            metric.argument == "gil.holder") {
            return;
        }
        SourceLocation at = where;
        const std::size_t open = text.find('(');
        at.column += static_cast<int>(text.find(metric.argument, open == std::string::npos ? 0 : open));
        const std::size_t dot = metric.argument.find('.');
        if (dot == std::string::npos) {
            m_source.fail(at, fmt::format("unknown counter '{}'; counters are in_flight, loop_lag_ms, gil.holder "
                                          "and <primitive>.<counter>",
                                          metric.argument));
        }
        const std::string primitiveName = metric.argument.substr(0, dot);
        const std::string counter = metric.argument.substr(dot + 1);
        const PrimitiveDecl* primitive = m_scenario->findPrimitive(primitiveName);
        if (primitive == nullptr) {
            m_source.fail(at, fmt::format("counter '{}' names '{}', which is not a declared primitive", metric.argument,
                                          primitiveName));
        }
        std::vector<std::string> counters;
        switch (primitive->kind) {
        case PrimitiveKind::Semaphore:
            counters = {"in_use", "waiters"};
            break;
        case PrimitiveKind::Queue:
            counters = {"depth", "unfinished", "putters"};
            break;
        case PrimitiveKind::Lock:
            counters = {"held", "waiters"};
            break;
        case PrimitiveKind::Event:
            break;
        }
        if (std::find(counters.begin(), counters.end(), counter) == counters.end()) {
            for (auto& known : counters) {
                known = primitiveName + "." + known;
            }
            m_source.fail(at, counters.empty() ? fmt::format("'{}' is an event, which has no counters", primitiveName)
                                               : fmt::format("'{}' is a {}; its counters are {}", primitiveName,
                                                             toString(primitive->kind), joinNames(counters)));
        }
    }

    LessonSource& m_source;
    YamlMapping m_top;
    Scenario* m_scenario = nullptr;
};

} // namespace

ReadLesson readLesson(std::string_view text, const std::string& fileName) {
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& error) {
        const SourceLocation where = error.mark.is_null()
                                         ? SourceLocation{fileName, 1, 1}
                                         : SourceLocation{fileName, error.mark.line + 1, error.mark.column + 1};
        throw LessonError(where, fmt::format("YAML syntax: {}", error.msg));
    }
    LessonSource source{fileName, {}};
    if (!root.IsMap()) {
        source.fail(SourceLocation{fileName, 1, 1},
                    "a lesson file must be a mapping of keys such as 'id:', 'title:' and 'variants:'");
    }
    LessonReader reader(source, root);
    return reader.read();
}

} // namespace interleave::core
