// Typed reading of yaml-cpp nodes for the lesson loader; every failure is a LessonError at the node's file:line:col.
#pragma once

#include "scenario/expression.h"
#include "scenario/lesson_error.h"

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace interleave::core {

// What the loader knows while reading one file: its name (for locations) and the declared parameters (for $names).
struct LessonSource {
    std::string file;
    std::vector<std::string> parameterNames;
    std::string_view text; // the whole file as given to the YAML parser; may be empty (then locations are coarser)

    SourceLocation locate(const YAML::Node& node) const;
    // Where the character at `offset` of a scalar's value is in the file: exact for a literal block (`key: |`, the
    // text starting on the next line at the block's indentation) and for a scalar written verbatim on one line;
    // the scalar's own location otherwise.
    SourceLocation locateInScalar(const YAML::Node& node, std::size_t offset) const;
    [[noreturn]] void fail(const SourceLocation& where, const std::string& message) const;
};

// One "key: value" entry. An empty value carries the mark of whatever follows it, so errors about it use the key's.
struct YamlField {
    std::string name;
    YAML::Node key;
    YAML::Node value;
    SourceLocation keyLocation;
    SourceLocation valueLocation;
};

// A lesson's mappings (its parameters, primitives, variants, a step) have a few dozen keys: more is a hostile file,
// refused before its keys are compared with each other.
inline constexpr std::size_t kMaxMappingKeys = 1'000;

// The entries of a mapping in file order, with duplicate and unknown keys rejected up front.
class YamlMapping {
public:
    // `what` names the mapping in messages ("variant 'loop'"); `where` is used when `node` is not a mapping.
    // An empty `allowed` list accepts any key (for mappings keyed by user-chosen names).
    YamlMapping(const LessonSource& source, const YAML::Node& node, const SourceLocation& where, std::string what,
                std::initializer_list<std::string_view> allowed);

    const YamlField* find(std::string_view key) const;
    const YamlField& require(std::string_view key) const; // error at the mapping when absent
    const std::vector<YamlField>& fields() const { return m_fields; }
    const SourceLocation& location() const { return m_location; }
    const std::string& what() const { return m_what; }

private:
    const LessonSource& m_source;
    std::string m_what;
    SourceLocation m_location;
    std::vector<YamlField> m_fields;
};

std::string readText(const LessonSource& source, const YamlField& field);
double readNumber(const LessonSource& source, const YamlField& field);
int readInteger(const LessonSource& source, const YamlField& field, int minimum);
bool readFlag(const LessonSource& source, const YamlField& field);
// A name a teacher chooses (parameter, primitive, child task): letters, digits, '_' and '-', starting with a letter.
std::string readName(const LessonSource& source, const YamlField& field, std::string_view what);
// A number or an expression; every $name must be a declared parameter.
Expression readExpression(const LessonSource& source, const YamlField& field);
// The word in a scalar, checked against `choices` (error lists them).
std::string readChoice(const LessonSource& source, const YamlField& field, std::span<const std::string_view> choices);
std::string readChoice(const LessonSource& source, const YamlField& field,
                       std::initializer_list<std::string_view> choices);

bool isValidName(std::string_view name);
std::string joinNames(const std::vector<std::string>& names);

} // namespace interleave::core
