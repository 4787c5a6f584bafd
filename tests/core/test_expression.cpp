// Parameter arithmetic: grammar, evaluation, the 'cores' name and error positions.
#include "scenario/expression.h"

#include <gtest/gtest.h>

#include <thread>

namespace interleave::core {
namespace {

const SourceLocation kWhere{"lesson.yaml", 4, 10};

double eval(std::string_view text, const ParameterValues& values = {}) {
    return Expression::parse(text, kWhere).evaluate(values);
}

// The "file:line:col" prefix of the error that parsing `text` raises, or "no error".
std::string errorAt(std::string_view text) {
    try {
        Expression::parse(text, kWhere);
    } catch (const LessonError& error) {
        return error.location().toString();
    }
    return "no error";
}

TEST(Expression, DefaultAndConstant) {
    EXPECT_EQ(Expression().evaluate({}), 0);
    EXPECT_EQ(Expression::constant(2.5).evaluate({}), 2.5);
    EXPECT_EQ(Expression::constant(200).text(), "200");
}

TEST(Expression, NumbersAndPrecedence) {
    EXPECT_EQ(eval("42"), 42);
    EXPECT_EQ(eval("0.25"), 0.25);
    EXPECT_EQ(eval("1e3"), 1000);
    EXPECT_EQ(eval("2 + 3 * 4"), 14);
    EXPECT_EQ(eval("(2 + 3) * 4"), 20);
    EXPECT_EQ(eval("10 - 4 - 3"), 3);
    EXPECT_EQ(eval("100 / 10 / 2"), 5);
    EXPECT_EQ(eval("-3 + 5"), 2);
    EXPECT_EQ(eval("--3"), 3);
    EXPECT_EQ(eval("2 * -3"), -6);
}

TEST(Expression, Parameters) {
    const ParameterValues values{{"requests", 10}, {"latency_ms", 200}, {"limit", 3}};
    EXPECT_EQ(eval("$requests * $latency_ms", values), 2000);
    EXPECT_EQ(eval("ceil($requests / $limit) * $latency_ms", values), 800);
    EXPECT_EQ(eval("floor($requests / $limit)", values), 3);
    EXPECT_EQ(eval("round(2.5)", values), 3);
    EXPECT_EQ(eval("min($requests, $limit, 7)", values), 3);
    EXPECT_EQ(eval("max($requests, $limit)", values), 10);
}

TEST(Expression, CoresComesFromValuesOrTheMachine) {
    EXPECT_EQ(eval("cores", {{"cores", 6}}), 6);
    EXPECT_EQ(eval("$cores", {{"cores", 6}}), 6);
    EXPECT_EQ(eval("min($tasks, cores)", {{"tasks", 4}, {"cores", 2}}), 2);
    const double machine = std::max(1u, std::thread::hardware_concurrency());
    EXPECT_EQ(eval("cores"), machine);
}

TEST(Expression, VariablesAreListedOnceWithoutCores) {
    const Expression expression = Expression::parse("$a * $b + $a + min($c, cores)", kWhere);
    EXPECT_EQ(expression.variables(), (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(expression.text(), "$a * $b + $a + min($c, cores)");
    EXPECT_EQ(expression.location().toString(), "lesson.yaml:4:10");
}

TEST(Expression, MissingVariableIsAUsageErrorNamingIt) {
    const Expression expression = Expression::parse("$requests * 2", kWhere);
    try {
        expression.evaluate({});
        FAIL() << "expected a UsageError";
    } catch (const UsageError& error) {
        EXPECT_NE(std::string(error.what()).find("$requests"), std::string::npos) << error.what();
    }
}

TEST(Expression, ErrorsPointAtTheOffendingCharacter) {
    EXPECT_EQ(errorAt(""), "lesson.yaml:4:10");
    EXPECT_EQ(errorAt("$a *"), "lesson.yaml:4:14");    // nothing after '*'
    EXPECT_EQ(errorAt("$a * x"), "lesson.yaml:4:15");  // unknown name x
    EXPECT_EQ(errorAt("2 $a"), "lesson.yaml:4:12");    // trailing '$a'
    EXPECT_EQ(errorAt("($a + 1"), "lesson.yaml:4:17"); // missing ')'
    EXPECT_EQ(errorAt("$ + 1"), "lesson.yaml:4:10");   // '$' without a name
    EXPECT_EQ(errorAt("ceil(1, 2)"), "lesson.yaml:4:10");
    EXPECT_EQ(errorAt("min 3"), "lesson.yaml:4:14"); // function without '('
    EXPECT_EQ(errorAt("1..2"), "lesson.yaml:4:10");
    EXPECT_EQ(errorAt("12ms"), "lesson.yaml:4:12");
    EXPECT_EQ(errorAt("3 % 2"), "lesson.yaml:4:12");
    EXPECT_EQ(errorAt("fast"), "lesson.yaml:4:10");
}

TEST(Expression, ErrorMessagesExplain) {
    try {
        Expression::parse("$a * latency", kWhere);
        FAIL();
    } catch (const LessonError& error) {
        EXPECT_EQ(std::string(error.what()).rfind("lesson.yaml:4:15: unknown name 'latency'", 0), 0) << error.what();
        EXPECT_NE(error.message().find("$latency"), std::string::npos);
    }
}

TEST(Expression, UnknownColumnStaysUnknown) {
    try {
        Expression::parse("1 +", SourceLocation{"x.yaml", 0, 0});
        FAIL();
    } catch (const LessonError& error) {
        EXPECT_EQ(error.location().column, 0);
    }
}

} // namespace
} // namespace interleave::core
