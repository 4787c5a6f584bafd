// Lesson meaning errors: primitives, listing lines, placements, variants and expectations, each at file:line:col.
#include "lesson_text.h"
#include "scenario/lesson_loader.h"

#include <gtest/gtest.h>

namespace interleave::core {
namespace {

using testing::errorOf;
using testing::lessonWith;

// Line 18 does some I/O; lines 19-22 are one expectation on variant 'one' whose metric (line 21) and comparison
// (line 22) a test chooses.
std::string expecting(const std::string& metricLine, const std::string& comparisonLines,
                      const std::string& variant = "one") {
    return lessonWith("      - io: $ms\nexpectations:\n  - variant: " + variant + "\n" + metricLine + "\n" +
                      comparisonLines);
}

TEST(LessonLoader, PrimitiveReferences) {
    EXPECT_ERROR(lessonWith("      - acquire: lock1\n"),
                 "bad.yaml:18:18:", "unknown primitive 'lock1'; declared: sem, q, ev");
    EXPECT_ERROR(lessonWith("      - put: sem\n"), "bad.yaml:18:14:", "'put' needs a queue, but 'sem' is a semaphore");
    EXPECT_ERROR(lessonWith("      - wait: q\n"),
                 "bad.yaml:18:15:", "'wait' needs an event or a condition, but 'q' is a queue");
    EXPECT_ERROR(lessonWith("      - acquire: ev\n"), "bad.yaml:18:18:", "needs a semaphore, a lock or a condition");
    EXPECT_ERROR(lessonWith("      - consume: sem\n        do: [{io: 1}]\n"), "bad.yaml:18:18:", "needs a queue");
}

TEST(LessonLoader, ListingLines) {
    EXPECT_ERROR(lessonWith("      - io: $ms\n        line: 3\n"),
                 "bad.yaml:19:15:", "line 3 is beyond the listing of variant 'one', which has 2 lines");
    EXPECT_ERROR(lessonWith("      - repeat: 2\n        do:\n          - io: 1\n            line: 9\n"),
                 "bad.yaml:21:19:", "line 9 is beyond");
    EXPECT_ERROR(lessonWith("      - io: 1\n  two:\n    program:\n      - io: 1\n        line: 1\n"),
                 "bad.yaml:22:15:", "variant 'two' has no listing");
    EXPECT_ERROR(lessonWith("      - io: 1\n        line: 0\n"), "bad.yaml:19:15:", "at least 1");
}

TEST(LessonLoader, WorkerProcessesRunOnlyPlainWork) {
    EXPECT_ERROR(lessonWith("      - offload: processes\n        do:\n          - io: $ms\n          - acquire: sem\n"
                            "    processes: 2\n"),
                 "bad.yaml:21:13:", "'acquire' cannot run in a worker process");
    EXPECT_ERROR(lessonWith("      - gather: {name: w, count: 2, do: [{wait: ev}]}\n        on: processes\n"
                            "    processes: 2\n"),
                 "bad.yaml:18:43:", "'wait' cannot run in a worker process");
    EXPECT_ERROR(lessonWith("      - offload: processes\n        do:\n          - repeat: 2\n            do:\n"
                            "              - gather: {do: [{io: 1}]}\n    processes: 2\n"),
                 "bad.yaml:22:17:", "'gather' cannot run in a worker process");
    EXPECT_NO_THROW(parseLesson(lessonWith("      - offload: processes\n        do:\n          - cpu: 5\n"
                                           "          - repeat: 2\n            do: [{block: 1}, {io: 1}, {fail: 0}]\n"
                                           "    processes: 2\n"),
                                "ok.yaml"));
}

TEST(LessonLoader, PoolsMustExistForTheirPlacements) {
    EXPECT_ERROR(lessonWith("      - offload: processes\n        do: [{cpu: 5}]\n"),
                 "bad.yaml:18:9:", "'offload: processes' needs a process pool: add 'processes: N' to variant 'one'");
    EXPECT_ERROR(lessonWith("      - gather: {count: 2, do: [{cpu: 5}]}\n        on: threads\n    model: sequential\n"),
                 "bad.yaml:18:9:", "'on: threads' needs a thread pool");
    EXPECT_ERROR(lessonWith("      - gather: {count: 2, do: [{cpu: 5}]}\n        on: loop\n    model: threads\n"
                            "    threads: 2\n"),
                 "bad.yaml:18:9:", "'on: loop' needs the async model");
    EXPECT_ERROR(lessonWith("      - io: 1\n    model: threads\n"), "bad.yaml:13:3:", "needs 'threads: N'");
    // The async model has a default executor for thread offloads, as asyncio does.
    EXPECT_NO_THROW(parseLesson(lessonWith("      - offload: threads\n        do: [{block: 5}]\n"), "ok.yaml"));
}

TEST(LessonLoader, VariantSettings) {
    EXPECT_ERROR(lessonWith("      - io: 1\n    gil: true\n"), "bad.yaml:19:5:", "'gil: true' needs threads");
    EXPECT_ERROR(lessonWith("      - io: 1\n    switch_interval_ms: 5\n"),
                 "bad.yaml:19:5:", "only applies with 'gil: true'");
    EXPECT_ERROR(lessonWith("      - io: 1\n    model: sequential\n    heartbeat_ms: 5\n"),
                 "bad.yaml:20:5:", "heartbeat_ms only applies to the async model");
    EXPECT_ERROR(lessonWith("      - io: 1\n    colour: red\n"),
                 "bad.yaml:19:5:", "unknown key 'colour' in variant 'one'");
}

TEST(LessonLoader, VariantNames) {
    EXPECT_ERROR(lessonWith("      - io: 1\n  one:\n    program:\n      - io: 1\n"),
                 "bad.yaml:19:3:", "'one' appears twice in variants");
    EXPECT_ERROR(lessonWith("      - io: 1\n  t w o:\n    program:\n      - io: 1\n"),
                 "bad.yaml:19:3:", "not a valid variant name");
    EXPECT_ERROR(lessonWith("      - io: 1\nbaseline: three\n"),
                 "bad.yaml:19:11:", "unknown variant 'three'; the variants are: one");
}

TEST(LessonLoader, ExpectationVariantsAndComparisons) {
    EXPECT_ERROR(expecting("    metric: makespan_ms", "    at_most: 5\n", "three"),
                 "bad.yaml:20:14:", "unknown variant 'three'");
    EXPECT_ERROR(expecting("    metric: makespan_ms", "    near: $x\n"), "bad.yaml:22:11:", "undefined parameter $x");
    EXPECT_ERROR(expecting("    metric: makespan_ms", ""), "bad.yaml:20:5:", "needs one of: near, at_most");
    EXPECT_ERROR(expecting("    metric: makespan_ms", "    at_most: 5\n    near: 3\n"),
                 "bad.yaml:23:5:", "both 'at_most' and 'near'");
    EXPECT_ERROR(expecting("    metric: makespan_ms", "    at_most: 5\n    tolerance: 0.1\n"),
                 "bad.yaml:23:5:", "'tolerance' only applies to 'near'");
    EXPECT_ERROR(expecting("    metric: makespan_ms", "    near: 5\n    tolerance: -1\n"),
                 "bad.yaml:23:16:", "must not be negative");
    EXPECT_ERROR(expecting("    metric: makespan_ms", "    at_most: 5\n    colour: red\n"),
                 "bad.yaml:23:5:", "unknown key 'colour' in an expectation");
    // With a single variant, 'variant' may be left out.
    const Scenario lesson =
        parseLesson(lessonWith("      - io: 1\nexpectations:\n  - metric: makespan_ms\n    near: 1\n"), "ok.yaml");
    EXPECT_EQ(lesson.expectations[0].variant, "one");
}

TEST(LessonLoader, ExpectationMetrics) {
    EXPECT_ERROR(expecting("    metric: speed", "    at_most: 5\n"), "bad.yaml:21:13:", "unknown metric 'speed'");
    EXPECT_ERROR(expecting("    metric: speedup(2)", "    at_most: 5\n"), "bad.yaml:21:20:", "takes no argument");
    EXPECT_ERROR(expecting("    metric: peak", "    at_most: 5\n"), "bad.yaml:21:13:", "needs an argument");
    EXPECT_ERROR(expecting("    metric: peak(x.depth)", "    at_most: 5\n"),
                 "bad.yaml:21:18:", "counter 'x.depth' names 'x', which is not a declared primitive");
    EXPECT_ERROR(expecting("    metric: \"peak(x.depth)\"", "    at_most: 5\n"),
                 "bad.yaml:21:19:", "not a declared primitive");
    EXPECT_ERROR(expecting("    metric: peak(sem.depth)", "    at_most: 5\n"),
                 "bad.yaml:21:18:", "'sem' is a semaphore; its counters are sem.in_use, sem.waiters");
    EXPECT_ERROR(expecting("    metric: peak(ev.set)", "    at_most: 5\n"),
                 "bad.yaml:21:18:", "'ev' is an event; its counters are ev.waiters");
    EXPECT_ERROR(expecting("    metric: peak(tasks)", "    at_most: 5\n"),
                 "bad.yaml:21:18:", "unknown counter 'tasks'");
    EXPECT_ERROR(expecting("    metric: peak_concurrent(sleeping)", "    at_most: 5\n"),
                 "bad.yaml:21:29:", "unknown task state 'sleeping'");
    EXPECT_ERROR(expecting("    metric: state_time_ms(blocked, nobody)", "    at_most: 5\n"),
                 "bad.yaml:21:", "variant 'one' has no task named 'nobody'; its tasks are main");
    EXPECT_ERROR(expecting("    metric: peak_concurrent(blocked, main)", "    at_most: 5\n"),
                 "bad.yaml:21:", "only state_time_ms takes a task after a comma");
    EXPECT_ERROR(expecting("    metric: tasks(running)", "    at_most: 5\n"),
                 "bad.yaml:21:19:", "counts the tasks that ended in a state: done, failed or cancelled");
    EXPECT_ERROR(expecting("    metric: markers(oops)", "    at_most: 5\n"),
                 "bad.yaml:21:21:", "unknown marker 'oops'; markers are timeout, retry");
    EXPECT_ERROR(expecting("    metric: gil_switch_ms", "    at_most: 5\n"), "bad.yaml:21:13:", "needs a GIL");
    EXPECT_ERROR(lessonWith("      - io: 1\n    model: sequential\nexpectations:\n  - variant: one\n"
                            "    metric: max_lag_ms\n    at_most: 5\n"),
                 "bad.yaml:22:13:", "needs an event loop");
    for (const char* metric :
         {"peak(q.depth)", "peak(q.unfinished)", "peak(q.putters)", "peak(sem.waiters)", "peak(in_flight)",
          "peak(loop_lag_ms)", "state_time_ms(blocked)", "peak_concurrent(waiting-io)", "max_lag_ms", "markers(retry)",
          "tasks(failed)", "tasks(cancelled)", "state_time_ms(blocked, main)"}) {
        EXPECT_NO_THROW(parseLesson(expecting(std::string("    metric: ") + metric, "    at_least: 0\n"), "ok.yaml"))
            << metric;
    }
}

} // namespace
} // namespace interleave::core
