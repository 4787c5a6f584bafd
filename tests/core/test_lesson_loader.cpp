// Lesson parsing: a good lesson's contents, and every class of error reported at its exact file:line:col.
#include "lesson_text.h"
#include "scenario/lesson_loader.h"

#include <gtest/gtest.h>

namespace interleave::core {
namespace {

using testing::errorOf;
using testing::lessonWith;

TEST(LessonLoader, ReadsAGoodLesson) {
    const Scenario lesson = parseLesson(lessonWith(R"(      - repeat: $n
        do:
          - io: $ms
            label: request
            line: 2
        line: 1
  two:
    model: threads
    threads: min($n, cores)
    gil: true
    switch_interval_ms: 5
    program:
      - gather:
          - {name: producer, do: [{put: q}, {close: q}]}
          - {name: worker, count: $n, do: [{consume: q, do: [{cpu: $ms}]}]}
  three:
    model: sequential
    processes: 2
    program:
      - gather: {name: job, count: $n, do: [{cpu: 10}]}
        on: processes
baseline: two
expectations:
  - text: about n times faster
    variant: one
    metric: speedup
    near: $n
    tolerance: 0.05
  - variant: two
    metric: peak(q.depth)
    at_most: $n
)"),
                                        "good.yaml");
    EXPECT_EQ(lesson.id, "demo");
    EXPECT_EQ(lesson.alias(), "L1");
    EXPECT_EQ(lesson.baseline, "two");
    ASSERT_EQ(lesson.parameters.size(), 2u);
    EXPECT_EQ(lesson.parameters[1].unit, "ms");
    EXPECT_TRUE(lesson.parameters[0].integer);
    EXPECT_EQ(lesson.defaults().at("ms"), 100);
    ASSERT_EQ(lesson.primitives.size(), 3u);
    EXPECT_EQ(lesson.findPrimitive("ev")->kind, PrimitiveKind::Event);
    EXPECT_FALSE(lesson.findPrimitive("ev")->capacity.has_value());
    ASSERT_EQ(lesson.variants.size(), 3u);

    const VariantDecl& one = lesson.variants[0];
    EXPECT_EQ(one.model, Model::Async);
    ASSERT_EQ(one.program.size(), 1u);
    EXPECT_EQ(one.program[0].kind, OpKind::Repeat);
    EXPECT_EQ(one.program[0].line, 1);
    EXPECT_EQ(one.program[0].location.toString(), "good.yaml:18:9");
    EXPECT_EQ(one.program[0].body[0].label, "request");
    EXPECT_EQ(lesson.listingFor(one).substr(0, 3), "for");

    const VariantDecl& two = *lesson.findVariant("two");
    EXPECT_TRUE(two.gil);
    EXPECT_EQ(two.threads->text(), "min($n, cores)");
    ASSERT_EQ(two.program[0].children.size(), 2u);
    EXPECT_EQ(two.program[0].children[1].name, "worker");
    EXPECT_EQ(two.program[0].children[1].body[0].kind, OpKind::Consume);
    EXPECT_EQ(two.program[0].children[1].body[0].body[0].kind, OpKind::Cpu);
    EXPECT_TRUE(lesson.listingFor(two).empty()); // no listing of its own, and the lesson has no shared one

    const VariantDecl& three = *lesson.findVariant("three");
    EXPECT_EQ(three.program[0].placement, Placement::Processes);

    ASSERT_EQ(lesson.expectations.size(), 2u);
    EXPECT_EQ(lesson.expectations[0].comparison, Comparison::Near);
    EXPECT_EQ(lesson.expectations[0].tolerance, 0.05);
    EXPECT_EQ(lesson.expectations[1].metric.kind, MetricKind::Peak);
    EXPECT_EQ(lesson.expectations[1].metric.argument, "q.depth");
    EXPECT_EQ(lesson.expectations[1].text, "peak(q.depth) at_most $n");
}

TEST(LessonLoader, JsonGoesThroughTheSameParser) {
    const std::string json = R"({"id": "j", "number": 3, "title": "J", "topic": "t",
 "variants": {"v": {"program": [{"io": "$x"}]}}})";
    EXPECT_ERROR(json, "bad.yaml:2:41:", "undefined parameter $x");
    const Scenario lesson = parseLesson(R"({"id": "j", "number": 3, "title": "J", "topic": "t",
 "variants": {"v": {"program": [{"io": 5}]}}})",
                                        "ok.json");
    EXPECT_EQ(lesson.baseline, "v");
}

TEST(LessonLoader, YamlSyntaxError) {
    EXPECT_ERROR("id: demo\nnumber: 1\n title: Demo\n", "bad.yaml:3:7:", "YAML syntax");
    EXPECT_ERROR("id: [demo\n", "bad.yaml:2:1:", "YAML syntax");
    EXPECT_ERROR("- just\n- a list\n", "bad.yaml:1:1:", "must be a mapping");
}

TEST(LessonLoader, TopLevelKeys) {
    EXPECT_ERROR(lessonWith("      - io: 1\ncolour: blue\n"), "bad.yaml:19:1:", "unknown key 'colour' in the lesson");
    EXPECT_ERROR(lessonWith("      - io: 1\n").substr(9), "bad.yaml:1:1:", "the lesson needs 'id'");
    EXPECT_ERROR("id: a\nnumber: 1\ntitle: x\ntopic: y\n", "bad.yaml:1:1:", "the lesson needs 'variants'");
    EXPECT_ERROR("id: a\nnumber: 0\n", "bad.yaml:2:9:", "whole number of at least 1");
    EXPECT_ERROR("id: a b\n", "bad.yaml:1:5:", "not a valid name");
    EXPECT_ERROR("id: a\nnumber: 1\ntitle:\n", "bad.yaml:3:1:", "'title' must not be empty");
    EXPECT_ERROR("id: a\nnumber: 1\ntitle: [x]\n", "bad.yaml:3:8:", "'title' takes text");
}

TEST(LessonLoader, ALessonSaysHowCloseCPythonShouldCome) {
    const Scenario plain = parseLesson(lessonWith("      - io: 1\n"), "a.yaml");
    EXPECT_DOUBLE_EQ(plain.cpythonTolerance, 0.15);
    EXPECT_TRUE(plain.variants.front().cpythonAgrees);
    const Scenario set =
        parseLesson(lessonWith("      - io: 1\n    cpython_agrees: false\ncpython_tolerance: 0.3\n"), "a.yaml");
    EXPECT_DOUBLE_EQ(set.cpythonTolerance, 0.3);
    EXPECT_FALSE(set.variants.front().cpythonAgrees);
    EXPECT_ERROR(lessonWith("      - io: 1\ncpython_tolerance: 0\n"), "bad.yaml:19:20:", "above 0");
}

TEST(LessonLoader, ALessonMayOpenOnALanePerWorker) {
    EXPECT_FALSE(parseLesson(lessonWith("      - io: 1\n"), "a.yaml").lanesByWorker);
    EXPECT_TRUE(parseLesson(lessonWith("      - io: 1\nlanes: worker\n"), "a.yaml").lanesByWorker);
    EXPECT_FALSE(parseLesson(lessonWith("      - io: 1\nlanes: task\n"), "a.yaml").lanesByWorker);
    EXPECT_ERROR(lessonWith("      - io: 1\nlanes: thread\n"), "bad.yaml:19:8:", "task");
}

TEST(LessonLoader, MissingProgram) {
    EXPECT_ERROR("id: a\nnumber: 1\ntitle: x\ntopic: y\nvariants:\n  v:\n    model: async\n",
                 "bad.yaml:7:5:", "variant 'v' needs 'program'");
}

TEST(LessonLoader, Parameters) {
    std::string text = lessonWith("      - io: $ms\n");
    auto withLine6 = [&](const std::string& line) {
        std::string copy = text;
        const auto start = copy.find("  n: {");
        copy.replace(start, copy.find('\n', start) - start, line);
        return copy;
    };
    EXPECT_ERROR(withLine6("  n: {default: 30, min: 1, max: 10}"), "bad.yaml:6:16:", "outside its range 1 to 10");
    EXPECT_ERROR(withLine6("  n: {default: 3, min: 20, max: 10}"),
                 "bad.yaml:6:24:", "min 20 of parameter 'n' is above");
    EXPECT_ERROR(withLine6("  n: {default: many, min: 1, max: 10}"), "bad.yaml:6:16:", "'default' takes a number");
    EXPECT_ERROR(withLine6("  n: {default: 3, min: 1}"), "bad.yaml:6:6:", "parameter 'n' needs 'max'");
    EXPECT_ERROR(withLine6("  n: {default: 3, min: 1, max: 10, colour: red}"),
                 "bad.yaml:6:36:", "unknown key 'colour'");
    EXPECT_ERROR(withLine6("  n: {default: 3, min: 1, max: 10.5, integer: true}"),
                 "bad.yaml:6:32:", "must be a whole number");
    EXPECT_ERROR(withLine6("  cores: {default: 3, min: 1, max: 10}"), "bad.yaml:6:3:", "reserved");
    EXPECT_ERROR(withLine6("  ms: {default: 3, min: 1, max: 10}"), "bad.yaml:7:3:", "'ms' appears twice in parameters");
}

TEST(LessonLoader, Primitives) {
    std::string text = lessonWith("      - io: $ms\n");
    auto withLine10 = [&](const std::string& line) {
        std::string copy = text;
        const auto start = copy.find("  q: {");
        copy.replace(start, copy.find('\n', start) - start, line);
        return copy;
    };
    EXPECT_ERROR(withLine10("  q: {kind: queue, capacity: $size}"), "bad.yaml:10:30:", "undefined parameter $size");
    EXPECT_ERROR(withLine10("  q: {kind: stack}"), "bad.yaml:10:13:", "'stack' is not a valid kind");
    EXPECT_ERROR(withLine10("  q: {kind: lock, capacity: 2}"), "bad.yaml:10:19:", "a lock has no capacity");
    EXPECT_ERROR(withLine10("  q: {capacity: 2}"), "bad.yaml:10:6:", "primitive 'q' needs 'kind'");
    EXPECT_ERROR(withLine10("  gil: lock"), "bad.yaml:10:3:", "reserved");
}

TEST(LessonLoader, Ops) {
    EXPECT_ERROR(lessonWith("      - sleep: 100\n"), "bad.yaml:18:9:", "unknown op 'sleep'");
    EXPECT_ERROR(lessonWith("      - io: $ms\n        colour: red\n"),
                 "bad.yaml:19:9:", "unknown key 'colour' in a 'io' step");
    EXPECT_ERROR(lessonWith("      - io: $ms\n        do: [{io: 1}]\n"), "bad.yaml:19:9:", "unknown key 'do'");
    EXPECT_ERROR(lessonWith("      - io: 1\n        cpu: 2\n"), "bad.yaml:19:9:", "both 'io' and 'cpu'");
    EXPECT_ERROR(lessonWith("      - line: 1\n"), "bad.yaml:18:9:", "a step needs an op");
    EXPECT_ERROR(lessonWith("      - io 100\n"), "bad.yaml:18:9:", "a step must be a mapping");
    EXPECT_ERROR(lessonWith("      - repeat: 3\n"), "bad.yaml:18:9:", "a step needs 'do'");
    EXPECT_ERROR(lessonWith("      - shield: yes\n        do: [{io: 1}]\n"), "bad.yaml:18:17:", "takes no value");
    EXPECT_ERROR(lessonWith("      - offload: gpu\n        do: [{io: 1}]\n"),
                 "bad.yaml:18:18:", "'gpu' is not a valid offload");
    EXPECT_ERROR(lessonWith("      - gather: {name: w, count: 2, do: [{io: 1}]}\n        on: moon\n"),
                 "bad.yaml:19:13:", "'moon' is not a valid on");
    EXPECT_ERROR(lessonWith("      - gather: {name: w, on: loop, do: [{io: 1}]}\n        on: loop\n"),
                 "bad.yaml:19:9:", "'on' is given twice");
}

TEST(LessonLoader, WrongTypes) {
    EXPECT_ERROR(lessonWith("      - io: [1, 2]\n"),
                 "bad.yaml:18:13:", "'io' takes a number or an expression, not a list");
    EXPECT_ERROR(lessonWith("      - io: fast\n"), "bad.yaml:18:13:", "unknown name 'fast'");
    EXPECT_ERROR(lessonWith("      - io: \"fast\"\n"), "bad.yaml:18:14:", "unknown name 'fast'");
    EXPECT_ERROR(lessonWith("      - repeat: {n: 2}\n        do: [{io: 1}]\n"), "bad.yaml:18:17:", "not a mapping");
    EXPECT_ERROR(lessonWith("      - io:\n"), "bad.yaml:18:9:", "'io' takes a number or an expression, not nothing");
    EXPECT_ERROR(lessonWith("      - io: 1\n        line: two\n"), "bad.yaml:19:15:", "'line' takes a number");
    EXPECT_ERROR(lessonWith("      - io: 1\n    gil: maybe\n"), "bad.yaml:19:10:", "takes true or false");
    EXPECT_ERROR(lessonWith("      - io: 1\n    model: fibers\n"), "bad.yaml:19:12:", "'fibers' is not a valid model");
}

TEST(LessonLoader, UndefinedParameters) {
    EXPECT_ERROR(lessonWith("      - io: $nope * 2\n"), "bad.yaml:18:13:", "undefined parameter $nope");
    EXPECT_ERROR(lessonWith("      - io: 2 * $nope\n"), "bad.yaml:18:17:", "the lesson declares: n, ms");
    EXPECT_ERROR(lessonWith("      - gather: {name: w, count: $k, do: [{io: 1}]}\n"),
                 "bad.yaml:18:34:", "undefined parameter $k");
    EXPECT_ERROR(lessonWith("      - io: 1\n    threads: $pool\n"), "bad.yaml:19:14:", "undefined parameter $pool");
}

} // namespace
} // namespace interleave::core
