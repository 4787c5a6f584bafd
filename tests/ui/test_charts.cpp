// Tests of the charts dock: which charts a trace's counters show, series names, step shape, and downsampling.
#include "charts/charts_panel.h"
#include "charts/step_series.h"
#include "timeline/timeline_data.h"

#include "../core/plan_builder.h"

#include "runtime/run.h"

#include <QChart>
#include <QChartView>
#include <QLineSeries>
#include <QValueAxis>

#include <gtest/gtest.h>

#include <algorithm>
#include <span>

namespace interleave::ui {
namespace {

using test::io;
using test::kMs;
using test::onPrimitive;
using test::PlanBuilder;

// Four requests through a semaphore of two on the event loop: sem.in_use, sem.waiters, in_flight and loop lag.
core::Trace semaphoreTrace() {
    PlanBuilder builder(core::Model::Async);
    const int sem = builder.primitive("sem", core::PrimitiveKind::Semaphore, 2);
    builder.program(
        {builder.fanOut(core::OpKind::Gather, "request", 4,
                        {onPrimitive(core::OpKind::Acquire, sem), io(10), onPrimitive(core::OpKind::Release, sem)})});
    core::RunResult result = core::runToCompletion(builder.build());
    EXPECT_EQ(result.outcome.status, core::RunStatus::Completed);
    return std::move(result.trace);
}

QStringList seriesNames(const ChartsPanel& panel, ChartsPanel::ChartKind kind) {
    QStringList names;
    for (const QLineSeries* series : panel.seriesOf(kind)) {
        names << series->name();
    }
    names.sort();
    return names;
}

TEST(ChartsPanel, ClassifiesCounters) {
    ChartsPanel::ChartKind kind{};
    ASSERT_TRUE(ChartsPanel::chartFor(QStringLiteral("items.depth"), &kind));
    EXPECT_EQ(kind, ChartsPanel::ChartKind::QueueDepth);
    ASSERT_TRUE(ChartsPanel::chartFor(QStringLiteral("items.unfinished"), &kind));
    EXPECT_EQ(kind, ChartsPanel::ChartKind::QueueDepth);
    ASSERT_TRUE(ChartsPanel::chartFor(QStringLiteral("sem.in_use"), &kind));
    EXPECT_EQ(kind, ChartsPanel::ChartKind::SemaphoreLock);
    ASSERT_TRUE(ChartsPanel::chartFor(QStringLiteral("lock.held"), &kind));
    EXPECT_EQ(kind, ChartsPanel::ChartKind::SemaphoreLock);
    ASSERT_TRUE(ChartsPanel::chartFor(QStringLiteral("sem.waiters"), &kind));
    EXPECT_EQ(kind, ChartsPanel::ChartKind::SemaphoreLock);
    ASSERT_TRUE(ChartsPanel::chartFor(QStringLiteral("in_flight"), &kind));
    EXPECT_EQ(kind, ChartsPanel::ChartKind::InFlight);
    ASSERT_TRUE(ChartsPanel::chartFor(QStringLiteral("loop_lag_ms"), &kind));
    EXPECT_EQ(kind, ChartsPanel::ChartKind::LoopLag);
    EXPECT_FALSE(ChartsPanel::chartFor(QStringLiteral("gil.holder"), &kind));
}

TEST(ChartsPanel, ShowsTheChartsOfTheTracesCountersAndHidesTheOthers) {
    const core::Trace trace = semaphoreTrace();
    TimelineData data;
    data.rebuild(trace);
    ASSERT_NE(data.counter(QStringLiteral("sem.in_use")), nullptr);

    ChartsPanel panel;
    panel.resize(600, 800);
    panel.setVariants({&data, &data}, {QStringLiteral("gather"), QStringLiteral("again")});

    EXPECT_FALSE(panel.isChartShown(ChartsPanel::ChartKind::QueueDepth));
    EXPECT_TRUE(panel.chartView(ChartsPanel::ChartKind::QueueDepth)->isHidden());
    for (auto kind :
         {ChartsPanel::ChartKind::SemaphoreLock, ChartsPanel::ChartKind::InFlight, ChartsPanel::ChartKind::LoopLag}) {
        EXPECT_TRUE(panel.isChartShown(kind));
        EXPECT_FALSE(panel.chartView(kind)->isHidden());
        EXPECT_EQ(panel.chart(kind)->animationOptions(), QChart::NoAnimation);
        EXPECT_TRUE(panel.chart(kind)->legend()->isVisible());
    }
    EXPECT_EQ(seriesNames(panel, ChartsPanel::ChartKind::SemaphoreLock),
              QStringList({QStringLiteral("again · sem.in_use"), QStringLiteral("again · sem.waiters"),
                           QStringLiteral("gather · sem.in_use"), QStringLiteral("gather · sem.waiters")}));
    EXPECT_EQ(seriesNames(panel, ChartsPanel::ChartKind::InFlight),
              QStringList({QStringLiteral("again · in_flight"), QStringLiteral("gather · in_flight")}));

    // The in-use line is a step line that peaks at the semaphore's two permits and ends at zero.
    for (const QLineSeries* series : panel.seriesOf(ChartsPanel::ChartKind::SemaphoreLock)) {
        if (!series->name().endsWith(QStringLiteral("sem.in_use"))) {
            continue;
        }
        const QList<QPointF> points = series->points();
        ASSERT_GE(points.size(), 4);
        double peak = 0;
        for (qsizetype i = 1; i < points.size(); ++i) {
            EXPECT_LE(points[i - 1].x(), points[i].x());
            // Step shape: a change of value happens only vertically.
            if (points[i].y() != points[i - 1].y()) {
                EXPECT_DOUBLE_EQ(points[i].x(), points[i - 1].x());
            }
            peak = std::max(peak, points[i].y());
        }
        EXPECT_EQ(peak, 2);
        EXPECT_EQ(points.back().y(), 0);
    }

    // The x axes follow the requested range, in ms.
    panel.setTimeRange(5 * kMs, 15 * kMs);
    for (auto kind : {ChartsPanel::ChartKind::SemaphoreLock, ChartsPanel::ChartKind::LoopLag}) {
        const auto axes = panel.chart(kind)->axes(Qt::Horizontal);
        ASSERT_EQ(axes.size(), 1);
        const auto* axis = qobject_cast<QValueAxis*>(axes.front());
        EXPECT_DOUBLE_EQ(axis->min(), 5.0);
        EXPECT_DOUBLE_EQ(axis->max(), 15.0);
    }
    panel.setPresenterMode(true);
    EXPECT_GT(panel.seriesOf(ChartsPanel::ChartKind::InFlight).front()->pen().widthF(), 2.0);

    panel.setVariants({}, {});
    EXPECT_FALSE(panel.isChartShown(ChartsPanel::ChartKind::SemaphoreLock));
    EXPECT_TRUE(panel.chartView(ChartsPanel::ChartKind::SemaphoreLock)->isHidden());
}

TEST(ChartsPanel, LiveFramesAddSeriesForNewCountersAndExtendThem) {
    const core::Trace trace = semaphoreTrace();
    const auto& events = trace.events;
    ASSERT_GT(events.size(), 4u);
    TimelineData data;
    ChartsPanel panel;
    panel.resize(600, 800);
    panel.setVariants({&data}, {QStringLiteral("live")});
    EXPECT_FALSE(panel.isChartShown(ChartsPanel::ChartKind::SemaphoreLock)); // nothing recorded yet

    // Feed the run in a few batches, as the live view does, and count the in-use points after each frame.
    const std::size_t batches = 4;
    qsizetype previousPoints = 0;
    for (std::size_t batch = 0; batch < batches; ++batch) {
        const std::size_t begin = events.size() * batch / batches;
        const std::size_t end = events.size() * (batch + 1) / batches;
        data.appendLive(trace, std::span<const core::Event>(events.data() + begin, end - begin));
        panel.dataChanged();
        const auto series = panel.seriesOf(ChartsPanel::ChartKind::SemaphoreLock);
        if (!series.isEmpty()) {
            EXPECT_GE(series.front()->count(), previousPoints);
            previousPoints = series.front()->count();
        }
    }
    EXPECT_TRUE(panel.isChartShown(ChartsPanel::ChartKind::SemaphoreLock));
    EXPECT_TRUE(panel.isChartShown(ChartsPanel::ChartKind::InFlight));
    EXPECT_FALSE(panel.chartView(ChartsPanel::ChartKind::SemaphoreLock)->isHidden());
    EXPECT_TRUE(panel.chartView(ChartsPanel::ChartKind::QueueDepth)->isHidden());
    EXPECT_GT(previousPoints, 2);
}

TEST(StepSeries, RepeatsThePreviousValueAtEachSampleAndHoldsTheLast) {
    const std::vector<std::pair<std::int64_t, double>> samples = {{0, 0}, {2 * kMs, 3}, {5 * kMs, 1}};
    QList<QPointF> points;
    const double peak = buildStepSeries(samples, {0, 10 * kMs, 8 * kMs, 0}, points);
    EXPECT_EQ(peak, 3);
    const QList<QPointF> expected = {{0, 0}, {2, 0}, {2, 3}, {5, 3}, {5, 1}, {8, 1}};
    EXPECT_EQ(points, expected);
}

TEST(StepSeries, DownsamplesToAboutTwoPointsPerPixelKeepingPeaks) {
    std::vector<std::pair<std::int64_t, double>> samples;
    for (std::int64_t i = 0; i < 100000; ++i) {
        samples.emplace_back(i * 1000, static_cast<double>(i % 10));
    }
    samples[54321].second = 500; // one narrow spike
    QList<QPointF> points;
    const int pixels = 400;
    const double peak = buildStepSeries(samples, {0, 100000 * 1000, 100000 * 1000, pixels}, points);
    EXPECT_EQ(peak, 500);
    EXPECT_LE(points.size(), 2 * pixels + 4);
    EXPECT_GT(points.size(), pixels / 2);
    const auto highest = std::max_element(points.begin(), points.end(),
                                          [](const QPointF& a, const QPointF& b) { return a.y() < b.y(); });
    EXPECT_EQ(highest->y(), 500);
    EXPECT_NEAR(highest->x(), 54.321, 100.0 / (pixels / 2)); // within one bucket of the spike
    for (qsizetype i = 1; i < points.size(); ++i) {
        EXPECT_LE(points[i - 1].x(), points[i].x());
    }

    // Only the visible window (plus one sample each side) is emitted.
    buildStepSeries(samples, {10 * kMs, 11 * kMs, 100000 * 1000, 0}, points);
    EXPECT_LE(points.size(), 2 * 1002 + 1);
    EXPECT_LE(points.front().x(), 10.0);
    EXPECT_GE(points.back().x(), 11.0);
}

} // namespace
} // namespace interleave::ui
