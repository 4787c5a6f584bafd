// Reads a variant's program (the list of steps) and checks where each step may run.
#include "scenario/op_parser.h"

#include "scenario/op_table.h"

#include <fmt/format.h>

#include <algorithm>

namespace interleave::core {

namespace {

std::string opNames() {
    std::vector<std::string> names;
    for (const OpInfo& op : allOps()) {
        names.emplace_back(op.key);
    }
    return joinNames(names);
}

Placement toPlacement(const std::string& word) {
    if (word == "inline") {
        return Placement::Inline;
    }
    if (word == "loop") {
        return Placement::Loop;
    }
    return word == "threads" ? Placement::Threads : Placement::Processes;
}

std::vector<Op> parseSteps(const ProgramContext& context, const YamlField& field);

// "a queue", "an event": a primitive's kind with its article.
std::string withArticle(PrimitiveKind kind) {
    const std::string_view word = toString(kind);
    return fmt::format("{} {}", std::string_view("aeiou").find(word.front()) == std::string_view::npos ? "a" : "an",
                       word);
}

std::string readTarget(const ProgramContext& context, const YamlField& field, OpKind kind) {
    std::string name = readName(context.source, field, "a primitive");
    const PrimitiveDecl* primitive = context.scenario.findPrimitive(name);
    if (primitive == nullptr) {
        std::vector<std::string> declared;
        for (const auto& decl : context.scenario.primitives) {
            declared.push_back(decl.name);
        }
        context.source.fail(field.valueLocation,
                            declared.empty()
                                ? fmt::format("unknown primitive '{}': the lesson declares no primitives", name)
                                : fmt::format("unknown primitive '{}'; declared: {}", name, joinNames(declared)));
    }
    const OpInfo& op = opInfo(kind);
    if ((op.targets & primitiveBit(primitive->kind)) == 0) {
        context.source.fail(field.valueLocation, fmt::format("'{}' needs {}, but '{}' is {}", op.key, op.targetsText,
                                                             name, withArticle(primitive->kind)));
    }
    return name;
}

// wait_for's predicate: `until: not_empty(buf)` (len(buf) > 0) or `until: not_full(buf)` (len(buf) < its capacity).
void readUntil(const ProgramContext& context, const YamlField& field, Op& op) {
    const std::string text = field.value.IsScalar() ? field.value.Scalar() : std::string();
    const std::size_t open = text.find('(');
    const std::string test = text.substr(0, open);
    if (open == std::string::npos || text.back() != ')' || (test != "not_empty" && test != "not_full")) {
        context.source.fail(field.valueLocation, "'until' takes not_empty(BUFFER) or not_full(BUFFER), e.g. "
                                                 "'until: not_full(buf)'");
    }
    const std::string name = text.substr(open + 1, text.size() - open - 2);
    const PrimitiveDecl* buffer = context.scenario.findPrimitive(name);
    if (buffer == nullptr || buffer->kind != PrimitiveKind::Buffer) {
        context.source.fail(
            field.valueLocation,
            buffer == nullptr ? fmt::format("unknown primitive '{}' in 'until': it needs a declared buffer", name)
                              : fmt::format("'until' tests a buffer, but '{}' is {}", name, withArticle(buffer->kind)));
    }
    op.until = test == "not_empty" ? BufferTest::NotEmpty : BufferTest::NotFull;
    op.untilTarget = name;
}

ChildTemplate parseChild(const ProgramContext& context, const YAML::Node& node, const SourceLocation& where,
                         std::string_view opKey, bool single, Placement& placement) {
    YamlMapping mapping(context.source, node, where, fmt::format("a '{}' child", opKey),
                        single ? std::initializer_list<std::string_view>{"name", "count", "do", "on"}
                               : std::initializer_list<std::string_view>{"name", "count", "do"});
    ChildTemplate child;
    child.location = mapping.location();
    child.name = "task";
    if (const YamlField* name = mapping.find("name")) {
        child.name = readName(context.source, *name, "a task");
    }
    if (const YamlField* count = mapping.find("count")) {
        child.count = readExpression(context.source, *count);
    }
    child.body = parseSteps(context, mapping.require("do"));
    if (const YamlField* on = mapping.find("on")) {
        placement = toPlacement(readChoice(context.source, *on, {"inline", "loop", "threads", "processes"}));
    }
    return child;
}

void parseChildren(const ProgramContext& context, const YamlField& field, Op& op) {
    if (field.value.IsMap()) {
        op.children.push_back(parseChild(context, field.value, field.valueLocation, field.name, true, op.placement));
        return;
    }
    if (!field.value.IsSequence() || field.value.size() == 0) {
        context.source.fail(field.valueLocation,
                            fmt::format("'{}' takes a mapping with name, count and do, or a list of them", field.name));
    }
    Placement unused = Placement::Default;
    for (const auto& item : field.value) {
        op.children.push_back(parseChild(context, item, context.source.locate(item), field.name, false, unused));
    }
}

Op parseStep(const ProgramContext& context, const YAML::Node& node) {
    const SourceLocation where = context.source.locate(node);
    if (!node.IsMap()) {
        context.source.fail(where, fmt::format("a step must be a mapping such as 'io: 100', not {}",
                                               node.IsScalar() ? "'" + node.Scalar() + "'" : "a list"));
    }
    YamlMapping mapping(context.source, node, where, "a step", {});
    const YamlField* opField = nullptr;
    const OpInfo* spec = nullptr;
    for (const auto& field : mapping.fields()) {
        if (const OpInfo* candidate = findOp(field.name)) {
            // An op's extra key may be another op's name (acquire's timeout): it is then that op's argument.
            if (opField != nullptr && spec->extraKey == field.name) {
                continue;
            }
            if (opField != nullptr && candidate->extraKey == opField->name) {
                opField = &field;
                spec = candidate;
                continue;
            }
            if (opField != nullptr) {
                context.source.fail(field.keyLocation, fmt::format("a step has both '{}' and '{}'; write each as "
                                                                   "its own step",
                                                                   opField->name, field.name));
            }
            opField = &field;
            spec = candidate;
        }
    }
    if (opField == nullptr) {
        for (const auto& field : mapping.fields()) {
            if (field.name != "line" && field.name != "label" && field.name != "do") {
                context.source.fail(field.keyLocation,
                                    fmt::format("unknown op '{}'; ops are: {}", field.name, opNames()));
            }
        }
        context.source.fail(where, fmt::format("a step needs an op, one of: {}", opNames()));
    }

    std::vector<std::string> allowed = {opField->name, "line", "label", "stage"};
    if (spec->hasBody) {
        allowed.emplace_back("do");
    }
    if (!spec->extraKey.empty()) {
        allowed.emplace_back(spec->extraKey);
    }
    if (spec->argument == OpArgument::Children) {
        allowed.emplace_back("on");
        allowed.emplace_back("chunksize");
    }
    for (const auto& field : mapping.fields()) {
        if (std::find(allowed.begin(), allowed.end(), field.name) == allowed.end()) {
            context.source.fail(field.keyLocation, fmt::format("unknown key '{}' in a '{}' step; expected one of: {}",
                                                               field.name, opField->name, joinNames(allowed)));
        }
    }

    Op op;
    op.kind = spec->kind;
    op.location = opField->keyLocation;
    switch (spec->argument) {
    case OpArgument::Duration:
    case OpArgument::Count:
    case OpArgument::Probability:
        op.amount = readExpression(context.source, *opField);
        break;
    case OpArgument::Target:
        op.target = readTarget(context, *opField, op.kind);
        break;
    case OpArgument::Children:
        parseChildren(context, *opField, op);
        break;
    case OpArgument::Pool:
        op.placement = toPlacement(readChoice(context.source, *opField, {"threads", "processes"}));
        break;
    case OpArgument::None:
        if (!opField->value.IsNull()) {
            context.source.fail(
                opField->valueLocation,
                spec->hasBody ? fmt::format("'{}' takes no value; put its steps under 'do:'", opField->name)
                              : fmt::format("'{}' takes no value: write it as '- {}:'", opField->name, opField->name));
        }
        break;
    }
    if (const YamlField* on = mapping.find("on")) {
        if (op.placement != Placement::Default) {
            context.source.fail(on->keyLocation, "'on' is given twice: beside the op and inside its child");
        }
        op.placement = toPlacement(readChoice(context.source, *on, {"inline", "loop", "threads", "processes"}));
    }
    if (spec->hasBody) {
        op.body = parseSteps(context, mapping.require("do"));
    }
    if (op.kind == OpKind::WaitFor) {
        readUntil(context, mapping.require("until"), op);
    } else if (!spec->extraKey.empty() && spec->extraKey != "return_exceptions") {
        if (const YamlField* extra = mapping.find(spec->extraKey)) {
            op.extra = readExpression(context.source, *extra); // retry's backoff, acquire's timeout: durations
        }
    }
    if (const YamlField* returnExceptions = mapping.find("return_exceptions")) {
        op.returnExceptions = readFlag(context.source, *returnExceptions);
    }
    if (const YamlField* label = mapping.find("label")) {
        op.label = readText(context.source, *label);
    }
    if (const YamlField* chunkSize = mapping.find("chunksize")) {
        op.chunkSize = readExpression(context.source, *chunkSize);
    }
    if (const YamlField* stage = mapping.find("stage")) {
        op.stage = readText(context.source, *stage);
    }
    if (const YamlField* line = mapping.find("line")) {
        op.line = readInteger(context.source, *line, 1);
        if (op.line > context.listingLines) {
            context.source.fail(line->valueLocation,
                                context.listingLines == 0
                                    ? fmt::format("line {} points into the listing, but variant '{}' has no listing",
                                                  op.line, context.variantName)
                                    : fmt::format("line {} is beyond the listing of variant '{}', which has {} lines",
                                                  op.line, context.variantName, context.listingLines));
        }
    }
    return op;
}

std::vector<Op> parseSteps(const ProgramContext& context, const YamlField& field) {
    if (!field.value.IsSequence() || field.value.size() == 0) {
        context.source.fail(field.valueLocation,
                            fmt::format("'{}' takes a list of steps, each on a line starting with '- '", field.name));
    }
    if (context.budget.nesting >= kMaxStepNesting) {
        context.source.fail(
            field.valueLocation,
            fmt::format("steps nest deeper than {} levels (a YAML alias that contains itself?)", kMaxStepNesting));
    }
    ++context.budget.nesting;
    std::vector<Op> steps;
    for (const auto& item : field.value) {
        if (++context.budget.steps > kMaxLessonSteps) {
            context.source.fail(
                context.source.locate(item),
                fmt::format("the lesson has more than {} steps (YAML aliases count once per use)", kMaxLessonSteps));
        }
        steps.push_back(parseStep(context, item));
    }
    --context.budget.nesting;
    return steps;
}

// "io, block, cpu, repeat and fail": the ops a worker process runs.
std::string workerOpNames() {
    std::vector<std::string> names;
    for (const OpInfo& op : allOps()) {
        if (op.inWorker) {
            names.emplace_back(op.key);
        }
    }
    std::string text;
    for (std::size_t index = 0; index < names.size(); ++index) {
        text += index == 0 ? "" : index + 1 == names.size() ? " and " : ", ";
        text += names[index];
    }
    return text;
}

void checkSteps(const LessonSource& source, const VariantDecl& variant, const std::vector<Op>& steps,
                bool inWorkerProcess) {
    for (const Op& op : steps) {
        if (inWorkerProcess && !opInfo(op.kind).inWorker) {
            source.fail(op.location, fmt::format("'{}' cannot run in a worker process: work sent to the process "
                                                 "pool may only use {}",
                                                 toString(op.kind), workerOpNames()));
        }
        if (inWorkerProcess && !op.stage.empty()) {
            source.fail(op.location, fmt::format("stage '{}' is inside work sent to a worker process: put it on the "
                                                 "step that sends the work (the offload or the gather)",
                                                 op.stage));
        }
        if (op.chunkSize && op.placement != Placement::Processes) {
            source.fail(op.location, fmt::format("'chunksize' sends the children to worker processes in chunks: the "
                                                 "'{}' needs 'on: processes'",
                                                 toString(op.kind)));
        }
        const std::string_view key = op.kind == OpKind::Offload ? "offload" : "on";
        if (op.placement == Placement::Processes && !variant.processes) {
            source.fail(op.location, fmt::format("'{}: processes' needs a process pool: add 'processes: N' to "
                                                 "variant '{}'",
                                                 key, variant.name));
        }
        if (op.placement == Placement::Threads && !variant.threads && variant.model != Model::Async) {
            source.fail(op.location, fmt::format("'{}: threads' needs a thread pool: add 'threads: N' to variant "
                                                 "'{}'",
                                                 key, variant.name));
        }
        if (op.placement == Placement::Loop && variant.model != Model::Async) {
            source.fail(op.location, fmt::format("'on: loop' needs the async model, but variant '{}' is {}",
                                                 variant.name, toString(variant.model)));
        }
        const bool childrenInWorker = inWorkerProcess || op.placement == Placement::Processes;
        checkSteps(source, variant, op.body, childrenInWorker);
        for (const ChildTemplate& child : op.children) {
            checkSteps(source, variant, child.body, childrenInWorker);
        }
    }
}

} // namespace

std::vector<Op> parseProgram(const ProgramContext& context, const YamlField& field) {
    return parseSteps(context, field);
}

void checkPlacements(const LessonSource& source, const VariantDecl& variant) {
    checkSteps(source, variant, variant.program, false);
}

int countListingLines(const std::string& listing) {
    if (listing.empty()) {
        return 0;
    }
    const auto newlines = static_cast<int>(std::count(listing.begin(), listing.end(), '\n'));
    return listing.back() == '\n' ? newlines : newlines + 1;
}

} // namespace interleave::core
