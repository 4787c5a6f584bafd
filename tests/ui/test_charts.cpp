// Tests of the charts dock: which charts a trace's counters show, series names, step shape, and downsampling.
#include "charts/charts_panel.h"
#include "charts/step_series.h"
#include "charts/sweep_chart.h"
#include "timeline/timeline_data.h"

#include "../core/plan_builder.h"
#include "../core/trace_builder.h"

#include "runtime/run.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QPainter>
#include <QSignalSpy>
#include <QTest>

#include <gtest/gtest.h>

#include <memory>

#include <algorithm>
#include <set>
#include <span>
#include <tuple>

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
    for (const ChartLine* line : panel.linesOf(kind)) {
        names << line->name;
    }
    names.sort();
    return names;
}

TEST(ChartsPanel, ClassifiesEveryCounterTheEngineRecords) {
    // core/runtime: internPrimitiveCounters (semaphore, lock, queue, event) and engine_context (in_flight, loop lag).
    const std::vector<std::pair<const char*, ChartsPanel::ChartKind>> expected = {
        {"sem.in_use", ChartsPanel::ChartKind::SemaphoreInUse},
        {"sem.waiters", ChartsPanel::ChartKind::Waiters},
        {"lock.held", ChartsPanel::ChartKind::LockHeld},
        {"lock.waiters", ChartsPanel::ChartKind::Waiters},
        {"items.depth", ChartsPanel::ChartKind::QueueDepth},
        {"items.getters", ChartsPanel::ChartKind::Getters},
        {"items.putters", ChartsPanel::ChartKind::Putters},
        {"items.unfinished", ChartsPanel::ChartKind::Unfinished},
        {"done.waiters", ChartsPanel::ChartKind::Waiters},
        {"in_flight", ChartsPanel::ChartKind::InFlight},
        {"loop_lag_ms", ChartsPanel::ChartKind::LoopLag},
    };
    for (const auto& [name, kind] : expected) {
        ChartsPanel::ChartKind found{};
        ASSERT_TRUE(ChartsPanel::chartFor(QString::fromLatin1(name), &found)) << name;
        EXPECT_EQ(found, kind) << name;
    }
    ChartsPanel::ChartKind kind{};
    EXPECT_FALSE(ChartsPanel::chartFor(QStringLiteral("gil.holder"), &kind)); // the timeline's GIL lane
    EXPECT_FALSE(ChartsPanel::chartFor(QStringLiteral(".depth"), &kind));     // no primitive name
}

TEST(ChartsPanel, ShowsTheChartsOfTheTracesCountersAndHidesTheOthers) {
    const core::Trace trace = semaphoreTrace();
    auto data = std::make_shared<TimelineData>();
    data->rebuild(trace);
    ASSERT_NE(data->counter(QStringLiteral("sem.in_use")), nullptr);

    ChartsPanel panel;
    panel.resize(600, 800);
    panel.setVariants({data, data}, {QStringLiteral("gather"), QStringLiteral("again")});

    EXPECT_FALSE(panel.isChartShown(ChartsPanel::ChartKind::QueueDepth));
    EXPECT_TRUE(panel.chart(ChartsPanel::ChartKind::QueueDepth)->isHidden());
    // In use and waiting are two charts: neither line is flattened by the other's scale.
    for (auto kind :
         {ChartsPanel::ChartKind::SemaphoreInUse, ChartsPanel::ChartKind::Waiters, ChartsPanel::ChartKind::InFlight}) {
        EXPECT_TRUE(panel.isChartShown(kind));
        EXPECT_FALSE(panel.chart(kind)->isHidden());
        EXPECT_EQ(panel.linesOf(kind).size(), 2); // one per variant
        EXPECT_EQ(panel.chart(kind)->lines().size(), 2u);
    }
    // A loop lag of a fraction of a ms is noise: a note, no chart. (This run is real: on a loaded machine, or under a
    // sanitizer, its lag can pass the noise floor, and then it is charted.)
    const CounterTrack* lag = data->counter(QStringLiteral("loop_lag_ms"));
    ASSERT_NE(lag, nullptr);
    if (lag->peak < TimelineData::kLagNoiseMs) {
        EXPECT_FALSE(panel.isChartShown(ChartsPanel::ChartKind::LoopLag));
        EXPECT_TRUE(panel.chart(ChartsPanel::ChartKind::LoopLag)->isHidden());
        EXPECT_TRUE(panel.noteText().startsWith(QStringLiteral("Event-loop lag stayed below 5 ms")))
            << panel.noteText().toStdString();
    } else {
        EXPECT_TRUE(panel.isChartShown(ChartsPanel::ChartKind::LoopLag)) << lag->peak;
        EXPECT_TRUE(panel.noteText().isEmpty());
    }

    // Titles and legends in words; the counter's own name is in the tooltip.
    const auto title = [&panel](ChartsPanel::ChartKind kind) {
        return panel.chartTitle(static_cast<std::size_t>(kind));
    };
    EXPECT_EQ(title(ChartsPanel::ChartKind::SemaphoreInUse), QStringLiteral("Semaphore permits in use"));
    EXPECT_EQ(title(ChartsPanel::ChartKind::Waiters), QStringLiteral("Tasks waiting for the semaphore"));
    EXPECT_EQ(title(ChartsPanel::ChartKind::InFlight), QStringLiteral("Tasks in flight"));
    EXPECT_EQ(seriesNames(panel, ChartsPanel::ChartKind::SemaphoreInUse),
              QStringList({QStringLiteral("again"), QStringLiteral("gather")}));
    EXPECT_EQ(panel.legendOf(static_cast<std::size_t>(ChartsPanel::ChartKind::Waiters)),
              QStringList({QStringLiteral("gather"), QStringLiteral("again")}));
    const ChartLine* inUse = panel.linesOf(ChartsPanel::ChartKind::SemaphoreInUse).front();
    EXPECT_EQ(panel.counterOf(inUse), QStringLiteral("sem.in_use"));
    const QString tip = panel.toolTipFor(inUse, QPointF(3, 2));
    EXPECT_TRUE(tip.contains(QStringLiteral("sem.in_use"))) << tip.toStdString();
    EXPECT_TRUE(tip.contains(QStringLiteral("Semaphore permits in use"))) << tip.toStdString();

    // The in-use line is a step line that peaks at the semaphore's two permits and ends at zero.
    for (const ChartLine* line : panel.linesOf(ChartsPanel::ChartKind::SemaphoreInUse)) {
        const QList<QPointF>& points = line->points;
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
    for (auto kind : {ChartsPanel::ChartKind::SemaphoreInUse, ChartsPanel::ChartKind::Waiters}) {
        const ChartAxis axis = panel.chart(kind)->xAxis();
        EXPECT_DOUBLE_EQ(axis.min, 5.0);
        EXPECT_DOUBLE_EQ(axis.max, 15.0);
    }
    panel.setPresenterMode(true);
    EXPECT_GT(panel.linesOf(ChartsPanel::ChartKind::InFlight).front()->pen.widthF(), 2.0);

    panel.setVariants({}, {});
    EXPECT_FALSE(panel.isChartShown(ChartsPanel::ChartKind::SemaphoreInUse));
    EXPECT_TRUE(panel.chart(ChartsPanel::ChartKind::SemaphoreInUse)->isHidden());
}

TEST(ChartsPanel, LiveFramesAddSeriesForNewCountersAndExtendThem) {
    const core::Trace trace = semaphoreTrace();
    const auto& events = trace.events;
    ASSERT_GT(events.size(), 4u);
    auto data = std::make_shared<TimelineData>();
    ChartsPanel panel;
    panel.resize(600, 800);
    panel.setVariants({data}, {QStringLiteral("live")});
    EXPECT_FALSE(panel.isChartShown(ChartsPanel::ChartKind::SemaphoreInUse)); // nothing recorded yet

    // Feed the run in a few batches, as the live view does, and count the in-use points after each frame.
    const std::size_t batches = 4;
    qsizetype previousPoints = 0;
    for (std::size_t batch = 0; batch < batches; ++batch) {
        const std::size_t begin = events.size() * batch / batches;
        const std::size_t end = events.size() * (batch + 1) / batches;
        data->appendLive(trace, std::span<const core::Event>(events.data() + begin, end - begin));
        panel.dataChanged();
        const auto lines = panel.linesOf(ChartsPanel::ChartKind::SemaphoreInUse);
        if (!lines.isEmpty()) {
            EXPECT_GE(lines.front()->points.size(), previousPoints);
            previousPoints = lines.front()->points.size();
        }
    }
    EXPECT_TRUE(panel.isChartShown(ChartsPanel::ChartKind::SemaphoreInUse));
    EXPECT_TRUE(panel.isChartShown(ChartsPanel::ChartKind::InFlight));
    EXPECT_FALSE(panel.chart(ChartsPanel::ChartKind::SemaphoreInUse)->isHidden());
    EXPECT_TRUE(panel.chart(ChartsPanel::ChartKind::QueueDepth)->isHidden());
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

// Counters built by hand: TimelineData turns loop_lag_us into the loop_lag_ms sawtooth.
core::Trace counterTrace(const std::vector<std::tuple<std::int64_t, const char*, std::int32_t>>& samples,
                         std::int64_t endNs) {
    core::testing::TraceBuilder builder;
    builder.lane("loop", core::LaneKind::Loop).task(0, 0, "main").state(0, 0, core::TaskState::Running);
    for (const auto& [timeNs, name, value] : samples) {
        builder.counter(timeNs, name, value);
    }
    builder.state(endNs, 0, core::TaskState::Done);
    return builder.finish(endNs);
}

TEST(ChartsPanel, ALoopLagAboveNoiseIsChartedAsStraightLines) {
    const core::Trace trace = counterTrace({{10 * kMs, "loop_lag_us", 0},
                                            {60 * kMs, "loop_lag_us", 40'000},
                                            {70 * kMs, "loop_lag_us", 0},
                                            {80 * kMs, "in_flight", 1}},
                                           100 * kMs);
    auto data = std::make_shared<TimelineData>();
    data->rebuild(trace);
    ChartsPanel panel;
    panel.resize(800, 600);
    panel.setVariants({data}, {QStringLiteral("blocking")});
    ASSERT_TRUE(panel.isChartShown(ChartsPanel::ChartKind::LoopLag));
    EXPECT_TRUE(panel.noteText().isEmpty());
    EXPECT_EQ(panel.chartTitle(static_cast<std::size_t>(ChartsPanel::ChartKind::LoopLag)),
              QStringLiteral("Event-loop lag (ms)"));
    // The sawtooth (t - L, 0) -> (t, L) -> (t, 0): the lag builds over the 40 ms the loop was busy.
    const QList<QPointF> points = panel.linesOf(ChartsPanel::ChartKind::LoopLag).front()->points;
    EXPECT_TRUE(points.contains(QPointF(20, 0))) << points.size();
    EXPECT_TRUE(points.contains(QPointF(60, 40)));
    const auto ramp = std::find(points.begin(), points.end(), QPointF(20, 0));
    ASSERT_NE(ramp, points.end());
    EXPECT_EQ(*std::next(ramp), QPointF(60, 40)); // a straight line up, no step in between
}

TEST(ChartsPanel, SeveralPrimitivesAreNamedInWordsInTheLegend) {
    const core::Trace trace = counterTrace({{1 * kMs, "db.in_use", 3},
                                            {2 * kMs, "api.in_use", 1},
                                            {3 * kMs, "db.waiters", 2},
                                            {4 * kMs, "jobs.depth", 5},
                                            {5 * kMs, "jobs.putters", 1},
                                            {6 * kMs, "jobs.getters", 2},
                                            {7 * kMs, "jobs.unfinished", 6},
                                            {8 * kMs, "m.held", 1}},
                                           10 * kMs);
    auto data = std::make_shared<TimelineData>();
    data->rebuild(trace);
    ChartsPanel panel;
    panel.setVariants({data}, {QStringLiteral("bounded")});
    const auto index = [](ChartsPanel::ChartKind kind) { return static_cast<std::size_t>(kind); };
    EXPECT_EQ(panel.legendOf(index(ChartsPanel::ChartKind::SemaphoreInUse)),
              QStringList({QStringLiteral("semaphore db · bounded"), QStringLiteral("semaphore api · bounded")}));
    EXPECT_EQ(panel.legendOf(index(ChartsPanel::ChartKind::Waiters)), QStringList({QStringLiteral("bounded")}));
    EXPECT_EQ(panel.chartTitle(index(ChartsPanel::ChartKind::Waiters)),
              QStringLiteral("Tasks waiting for the semaphore"));
    EXPECT_EQ(panel.chartTitle(index(ChartsPanel::ChartKind::QueueDepth)), QStringLiteral("Items in the queue"));
    EXPECT_EQ(panel.chartTitle(index(ChartsPanel::ChartKind::Putters)), QStringLiteral("Producers blocked on put"));
    EXPECT_EQ(panel.chartTitle(index(ChartsPanel::ChartKind::Getters)), QStringLiteral("Consumers waiting on get"));
    EXPECT_EQ(panel.chartTitle(index(ChartsPanel::ChartKind::LockHeld)), QStringLiteral("Lock held"));
    for (auto kind :
         {ChartsPanel::ChartKind::SemaphoreInUse, ChartsPanel::ChartKind::Waiters, ChartsPanel::ChartKind::QueueDepth,
          ChartsPanel::ChartKind::Putters, ChartsPanel::ChartKind::Getters, ChartsPanel::ChartKind::Unfinished,
          ChartsPanel::ChartKind::LockHeld}) {
        EXPECT_TRUE(panel.isChartShown(kind)) << static_cast<int>(kind);
    }
    // A lock's waiters wait for the lock.
    const core::Trace lockTrace = counterTrace({{1 * kMs, "m.held", 1}, {2 * kMs, "m.waiters", 3}}, 10 * kMs);
    auto lockData = std::make_shared<TimelineData>();
    lockData->rebuild(lockTrace);
    panel.setVariants({lockData}, {QStringLiteral("threads")});
    EXPECT_EQ(panel.chartTitle(index(ChartsPanel::ChartKind::Waiters)), QStringLiteral("Tasks waiting for the lock"));
}

TEST(ChartsPanel, ALineFlattenedByAnothersScaleMovesToItsOwnScaleBelow) {
    // L8: the unbounded producer has 1,000 tasks in flight, the bounded one about 12 and a sequential one 1. On one
    // axis the last two would be a pixel or two high.
    const auto variant = [](std::int32_t peak) {
        auto data = std::make_shared<TimelineData>();
        data->rebuild(counterTrace(
            {{1 * kMs, "in_flight", peak / 2}, {2 * kMs, "in_flight", peak}, {6 * kMs, "in_flight", 0}}, 10 * kMs));
        return data;
    };
    ChartsPanel panel;
    panel.resize(800, 900);
    panel.show();
    panel.setVariants({variant(1000), variant(12), variant(1)},
                      {QStringLiteral("unbounded"), QStringLiteral("bounded"), QStringLiteral("sequential")});
    const auto inFlight = static_cast<std::size_t>(ChartsPanel::ChartKind::InFlight);
    ASSERT_EQ(panel.chartCount(), ChartsPanel::kChartCount + 2);
    const std::size_t own = ChartsPanel::kChartCount;
    const std::size_t ownOfOwn = ChartsPanel::kChartCount + 1;
    EXPECT_EQ(panel.legendOf(inFlight), QStringList({QStringLiteral("unbounded")}));
    EXPECT_EQ(panel.legendOf(own), QStringList({QStringLiteral("bounded")}));
    EXPECT_EQ(panel.legendOf(ownOfOwn), QStringList({QStringLiteral("sequential")})); // 1 is flat under 12, too
    EXPECT_EQ(panel.chartTitle(own), QStringLiteral("Tasks in flight · own scale"));
    EXPECT_EQ(panel.chartTitle(ownOfOwn), QStringLiteral("Tasks in flight · own scale"));
    for (const std::size_t index : {inFlight, own, ownOfOwn}) {
        EXPECT_TRUE(panel.isChartShownAt(index));
    }
    // Each chart's top is its own line's: every line has most of its chart's height.
    const auto top = [&panel](std::size_t index) { return panel.chartAt(index)->yAxis().max; };
    EXPECT_GE(top(inFlight), 1000);
    EXPECT_LT(top(inFlight), 1000 * 1.3);
    EXPECT_GE(top(own), 12);
    EXPECT_LT(top(own), 12 * 1.3);
    EXPECT_GE(top(ownOfOwn), 1);
    EXPECT_LE(top(ownOfOwn), 2);
    // Right below the chart whose scale flattened them, in the window and in figures.
    const std::vector<std::size_t> order = panel.columnOrder();
    const auto at = std::find(order.begin(), order.end(), inFlight);
    ASSERT_GE(std::distance(at, order.end()), 3);
    EXPECT_EQ(*(at + 1), own);
    EXPECT_EQ(*(at + 2), ownOfOwn);
    EXPECT_LT(panel.chartAt(inFlight)->y(), panel.chartAt(own)->y());
    EXPECT_LT(panel.chartAt(own)->y(), panel.chartAt(ownOfOwn)->y());
    // A line keeps its colour when it moves; the quantity still lists all three.
    const QList<const ChartLine*> lines = panel.linesOf(ChartsPanel::ChartKind::InFlight);
    ASSERT_EQ(lines.size(), 3);
    EXPECT_NE(lines[0]->pen.color(), lines[1]->pen.color());
    EXPECT_NE(lines[1]->pen.color(), lines[2]->pen.color());

    // Lines of one scale share a chart, and a new run starts again from one chart per quantity.
    panel.setVariants({variant(1000), variant(600)}, {QStringLiteral("a"), QStringLiteral("b")});
    EXPECT_EQ(panel.chartCount(), ChartsPanel::kChartCount);
    EXPECT_EQ(panel.legendOf(inFlight), QStringList({QStringLiteral("a"), QStringLiteral("b")}));
}

TEST(ChartsPanel, ALoopLagUnderTheNoiseFloorIsNotBlownUpOnItsOwnScale) {
    const auto lagOf = [](std::int32_t peakUs) {
        auto data = std::make_shared<TimelineData>();
        data->rebuild(counterTrace(
            {{10 * kMs, "loop_lag_us", 0}, {60 * kMs, "loop_lag_us", peakUs}, {70 * kMs, "loop_lag_us", 0}},
            100 * kMs));
        return data;
    };
    ChartsPanel panel;
    panel.resize(800, 600);
    panel.setVariants({lagOf(40'000), lagOf(3'000)}, {QStringLiteral("blocking"), QStringLiteral("quiet")});
    EXPECT_EQ(panel.chartCount(), ChartsPanel::kChartCount); // 3 ms is noise: flat under 40 ms, as it should be
    EXPECT_EQ(panel.legendOf(static_cast<std::size_t>(ChartsPanel::ChartKind::LoopLag)),
              QStringList({QStringLiteral("blocking"), QStringLiteral("quiet")}));
    panel.setVariants({lagOf(40'000), lagOf(6'000)}, {QStringLiteral("blocking"), QStringLiteral("lagging")});
    EXPECT_EQ(panel.chartCount(), ChartsPanel::kChartCount + 1); // 6 ms is a lesson's lag: its own scale
}

TEST(ChartsPanel, EveryAxisUpdateIsSafeForAnyJump) {
    // A live run whose counter jumps from 1 to 1,000,000 and whose time jumps from 1 ms to 1,000 s between frames:
    // no layout may ever see the old small tick interval over the new range (one item per tick: a frozen window).
    const core::Trace trace =
        counterTrace({{1 * kMs, "items.depth", 1}, {1'000'000 * kMs, "items.depth", 1'000'000}}, 1'000'001 * kMs);
    auto data = std::make_shared<TimelineData>();
    ChartsPanel panel;
    panel.resize(1000, 700);
    panel.show();
    panel.setVariants({data}, {QStringLiteral("live")});
    std::size_t fed = 0;
    const auto feedUntil = [&](std::int64_t ns) {
        std::size_t end = fed;
        while (end < trace.events.size() && trace.events[end].timeNs <= ns) {
            ++end;
        }
        data->appendLive(trace, std::span<const core::Event>(trace.events.data() + fed, end - fed));
        fed = end;
    };
    feedUntil(2 * kMs);
    panel.dataChanged();
    QCoreApplication::processEvents();
    const CounterChart* chart = panel.chart(ChartsPanel::ChartKind::QueueDepth);
    EXPECT_LE(chart->yAxis().max, 2);
    // Every axis as painted: at most 20 labelled ticks, whatever the range.
    const auto expectFewTicks = [](const ChartAxis& axis) {
        EXPECT_GE(axis.tickCount(), 1);
        EXPECT_LE(axis.tickCount(), 21);
        EXPECT_GE(axis.step, (axis.max - axis.min) / 20);
    };

    feedUntil(trace.endNs);
    QElapsedTimer clock;
    clock.start();
    panel.dataChanged();
    QCoreApplication::processEvents();
    panel.repaintNow();
    EXPECT_LT(clock.elapsed(), 500);
    EXPECT_GE(chart->yAxis().max, 1'000'000);
    expectFewTicks(chart->yAxis());
    EXPECT_GE(chart->xAxis().max, 1'000'000);
    expectFewTicks(chart->xAxis());

    // And back down: a zoom into one ms of it.
    clock.restart();
    panel.setTimeRange(0, 2 * kMs);
    QCoreApplication::processEvents();
    panel.repaintNow();
    EXPECT_LT(clock.elapsed(), 500);
    EXPECT_LE(chart->xAxis().max, 2.0 + 1e-9);
    expectFewTicks(chart->xAxis());
    // Tiny and huge plots alike.
    for (const double pixels : {1.0, 50.0, 100'000.0}) {
        expectFewTicks(chart->xAxisFor(pixels));
        expectFewTicks(chart->yAxisFor(pixels));
    }
}

} // namespace
} // namespace interleave::ui

namespace interleave::ui {
namespace {

// The sweep chart: a point per value where its run finished, found by a click near it; none before.
TEST(SweepChart, APointIsFoundWhereItIsDrawnAndClickingItSaysWhich) {
    SweepChart chart;
    chart.resize(800, 300);
    std::vector<SweepChart::Point> points;
    for (const double value : {1.0, 2.0, 4.0, 8.0}) {
        SweepChart::Point point;
        point.value = value;
        point.theoryMs = 800 / value;
        if (value < 8) { // the last run has not finished yet
            point.makespanMs = 800 / value + 5;
            point.throughputPerS = 8 * 1000 / *point.makespanMs;
            point.tasks = 8;
        }
        points.push_back(point);
    }
    chart.setSweep(QStringLiteral("workers"), QStringLiteral("800 / $workers"), points);
    QImage image(chart.size(), QImage::Format_ARGB32);
    QPainter painter(&image);
    chart.paintChart(painter, QRectF(chart.rect()));
    painter.end();
    // Scan for each measured point's centre: the chart finds the same index there.
    std::set<int> found;
    for (int y = 0; y < chart.height(); y += 2) {
        for (int x = 0; x < chart.width(); x += 2) {
            const int index = chart.pointAt(QPointF(x, y));
            if (index >= 0) {
                found.insert(index);
            }
        }
    }
    EXPECT_EQ(found, (std::set<int>{0, 1, 2})); // not 3: its run has no figures yet
    EXPECT_EQ(chart.pointAt(QPointF(2, 2)), -1);
    QSignalSpy clicked(&chart, &SweepChart::pointClicked);
    for (int y = 0; y < chart.height() && clicked.isEmpty(); ++y) {
        for (int x = 0; x < chart.width() && clicked.isEmpty(); ++x) {
            if (chart.pointAt(QPointF(x, y)) == 2) {
                QTest::mouseClick(&chart, Qt::LeftButton, {}, QPoint(x, y));
            }
        }
    }
    ASSERT_EQ(clicked.count(), 1);
    EXPECT_EQ(clicked.front().front().toInt(), 2);
}

} // namespace
} // namespace interleave::ui
