// Lesson files are untrusted (students send them; a run file carries one): each hostile shape found by mutation is
// refused with its place, quickly, instead of crashing or growing without bound. The big ones are generated here.
#include "lesson_text.h"
#include "scenario/expression.h"
#include "scenario/lesson_reader.h"
#include "scenario/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace interleave::core {
namespace {

using testing::errorOf;
using testing::lessonWith;

std::string parseError(const std::string& expression) {
    try {
        Expression::parse(expression, SourceLocation{"e.yaml", 3, 10});
    } catch (const LessonError& error) {
        return error.what();
    }
    return "no error";
}

std::string repeated(std::string_view piece, std::size_t times) {
    std::string text;
    text.reserve(piece.size() * times);
    for (std::size_t index = 0; index < times; ++index) {
        text += piece;
    }
    return text;
}

TEST(HostileLessons, AStepListThatContainsItselfIsRefused) {
    // The alias makes the step's `do:` the step itself: a loop in the YAML graph.
    EXPECT_ERROR(lessonWith("      - &a {repeat: 1, do: [*a]}\n"), "bad.yaml:18:", "nest deeper than 32 levels");
}

TEST(HostileLessons, StepsNestedTooDeeplyAreRefused) {
    std::string steps;
    for (int level = 0; level < 40; ++level) {
        steps += std::string(6 + 4 * static_cast<std::size_t>(level), ' ') + "- repeat: 1\n";
        steps += std::string(8 + 4 * static_cast<std::size_t>(level), ' ') + "do:\n";
    }
    steps += std::string(6 + 4 * 40, ' ') + "- io: 1\n";
    EXPECT_ERROR(lessonWith(steps), "bad.yaml:", "nest deeper than 32 levels");
}

TEST(HostileLessons, AnAliasBombStopsAtTheStepLimit) {
    // Each step's body is nine uses of the one before: 9^9 steps once expanded, refused at the ten-thousandth.
    std::string steps = "      - {repeat: 1, do: &l0 [{io: 1}]}\n";
    for (int level = 1; level <= 9; ++level) {
        steps += "      - {repeat: 1, do: &l" + std::to_string(level) + " [";
        for (int copy = 0; copy < 9; ++copy) {
            steps += std::string(copy == 0 ? "" : ", ") + "{repeat: 1, do: *l" + std::to_string(level - 1) + "}";
        }
        steps += "]}\n";
    }
    EXPECT_ERROR(lessonWith(steps), "bad.yaml:", "more than 10000 steps");
}

TEST(HostileLessons, AMappingWithTooManyKeysIsRefusedBeforeItsKeysAreCompared) {
    std::string parameters = "parameters:\n";
    for (int index = 0; index < 100'000; ++index) {
        parameters += "  p" + std::to_string(index) + ": {default: 1, min: 1, max: 2}\n";
    }
    std::string text = testing::kLessonHead;
    const std::string original = "parameters:\n  n: {default: 3, min: 1, max: 10}\n  ms: {default: 100, min: 1, max: "
                                 "1000, unit: ms}\n";
    text.replace(text.find(original), original.size(), parameters);
    text += "      - io: 1\n";
    // Over 1 MiB: the size limit answers first. Under it, the key limit does.
    EXPECT_ERROR(text, "bad.yaml:1:1:", "the limit is 1048576 (1 MiB)");
    const std::string fewer = text.substr(0, text.find("  p20000:")) + text.substr(text.find("primitives:"));
    EXPECT_ERROR(fewer, "bad.yaml:6:", "parameters has 20000 keys; the limit is 1000");
}

TEST(HostileLessons, InvalidUtf8IsRefusedWithItsPlace) {
    std::string text = lessonWith("      - io: 1\n        label: \"caf\xC3\" \n");
    EXPECT_ERROR(text, "bad.yaml:19:20:", "not valid UTF-8 (byte 0xC3)");
    EXPECT_EQ(errorOf(lessonWith("      - io: 1\n        label: café ☕ 𝄞\n")), "no error");
}

TEST(HostileLessons, Utf8ValidationFollowsTheStandard) {
    EXPECT_FALSE(firstInvalidUtf8("plain, é, ☕, 𝄞"));
    EXPECT_EQ(firstInvalidUtf8("ab\xC0\x80"), 2U);                          // overlong NUL
    EXPECT_EQ(firstInvalidUtf8("a\xED\xA0\x80"), 1U);                       // a UTF-16 surrogate
    EXPECT_EQ(firstInvalidUtf8("\xF4\x90\x80\x80"), 0U);                    // above U+10FFFF
    EXPECT_EQ(firstInvalidUtf8("ok\xE2\x98"), 2U);                          // cut short
    EXPECT_EQ(firstInvalidUtf8("\x80"), 0U);                                // a continuation byte alone
    EXPECT_EQ(firstInvalidUtf8("\xE0\x80\x80"), 0U);                        // overlong three-byte form
    EXPECT_EQ(firstInvalidUtf8(std::string_view("a\0b", 3)), std::nullopt); // NUL is valid UTF-8
}

TEST(HostileLessons, DeepOrHugeExpressionsAreRefusedWithTheirPlace) {
    EXPECT_NE(parseError(repeated("(", 100'000) + "1" + repeated(")", 100'000)).find("the limit is 4096"),
              std::string::npos);
    EXPECT_NE(parseError(repeated("(", 1'000) + "1" + repeated(")", 1'000)).find("nests deeper than 64 levels"),
              std::string::npos);
    EXPECT_NE(parseError(repeated("-", 1'000) + "1").find("nests deeper than 64 levels"), std::string::npos);
    EXPECT_NE(parseError(repeated("min(", 500) + "1" + repeated(")", 500)).find("nests deeper than 64 levels"),
              std::string::npos);
    EXPECT_NE(parseError("1" + repeated("+1", 1'000)).find("more than 500 operands"), std::string::npos);
    const std::string message = parseError(repeated("(", 100) + "1" + repeated(")", 100));
    EXPECT_EQ(message.rfind("e.yaml:3:", 0), 0U) << message;
    // Within the limits, everything still parses and evaluates.
    EXPECT_DOUBLE_EQ(Expression::parse(repeated("(", 60) + "2" + repeated(")", 60), {}).evaluate({}), 2.0);
    EXPECT_DOUBLE_EQ(Expression::parse("1" + repeated("+1", 400), {}).evaluate({}), 401.0);
}

TEST(HostileLessons, ARunFilesLessonTextGoesThroughTheSameBounds) {
    // A run file's saved lesson is read by readLesson, as a lesson file is.
    EXPECT_THROW(readLesson(lessonWith("      - &a {repeat: 1, do: [*a]}\n"), "saved.yaml"), LessonError);
    EXPECT_THROW(readLesson(std::string(kMaxLessonBytes + 1, '#'), "saved.yaml"), LessonError);
}

} // namespace
} // namespace interleave::core
