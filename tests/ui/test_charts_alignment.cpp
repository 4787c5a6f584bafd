// The charts' plot areas line up with the timeline's time axis: a TimelineView and a ChartsPanel laid out in one
// widget, as in the main window, and a time t drawn at the same screen x (within 1 px) by both.
#include "charts/charts_panel.h"
#include "timeline/time_mapper.h"
#include "timeline/timeline_data.h"
#include "timeline/timeline_view.h"

#include "../core/trace_builder.h"

#include <QScrollArea>
#include <QScrollBar>
#include <QTest>
#include <QVBoxLayout>
#include <QWidget>

#include <gtest/gtest.h>

#include <memory>

namespace interleave::ui {
namespace {

constexpr std::int64_t kMs = 1'000'000;

SharedTimeline sampleData() {
    core::testing::TraceBuilder builder;
    builder.lane("loop", core::LaneKind::Loop);
    for (std::uint32_t task = 0; task < 6; ++task) {
        builder.task(0, task, "request").state(0, task, core::TaskState::Running);
    }
    builder.counter(5 * kMs, "sem.in_use", 3).counter(10 * kMs, "sem.waiters", 990);
    builder.counter(20 * kMs, "in_flight", 6).counter(40 * kMs, "sem.in_use", 10);
    builder.counter(60 * kMs, "loop_lag_us", 30'000); // 30 ms: charted
    for (std::uint32_t task = 0; task < 6; ++task) {
        builder.state(80 * kMs, task, core::TaskState::Done);
    }
    auto data = std::make_shared<TimelineData>();
    data->rebuild(builder.finish(80 * kMs));
    return data;
}

struct Host {
    QWidget window;
    TimelineView* timeline = nullptr;
    ChartsPanel* charts = nullptr;

    Host() {
        auto* layout = new QVBoxLayout(&window);
        timeline = new TimelineView(&window);
        charts = new ChartsPanel(&window);
        layout->addWidget(timeline, 3);
        layout->addWidget(charts, 2);
        QObject::connect(timeline, &TimelineView::visibleRangeChanged, charts, &ChartsPanel::setTimeRange);
    }
    // What MainWindow does whenever either widget moves or resizes.
    void align() {
        QCoreApplication::processEvents();
        const auto [left, right] = timeline->timeAreaX();
        const QPointF origin = timeline->viewport()->mapToGlobal(QPointF(0, 0));
        charts->alignPlotsTo(origin.x() + left, origin.x() + right);
        QCoreApplication::processEvents();
    }
    double timelineGlobalX(std::int64_t ns) const {
        const auto [left, right] = timeline->timeAreaX();
        TimeMapper mapper(0, std::max<std::int64_t>(timeline->visibleEndNs(), 1), left, right);
        mapper.setDataEnd(timeline->visibleEndNs());
        mapper.setRange(timeline->visibleStartNs(), timeline->visibleEndNs());
        return timeline->viewport()->mapToGlobal(QPointF(mapper.mapTimeToX(ns), 0)).x();
    }
    double chartGlobalX(ChartsPanel::ChartKind kind, std::int64_t ns) const {
        const CounterChart* chart = charts->chart(kind);
        return chart->mapToGlobal(chart->mapToPosition(QPointF(static_cast<double>(ns) / 1e6, 0))).x();
    }
    void expectAligned(const char* when) const {
        const std::int64_t start = timeline->visibleStartNs();
        const std::int64_t end = timeline->visibleEndNs();
        int checked = 0;
        for (auto kind : {ChartsPanel::ChartKind::SemaphoreInUse, ChartsPanel::ChartKind::Waiters,
                          ChartsPanel::ChartKind::InFlight, ChartsPanel::ChartKind::LoopLag}) {
            ASSERT_TRUE(charts->isChartShown(kind)) << when;
            for (const std::int64_t ns : {start, start + (end - start) / 3, end}) {
                EXPECT_NEAR(chartGlobalX(kind, ns), timelineGlobalX(ns), 1.0)
                    << when << ": chart " << static_cast<int>(kind) << " at " << ns << " ns";
                ++checked;
            }
        }
        EXPECT_EQ(checked, 12);
        EXPECT_TRUE(charts->plotsAligned()) << when;
    }
};

TEST(ChartsAlignment, PlotAreasLineUpWithTheTimelinesTimeAxis) {
    Host host;
    host.window.resize(1280, 800);
    host.window.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&host.window));
    const SharedTimeline data = sampleData();
    host.timeline->setVariants({data}, {QStringLiteral("gather")});
    host.charts->setVariants({data}, {QStringLiteral("gather")});
    host.charts->setTimeRange(host.timeline->visibleStartNs(), host.timeline->visibleEndNs());
    host.align();
    host.expectAligned("whole run");

    // Narrower, zoomed in, and in presenter mode (a wider lane-name gutter): re-aligned each time.
    host.window.resize(900, 700);
    host.align();
    host.expectAligned("narrower");
    host.timeline->setVisibleRange(20 * kMs, 50 * kMs);
    host.align();
    host.expectAligned("zoomed in");
    host.timeline->setPresenterMode(true);
    host.charts->setPresenterMode(true);
    host.align();
    host.expectAligned("presenter");

    // Charts that scroll (their scroll bar on the left) and stop scrolling: the bar's coming and going moves the
    // charts after they were resized, and the timeline has not moved at all.
    host.window.resize(900, 330);
    host.align();
    ASSERT_LT(host.charts->height(), host.charts->heightToShowAll());
    host.expectAligned("charts scrolling");
    host.charts->setFixedHeight(host.charts->heightToShowAll()); // as the main window grows the charts' dock
    host.align();
    ASSERT_GE(host.charts->height(), host.charts->heightToShowAll());
    EXPECT_FALSE(host.charts->findChild<QScrollArea*>()->verticalScrollBar()->isVisible());
    host.expectAligned("the charts' scroll bar gone");

    // Without the timeline's geometry the charts keep a plot area of their own.
    host.charts->clearPlotAlignment();
    EXPECT_FALSE(host.charts->plotsAligned());
}

} // namespace
} // namespace interleave::ui
