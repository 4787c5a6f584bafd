// Turns the text of one lesson file into a validated Scenario: top-level keys, parameters, primitives, variants
// and expectations, each error at the file:line:col of the node that is wrong.
#include "scenario/lesson_reader.h"

#include "scenario/expectation_reader.h"
#include "scenario/listing_template.h"
#include "scenario/op_parser.h"
#include "scenario/primitive_table.h"
#include "scenario/utf8.h"
#include "scenario/yaml_fields.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

namespace interleave::core {

namespace {

bool isVariantName(std::string_view name) {
    if (name.empty() || !std::isalnum(static_cast<unsigned char>(name[0]))) {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '+' || c == '.';
    });
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
        : m_source(source),
          m_top(source, root, SourceLocation{source.file, 1, 1}, "the lesson",
                {"id", "number", "title", "topic", "summary", "notes", "baseline", "listing", "parameters",
                 "primitives", "variants", "expectations", "sweeps", "lanes", "cpython_tolerance"}) {}

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
        if (const YamlField* lanes = m_top.find("lanes")) {
            scenario.lanesByWorker = readChoice(m_source, *lanes, {"task", "worker"}) == "worker";
        }
        if (const YamlField* tolerance = m_top.find("cpython_tolerance")) {
            scenario.cpythonTolerance = readNumber(m_source, *tolerance);
            if (!(scenario.cpythonTolerance > 0 && scenario.cpythonTolerance <= 10)) {
                m_source.fail(tolerance->valueLocation, "cpython_tolerance is relative: above 0, at most 10");
            }
        }
        if (const YamlField* parameters = m_top.find("parameters")) {
            readParameters(*parameters);
        }
        if (const YamlField* listing = m_top.find("listing")) {
            checkListing(*listing, scenario.listing);
        }
        if (const YamlField* primitives = m_top.find("primitives")) {
            readPrimitives(*primitives);
        }
        readVariants(m_top.require("variants"));
        scenario.baseline = scenario.variants.front().name;
        if (const YamlField* baseline = m_top.find("baseline")) {
            scenario.baseline = readVariantReference(m_source, scenario, *baseline);
        }
        if (const YamlField* expectations = m_top.find("expectations")) {
            readExpectations(*expectations);
        }
        if (const YamlField* sweeps = m_top.find("sweeps")) {
            readSweeps(*sweeps);
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

    // Every `${name}` in a listing is well formed and names a declared parameter; errors point at the placeholder.
    void checkListing(const YamlField& field, const std::string& listing) {
        const ListingScan scan = scanListing(listing);
        if (scan.error) {
            m_source.fail(m_source.locateInScalar(field.value, scan.error->offset), scan.error->message);
        }
        for (const ListingPlaceholder& placeholder : scan.placeholders) {
            if (m_scenario->findParameter(placeholder.name) == nullptr) {
                m_source.fail(m_source.locateInScalar(field.value, placeholder.offset),
                              m_source.parameterNames.empty()
                                  ? fmt::format("undefined parameter ${{{}}} in the listing: this lesson "
                                                "declares no parameters",
                                                placeholder.name)
                                  : fmt::format("undefined parameter ${{{}}} in the listing; the lesson declares: {}",
                                                placeholder.name, joinNames(m_source.parameterNames)));
            }
        }
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
            const std::vector<std::string_view> kinds = primitiveKeys();
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
            const PrimitiveInfo& info = *findPrimitiveKind(kind); // readChoice took one of its keys
            primitive.kind = info.kind;
            if (capacity != nullptr) {
                if (!info.takesCapacity) {
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
                            {"model", "description", "listing", "threads", "processes", "message_cpu_ms", "cpus", "gil",
                             "switch_interval_ms", "heartbeat_ms", "program", "broker", "cpython_agrees"});
        VariantDecl variant;
        variant.name = entry.name;
        variant.location = entry.keyLocation;
        if (const YamlField* model = mapping.find("model")) {
            const std::string word = readChoice(m_source, *model, {"sequential", "async", "threads", "broker"});
            variant.model = word == "sequential" ? Model::Sequential
                            : word == "async"    ? Model::Async
                            : word == "threads"  ? Model::Threads
                                                 : Model::Broker;
        }
        if (const YamlField* description = mapping.find("description")) {
            variant.description = readText(m_source, *description);
        }
        if (const YamlField* agrees = mapping.find("cpython_agrees")) {
            variant.cpythonAgrees = readFlag(m_source, *agrees);
        }
        if (const YamlField* listing = mapping.find("listing")) {
            variant.listing = readText(m_source, *listing);
            checkListing(*listing, variant.listing);
        }
        if (const YamlField* threads = mapping.find("threads")) {
            variant.threads = readExpression(m_source, *threads);
        }
        if (const YamlField* processes = mapping.find("processes")) {
            variant.processes = readExpression(m_source, *processes);
        }
        if (const YamlField* messageCpu = mapping.find("message_cpu_ms")) {
            if (!variant.processes) {
                m_source.fail(messageCpu->keyLocation, "message_cpu_ms is the cost of a message to a process pool: "
                                                       "it needs 'processes: N'");
            }
            variant.messageCpuMs = readExpression(m_source, *messageCpu);
        }
        if (const YamlField* cpus = mapping.find("cpus")) {
            variant.cpus = readExpression(m_source, *cpus);
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
        if (variant.model == Model::Broker || mapping.find("broker") != nullptr) {
            readBrokerVariant(entry, mapping, variant);
            return variant;
        }
        const ProgramContext context{m_source, *m_scenario, variant.name,
                                     countListingLines(m_scenario->listingFor(variant)), m_programBudget};
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

    // model: broker with its broker: block, and none of the keys that shape a program's run.
    void readBrokerVariant(const YamlField& entry, const YamlMapping& mapping, VariantDecl& variant) {
        const YamlField* block = mapping.find("broker");
        if (variant.model != Model::Broker) {
            m_source.fail(block->keyLocation, "'broker:' belongs to a variant with 'model: broker'");
        }
        if (block == nullptr) {
            m_source.fail(entry.keyLocation, fmt::format("variant '{}' uses the broker model and needs a 'broker:' "
                                                         "block (jobs, workers, job_ms, ...)",
                                                         variant.name));
        }
        for (const char* key : {"program", "threads", "processes", "message_cpu_ms", "cpus", "gil",
                                "switch_interval_ms", "heartbeat_ms"}) {
            if (const YamlField* field = mapping.find(key)) {
                m_source.fail(field->keyLocation,
                              fmt::format("'{}' does not apply to the broker model: its workers are real processes "
                                          "that take jobs from Redis (see 'broker:')",
                                          key));
            }
        }
        YamlMapping fields(
            m_source, block->value, block->valueLocation, "broker",
            {"jobs", "workers", "job_ms", "poison", "crash", "max_deliveries", "visibility_ms", "stream_limit", "ack"});
        BrokerDecl broker;
        broker.location = block->keyLocation;
        const std::pair<const char*, Expression*> expressions[] = {
            {"jobs", &broker.jobs},
            {"workers", &broker.workers},
            {"job_ms", &broker.jobMs},
            {"poison", &broker.poison},
            {"crash", &broker.crash},
            {"max_deliveries", &broker.maxDeliveries},
            {"visibility_ms", &broker.visibilityMs},
            {"stream_limit", &broker.streamLimit},
        };
        for (const auto& [key, target] : expressions) {
            if (const YamlField* field = fields.find(key)) {
                *target = readExpression(m_source, *field);
            }
        }
        if (const YamlField* ack = fields.find("ack")) {
            broker.ackOnReceipt = readChoice(m_source, *ack, {"after_work", "on_receipt"}) == "on_receipt";
        }
        variant.broker = std::move(broker);
    }

    void readExpectations(const YamlField& field) {
        if (!field.value.IsSequence()) {
            m_source.fail(field.valueLocation, "'expectations' takes a list, each item starting with '- '");
        }
        if (field.value.size() > kMaxMappingKeys) {
            m_source.fail(field.valueLocation,
                          fmt::format("{} expectations; the limit is {}", field.value.size(), kMaxMappingKeys));
        }
        for (const auto& item : field.value) {
            m_scenario->expectations.push_back(readExpectation(m_source, *m_scenario, item));
        }
    }

    // sweeps: [{variant, parameter, values: [1, 2, 4], theory_ms: expression}]
    void readSweeps(const YamlField& field) {
        if (!field.value.IsSequence()) {
            m_source.fail(field.valueLocation, "'sweeps' takes a list, each item starting with '- '");
        }
        if (field.value.size() > kMaxMappingKeys) {
            m_source.fail(field.valueLocation,
                          fmt::format("{} sweeps; the limit is {}", field.value.size(), kMaxMappingKeys));
        }
        for (const auto& item : field.value) {
            const SourceLocation where = m_source.locate(item);
            YamlMapping mapping(m_source, item, where, "a sweep", {"variant", "parameter", "values", "theory_ms"});
            SweepDecl sweep;
            sweep.location = where;
            sweep.variant = readVariantReference(m_source, *m_scenario, mapping.require("variant"));
            const YamlField& parameterField = mapping.require("parameter");
            sweep.parameter = readName(m_source, parameterField, "a parameter");
            const ParameterDecl* parameter = m_scenario->findParameter(sweep.parameter);
            if (parameter == nullptr) {
                m_source.fail(parameterField.valueLocation,
                              fmt::format("unknown parameter '{}' to sweep; the lesson declares: {}", sweep.parameter,
                                          joinNames(m_source.parameterNames)));
            }
            const YamlField& values = mapping.require("values");
            if (!values.value.IsSequence() || values.value.size() == 0 || values.value.size() > kMaxSweepValues) {
                m_source.fail(
                    values.valueLocation,
                    fmt::format("'values' takes a list of 1 to {} numbers, e.g. [1, 2, 4, 8]", kMaxSweepValues));
            }
            for (const auto& node : values.value) {
                const SourceLocation at = m_source.locate(node);
                const YamlField value{std::string("values"), node, node, at, at};
                const double number = readNumber(m_source, value);
                if (number < parameter->minimum || number > parameter->maximum ||
                    (parameter->integer && number != std::floor(number))) {
                    m_source.fail(value.valueLocation,
                                  fmt::format("{} is outside parameter '{}' ({} to {}{})", formatNumber(number),
                                              sweep.parameter, formatNumber(parameter->minimum),
                                              formatNumber(parameter->maximum),
                                              parameter->integer ? ", whole numbers" : ""));
                }
                sweep.values.push_back(number);
            }
            if (const YamlField* theory = mapping.find("theory_ms")) {
                sweep.theoryMs = readExpression(m_source, *theory);
            }
            m_scenario->sweeps.push_back(std::move(sweep));
        }
    }

    LessonSource& m_source;
    YamlMapping m_top;
    Scenario* m_scenario = nullptr;
    ProgramBudget m_programBudget;
};

} // namespace

ReadLesson readLesson(std::string_view text, const std::string& fileName) {
    if (text.size() > kMaxLessonBytes) {
        throw LessonError(
            SourceLocation{fileName, 1, 1},
            fmt::format("the lesson is {} bytes long; the limit is {} (1 MiB)", text.size(), kMaxLessonBytes));
    }
    if (const std::optional<std::size_t> bad = firstInvalidUtf8(text)) {
        const std::string_view before = text.substr(0, *bad);
        const auto line = static_cast<int>(std::count(before.begin(), before.end(), '\n')) + 1;
        const std::size_t lineStart = before.rfind('\n');
        const auto column = static_cast<int>(lineStart == std::string_view::npos ? *bad + 1 : *bad - lineStart);
        throw LessonError(
            SourceLocation{fileName, line, column},
            fmt::format("the lesson is not valid UTF-8 (byte 0x{:02X})", static_cast<unsigned char>(text[*bad])));
    }
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& error) {
        const SourceLocation where = error.mark.is_null()
                                         ? SourceLocation{fileName, 1, 1}
                                         : SourceLocation{fileName, error.mark.line + 1, error.mark.column + 1};
        throw LessonError(where, fmt::format("YAML syntax: {}", error.msg));
    }
    LessonSource source{fileName, {}, text};
    if (!root.IsMap()) {
        source.fail(SourceLocation{fileName, 1, 1},
                    "a lesson file must be a mapping of keys such as 'id:', 'title:' and 'variants:'");
    }
    LessonReader reader(source, root);
    return reader.read();
}

} // namespace interleave::core
