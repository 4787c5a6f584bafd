// TimelineView: offscreen rendering shows the state colours, zoom stops following, a click selects a task.
#include "timeline/timeline_view.h"

#include <QImage>
#include <QSignalSpy>
#include <QTest>

#include <gtest/gtest.h>

#include <memory>

namespace interleave::ui {
namespace {

using core::Event;
using core::EventKind;
using core::TaskState;

constexpr std::int64_t kMs = 1'000'000;

Event stateEvent(std::int64_t timeNs, std::uint32_t task, TaskState state, std::uint32_t subject = 0) {
    return Event{timeNs, task, 0, EventKind::TaskState, static_cast<std::uint8_t>(state), subject, 7};
}

core::Trace smallTrace() {
    core::Trace trace;
    trace.addLane("event loop", core::LaneKind::Loop);
    const std::uint32_t main = trace.strings.intern("main");
    const std::uint32_t sem = trace.strings.intern("sem");
    trace.events = {
        Event{0, 0, 0, EventKind::TaskCreated, 0, main, -1}, stateEvent(0, 0, TaskState::Running),
        stateEvent(10 * kMs, 0, TaskState::WaitingIo),       stateEvent(40 * kMs, 0, TaskState::Running),
        stateEvent(60 * kMs, 0, TaskState::Blocked, sem),    stateEvent(90 * kMs, 0, TaskState::Running),
        stateEvent(100 * kMs, 0, TaskState::Done),
    };
    trace.endNs = 100 * kMs;
    return trace;
}

int countColor(const QImage& image, QColor color, int top, int bottom) {
    int count = 0;
    for (int y = top; y < bottom; ++y) {
        for (int x = 0; x < image.width(); ++x) {
            count += image.pixelColor(x, y) == color ? 1 : 0;
        }
    }
    return count;
}

TEST(TimelineView, RendersTheStateColoursOffscreen) {
    const core::Trace trace = smallTrace();
    auto data = std::make_shared<TimelineData>();
    data->rebuild(trace);
    TimelineView view;
    view.setVariants({data}, {QStringLiteral("sequential · 100 ms")});
    QImage image(1000, 200, QImage::Format_ARGB32_Premultiplied);
    ASSERT_TRUE(view.renderTo(image, image.size()));
    const StatePalette palette;
    const TimelineMetrics metrics;
    // The lanes' rows only (not the legend, which shows every colour anyway).
    const int top = metrics.axis;
    const int bottom = image.height() - metrics.legend;
    EXPECT_GT(countColor(image, palette.color(TaskState::Running), top, bottom), 100);
    EXPECT_GT(countColor(image, palette.color(TaskState::WaitingIo), top, bottom), 1000);
    EXPECT_GT(countColor(image, palette.color(TaskState::Blocked), top, bottom), 1000);
    EXPECT_EQ(countColor(image, palette.color(TaskState::WaitingGil), top, bottom), 0);
}

TEST(TimelineView, PresenterModeUsesItsPalette) {
    const core::Trace trace = smallTrace();
    auto data = std::make_shared<TimelineData>();
    data->rebuild(trace);
    TimelineView view;
    view.setVariants({data}, {QStringLiteral("sequential")});
    view.setPresenterMode(true);
    QImage image(1000, 300, QImage::Format_ARGB32_Premultiplied);
    ASSERT_TRUE(view.renderTo(image, image.size()));
    const StatePalette palette(true);
    EXPECT_GT(countColor(image, palette.color(TaskState::Running), 0, image.height()), 100);
    EXPECT_GT(countColor(image, palette.canvas(), 0, image.height()), 1000);
}

TEST(TimelineView, ZoomStopsFollowingAndFitResumes) {
    const core::Trace trace = smallTrace();
    auto data = std::make_shared<TimelineData>();
    data->rebuild(trace);
    TimelineView view;
    view.resize(900, 300);
    QSignalSpy ranges(&view, &TimelineView::visibleRangeChanged);
    view.setVariants({data}, {QStringLiteral("v")});
    EXPECT_TRUE(view.following());
    EXPECT_EQ(view.visibleStartNs(), 0);
    EXPECT_EQ(view.visibleEndNs(), 100 * kMs);
    view.zoomIn();
    EXPECT_FALSE(view.following());
    EXPECT_LT(view.visibleEndNs() - view.visibleStartNs(), 100 * kMs);
    EXPECT_GE(ranges.count(), 2);
    QTest::keyClick(&view, Qt::Key_Home);
    EXPECT_TRUE(view.following());
    EXPECT_EQ(view.visibleEndNs(), 100 * kMs);
}

TEST(TimelineView, ClickSelectsTheTaskUnderTheCursor) {
    const core::Trace trace = smallTrace();
    auto data = std::make_shared<TimelineData>();
    data->rebuild(trace);
    TimelineView view;
    view.resize(1000, 300);
    view.show();
    view.setVariants({data}, {QStringLiteral("v")});
    QSignalSpy selected(&view, &TimelineView::taskSelected);
    const TimelineMetrics metrics;
    const int laneY = metrics.axis + metrics.header + metrics.lane / 2;
    const int x = metrics.gutter + (view.viewport()->width() - metrics.gutter) / 4; // 25 ms: waiting for I/O
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, QPoint(x, laneY));
    ASSERT_EQ(selected.count(), 1);
    EXPECT_EQ(selected.at(0).at(0).toInt(), 0);
    EXPECT_EQ(selected.at(0).at(1).value<std::uint32_t>(), 0U);
    EXPECT_EQ(selected.at(0).at(2).value<std::int32_t>(), 7);
    EXPECT_EQ(view.selection().task, 0U);
}

} // namespace
} // namespace interleave::ui
