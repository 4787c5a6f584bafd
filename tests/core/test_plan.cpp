// Compiling a variant into a plan: evaluation, time scale, pools, interned names, task counts and every limit.
#include "lesson_text.h"
#include "runtime/plan.h"
#include "scenario/lesson_loader.h"

#include <gtest/gtest.h>

#include <limits>
#include <thread>

namespace interleave::core {
namespace {

using testing::lessonWith;

// Variant 'one' of the shared lesson head with `steps` (from line 18) compiled with `values` over the defaults.
Plan compile(const std::string& steps, const ParameterValues& values = {}, const RunOptions& options = {},
             const Limits& limits = {}) {
    const Scenario lesson = parseLesson(lessonWith(steps), "plan.yaml");
    ParameterValues all = lesson.defaults();
    for (const auto& [name, value] : values) {
        all[name] = value;
    }
    return compilePlan(lesson, lesson.variants.front(), all, options, limits);
}

std::string usageErrorOf(const std::string& steps, const ParameterValues& values = {}, const RunOptions& options = {}) {
    try {
        compile(steps, values, options);
    } catch (const UsageError& error) {
        return error.what();
    }
    return "no error";
}

std::string lessonErrorOf(const std::string& steps, const ParameterValues& values = {}) {
    try {
        compile(steps, values);
    } catch (const LessonError& error) {
        return error.what();
    }
    return "no error";
}

// A thread or a process cannot be cancelled: a timeout off the loop is refused where it is written.
TEST(Plan, ATimeoutOffTheLoopIsRefusedWithItsPlace) {
    const std::string error = lessonErrorOf("      - offload: threads\n"
                                            "        do:\n"
                                            "          - timeout: 10\n"
                                            "            do:\n"
                                            "              - io: 5\n");
    EXPECT_NE(error.find("plan.yaml:20:"), std::string::npos) << error;
    EXPECT_NE(error.find("'timeout' needs the event loop"), std::string::npos) << error;
    EXPECT_EQ(lessonErrorOf("      - timeout: 10\n        do:\n          - io: 5\n"), "no error");
}

TEST(Plan, EvaluatesDurationsAndCounts) {
    const Plan plan = compile("      - repeat: $n\n        do:\n          - io: $ms * 2\n            label: request\n"
                              "            line: 2\n");
    EXPECT_EQ(plan.lessonId, "demo");
    EXPECT_EQ(plan.variant, "one");
    EXPECT_EQ(plan.model, Model::Async);
    ASSERT_EQ(plan.program.size(), 1u);
    EXPECT_EQ(plan.program[0].kind, OpKind::Repeat);
    EXPECT_EQ(plan.program[0].count, 3);
    const PlanStep& io = plan.program[0].body[0];
    EXPECT_EQ(io.durationNs, 200'000'000);
    EXPECT_EQ(io.line, 2);
    EXPECT_EQ(plan.strings.at(io.labelId), "request");
    EXPECT_EQ(plan.heartbeatNs, 10'000'000);
    EXPECT_EQ(plan.taskCount, 1);
}

TEST(Plan, TimeScaleMultipliesEveryDuration) {
    RunOptions options;
    options.timeScale = 2.5;
    options.seed = 42;
    const Plan plan =
        compile("      - cpu: 4\n      - retry: 3\n        backoff: 10\n        do: [{io: 1}]\n", {}, options);
    EXPECT_EQ(plan.program[0].durationNs, 10'000'000);
    EXPECT_EQ(plan.program[1].count, 3);
    EXPECT_EQ(plan.program[1].durationNs, 25'000'000);
    EXPECT_EQ(plan.heartbeatNs, 25'000'000);
    EXPECT_EQ(plan.options.seed, 42u);
}

TEST(Plan, InternsNamesAndKeepsOnlyUsedPrimitives) {
    const Plan plan =
        compile("      - gather: {name: request, count: $n, do: [{acquire: sem}, {io: 1}, {release: sem}]}\n"
                "      - put: q\n      - fail: 0.25\n");
    ASSERT_EQ(plan.primitives.size(), 2u);
    EXPECT_EQ(plan.primitives[0].name, "sem");
    EXPECT_EQ(plan.primitives[0].kind, PrimitiveKind::Semaphore);
    EXPECT_EQ(plan.primitives[0].capacity, 2);
    EXPECT_EQ(plan.strings.at(plan.primitives[0].nameId), "sem");
    EXPECT_EQ(plan.primitives[1].capacity, 3); // q holds $n
    EXPECT_EQ(plan.program[1].primitive, 1);
    EXPECT_EQ(plan.program[0].children[0].body[0].primitive, 0);
    EXPECT_EQ(plan.strings.at(plan.program[0].children[0].nameId), "request");
    EXPECT_EQ(plan.program[0].children[0].count, 3);
    EXPECT_DOUBLE_EQ(plan.program[2].probability, 0.25);
}

TEST(Plan, PoolSizes) {
    Plan plan = compile("      - io: 1\n    model: threads\n    threads: min($n, cores)\n    gil: true\n"
                        "    switch_interval_ms: 2\n    processes: $n + 1\n",
                        {{"cores", 2}});
    EXPECT_EQ(plan.threads, 2);
    EXPECT_EQ(plan.processes, 4);
    EXPECT_TRUE(plan.gil);
    EXPECT_EQ(plan.switchIntervalNs, 2'000'000);
    // The async model's default executor, as in Python: min(32, cores + 4).
    plan = compile("      - offload: threads\n        do: [{block: 5}]\n", {{"cores", 2}});
    EXPECT_EQ(plan.threads, 6);
    plan = compile("      - offload: threads\n        do: [{block: 5}]\n", {{"cores", 64}});
    EXPECT_EQ(plan.threads, 32);
    EXPECT_EQ(compile("      - io: 1\n").threads, 0);
}

TEST(Plan, CoresDefaultsToTheMachine) {
    const Plan plan = compile("      - repeat: cores\n        do: [{io: 1}]\n");
    EXPECT_EQ(plan.program[0].count, std::max(1u, std::thread::hardware_concurrency()));
}

TEST(Plan, CountsTheTasksTheProgramCreates) {
    // main + 3 requests, each with 2 sub-tasks.
    EXPECT_EQ(
        compile("      - gather: {name: r, count: $n, do: [{gather: {name: s, count: 2, do: [{io: 1}]}}]}\n").taskCount,
        1 + 3 * (1 + 2));
    // A repeat multiplies what its body creates; heterogeneous children add up.
    EXPECT_EQ(compile("      - repeat: 4\n        do:\n          - spawn:\n              - {name: a, do: [{io: 1}]}\n"
                      "              - {name: b, count: 5, do: [{io: 1}]}\n")
                  .taskCount,
              1 + 4 * (1 + 5));
    // A consume body runs once per item put on its queue: 10 puts, one task each.
    EXPECT_EQ(compile("      - group:\n          - {name: producer, do: [{repeat: 10, do: [{put: q}]}, {close: q}]}\n"
                      "          - {name: worker, do: [{consume: q, do: [{spawn: {do: [{io: 1}]}}]}]}\n")
                  .taskCount,
              1 + 1 + 1 + 10);
    EXPECT_EQ(compile("      - gather: {count: 0, do: [{io: 1}]}\n").taskCount, 1);
}

TEST(Plan, CountsTheStepsTheProgramRuns) {
    // The gather step, then per request: its inner gather, and per sub-task one io.
    EXPECT_EQ(
        compile("      - gather: {name: r, count: $n, do: [{gather: {name: s, count: 2, do: [{io: 1}]}}]}\n").stepCount,
        1 + 3 * (1 + 2 * 1));
    // A repeat step and its body four times; a consume step and its body once per put (the group step, the
    // producer's repeat with 10 puts and the close, the worker's consume with 10 io).
    EXPECT_EQ(compile("      - repeat: 4\n        do: [{io: 1}, {cpu: 1}]\n").stepCount, 1 + 4 * 2);
    EXPECT_EQ(compile("      - group:\n          - {name: producer, do: [{repeat: 10, do: [{put: q}]}, {close: q}]}\n"
                      "          - {name: worker, do: [{consume: q, do: [{io: 1}]}]}\n")
                  .stepCount,
              1 + (1 + 10 + 1) + (1 + 10));
}

TEST(Plan, RefusesTooManyTasks) {
    EXPECT_EQ(usageErrorOf("      - gather: {name: r, count: $n, do: [{io: 1}]}\n", {{"n", 1'999'999}}),
              "refused: the plan creates 2000000 tasks; the limit is 1000000");
    EXPECT_EQ(
        usageErrorOf("      - repeat: $n\n        do:\n          - gather: {count: $n, do: [{io: 0}]}\n", {{"n", 1e9}}),
        "refused: the plan creates 1000000000000000001 tasks; the limit is 1000000");
}

TEST(Plan, RefusesTooManyThreadsOrProcesses) {
    EXPECT_EQ(usageErrorOf("      - io: 1\n    model: threads\n    threads: $n\n", {{"n", 2000}}),
              "refused: 2000 threads requested; the limit is 1024");
    EXPECT_EQ(usageErrorOf("      - io: 1\n    processes: $n\n", {{"n", 100}}),
              "refused: 100 worker processes requested; the limit is 64");
    Limits limits;
    limits.maxThreads = 4;
    EXPECT_THROW(compile("      - offload: threads\n        do: [{block: 5}]\n", {{"cores", 8}}, {}, limits),
                 UsageError);
}

TEST(Plan, RefusesLongSteps) {
    EXPECT_EQ(usageErrorOf("      - io: $ms\n", {{"ms", 7'200'000}}),
              "refused: a step lasts 2 hours (io at plan.yaml:18:9); the limit is 1 hour per step");
    RunOptions slow;
    slow.timeScale = 2;
    EXPECT_EQ(usageErrorOf("      - cpu: 2400000\n", {}, slow),
              "refused: a step lasts 1.3 hours (cpu at plan.yaml:18:9); the limit is 1 hour per step");
    EXPECT_EQ(usageErrorOf("      - repeat: 3\n        do: [{io: 1800000}]\n"),
              "refused: the plan runs for at least 1.5 hours; the limit is 1 hour");
    // Concurrent children overlap, so a wide gather is not a long plan.
    EXPECT_EQ(usageErrorOf("      - gather: {count: 1000, do: [{io: 1800000}]}\n"), "no error");
    EXPECT_EQ(usageErrorOf("      - gather: {count: 3, do: [{io: 1800000}]}\n        on: inline\n"),
              "refused: the plan runs for at least 1.5 hours; the limit is 1 hour");
}

TEST(Plan, LimitsHoldWhenNothingOverlaps) {
    // Ten million steps (each records events kept in memory) are refused, however short.
    EXPECT_EQ(usageErrorOf("      - repeat: 10000000\n        do: [{io: 0}]\n"),
              "refused: the plan runs 10000001 steps; the limit is 5000000");
    // A queue's items are shared by its consumers: one million items of 10 ms to one worker is 2.8 hours, to a
    // thousand workers 10 s.
    const std::string pipeline = "      - group:\n"
                                 "          - {name: producer, do: [{repeat: 1000000, do: [{put: q}]}, {close: q}]}\n"
                                 "          - {name: worker, count: $n, do: [{consume: q, do: [{io: 10}]}]}\n";
    EXPECT_EQ(usageErrorOf(pipeline, {{"n", 1}}), "refused: the plan runs for at least 2.8 hours; the limit is 1 hour");
    EXPECT_NEAR(static_cast<double>(compile(pipeline, {{"n", 1000}}).minimumDurationNs), 10e9, 1e6);
    // A semaphore's holders take turns: 999,999 requests of 50 ms behind Semaphore(2) is 6.9 hours, whatever
    // overlaps; 100,000 of them 2,500 s.
    const std::string limited = "      - gather:\n"
                                "          name: fetch\n"
                                "          count: $n\n"
                                "          do: [{acquire: sem}, {io: 50}, {release: sem}]\n";
    EXPECT_EQ(usageErrorOf(limited, {{"n", 999'999}}),
              "refused: the plan runs for at least 6.9 hours; the limit is 1 hour");
    EXPECT_NEAR(static_cast<double>(compile(limited, {{"n", 100'000}}).minimumDurationNs), 2'500e9, 1e6);
}

TEST(Plan, RetryBackoffIsCappedAndItsWaitsBounded) {
    // Doubling stops at the cap and never overflows.
    EXPECT_EQ(doubledBackoffNs(100, 1000), 200);
    EXPECT_EQ(doubledBackoffNs(600, 1000), 1000);
    EXPECT_EQ(doubledBackoffNs(1000, 1000), 1000);
    EXPECT_EQ(doubledBackoffNs(std::int64_t{1} << 62, std::numeric_limits<std::int64_t>::max()),
              std::numeric_limits<std::int64_t>::max());
    // 2,000 attempts 100 ms apart, doubling: uncapped 2^1998 × 100 ms; capped at a minute, 33.2 hours.
    const std::string error = usageErrorOf("      - retry: 2000\n        backoff: 100\n        do: [{fail: 0.5}]\n");
    EXPECT_NE(error.find("refused: the retry at plan.yaml:18:9 waits 33.2 hours between its 2000 attempts"),
              std::string::npos)
        << error;
    EXPECT_EQ(usageErrorOf("      - retry: 8\n        backoff: 100\n        do: [{fail: 0.5}]\n"), "no error");
    RunOptions slow;
    slow.timeScale = 10;
    EXPECT_EQ(compile("      - retry: 2\n        do: [{io: 1}]\n", {}, slow).maxBackoffNs, 600'000'000'000);
}

TEST(Plan, RefusesTimeScalesOutsideTheRange) {
    RunOptions options;
    options.timeScale = 200;
    EXPECT_EQ(usageErrorOf("      - io: 1\n", {}, options),
              "refused: time scale 200 is outside the allowed range 0.01 to 100");
    options.timeScale = 0.001;
    EXPECT_EQ(usageErrorOf("      - io: 1\n", {}, options),
              "refused: time scale 0.001 is outside the allowed range 0.01 to 100");
}

TEST(Plan, ValueErrorsPointAtTheLesson) {
    EXPECT_EQ(lessonErrorOf("      - io: $ms\n", {{"ms", -5}}),
              "plan.yaml:18:9: io lasts -5 ms; a duration cannot be negative");
    EXPECT_EQ(lessonErrorOf("      - repeat: $n - 5\n        do: [{io: 1}]\n"),
              "plan.yaml:18:9: the repeat count is -2; it cannot be negative");
    EXPECT_EQ(lessonErrorOf("      - repeat: $n / 2\n        do: [{io: 1}]\n"),
              "plan.yaml:18:17: the repeat count '$n / 2' gives 1.5, which is not a whole number; use ceil() or "
              "floor()");
    EXPECT_EQ(lessonErrorOf("      - io: $ms / 0\n"), "plan.yaml:18:13: '$ms / 0' gives an infinite value with these "
                                                      "parameters");
    EXPECT_EQ(lessonErrorOf("      - fail: 1.5\n"), "plan.yaml:18:9: fail probability 1.5 must be between 0 and 1");
    EXPECT_EQ(lessonErrorOf("      - gather: {count: $n - 4, do: [{io: 1}]}\n"),
              "plan.yaml:18:9: the count of 'task' is -1; it cannot be negative");
    EXPECT_EQ(lessonErrorOf("      - acquire: sem\n", {{"n", 0}}), "no error");
    EXPECT_EQ(lessonErrorOf("      - put: q\n", {{"n", -1}}),
              "plan.yaml:10:3: the capacity of 'q' is -1; it cannot be negative");
}

TEST(Plan, MissingParameterIsAUsageError) {
    const Scenario lesson = parseLesson(lessonWith("      - io: $ms\n"), "plan.yaml");
    EXPECT_THROW(compilePlan(lesson, lesson.variants.front(), {}, {}), UsageError);
}

} // namespace
} // namespace interleave::core
