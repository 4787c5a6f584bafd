// Stages (`stage:` on steps): read from the lesson, recorded while their steps run, and the breakdown of the makespan
// among them, which adds up to the makespan minus the time outside every stage.
#include "lesson_text.h"
#include "metrics/stage_breakdown.h"
#include "plan_builder.h"
#include "runtime/run.h"
#include "trace/trace_analysis.h"

#include <gtest/gtest.h>

namespace interleave::test {
namespace {

PlanStep staged(PlanStep step, std::int32_t stage) {
    step.stage = stage;
    return step;
}

double shareOf(const StageBreakdown& breakdown, const std::string& stage) {
    for (const StageShare& share : breakdown.stages) {
        if (share.stage == stage) {
            return share.ms;
        }
    }
    return -1;
}

class Stages : public ::testing::TestWithParam<Model> {};

TEST_P(Stages, AddUpToTheMakespanMinusTheTimeOutsideThem) {
    // order: 40 ms, then 10 ms outside any stage, then pay (60 ms) beside notify and deliver (60 ms each, on
    // children): the 60 ms the three overlap go to each in thirds. (Sequential code runs the children one after
    // another: 60 ms each.)
    PlanBuilder builder(GetParam());
    builder.threads(4);
    const std::int32_t order = builder.stage("order");
    const std::int32_t pay = builder.stage("pay");
    const std::int32_t notify = builder.stage("notify");
    const std::int32_t deliver = builder.stage("deliver");
    std::vector<PlanStep> children;
    PlanStep fanOut;
    fanOut.kind = OpKind::Gather;
    fanOut.children.push_back(PlanChild{builder.intern("payer"), 1, {staged(io(60), pay)}});
    fanOut.children.push_back(PlanChild{builder.intern("notifier"), 1, {staged(io(60), notify)}});
    fanOut.children.push_back(PlanChild{builder.intern("courier"), 1, {staged(io(60), deliver)}});
    builder.program({staged(io(40), order), io(10), fanOut});
    const RunResult result = runToCompletion(builder.build());
    ASSERT_EQ(result.outcome.status, RunStatus::Completed) << result.outcome.error;
    const TraceAnalysis analysis = analyze(result.trace);
    const StageBreakdown breakdown = stageBreakdown(analysis);
    ASSERT_EQ(breakdown.stages.size(), 4U);
    EXPECT_EQ(breakdown.stages[0].stage, "order"); // in the order they began
    const double makespanMs = static_cast<double>(analysis.makespanNs) / 1e6;
    EXPECT_NEAR(breakdown.stagedMs() + breakdown.outsideMs, makespanMs, 1e-6);
    EXPECT_NEAR(breakdown.stagedMs(), makespanMs - breakdown.outsideMs, 1e-6);
    // Wide margins: the shares, not the timer's precision.
    EXPECT_NEAR(shareOf(breakdown, "order"), 40, 8);
    const double each = GetParam() == Model::Sequential ? 60 : 20;
    for (const char* parallel : {"pay", "notify", "deliver"}) {
        EXPECT_NEAR(shareOf(breakdown, parallel), each, 6) << parallel;
    }
    EXPECT_GE(breakdown.outsideMs, 9);
    // The stage counters are not peaks of the summary's kind: each holds how many steps of it run.
    EXPECT_EQ(analysis.counter("stage:order")->peak, 1);
}

INSTANTIATE_TEST_SUITE_P(Models, Stages, ::testing::Values(Model::Sequential, Model::Async, Model::Threads),
                         [](const ::testing::TestParamInfo<Model>& model) { return modelCaseName(model.param); });

TEST(Stages, NoneNamedGivesAnEmptyBreakdown) {
    PlanBuilder builder(Model::Async);
    builder.program({io(5)});
    const RunResult result = runToCompletion(builder.build());
    const StageBreakdown breakdown = stageBreakdown(analyze(result.trace));
    EXPECT_TRUE(breakdown.empty());
}

TEST(Stages, SlowMotionIsReportedInLessonTime) {
    PlanBuilder builder(Model::Async);
    const std::int32_t only = builder.stage("only");
    builder.program({staged(io(40), only)});
    const RunResult result = runToCompletion(builder.build());
    const TraceAnalysis analysis = analyze(result.trace);
    EXPECT_NEAR(shareOf(stageBreakdown(analysis, 2.0), "only"), shareOf(stageBreakdown(analysis, 1.0), "only") / 2,
                1e-6);
}

using core::testing::lessonWith;

TEST(StagesInLessons, AreReadFromStepsAndCompiledOncePerName) {
    const Scenario lesson = parseLesson(lessonWith(R"(      - io: $ms
        stage: menu
      - gather: {name: n, count: 2, do: [{io: 5}]}
        stage: notify
      - io: 1
        stage: menu
)"),
                                        "stages.yaml");
    const Plan plan = compilePlan(lesson, lesson.variants.front(), lesson.defaults(), RunOptions{});
    ASSERT_EQ(plan.stages.size(), 2U);
    EXPECT_EQ(plan.stages[0].name, "menu");
    EXPECT_EQ(plan.stages[1].name, "notify");
    EXPECT_EQ(plan.program[0].stage, 0);
    EXPECT_EQ(plan.program[1].stage, 1);
    EXPECT_EQ(plan.program[2].stage, 0);
    EXPECT_EQ(plan.strings.find("stage:menu"), plan.stages[0].counterId);
}

TEST(StagesInLessons, WorkInAWorkerProcessCannotNameOne) {
    EXPECT_ERROR(lessonWith(R"(      - offload: processes
        do:
          - cpu: 5
            stage: crunch
)") + "    processes: 2\n",
                 "bad.yaml:20:13:", "inside work sent to a worker process");
}

TEST(ChunkSizeInLessons, NeedsChildrenOnProcesses) {
    EXPECT_ERROR(lessonWith(R"(      - gather: {name: n, count: 4, do: [{cpu: 1}]}
        chunksize: 2
)"),
                 "bad.yaml:18:9:", "needs 'on: processes'");
    const Scenario lesson = parseLesson(lessonWith(R"(      - gather: {name: n, count: 4, do: [{cpu: 1}]}
        on: processes
        chunksize: $n
)") + "    processes: 2\n",
                                        "chunks.yaml");
    const Plan plan = compilePlan(lesson, lesson.variants.front(), lesson.defaults(), RunOptions{});
    EXPECT_EQ(plan.program[0].chunkSize, 3);
}

} // namespace
} // namespace interleave::test
