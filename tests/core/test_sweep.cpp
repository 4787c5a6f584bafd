// Parameter sweeps: the values a sweep takes (lists and ranges, each refused with its reason), a lesson's sweeps read
// and checked at their place, and a point's figures from its run.
#include "lesson_text.h"
#include "metrics/sweep.h"
#include "plan_builder.h"
#include "runtime/run.h"

#include <gtest/gtest.h>

namespace interleave::core {
namespace {

using testing::lessonWith;

TEST(Sweep, ValuesAreAListOrARange) {
    EXPECT_EQ(parseSweepValues("1,2,4,8"), (std::vector<double>{1, 2, 4, 8}));
    EXPECT_EQ(parseSweepValues("3"), (std::vector<double>{3}));
    EXPECT_EQ(parseSweepValues("1..5"), (std::vector<double>{1, 2, 3, 4, 5}));
    EXPECT_EQ(parseSweepValues("1..64x2"), (std::vector<double>{1, 2, 4, 8, 16, 32, 64}));
    EXPECT_EQ(parseSweepValues("1..1000x10"), (std::vector<double>{1, 10, 100, 1000}));
    EXPECT_EQ(parseSweepValues("0.5,1.5"), (std::vector<double>{0.5, 1.5}));
}

TEST(Sweep, BadValuesAreRefusedWithTheirReason) {
    auto message = [](std::string_view text) -> std::string {
        try {
            parseSweepValues(text);
        } catch (const UsageError& error) {
            return error.what();
        }
        return "no error";
    };
    EXPECT_NE(message("").find("is not a number"), std::string::npos);
    EXPECT_NE(message("1,,2").find("'' is not a number"), std::string::npos);
    EXPECT_NE(message("1,two").find("'two' is not a number"), std::string::npos);
    EXPECT_NE(message("8..1").find("ends before it starts"), std::string::npos);
    EXPECT_NE(message("1..8x1").find("a factor above 1"), std::string::npos);
    EXPECT_NE(message("0..8x2").find("a start above 0"), std::string::npos);
    EXPECT_NE(message("1..1000000").find("more than 64 values"), std::string::npos);
    EXPECT_NE(message("1..nan").find("is not a number"), std::string::npos);
}

std::string sweepLesson(const std::string& sweep) {
    return lessonWith("      - io: $ms\nsweeps:\n" + sweep);
}

TEST(Sweep, ALessonsSweepIsReadWithItsTheory) {
    const Scenario scenario = parseLesson(
        sweepLesson("  - variant: one\n    parameter: n\n    values: [1, 2, 10]\n    theory_ms: $n * $ms\n"),
        "sweep.yaml");
    ASSERT_EQ(scenario.sweeps.size(), 1U);
    const SweepDecl* sweep = findSweep(scenario, "");
    ASSERT_NE(sweep, nullptr);
    EXPECT_EQ(findSweep(scenario, "one"), sweep);
    EXPECT_EQ(findSweep(scenario, "two"), nullptr);
    EXPECT_EQ(sweep->parameter, "n");
    EXPECT_EQ(sweep->values, (std::vector<double>{1, 2, 10}));
    ParameterValues values = scenario.defaults();
    values["n"] = 10;
    EXPECT_EQ(sweepTheoryMs(*sweep, values), 1000.0);
}

TEST(Sweep, ABadSweepIsRefusedAtItsPlace) {
    // Lines 18-19: the step and "sweeps:"; the sweep's own lines from 20.
    EXPECT_ERROR(sweepLesson("  - variant: two\n    parameter: n\n    values: [1]\n"),
                 "bad.yaml:20:14:", "unknown variant 'two'");
    EXPECT_ERROR(sweepLesson("  - variant: one\n    parameter: m\n    values: [1]\n"),
                 "bad.yaml:21:16:", "unknown parameter 'm' to sweep; the lesson declares: n, ms");
    EXPECT_ERROR(sweepLesson("  - variant: one\n    parameter: n\n    values: [1, 11]\n"),
                 "bad.yaml:22:17:", "11 is outside parameter 'n' (1 to 10, whole numbers)");
    EXPECT_ERROR(sweepLesson("  - variant: one\n    parameter: n\n    values: [1.5]\n"),
                 "bad.yaml:22:14:", "1.5 is outside parameter 'n'");
    EXPECT_ERROR(sweepLesson("  - variant: one\n    parameter: n\n    values: []\n"),
                 "bad.yaml:22:13:", "'values' takes a list of 1 to 64 numbers");
    EXPECT_ERROR(sweepLesson("  - variant: one\n    parameter: n\n    values: [1]\n    theory_ms: $x\n"),
                 "bad.yaml:23:16:", "undefined parameter $x");
    EXPECT_ERROR(sweepLesson("  - variant: one\n    parameter: n\n    values: [1]\n    what: 1\n"),
                 "bad.yaml:23:5:", "unknown key 'what'");
}

TEST(Sweep, APointCountsTheTasksDoneAndTheirRate) {
    test::PlanBuilder builder(Model::Async);
    builder.program({builder.fanOut(OpKind::Gather, "call", 5, {test::io(20)})});
    VariantRun run;
    RunResult result = runToCompletion(builder.build());
    run.outcome = result.outcome;
    run.trace = std::move(result.trace);
    run.analysis = analyze(run.trace);
    const SweepPoint point = sweepPoint(run, 5, 20.0);
    EXPECT_EQ(point.value, 5);
    EXPECT_EQ(point.tasksDone, 5U); // the five calls; main is not counted
    EXPECT_GT(point.makespanMs, 19.0);
    EXPECT_NEAR(point.throughputPerS, 5 * 1000.0 / point.makespanMs, 1e-9);
    EXPECT_EQ(point.theoryMs, 20.0);
}

} // namespace
} // namespace interleave::core
