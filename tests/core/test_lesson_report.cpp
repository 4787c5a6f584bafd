// Lesson metrics and verdicts measured on hand-built traces.
#include "metrics/lesson_report.h"
#include "trace_builder.h"

#include <gtest/gtest.h>

#include <thread>

namespace interleave::core {
namespace {

using testing::ms;
using testing::TraceBuilder;

VariantRun makeRun(std::string variant, Trace trace, RunStatus status = RunStatus::Completed, std::string error = {}) {
    VariantRun run;
    run.variant = std::move(variant);
    run.trace = std::move(trace);
    run.analysis = analyze(run.trace);
    run.outcome = RunOutcome{status, std::move(error)};
    return run;
}

// One task doing `count` sequential waits of `stepMs`.
Trace sequentialWaits(int count, double stepMs) {
    TraceBuilder builder;
    builder.lane("loop").task(0, 1, "main").state(0, 1, TaskState::Running);
    for (int i = 0; i < count; ++i) {
        builder.state(ms(stepMs * i), 1, TaskState::WaitingIo);
    }
    builder.state(ms(stepMs * count), 1, TaskState::Done);
    return builder.finish(ms(stepMs * count));
}

// `count` tasks waiting `latencyMs` at the same time.
Trace concurrentWaits(int count, double latencyMs) {
    TraceBuilder builder;
    builder.lane("loop").task(0, 0, "main").state(0, 0, TaskState::Running);
    for (int i = 0; i < count; ++i) {
        const auto id = static_cast<std::uint32_t>(i + 1);
        builder.task(0, id, "request", i).state(0, id, TaskState::WaitingIo).state(ms(latencyMs), id, TaskState::Done);
    }
    builder.state(ms(latencyMs), 0, TaskState::Done);
    return builder.finish(ms(latencyMs));
}

double measure(MetricKind kind, const VariantRun& run, const VariantRun* baseline = nullptr,
               std::string argument = {}) {
    const auto value = measureMetric(MetricRef{kind, std::move(argument), {}}, run, baseline);
    EXPECT_TRUE(value.has_value());
    return value.value_or(-1);
}

ExpectationDecl expectation(std::string variant, MetricKind kind, Comparison comparison, double value,
                            double tolerance = 0.1, std::string argument = {}) {
    ExpectationDecl decl;
    decl.text = "test expectation";
    decl.variant = std::move(variant);
    decl.metric = MetricRef{kind, std::move(argument), {}};
    decl.comparison = comparison;
    decl.value = Expression::constant(value);
    decl.tolerance = tolerance;
    return decl;
}

Scenario twoVariantLesson() {
    Scenario scenario;
    scenario.id = "gather";
    scenario.number = 2;
    scenario.title = "await in a loop vs gather";
    scenario.baseline = "loop";
    VariantDecl loop;
    loop.name = "loop";
    VariantDecl gather;
    gather.name = "gather";
    scenario.variants = {loop, gather};
    return scenario;
}

// state_time_ms(<state>, <task>) counts that task's time only: a producer blocked for 30 ms, inside a run where main
// also waits (blocked on its group) for 100 ms.
TEST(LessonReport, StateTimeOfOneTaskLeavesTheOthersOut) {
    TraceBuilder builder;
    builder.lane("loop").task(0, 0, "main").state(0, 0, TaskState::Blocked);
    builder.task(0, 1, "producer").state(0, 1, TaskState::Running).state(ms(10), 1, TaskState::Blocked);
    builder.state(ms(40), 1, TaskState::Running).state(ms(50), 1, TaskState::Done);
    builder.state(ms(100), 0, TaskState::Done);
    const VariantRun run = makeRun("queue", builder.finish(ms(100)));
    const auto producer = measureMetric(MetricRef{MetricKind::StateTimeMs, "blocked", "producer"}, run, nullptr);
    ASSERT_TRUE(producer.has_value());
    EXPECT_NEAR(*producer, 30.0, 1e-6);
    EXPECT_NEAR(measure(MetricKind::StateTimeMs, run, nullptr, "blocked"), 130.0, 1e-6);
    EXPECT_FALSE(measureMetric(MetricRef{MetricKind::StateTimeMs, "blocked", "nobody"}, run, nullptr).has_value());
}

TEST(LessonReport, MakespanIsTheAnalysisMakespanInMs) {
    const VariantRun run = makeRun("loop", sequentialWaits(2, 1002.4));
    EXPECT_NEAR(measure(MetricKind::MakespanMs, run), 2004.8, 1e-6);
}

TEST(LessonReport, DurationsAreReportedInLessonTimeUnderSlowMotion) {
    VariantRun loop = makeRun("loop", sequentialWaits(2, 500)); // 1000 ms of real time at time scale 2
    loop.timeScale = 2.0;
    EXPECT_NEAR(measure(MetricKind::MakespanMs, loop), 500.0, 1e-6);
    VariantRun baseline = makeRun("loop", sequentialWaits(4, 500));
    baseline.timeScale = 2.0;
    EXPECT_NEAR(measure(MetricKind::Speedup, loop, &baseline), 2.0, 1e-9); // ratios are unchanged
    // The summary's figures too: its makespan once showed wall time beside a max lag in lesson time.
    EXPECT_NEAR(summarize(loop, &baseline).makespanMs, 500.0, 1e-6);
}

TEST(LessonReport, SpeedupIsBaselineOverThisMakespan) {
    const VariantRun loop = makeRun("loop", sequentialWaits(10, 200));
    const VariantRun gather = makeRun("gather", concurrentWaits(10, 200));
    EXPECT_NEAR(measure(MetricKind::Speedup, gather, &loop), 10.0, 1e-9);
    EXPECT_NEAR(measure(MetricKind::Speedup, loop, &loop), 1.0, 1e-9);
    EXPECT_FALSE(measureMetric(MetricRef{MetricKind::Speedup, {}, {}}, gather, nullptr).has_value());
}

TEST(LessonReport, PeakOfACounterAndOfKnownButSilentCounters) {
    TraceBuilder builder;
    builder.lane("loop")
        .counter(ms(1), "sem.in_use", 3)
        .counter(ms(2), "sem.in_use", 10)
        .counter(ms(3), "sem.in_use", 2);
    builder.intern("sem").intern("items.depth");
    const VariantRun run = makeRun("semaphore", builder.finish(ms(4)));
    EXPECT_EQ(measure(MetricKind::Peak, run, nullptr, "sem.in_use"), 10);
    EXPECT_EQ(measure(MetricKind::Peak, run, nullptr, "items.depth"), 0); // name known to the run, never sampled
    EXPECT_EQ(measure(MetricKind::Peak, run, nullptr, "sem.waiters"), 0); // a primitive's standard counter
    EXPECT_FALSE(measureMetric(MetricRef{MetricKind::Peak, "nothing.here", {}}, run, nullptr).has_value());
}

TEST(LessonReport, MaxLagConvertsMicrosecondsToMs) {
    TraceBuilder builder;
    builder.lane("loop").counter(ms(10), "loop_lag_us", 300).counter(ms(520), "loop_lag_us", 502'000);
    const VariantRun run = makeRun("blocking", builder.finish(ms(600)));
    EXPECT_NEAR(measure(MetricKind::MaxLagMs, run), 502.0, 1e-9);
    const VariantRun noLoop = makeRun("threads", sequentialWaits(1, 10));
    EXPECT_FALSE(measureMetric(MetricRef{MetricKind::MaxLagMs, {}, {}}, noLoop, nullptr).has_value());
    TraceBuilder silent; // the loop's lag counter is known but the heartbeat never sampled it
    silent.lane("loop").intern("loop_lag_us");
    const VariantRun busy = makeRun("cpu-gather", silent.finish(ms(1200)));
    EXPECT_FALSE(measureMetric(MetricRef{MetricKind::MaxLagMs, {}, {}}, busy, nullptr).has_value());
}

TEST(LessonReport, PeakConcurrentAndStateTime) {
    const VariantRun gather = makeRun("gather", concurrentWaits(7, 50));
    EXPECT_EQ(measure(MetricKind::PeakConcurrent, gather, nullptr, "waiting-io"), 7);
    EXPECT_EQ(measure(MetricKind::PeakConcurrent, gather, nullptr, "waiting_io"), 7);
    EXPECT_NEAR(measure(MetricKind::StateTimeMs, gather, nullptr, "waiting-io"), 350.0, 1e-6);
    // Back-to-back spans of one task do not overlap.
    const VariantRun loop = makeRun("loop", sequentialWaits(5, 50));
    EXPECT_EQ(measure(MetricKind::PeakConcurrent, loop, nullptr, "waiting-io"), 1);
    EXPECT_FALSE(measureMetric(MetricRef{MetricKind::PeakConcurrent, "dancing", {}}, loop, nullptr).has_value());
}

TEST(LessonReport, GilSwitchIsTheMedianTenureBetweenHandoffs) {
    TraceBuilder builder;
    builder.lane("main", LaneKind::Main).lane("pool 1", LaneKind::PoolThread).lane("pool 2", LaneKind::PoolThread);
    builder.counter(ms(0), "gil.holder", 1)
        .counter(ms(5), "gil.holder", 2)   // hand-off after 5 ms
        .counter(ms(7), "gil.holder", -1)  // released for io
        .counter(ms(8), "gil.holder", 2)   // same lane again: not a hand-off
        .counter(ms(10), "gil.holder", 1)  // hand-off after 5 ms (2 held it from 5 to 10)
        .counter(ms(30), "gil.holder", 2)  // hand-off after 20 ms
        .counter(ms(36), "gil.holder", 1); // hand-off after 6 ms
    const VariantRun run = makeRun("threads+GIL", builder.finish(ms(40)));
    EXPECT_NEAR(measure(MetricKind::GilSwitchMs, run), 5.5, 1e-9); // median of 5, 5, 6, 20
    EXPECT_EQ(measure(MetricKind::GilHandoffs, run), 4);

    const VariantRun noGil = makeRun("threads-free", sequentialWaits(1, 10));
    EXPECT_FALSE(measureMetric(MetricRef{MetricKind::GilSwitchMs, {}, {}}, noGil, nullptr).has_value());
    EXPECT_FALSE(measureMetric(MetricRef{MetricKind::GilHandoffs, {}, {}}, noGil, nullptr).has_value());
}

TEST(LessonReport, VerdictsForEachComparison) {
    Scenario scenario = twoVariantLesson();
    scenario.expectations = {
        expectation("loop", MetricKind::MakespanMs, Comparison::Near, 2000, 0.05),
        expectation("loop", MetricKind::MakespanMs, Comparison::Near, 1000, 0.05),
        expectation("gather", MetricKind::MakespanMs, Comparison::AtMost, 250),
        expectation("gather", MetricKind::MakespanMs, Comparison::AtMost, 150),
        expectation("gather", MetricKind::Speedup, Comparison::AtLeast, 5),
        expectation("gather", MetricKind::Speedup, Comparison::AtLeast, 12),
        expectation("gather", MetricKind::PeakConcurrent, Comparison::Equals, 10, 0.1, "waiting-io"),
        expectation("gather", MetricKind::PeakConcurrent, Comparison::Equals, 9, 0.1, "waiting-io"),
    };
    const std::vector<VariantRun> runs = {makeRun("loop", sequentialWaits(10, 200.48)),
                                          makeRun("gather", concurrentWaits(10, 200))};
    const LessonReport report = buildReport(scenario, {}, runs);
    ASSERT_EQ(report.expectations.size(), 8U);
    const std::vector<Verdict> wanted = {Verdict::Pass, Verdict::Fail, Verdict::Pass, Verdict::Fail,
                                         Verdict::Pass, Verdict::Fail, Verdict::Pass, Verdict::Fail};
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        EXPECT_EQ(report.expectations[i].verdict, wanted[i]) << i << ": " << report.expectations[i].detail;
        EXPECT_TRUE(report.expectations[i].measured.has_value());
    }
    EXPECT_EQ(report.expectations[0].detail, "measured 2004.8 ms, expected ≈ 2000 (±5%)");
    EXPECT_NE(report.expectations[1].detail.find("off by +100.5%"), std::string::npos);
    EXPECT_EQ(report.expectations[2].detail, "measured 200 ms, expected ≤ 250");
    EXPECT_EQ(report.expectations[4].detail, "measured 10.02×, expected ≥ 5");
    EXPECT_EQ(report.expectations[6].detail, "measured 10, expected exactly 10");
    EXPECT_FALSE(report.allPassed());
}

TEST(LessonReport, ExpectedValuesUseParametersAndCores) {
    Scenario scenario = twoVariantLesson();
    ExpectationDecl total = expectation("loop", MetricKind::MakespanMs, Comparison::Near, 0, 0.1);
    total.value = Expression::parse("$requests * $latency_ms", SourceLocation{"test.yaml", 1, 1});
    ExpectationDecl cores = expectation("gather", MetricKind::Speedup, Comparison::AtMost, 0);
    cores.value = Expression::parse("max($requests, cores)", SourceLocation{"test.yaml", 2, 1});
    scenario.expectations = {total, cores};
    const std::vector<VariantRun> runs = {makeRun("loop", sequentialWaits(10, 200)),
                                          makeRun("gather", concurrentWaits(10, 200))};
    const ParameterValues parameters = {{"requests", 10}, {"latency_ms", 200}};
    const LessonReport report = buildReport(scenario, parameters, runs);
    EXPECT_EQ(report.parameters.at("cores"), std::max(1U, std::thread::hardware_concurrency()));
    EXPECT_EQ(report.expectations[0].expected, 2000);
    EXPECT_EQ(report.expectations[0].verdict, Verdict::Pass);
    EXPECT_GE(report.expectations[1].expected, 10);
    EXPECT_TRUE(report.allPassed());
}

TEST(LessonReport, AnExpectedValueThatIsNoNumberIsNotMeasured) {
    // 1 / $n with n = 0 once read "expected ≈ inf (±10%)" and passed: inf ± 10% takes anything.
    Scenario scenario = twoVariantLesson();
    ExpectationDecl divided = expectation("loop", MetricKind::MakespanMs, Comparison::Near, 0);
    divided.value = Expression::parse("1 / $n", SourceLocation{"test.yaml", 1, 1});
    ExpectationDecl nothing = expectation("loop", MetricKind::MakespanMs, Comparison::AtLeast, 0);
    nothing.value = Expression::parse("0 / $n", SourceLocation{"test.yaml", 2, 1});
    scenario.expectations = {divided, nothing};
    const LessonReport report = buildReport(scenario, {{"n", 0}}, {makeRun("loop", sequentialWaits(2, 10))});
    EXPECT_EQ(report.expectations[0].verdict, Verdict::NotMeasured);
    EXPECT_NE(report.expectations[0].detail.find("'1 / $n' gives infinity"), std::string::npos)
        << report.expectations[0].detail;
    EXPECT_EQ(report.expectations[1].verdict, Verdict::NotMeasured);
    EXPECT_NE(report.expectations[1].detail.find("gives no number"), std::string::npos);
    EXPECT_FALSE(report.allPassed());
}

TEST(LessonReport, AStalledRunFailsItsExpectationsWithWhatItWaitedOn) {
    Scenario scenario = twoVariantLesson();
    scenario.expectations = {expectation("loop", MetricKind::MakespanMs, Comparison::Near, 2000)};
    const LessonReport report =
        buildReport(scenario, {}, {makeRun("loop", sequentialWaits(1, 5), RunStatus::Stalled, "1 on 'lk'")});
    EXPECT_EQ(report.expectations[0].verdict, Verdict::Fail);
    EXPECT_NE(report.expectations[0].detail.find("the run stalled: 1 on 'lk'"), std::string::npos);
    EXPECT_FALSE(report.allPassed());
}

TEST(LessonReport, FailedRunsFailTheirExpectationsWithTheError) {
    Scenario scenario = twoVariantLesson();
    scenario.expectations = {expectation("gather", MetricKind::Speedup, Comparison::AtLeast, 5),
                             expectation("loop", MetricKind::MakespanMs, Comparison::Near, 2000)};
    const std::vector<VariantRun> runs = {
        makeRun("gather", concurrentWaits(3, 100), RunStatus::Failed, "broken process pool: worker 2 was killed")};
    const LessonReport report = buildReport(scenario, {}, runs);
    EXPECT_EQ(report.expectations[0].verdict, Verdict::Fail);
    EXPECT_NE(report.expectations[0].detail.find("broken process pool: worker 2 was killed"), std::string::npos);
    EXPECT_EQ(report.expectations[1].verdict, Verdict::NotMeasured); // loop was not run
    EXPECT_NE(report.expectations[1].detail.find("not run"), std::string::npos);
    EXPECT_FALSE(report.allPassed());
}

TEST(LessonReport, SummaryListsPeaksLagAndCounts) {
    TraceBuilder builder;
    builder.lane("loop").task(0, 1, "main").state(0, 1, TaskState::Running).state(ms(100), 1, TaskState::Done);
    builder.counter(ms(1), "in_flight", 4).counter(ms(2), "loop_lag_ms", 1500).counter(ms(3), "gil.holder", 0);
    const std::vector<VariantRun> runs = {makeRun("loop", builder.finish(ms(100)))};
    Scenario scenario = twoVariantLesson();
    const LessonReport report = buildReport(scenario, {}, runs);
    ASSERT_EQ(report.variants.size(), 1U);
    const VariantSummary& summary = report.variants[0];
    EXPECT_NEAR(summary.makespanMs, 100, 1e-9);
    EXPECT_NEAR(summary.speedup.value_or(0), 1.0, 1e-9);
    EXPECT_NEAR(summary.maxLagMs.value_or(0), 1.5, 1e-9);
    EXPECT_EQ(summary.peaks.size(), 1U);
    EXPECT_EQ(summary.peaks.at("in_flight"), 4);
    EXPECT_EQ(summary.taskCount, 1U);
    EXPECT_EQ(summary.eventCount, runs[0].trace.events.size());
}

} // namespace
} // namespace interleave::core
