// Timeline layout: the visible-window binary search, rects for wide spans, folds for narrow ones, row culling.
#include "timeline/timeline_layout.h"

#include <gtest/gtest.h>

namespace interleave::ui {
namespace {

using core::TaskState;

std::vector<TimelineSpan> evenSpans(std::size_t count, std::int64_t lengthNs, std::int64_t gapNs) {
    std::vector<TimelineSpan> spans;
    std::int64_t time = 0;
    for (std::size_t index = 0; index < count; ++index) {
        TimelineSpan span;
        span.startNs = time;
        span.endNs = time + lengthNs;
        span.state = index % 3 == 0 ? TaskState::Blocked : TaskState::Running;
        spans.push_back(span);
        time += lengthNs + gapNs;
    }
    return spans;
}

TEST(TimelineLayout, BinarySearchFindsTheFirstVisibleSpan) {
    const auto spans = evenSpans(1000, 10, 10); // span i covers [20 i, 20 i + 10]
    EXPECT_EQ(firstVisibleSpan(spans, 0, 0), 0U);
    EXPECT_EQ(firstVisibleSpan(spans, 405, 0), 20U); // [400, 410] ends after 405
    EXPECT_EQ(firstVisibleSpan(spans, 412, 0), 21U); // in the gap: the next one
    EXPECT_EQ(firstVisibleSpan(spans, 1'000'000, 0), 1000U);
}

TEST(TimelineLayout, OpenSpansReachTheDataEnd) {
    auto spans = evenSpans(3, 10, 10);
    spans.back().open = true;
    spans.back().endNs = spans.back().startNs;
    EXPECT_EQ(firstVisibleSpan(spans, 500, 1000), 2U);
    EXPECT_EQ(spanAt(spans, 900, 0, 1000), 2);
}

TEST(TimelineLayout, WideSpansAreRects) {
    const auto spans = evenSpans(10, 10'000, 10'000); // 200 µs in 1000 px: each span is 50 px
    const TimeMapper mapper(0, 200'000, 0, 1000);
    std::vector<SpanDrawItem> items;
    layoutSpans(spans, mapper, 200'000, items);
    ASSERT_EQ(items.size(), 10U);
    for (std::size_t index = 0; index < items.size(); ++index) {
        EXPECT_FALSE(items[index].folded);
        EXPECT_EQ(items[index].firstSpan, index);
        EXPECT_NEAR(items[index].x1 - items[index].x0, 50.0, 1e-6);
    }
}

TEST(TimelineLayout, ThousandTinySpansFoldIntoAFewMarks) {
    const auto spans = evenSpans(1000, 1, 1); // 2 µs of 1-ns spans
    const TimeMapper mapper(0, 2000, 0, 100); // 100 px: 20 ns a pixel
    std::vector<SpanDrawItem> items;
    layoutSpans(spans, mapper, 2000, items);
    ASSERT_FALSE(items.empty());
    EXPECT_LE(items.size(), 40U); // at most one mark per kMinSpanPx
    std::uint32_t total = 0;
    for (const SpanDrawItem& item : items) {
        EXPECT_TRUE(item.folded);
        EXPECT_GE(item.x1, item.x0);
        total += item.count;
    }
    EXPECT_EQ(total, 1000U);
    EXPECT_EQ(items.front().state, TaskState::Running); // two of three spans run
}

TEST(TimelineLayout, FoldStopsAtAWideSpanAndAtAGap) {
    std::vector<TimelineSpan> spans = evenSpans(50, 1, 1); // [0, 100) tiny
    TimelineSpan wide;
    wide.startNs = 100;
    wide.endNs = 600;
    spans.push_back(wide);
    TimelineSpan late;
    late.startNs = 900; // far after: a separate item
    late.endNs = 901;
    spans.push_back(late);
    const TimeMapper mapper(0, 1000, 0, 100); // 10 ns a pixel
    std::vector<SpanDrawItem> items;
    layoutSpans(spans, mapper, 1000, items);
    // Folds are at most kMinSpanPx (30 ns) wide: 15 tiny spans each.
    ASSERT_EQ(items.size(), 6U);
    std::uint32_t folded = 0;
    for (std::size_t index = 0; index < 4; ++index) {
        EXPECT_TRUE(items[index].folded);
        EXPECT_LE(items[index].x1 - items[index].x0, kMinSpanPx + 1e-9);
        folded += items[index].count;
    }
    EXPECT_EQ(folded, 50U);
    EXPECT_FALSE(items[4].folded);
    EXPECT_EQ(items[4].firstSpan, 50U);
    EXPECT_EQ(items[5].firstSpan, 51U);
    EXPECT_EQ(items[5].count, 1U);
}

TEST(TimelineLayout, OnlyTheVisibleWindowIsWalked) {
    const auto spans = evenSpans(100'000, 100, 0); // 10 ms of 100-ns spans
    TimeMapper mapper(0, 10'000'000, 0, 1000);
    mapper.setRange(5'000'000, 5'010'000); // 100 spans, 10 px each
    std::vector<SpanDrawItem> items;
    layoutSpans(spans, mapper, 10'000'000, items);
    ASSERT_GE(items.size(), 100U);
    EXPECT_LE(items.size(), 102U);
    EXPECT_EQ(items.front().firstSpan, 49'999U); // ends exactly at the window's start
    for (const SpanDrawItem& item : items) {
        EXPECT_GE(item.x0, -1.0);
        EXPECT_LE(item.x1, 1001.0);
    }
}

TEST(TimelineLayout, ZoomedOutWorkIsBoundedByPixelsNotSpans) {
    // A million back-to-back spans in 1,000 px: a thousand spans under each pixel. Running 3 ns, then ready 1 ns.
    std::vector<TimelineSpan> spans(1'000'000);
    for (std::size_t index = 0; index < spans.size(); ++index) {
        const auto start = static_cast<std::int64_t>(index / 2) * 4 + (index % 2 == 0 ? 0 : 3);
        spans[index] = TimelineSpan{start, start + (index % 2 == 0 ? 3 : 1), 0,
                                    index % 2 == 0 ? TaskState::Running : TaskState::Ready};
    }
    const std::int64_t end = spans.back().endNs;
    const TimeMapper mapper(0, end, 0, 1000);
    std::vector<SpanDrawItem> items;
    LayoutStats stats;
    layoutSpans(spans, mapper, end, items, &stats);
    ASSERT_FALSE(items.empty());
    EXPECT_LE(items.size(), 1000U / 3 + 2);
    std::uint64_t total = 0;
    for (const SpanDrawItem& item : items) {
        EXPECT_TRUE(item.folded);
        EXPECT_EQ(item.state, TaskState::Running) << "running holds 3/4 of every fold's time";
        total += item.count;
    }
    EXPECT_EQ(total, spans.size()); // every span is accounted for, none visited one by one
    // O(pixels · log n): a couple of hundred reads per fold, against 1,000,000 spans.
    EXPECT_LT(stats.spansVisited, 100'000U);

    // The same lane at a tenth of the width costs about a tenth: the work follows the pixels.
    const TimeMapper narrow(0, end, 0, 100);
    LayoutStats narrowStats;
    layoutSpans(spans, narrow, end, items, &narrowStats);
    EXPECT_LT(narrowStats.spansVisited * 5, stats.spansVisited);

    // Between the two regimes (100 spans a pixel) the spans are still skipped rather than walked.
    const std::vector<TimelineSpan> medium(spans.begin(), spans.begin() + 100'000);
    const TimeMapper mediumMapper(0, medium.back().endNs, 0, 1000);
    LayoutStats mediumStats;
    layoutSpans(medium, mediumMapper, medium.back().endNs, items, &mediumStats);
    EXPECT_LT(mediumStats.spansVisited, medium.size() * 3 / 4);
}

TEST(TimelineLayout, MarkersShareAPixelColumn) {
    std::vector<TimelineMarker> markers;
    for (std::int64_t ns = 0; ns < 100; ns += 2) {
        markers.push_back(TimelineMarker{ns, core::MarkerKind::Retry, 0});
    }
    const TimeMapper mapper(0, 1000, 0, 100);
    std::vector<MarkerDrawItem> items;
    layoutMarkers(markers, mapper, items);
    ASSERT_EQ(items.size(), 10U);
    EXPECT_EQ(items.front().count, 5U);
}

TEST(TimelineLayout, RowsOutsideTheViewportAreSkipped) {
    const RowRange rows = visibleRows(1000, 100, 20, 500, 700);
    EXPECT_EQ(rows.first, 20U);
    EXPECT_EQ(rows.last, 30U);
    EXPECT_EQ(visibleRows(10, 1000, 20, 0, 500).last, 0U);
}

} // namespace
} // namespace interleave::ui
