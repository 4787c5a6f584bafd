// Arithmetic over lesson parameters: "$requests * $latency_ms", "min($tasks, cores)", "ceil($requests / $limit)".
#pragma once

#include "scenario/lesson_error.h"

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace interleave::core {

// Parameter values by name (without the '$'). The name "cores" is the cores the process may use (usableCores) and needs
// no '$'.
using ParameterValues = std::map<std::string, double, std::less<>>;

// A value in a message: whole numbers bare ("1000", not "1000.0" or "1e+03"), others to six significant digits.
std::string formatNumber(double value);

class Expression {
public:
    Expression(); // the constant 0
    static Expression constant(double value);
    // Grammar: sum := product (('+'|'-') product)* ; product := unary (('*'|'/') unary)* ;
    // unary := '-' unary | primary ; primary := number | '$'name | 'cores' | func '(' sum (',' sum)* ')' | '(' sum ')'
    // func is one of min, max, ceil, floor, round. Throws LessonError pointing into `text` (column offset from
    // `where`).
    static Expression parse(std::string_view text, const SourceLocation& where);

    // Throws UsageError naming the variable when one is missing from `values`.
    double evaluate(const ParameterValues& values) const;
    std::vector<std::string> variables() const; // referenced $names, without '$' (excluding "cores")
    const std::string& text() const { return m_text; }
    const SourceLocation& location() const { return m_location; }

    struct Node;

private:
    std::shared_ptr<const Node> m_root;
    std::string m_text;
    SourceLocation m_location;
};

} // namespace interleave::core
