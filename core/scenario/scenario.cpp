// The lesson model's lookups, names of its enumerations, and the metric syntax used by expectations.
#include "scenario/scenario.h"

#include "scenario/listing_template.h"
#include "scenario/op_table.h"
#include "scenario/primitive_table.h"
#include "trace/event.h"

#include <fmt/format.h>

#include <algorithm>

namespace interleave::core {

namespace {

template <typename T> const T* findByName(const std::vector<T>& items, std::string_view name) {
    auto found = std::find_if(items.begin(), items.end(), [&](const T& item) { return item.name == name; });
    return found == items.end() ? nullptr : &*found;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

bool isCounterChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-';
}

struct MetricName {
    std::string_view name;
    MetricKind kind;
    bool takesArgument;
};

constexpr MetricName kMetricNames[] = {
    {"makespan_ms", MetricKind::MakespanMs, false},
    {"speedup", MetricKind::Speedup, false},
    {"max_lag_ms", MetricKind::MaxLagMs, false},
    {"peak", MetricKind::Peak, true},
    {"peak_concurrent", MetricKind::PeakConcurrent, true},
    {"state_time_ms", MetricKind::StateTimeMs, true},
    {"gil_switch_ms", MetricKind::GilSwitchMs, false},
    {"gil_handoffs", MetricKind::GilHandoffs, false},
    {"markers", MetricKind::Markers, true},
    {"tasks", MetricKind::TasksEnded, true},
    {"final", MetricKind::Final, true},
    {"lost", MetricKind::Lost, true},
    {"messaging_ms", MetricKind::MessagingMs, false},
    {"stage_ms", MetricKind::StageMs, true},
};

constexpr std::string_view kMetricHelp = "makespan_ms, speedup, max_lag_ms, peak(<counter>), peak_concurrent(<state>), "
                                         "state_time_ms(<state>), gil_switch_ms, gil_handoffs, markers(<kind>), "
                                         "tasks(<state>), final(<counter>), lost(<variable>), messaging_ms or "
                                         "stage_ms(<stage>)";

// The names of an enumeration's values (TaskState, MarkerKind), joined for a message, and whether `name` is one.
template <typename Enum> std::string namesOf(int count) {
    std::string names;
    for (int i = 0; i < count; ++i) {
        names += (i == 0 ? "" : ", ");
        names += toString(static_cast<Enum>(i));
    }
    return names;
}

template <typename Enum> bool isNameOf(std::string_view name, int count) {
    for (int i = 0; i < count; ++i) {
        if (toString(static_cast<Enum>(i)) == name) {
            return true;
        }
    }
    return false;
}

std::string stateNames() {
    return namesOf<TaskState>(kTaskStateCount);
}

std::string markerNames() {
    return namesOf<MarkerKind>(kMarkerKindCount);
}

bool isMarkerName(std::string_view name) {
    return isNameOf<MarkerKind>(name, kMarkerKindCount);
}

bool isStateName(std::string_view name) {
    return isNameOf<TaskState>(name, kTaskStateCount);
}

} // namespace

std::string Scenario::alias() const {
    // Appending (not "L" + to_string) sidesteps a GCC 12 -O3 false -Wrestrict warning.
    std::string text = "L";
    text += std::to_string(number);
    return text;
}

const VariantDecl* Scenario::findVariant(std::string_view name) const {
    return findByName(variants, name);
}
const ParameterDecl* Scenario::findParameter(std::string_view name) const {
    return findByName(parameters, name);
}
const PrimitiveDecl* Scenario::findPrimitive(std::string_view name) const {
    return findByName(primitives, name);
}

const std::string& Scenario::listingFor(const VariantDecl& variant) const {
    return variant.listing.empty() ? listing : variant.listing;
}

std::string Scenario::renderListing(const VariantDecl& variant, const ParameterValues& values) const {
    return renderListingText(listingFor(variant), parameters, values);
}

ParameterValues Scenario::defaults() const {
    ParameterValues values;
    for (const auto& parameter : parameters) {
        values[parameter.name] = parameter.defaultValue;
    }
    return values;
}

MetricRef parseMetric(std::string_view text, const SourceLocation& where) {
    auto failAt = [&](std::size_t offset, const std::string& message) {
        SourceLocation location = where;
        if (location.column > 0) {
            location.column += static_cast<int>(offset);
        }
        throw LessonError(location, message);
    };
    const std::string_view trimmed = trim(text);
    const std::size_t start = trimmed.empty() ? 0 : static_cast<std::size_t>(trimmed.data() - text.data());
    const std::size_t open = trimmed.find('(');
    const std::string_view name = trim(trimmed.substr(0, open));
    const MetricName* known = nullptr;
    for (const auto& candidate : kMetricNames) {
        if (candidate.name == name) {
            known = &candidate;
        }
    }
    if (known == nullptr) {
        failAt(start, fmt::format("unknown metric '{}'; metrics are {}", trimmed, kMetricHelp));
    }
    MetricRef metric;
    metric.kind = known->kind;
    if (!known->takesArgument) {
        if (open != std::string_view::npos) {
            failAt(start + open, fmt::format("metric '{}' takes no argument", name));
        }
        return metric;
    }
    if (open == std::string_view::npos || trimmed.back() != ')') {
        failAt(start, fmt::format("metric '{}' needs an argument in parentheses, as in {}(x)", name, name));
    }
    std::string_view inside = trimmed.substr(open + 1, trimmed.size() - open - 2);
    // state_time_ms(<state>, <task>): the subject after a comma.
    std::string_view taskPart;
    const std::size_t comma = inside.find(',');
    if (comma != std::string_view::npos) {
        if (metric.kind != MetricKind::StateTimeMs) {
            failAt(open + 1 + comma,
                   fmt::format("{}() takes one argument; only state_time_ms takes a task after a comma", name));
        }
        taskPart = inside.substr(comma + 1);
        inside = inside.substr(0, comma);
    }
    const std::string_view argument = trim(inside);
    const std::size_t argumentOffset =
        start + open + 1 + (argument.empty() ? 0 : static_cast<std::size_t>(argument.data() - inside.data()));
    if (argument.empty() || !std::all_of(argument.begin(), argument.end(), isCounterChar)) {
        failAt(argumentOffset, fmt::format("'{}' is not a valid argument for {}()", argument, name));
    }
    if ((metric.kind == MetricKind::PeakConcurrent || metric.kind == MetricKind::StateTimeMs ||
         metric.kind == MetricKind::TasksEnded) &&
        !isStateName(argument)) {
        failAt(argumentOffset, fmt::format("unknown task state '{}'; states are {}", argument, stateNames()));
    }
    if (metric.kind == MetricKind::TasksEnded && argument != "done" && argument != "failed" &&
        argument != "cancelled") {
        failAt(argumentOffset, fmt::format("tasks() counts the tasks that ended in a state: done, failed or cancelled, "
                                           "not '{}'",
                                           argument));
    }
    if (metric.kind == MetricKind::Markers && !isMarkerName(argument)) {
        failAt(argumentOffset, fmt::format("unknown marker '{}'; markers are {}", argument, markerNames()));
    }
    metric.argument = std::string(argument);
    if (comma != std::string_view::npos) {
        const std::string_view task = trim(taskPart);
        if (task.empty() || !std::all_of(task.begin(), task.end(), isCounterChar)) {
            failAt(open + 2 + comma, fmt::format("'{}' is not a task name", task));
        }
        metric.task = std::string(task);
    }
    return metric;
}

std::string toString(const MetricRef& metric) {
    for (const auto& candidate : kMetricNames) {
        if (candidate.kind == metric.kind) {
            if (!candidate.takesArgument) {
                return std::string(candidate.name);
            }
            return metric.task.empty() ? fmt::format("{}({})", candidate.name, metric.argument)
                                       : fmt::format("{}({}, {})", candidate.name, metric.argument, metric.task);
        }
    }
    return "unknown";
}

std::string_view toString(OpKind kind) {
    return opInfo(kind).key;
}

std::string_view toString(Model model) {
    switch (model) {
    case Model::Sequential:
        return "sequential";
    case Model::Async:
        return "async";
    case Model::Threads:
        return "threads";
    case Model::Broker:
        return "broker";
    case Model::Python:
        return "python";
    }
    return "unknown";
}

std::string_view toString(PrimitiveKind kind) {
    return primitiveInfo(kind).key;
}

std::string_view toString(Placement placement) {
    switch (placement) {
    case Placement::Default:
        return "default";
    case Placement::Inline:
        return "inline";
    case Placement::Loop:
        return "loop";
    case Placement::Threads:
        return "threads";
    case Placement::Processes:
        return "processes";
    }
    return "unknown";
}

} // namespace interleave::core
