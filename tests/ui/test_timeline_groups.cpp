// Group lanes: sibling tasks with one name fold into one row of per-state counts; the counts come from incremental
// step counters (rebuild and live alike); rows expand and collapse; figures fold rather than drop lanes.
#include "export/figure_export.h"
#include "timeline/timeline_view.h"

#include <QBuffer>
#include <QImage>
#include <QSignalSpy>
#include <QTest>

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <span>

namespace interleave::ui {
namespace {

using core::Event;
using core::EventKind;
using core::TaskState;

constexpr std::int64_t kMs = 1'000'000;

// A hand-made trace of the L6 shape: main fans out `count` fetches (parent main, index i); a semaphore of `limit`
// lets them through in waves of `waveMs`: fetch i is blocked on "sem" until wave i / limit, then waits for I/O for a
// wave, then is done.
class FanOutTrace {
public:
    explicit FanOutTrace(int count, int limit = 10, std::int64_t waveMs = 10) {
        m_trace.addLane("event loop", core::LaneKind::Loop);
        const std::uint32_t mainName = m_trace.strings.intern("main");
        const std::uint32_t fetchName = m_trace.strings.intern("fetch");
        const std::uint32_t sem = m_trace.strings.intern("sem");
        const int waves = (count + limit - 1) / limit;
        const std::int64_t end = static_cast<std::int64_t>(waves) * waveMs * kMs;
        add({0, 0, 0, EventKind::TaskCreated, 0, mainName, -1});
        state(0, 0, TaskState::Running);
        state(kMs / 10, 0, TaskState::Blocked);
        for (int index = 0; index < count; ++index) {
            const auto task = static_cast<std::uint32_t>(index + 1);
            const std::int64_t created = kMs / 100;
            add({created, task, 0, EventKind::TaskCreated, 0, fetchName, index});
            add({created, task, 0, EventKind::TaskParent, 0, 0, 0});
            state(created, task, TaskState::Ready);
            state(created + 1, task, TaskState::Blocked, sem);
            const std::int64_t start = static_cast<std::int64_t>(index / limit) * waveMs * kMs;
            state(std::max(start, created + 2), task, TaskState::WaitingIo);
            state(start + waveMs * kMs, task, TaskState::Done);
        }
        state(end, 0, TaskState::Done);
        std::stable_sort(m_trace.events.begin(), m_trace.events.end(),
                         [](const Event& a, const Event& b) { return a.timeNs < b.timeNs; });
        m_trace.endNs = end;
    }
    const core::Trace& trace() const { return m_trace; }

private:
    void add(const Event& event) { m_trace.events.push_back(event); }
    void state(std::int64_t timeNs, std::uint32_t task, TaskState state, std::uint32_t subject = 0) {
        add({timeNs, task, 0, EventKind::TaskState, static_cast<std::uint8_t>(state), subject, 0});
    }
    core::Trace m_trace;
};

std::shared_ptr<TimelineData> rebuilt(const core::Trace& trace) {
    auto data = std::make_shared<TimelineData>();
    data->rebuild(trace);
    return data;
}

std::shared_ptr<TimelineData> liveInBatches(const core::Trace& trace, std::size_t batch) {
    auto data = std::make_shared<TimelineData>();
    for (std::size_t at = 0; at < trace.events.size(); at += batch) {
        const std::size_t count = std::min(batch, trace.events.size() - at);
        data->appendLive(trace, std::span<const Event>(trace.events.data() + at, count));
    }
    return data;
}

TEST(TimelineGroups, AThousandSiblingsFoldIntoOneRow) {
    const FanOutTrace fanOut(1000);
    const auto data = rebuilt(fanOut.trace());
    ASSERT_EQ(data->groups().size(), 1U);
    const TaskGroup& group = data->groups().front();
    EXPECT_EQ(group.name, QStringLiteral("fetch"));
    EXPECT_EQ(group.size, 1000U);
    EXPECT_EQ(group.parent, 0U);
    EXPECT_EQ(data->lanes(LaneMode::ByTask).size(), 1001U);

    TimelineView view;
    view.resize(1200, 600);
    view.setVariants({data}, {QStringLiteral("semaphore")});
    const TimelinePainter& painter = view.painter();
    ASSERT_EQ(painter.rowCount(0), 2U); // main, then the group row
    const TimelineMetrics& metrics = painter.metrics();
    EXPECT_EQ(painter.contentHeight(), metrics.header + metrics.lane + metrics.group);
    EXPECT_EQ(painter.groupLabel(0, 0), QStringLiteral("fetch × 1,000"));
    const RowHit main = painter.rowAt(metrics.header + 1);
    EXPECT_EQ(main.kind, RowKind::Lane);
    EXPECT_EQ(main.lane, 0U);
    const RowHit row = painter.rowAt(metrics.header + metrics.lane + 1);
    EXPECT_EQ(row.kind, RowKind::Group);
    EXPECT_EQ(row.group, 0);
    EXPECT_EQ(row.height, metrics.group);
    // By worker, there is nothing to group.
    view.setLaneMode(LaneMode::ByWorker);
    EXPECT_EQ(painter.rowCount(0), data->lanes(LaneMode::ByWorker).size());
}

TEST(TimelineGroups, CountsPerStateAtATime) {
    const FanOutTrace fanOut(1000); // waves of 10 every 10 ms
    const auto data = rebuilt(fanOut.trace());
    const TaskGroup& group = data->groups().front();
    const std::int64_t at = 125 * kMs; // wave 12: fetches 120..129 wait for I/O, 0..119 are done
    EXPECT_EQ(group.countAt(TaskState::WaitingIo, at), 10);
    EXPECT_EQ(group.countAt(TaskState::Blocked, at), 870);
    EXPECT_EQ(group.countAt(TaskState::Done, at), 120);
    EXPECT_EQ(group.countAt(TaskState::Running, at), 0);
    EXPECT_EQ(group.countAt(TaskState::Blocked, 0), 0); // before anything was created
    // Time-weighted means over a column are two binary searches: 10 in I/O over any whole wave.
    EXPECT_DOUBLE_EQ(group.states[static_cast<std::size_t>(TaskState::WaitingIo)].meanCount(300 * kMs, 400 * kMs),
                     10.0);
    // Blocked falls by 10 a wave: over [100, 120) ms it is 890 then 880.
    EXPECT_DOUBLE_EQ(group.states[static_cast<std::size_t>(TaskState::Blocked)].meanCount(100 * kMs, 120 * kMs), 885.0);
    EXPECT_EQ(group.subjects[static_cast<std::size_t>(TaskState::Blocked)], fanOut.trace().strings.find("sem"));

    TimelineView view;
    view.setVariants({data}, {QStringLiteral("semaphore")});
    const QString tip = view.groupToolTip(0, 0, at);
    EXPECT_TRUE(tip.contains(QStringLiteral("fetch × 1,000 at 125.0 ms: 870 blocked on sem, 10 waiting for I/O, "
                                            "120 done")))
        << tip.toStdString();
}

TEST(TimelineGroups, LiveBatchesAndRebuildGiveTheSameCounts) {
    const FanOutTrace fanOut(300, 7, 3);
    const auto whole = rebuilt(fanOut.trace());
    for (const std::size_t batch : {1U, 37U, 1000U}) {
        const auto live = liveInBatches(fanOut.trace(), batch);
        ASSERT_EQ(live->groups().size(), whole->groups().size());
        const TaskGroup& a = live->groups().front();
        const TaskGroup& b = whole->groups().front();
        EXPECT_EQ(a.size, b.size);
        EXPECT_EQ(a.name, b.name);
        for (int state = 0; state < core::kTaskStateCount; ++state) {
            const auto& liveSteps = a.states[static_cast<std::size_t>(state)];
            const auto& wholeSteps = b.states[static_cast<std::size_t>(state)];
            for (std::int64_t time = 0; time < fanOut.trace().endNs; time += kMs / 3) {
                SCOPED_TRACE("batch " + std::to_string(batch) + " state " + std::to_string(state) + " at " +
                             std::to_string(time));
                ASSERT_EQ(liveSteps.countAt(time), wholeSteps.countAt(time));
                ASSERT_EQ(liveSteps.integralTo(time), wholeSteps.integralTo(time));
            }
        }
    }
}

TEST(CountSteps, TheCursorSearchAgreesWithTheBinarySearchForwardAndBack) {
    CountSteps steps;
    std::int64_t time = 0;
    for (int index = 0; index < 5000; ++index) {
        time += 1 + (index * 7919) % 13; // uneven gaps
        steps.add(time, index % 3 == 0 ? -1 : 1);
    }
    std::size_t cursor = 0;
    for (std::int64_t at = -5; at < time + 20; at += 3) { // left to right, as a lane's columns
        ASSERT_EQ(steps.integralTo(at, cursor), steps.integralTo(at)) << at;
    }
    for (const std::int64_t at : {time / 2, std::int64_t{0}, time, std::int64_t{-1}, time / 3}) { // and back
        ASSERT_EQ(steps.integralTo(at, cursor), steps.integralTo(at)) << at;
    }
    std::size_t fresh = 0;
    EXPECT_EQ(CountSteps().integralTo(10, fresh), 0);
}

TEST(TimelineGroups, ExpandAndCollapseChangeTheRows) {
    const FanOutTrace fanOut(1000);
    const auto data = rebuilt(fanOut.trace());
    TimelineView view;
    view.resize(1200, 600);
    view.show();
    view.setVariants({data}, {QStringLiteral("semaphore")});
    const TimelinePainter& painter = view.painter();
    const TimelineMetrics metrics = painter.metrics();
    const int folded = painter.contentHeight();
    const int groupTop = metrics.header + metrics.lane;
    EXPECT_FALSE(painter.groupExpanded(0, 0));

    view.setGroupExpanded(0, 0, true);
    EXPECT_EQ(painter.contentHeight(), folded + 1000 * metrics.lane);
    EXPECT_EQ(painter.rowCount(0), 1002U);
    const RowHit member = painter.rowAt(groupTop + metrics.group + 5 * metrics.lane + 1);
    EXPECT_EQ(member.kind, RowKind::Lane);
    EXPECT_EQ(member.group, 0);
    EXPECT_EQ(data->lanes(LaneMode::ByTask)[member.lane].name, QStringLiteral("fetch #5"));
    EXPECT_EQ(painter.rowAt(groupTop + 1).kind, RowKind::Group);

    view.setGroupExpanded(0, 0, false);
    EXPECT_EQ(painter.contentHeight(), folded);
    EXPECT_EQ(painter.rowAt(groupTop + metrics.group + 1).kind, RowKind::None);

    // The keys on the hovered group row, then a click on its triangle.
    const QPoint onGroup(metrics.gutter + 200, metrics.axis + groupTop + metrics.group / 2);
    QTest::mouseMove(view.viewport(), onGroup);
    QTest::keyClick(&view, Qt::Key_Right);
    EXPECT_TRUE(painter.groupExpanded(0, 0));
    QTest::keyClick(&view, Qt::Key_Left);
    EXPECT_FALSE(painter.groupExpanded(0, 0));
    QTest::keyClick(&view, Qt::Key_Return);
    EXPECT_TRUE(painter.groupExpanded(0, 0));
    // On a member lane, Left folds its group.
    QTest::mouseMove(view.viewport(), QPoint(metrics.gutter + 200, onGroup.y() + metrics.group));
    QTest::keyClick(&view, Qt::Key_Left);
    EXPECT_FALSE(painter.groupExpanded(0, 0));
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, QPoint(8, onGroup.y()));
    EXPECT_TRUE(painter.groupExpanded(0, 0));
    // Expanded, a click on a member's span selects that task (5 ms: fetch #2 waits for I/O).
    QSignalSpy selected(&view, &TimelineView::taskSelected);
    QTest::mouseClick(
        view.viewport(), Qt::LeftButton, {},
        QPoint(metrics.gutter + 5, onGroup.y() + metrics.group / 2 + 2 * metrics.lane + metrics.lane / 2));
    ASSERT_EQ(selected.count(), 1);
    EXPECT_EQ(selected.at(0).at(1).value<std::uint32_t>(), 3U); // fetch #2 is task 3
    // A click on the group's strip selects the group row, not a task.
    view.setGroupExpanded(0, 0, false);
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, onGroup);
    EXPECT_EQ(view.selection().group, 0);
    EXPECT_EQ(view.selection().task, core::kNoTask);
    // The folding survives new data (a finished run's rebuild replaces the live data).
    view.setGroupExpanded(0, 0, true);
    view.setVariants({rebuilt(fanOut.trace())}, {QStringLiteral("semaphore · done")});
    EXPECT_TRUE(view.painter().groupExpanded(0, 0));
}

TEST(TimelineGroups, GroupsOfMoreThanSixteenStartFolded) {
    {
        const auto data = rebuilt(FanOutTrace(16).trace());
        TimelinePainter painter;
        painter.setVariants({data}, {QStringLiteral("v")});
        EXPECT_TRUE(painter.groupExpanded(0, 0));
        EXPECT_EQ(painter.rowCount(0), 18U); // main, the group row, its 16 members
    }
    {
        const auto data = rebuilt(FanOutTrace(17).trace());
        TimelinePainter painter;
        painter.setVariants({data}, {QStringLiteral("v")});
        EXPECT_FALSE(painter.groupExpanded(0, 0));
        EXPECT_EQ(painter.rowCount(0), 2U);
    }
    // Live: the 17th member folds a group that was expanded by default, not one the user expanded.
    const FanOutTrace fanOut(17);
    const auto& events = fanOut.trace().events;
    const auto seventeenth = std::find_if(events.begin(), events.end(), [](const Event& event) {
        return event.kind == EventKind::TaskCreated && event.value == 16;
    });
    ASSERT_NE(seventeenth, events.end());
    const auto split = static_cast<std::size_t>(seventeenth - events.begin());
    for (const bool userExpanded : {false, true}) {
        auto live = std::make_shared<TimelineData>();
        live->appendLive(fanOut.trace(), std::span<const Event>(events.data(), split));
        TimelineView view;
        view.setVariants({live}, {QStringLiteral("live")});
        ASSERT_EQ(live->groups().front().size, 16U);
        EXPECT_TRUE(view.painter().groupExpanded(0, 0));
        if (userExpanded) {
            view.setGroupExpanded(0, 0, true);
        }
        const int before = view.painter().contentHeight();
        live->appendLive(fanOut.trace(), std::span<const Event>(events.data() + split, events.size() - split));
        view.dataChanged();
        EXPECT_EQ(live->groups().front().size, 17U);
        EXPECT_EQ(view.painter().groupExpanded(0, 0), userExpanded);
        EXPECT_EQ(view.painter().contentHeight(),
                  userExpanded ? before + view.painter().metrics().lane : before - 16 * view.painter().metrics().lane);
    }
}

TEST(TimelineGroups, AVariantCollapsesToItsHeader) {
    const FanOutTrace fanOut(100);
    TimelineView view;
    view.resize(1200, 600);
    view.show();
    view.setVariants({rebuilt(fanOut.trace()), rebuilt(fanOut.trace())}, {QStringLiteral("a"), QStringLiteral("b")});
    const TimelinePainter& painter = view.painter();
    const TimelineMetrics metrics = painter.metrics();
    const int block = metrics.header + metrics.lane + metrics.group;
    ASSERT_EQ(painter.contentHeight(), 2 * block);
    view.setVariantCollapsed(0, true);
    EXPECT_EQ(painter.contentHeight(), metrics.header + block);
    const RowHit second = painter.rowAt(metrics.header + 1);
    EXPECT_EQ(second.variant, 1);
    EXPECT_EQ(second.kind, RowKind::Header);
    // A click on the header row unfolds it again.
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, QPoint(40, metrics.axis + metrics.header / 2));
    EXPECT_FALSE(painter.variantCollapsed(0));
    EXPECT_EQ(painter.contentHeight(), 2 * block);
}

int countNear(const QImage& image, QColor color, QRect area) {
    int count = 0;
    for (int y = area.top(); y <= area.bottom(); ++y) {
        for (int x = area.left(); x <= area.right(); ++x) {
            count += image.pixelColor(x, y) == color ? 1 : 0;
        }
    }
    return count;
}

TEST(TimelineGroups, TheGroupRowDrawsStackedStateCounts) {
    const FanOutTrace fanOut(1000);
    const auto data = rebuilt(fanOut.trace());
    TimelineView view;
    view.setVariants({data}, {QStringLiteral("semaphore")});
    QImage image(1200, 300, QImage::Format_ARGB32_Premultiplied);
    ASSERT_TRUE(view.renderTo(image, image.size()));
    const TimelineMetrics metrics = view.painter().metrics();
    const QRect strip(metrics.gutter, metrics.axis + metrics.header + metrics.lane, image.width() - metrics.gutter,
                      metrics.group);
    const StatePalette palette;
    // Mostly blocked on the semaphore (a falling staircase), with a thin band of the 10 in I/O all along.
    EXPECT_GT(countNear(image, palette.color(TaskState::Blocked), strip), 5000);
    EXPECT_GT(countNear(image, palette.color(TaskState::WaitingIo), strip), 900);
}

TEST(TimelineGroups, FoldedMarksAreHatched) {
    // One lane of 200,000 alternating 1-µs steps: every pixel column is a fold.
    core::Trace trace;
    trace.addLane("event loop", core::LaneKind::Loop);
    trace.events.push_back(Event{0, 0, 0, EventKind::TaskCreated, 0, trace.strings.intern("main"), -1});
    for (int step = 0; step < 200'000; ++step) {
        const TaskState state = step % 2 == 0 ? TaskState::Running : TaskState::Ready;
        trace.events.push_back(
            Event{step * 1000LL, 0, 0, EventKind::TaskState, static_cast<std::uint8_t>(state), 0, 0});
    }
    trace.endNs = 200 * kMs;
    TimelineView view;
    view.setVariants({rebuilt(trace)}, {QStringLiteral("v")});
    QImage image(1000, 200, QImage::Format_ARGB32_Premultiplied);
    ASSERT_TRUE(view.renderTo(image, image.size()));
    const TimelineMetrics metrics = view.painter().metrics();
    const QRect lane(metrics.gutter + 2, metrics.axis + metrics.header + 3, 1000 - metrics.gutter - 4,
                     metrics.lane - 6);
    int light = 0;
    int total = 0;
    for (int y = lane.top(); y <= lane.bottom(); ++y) {
        for (int x = lane.left(); x <= lane.right(); ++x) {
            const QColor pixel = image.pixelColor(x, y);
            light += pixel.lightness() > 200 ? 1 : 0;
            ++total;
        }
    }
    // The hatching's light lines cover about one pixel in six; a plain darker shade would have none.
    EXPECT_GT(light, total / 12);
    EXPECT_LT(light, total / 2);
}

QString svgOf(const FigureRequest& request) {
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    const QString error = exportFigure(request, buffer, FigureFormat::Svg);
    EXPECT_TRUE(error.isEmpty()) << error.toStdString();
    return QString::fromUtf8(buffer.data());
}

TEST(TimelineGroups, AFigureOfTwoThousandLanesShowsGroupsAndDropsNothing) {
    const FanOutTrace unbounded(1000, 1000, 50);
    const FanOutTrace bounded(1000, 10, 50);
    FigureRequest request;
    request.title = QStringLiteral("L6");
    request.variants = {rebuilt(unbounded.trace()), rebuilt(bounded.trace())};
    request.labels = {QStringLiteral("unbounded"), QStringLiteral("semaphore")};
    request.variantNames = {QStringLiteral("unbounded"), QStringLiteral("semaphore")};
    request.view = FigureView::Timeline;
    request.size = QSize(1600, 900);
    QString svg = svgOf(request);
    EXPECT_EQ(svg.count(QStringLiteral("fetch × 1,000")), 2);
    EXPECT_FALSE(svg.contains(QStringLiteral(" of 1001 lanes")));
    EXPECT_FALSE(svg.contains(QStringLiteral("left out")));
    EXPECT_TRUE(svg.contains(QStringLiteral("many short steps")));
    // The view's expansion is carried, but 2,000 expanded lanes cannot fit: the figure folds them back.
    TimelinePainter probe;
    probe.setVariants(request.variants, request.labels);
    TimelineFolding folding;
    folding.setExpanded(probe.groupKey(0, 0), true);
    folding.setExpanded(probe.groupKey(1, 0), true);
    request.folding = folding;
    svg = svgOf(request);
    EXPECT_EQ(svg.count(QStringLiteral("fetch × 1,000")), 2);
    EXPECT_FALSE(svg.contains(QStringLiteral("left out")));
    // A small expanded group that fits stays expanded: its members are named.
    const FanOutTrace small(12, 3, 5);
    request.variants = {rebuilt(small.trace())};
    request.labels = {QStringLiteral("small")};
    request.variantNames = {QStringLiteral("small")};
    request.folding = {};
    svg = svgOf(request);
    EXPECT_TRUE(svg.contains(QStringLiteral("fetch × 12")));
    EXPECT_TRUE(svg.contains(QStringLiteral("fetch #11")));
}

TEST(TimelineGroups, AFigureSaysHowManyLanesItLeftOut) {
    // 600 unrelated tasks (no fan-out: nothing to fold) in a 300-px-high figure: the header says what is missing.
    core::Trace trace;
    trace.addLane("event loop", core::LaneKind::Loop);
    for (std::uint32_t task = 0; task < 600; ++task) {
        const std::uint32_t name = trace.strings.intern("job " + std::to_string(task));
        trace.events.push_back(Event{0, task, 0, EventKind::TaskCreated, 0, name, -1});
        trace.events.push_back(
            Event{0, task, 0, EventKind::TaskState, static_cast<std::uint8_t>(TaskState::Running), 0, 0});
    }
    trace.endNs = 10 * kMs;
    FigureRequest request;
    request.title = QStringLiteral("many");
    request.variants = {rebuilt(trace)};
    request.labels = {QStringLiteral("v")};
    request.variantNames = {QStringLiteral("v")};
    request.view = FigureView::Timeline;
    request.size = QSize(800, 300);
    const QString svg = svgOf(request);
    EXPECT_TRUE(svg.contains(QStringLiteral("lanes left out (no room)"))) << "no note of the lanes left out";
}

} // namespace
} // namespace interleave::ui
