// Typed reading of yaml-cpp nodes for the lesson loader.
#include "scenario/yaml_fields.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace interleave::core {

namespace {

std::string describeType(const YAML::Node& node) {
    switch (node.Type()) {
    case YAML::NodeType::Sequence:
        return "a list";
    case YAML::NodeType::Map:
        return "a mapping";
    case YAML::NodeType::Null:
        return "nothing";
    case YAML::NodeType::Scalar:
        return fmt::format("'{}'", node.Scalar());
    default:
        return "nothing";
    }
}

const std::string& requireScalar(const LessonSource& source, const YamlField& field, std::string_view expected) {
    if (!field.value.IsScalar()) {
        source.fail(field.valueLocation,
                    fmt::format("'{}' takes {}, not {}", field.name, expected, describeType(field.value)));
    }
    return field.value.Scalar();
}

bool parseDouble(std::string_view text, double& value) {
    if (!text.empty() && text.front() == '+') {
        text.remove_prefix(1);
    }
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc() && end == text.data() + text.size() && std::isfinite(value);
}

} // namespace

SourceLocation LessonSource::locate(const YAML::Node& node) const {
    const YAML::Mark mark = node.Mark();
    if (mark.is_null()) {
        return SourceLocation{file, 0, 0};
    }
    return SourceLocation{file, mark.line + 1, mark.column + 1};
}

SourceLocation LessonSource::locateInScalar(const YAML::Node& node, std::size_t offset) const {
    SourceLocation whole = locate(node); // not const: returned by move
    const YAML::Mark mark = node.Mark();
    if (mark.is_null() || !node.IsScalar() || mark.pos < 0 || static_cast<std::size_t>(mark.pos) >= text.size()) {
        return whole;
    }
    const std::string& value = node.Scalar();
    if (offset > value.size()) {
        return whole;
    }
    const auto start = static_cast<std::size_t>(mark.pos);
    const std::size_t lineStart = offset == 0 ? 0 : value.rfind('\n', offset - 1) + 1; // npos + 1 == 0
    const int lineIndex =
        static_cast<int>(std::count(value.begin(), value.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
    const std::size_t column = offset - lineStart;
    if (text[start] == '|') {
        // A literal block: value line k is file line (header + 1 + k), after the block's indentation.
        std::size_t at = text.find('\n', start);
        for (int k = 0; k < lineIndex && at != std::string_view::npos; ++k) {
            at = text.find('\n', at + 1);
        }
        if (at == std::string_view::npos) {
            return whole;
        }
        std::string_view fileLine = text.substr(at + 1);
        fileLine = fileLine.substr(0, fileLine.find('\n'));
        if (!fileLine.empty() && fileLine.back() == '\r') {
            fileLine.remove_suffix(1);
        }
        std::string_view valueLine = std::string_view(value).substr(lineStart);
        valueLine = valueLine.substr(0, valueLine.find('\n'));
        if (fileLine.size() < valueLine.size() || !fileLine.ends_with(valueLine)) {
            return whole;
        }
        const std::size_t indentation = fileLine.size() - valueLine.size();
        return SourceLocation{file, mark.line + 2 + lineIndex, static_cast<int>(indentation + column) + 1};
    }
    // A plain or quoted scalar written out character for character on one line.
    const std::size_t quote = text[start] == '"' || text[start] == '\'' ? 1 : 0;
    if (value.find('\n') == std::string::npos && text.substr(start + quote, value.size()) == value) {
        return SourceLocation{file, mark.line + 1, mark.column + 1 + static_cast<int>(quote + offset)};
    }
    return whole;
}

void LessonSource::fail(const SourceLocation& where, const std::string& message) const {
    throw LessonError(where, message);
}

YamlMapping::YamlMapping(const LessonSource& source, const YAML::Node& node, const SourceLocation& where,
                         std::string what, std::initializer_list<std::string_view> allowed)
    : m_source(source), m_what(std::move(what)), m_location(where) {
    if (!node.IsMap()) {
        source.fail(where,
                    fmt::format("{} must be a mapping of 'key: value' lines, not {}", m_what, describeType(node)));
    }
    m_location = source.locate(node);
    if (node.size() > kMaxMappingKeys) {
        source.fail(m_location, fmt::format("{} has {} keys; the limit is {}", m_what, node.size(), kMaxMappingKeys));
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
        YamlField field;
        field.key = it->first;
        field.value = it->second;
        field.keyLocation = source.locate(field.key);
        if (!field.key.IsScalar()) {
            source.fail(field.keyLocation, fmt::format("a key in {} must be a plain word", m_what));
        }
        field.name = field.key.Scalar();
        field.valueLocation = field.value.IsNull() ? field.keyLocation : source.locate(field.value);
        if (allowed.size() > 0 && std::find(allowed.begin(), allowed.end(), field.name) == allowed.end()) {
            std::vector<std::string> names(allowed.begin(), allowed.end());
            source.fail(field.keyLocation, fmt::format("unknown key '{}' in {}; expected one of: {}", field.name,
                                                       m_what, joinNames(names)));
        }
        if (find(field.name) != nullptr) {
            source.fail(field.keyLocation, fmt::format("'{}' appears twice in {}", field.name, m_what));
        }
        m_fields.push_back(std::move(field));
    }
}

const YamlField* YamlMapping::find(std::string_view key) const {
    auto found = std::find_if(m_fields.begin(), m_fields.end(), [&](const YamlField& f) { return f.name == key; });
    return found == m_fields.end() ? nullptr : &*found;
}

const YamlField& YamlMapping::require(std::string_view key) const {
    const YamlField* field = find(key);
    if (field == nullptr) {
        m_source.fail(m_location, fmt::format("{} needs '{}'", m_what, key));
    }
    return *field;
}

std::string readText(const LessonSource& source, const YamlField& field) {
    if (field.value.IsNull()) {
        return {};
    }
    return requireScalar(source, field, "text");
}

double readNumber(const LessonSource& source, const YamlField& field) {
    const std::string& text = requireScalar(source, field, "a number");
    double value = 0;
    if (!parseDouble(text, value)) {
        source.fail(field.valueLocation, fmt::format("'{}' takes a number, not '{}'", field.name, text));
    }
    return value;
}

int readInteger(const LessonSource& source, const YamlField& field, int minimum) {
    const double value = readNumber(source, field);
    if (value != std::floor(value) || value < minimum || value > 1e9) {
        source.fail(field.valueLocation, fmt::format("'{}' takes a whole number of at least {}, not '{}'", field.name,
                                                     minimum, field.value.Scalar()));
    }
    return static_cast<int>(value);
}

bool readFlag(const LessonSource& source, const YamlField& field) {
    const std::string& text = requireScalar(source, field, "true or false");
    if (text == "true" || text == "yes" || text == "on") {
        return true;
    }
    if (text == "false" || text == "no" || text == "off") {
        return false;
    }
    source.fail(field.valueLocation, fmt::format("'{}' takes true or false, not '{}'", field.name, text));
}

bool isValidName(std::string_view name) {
    if (name.empty() || !((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z'))) {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

std::string readName(const LessonSource& source, const YamlField& field, std::string_view what) {
    const std::string& text = requireScalar(source, field, fmt::format("the name of {}", what));
    if (!isValidName(text)) {
        source.fail(field.valueLocation,
                    fmt::format("'{}' is not a valid name for {}: use letters, digits, '_' and '-', starting "
                                "with a letter",
                                text, what));
    }
    return text;
}

Expression readExpression(const LessonSource& source, const YamlField& field) {
    const std::string& text = requireScalar(source, field, "a number or an expression");
    SourceLocation where = field.valueLocation;
    // A quoted scalar's mark is its opening quote; the expression starts one column later.
    if (field.value.Tag() == "!" && where.column > 0) {
        where.column += 1;
    }
    Expression expression = Expression::parse(text, where);
    for (const std::string& name : expression.variables()) {
        const auto& known = source.parameterNames;
        if (std::find(known.begin(), known.end(), name) != known.end()) {
            continue;
        }
        SourceLocation at = where;
        for (std::size_t offset = text.find('$' + name); offset != std::string::npos;
             offset = text.find('$' + name, offset + 1)) {
            const std::size_t after = offset + 1 + name.size();
            const bool boundary =
                after >= text.size() || !(std::isalnum(static_cast<unsigned char>(text[after])) || text[after] == '_');
            if (boundary) {
                at.column = where.column > 0 ? where.column + static_cast<int>(offset) : 0;
                break;
            }
        }
        source.fail(at, known.empty()
                            ? fmt::format("undefined parameter ${}: this lesson declares no parameters", name)
                            : fmt::format("undefined parameter ${}; the lesson declares: {}", name, joinNames(known)));
    }
    return expression;
}

std::string readChoice(const LessonSource& source, const YamlField& field,
                       std::initializer_list<std::string_view> choices) {
    return readChoice(source, field, std::span<const std::string_view>(choices.begin(), choices.size()));
}

std::string readChoice(const LessonSource& source, const YamlField& field, std::span<const std::string_view> choices) {
    std::vector<std::string> names(choices.begin(), choices.end());
    const std::string& text = requireScalar(source, field, fmt::format("one of: {}", joinNames(names)));
    if (std::find(choices.begin(), choices.end(), text) == choices.end()) {
        source.fail(field.valueLocation,
                    fmt::format("'{}' is not a valid {}; expected one of: {}", text, field.name, joinNames(names)));
    }
    return text;
}

std::string joinNames(const std::vector<std::string>& names) {
    std::string joined;
    for (const auto& name : names) {
        joined += joined.empty() ? name : ", " + name;
    }
    return joined;
}

} // namespace interleave::core
