// TimeMapper: ns <-> x round trips, zoom around the cursor, pan and the clamps.
#include "timeline/time_mapper.h"

#include <gtest/gtest.h>

#include <set>

namespace interleave::ui {
namespace {

constexpr std::int64_t kMs = 1'000'000;

TEST(TimeMapper, MapsTheRangeEndsToThePixelEnds) {
    const TimeMapper mapper(0, 100 * kMs, 180, 1180);
    EXPECT_DOUBLE_EQ(mapper.mapTimeToX(0), 180.0);
    EXPECT_DOUBLE_EQ(mapper.mapTimeToX(100 * kMs), 1180.0);
    EXPECT_DOUBLE_EQ(mapper.mapTimeToX(50 * kMs), 680.0);
    EXPECT_EQ(mapper.mapXToTime(680), 50 * kMs);
}

TEST(TimeMapper, RoundTripsWithinOnePixel) {
    TimeMapper mapper(0, 200 * kMs, 0, 1000);
    mapper.setRange(13 * kMs, 57 * kMs);
    for (std::int64_t ns = 13 * kMs; ns <= 57 * kMs; ns += 777'777) {
        const double x = mapper.mapTimeToX(ns);
        EXPECT_NEAR(static_cast<double>(mapper.mapXToTime(x)), static_cast<double>(ns), 1.0);
    }
    for (double x = 0; x <= 1000; x += 37.5) {
        EXPECT_NEAR(mapper.mapTimeToX(mapper.mapXToTime(x)), x, 1e-3);
    }
}

TEST(TimeMapper, ZoomKeepsTheTimeUnderTheCursor) {
    TimeMapper mapper(0, 100 * kMs, 0, 1000);
    const std::int64_t before = mapper.mapXToTime(250);
    mapper.zoomAround(250, 4.0);
    EXPECT_NEAR(static_cast<double>(mapper.visibleNs()), 25.0 * kMs, 2.0);
    EXPECT_NEAR(static_cast<double>(mapper.mapXToTime(250)), static_cast<double>(before), 1e5);
    mapper.zoomAround(250, 0.25);
    EXPECT_NEAR(static_cast<double>(mapper.visibleNs()), 100.0 * kMs, 2.0);
}

TEST(TimeMapper, ZoomInStopsAtOneMicrosecond) {
    TimeMapper mapper(0, 100 * kMs, 0, 1000);
    for (int step = 0; step < 100; ++step) {
        mapper.zoomAround(500, 10.0);
    }
    EXPECT_EQ(mapper.visibleNs(), TimeMapper::kMinVisibleNs);
    EXPECT_NEAR(static_cast<double>(mapper.startNs()), 50.0 * kMs, 1e3);
}

TEST(TimeMapper, ZoomOutStopsAtTheDataPlusAMargin) {
    TimeMapper mapper(0, 100 * kMs, 0, 1000);
    for (int step = 0; step < 100; ++step) {
        mapper.zoomAround(100, 0.1);
    }
    EXPECT_GE(mapper.startNs(), -10 * kMs);
    EXPECT_LE(mapper.endNs(), 110 * kMs);
    EXPECT_GE(mapper.visibleNs(), 100 * kMs);
    EXPECT_LE(mapper.visibleNs(), 120 * kMs);
}

TEST(TimeMapper, PanMovesByPixelsAndStopsAtTheMargin) {
    TimeMapper mapper(0, 100 * kMs, 0, 1000);
    mapper.setRange(40 * kMs, 50 * kMs);
    mapper.panByPixels(-100); // drag left: later times come in
    EXPECT_EQ(mapper.startNs(), 41 * kMs);
    EXPECT_EQ(mapper.endNs(), 51 * kMs);
    mapper.panByPixels(1e9);
    EXPECT_EQ(mapper.visibleNs(), 10 * kMs);
    EXPECT_GE(mapper.startNs(), -5 * kMs - 1);
    EXPECT_LT(mapper.startNs(), 0);
}

TEST(TimeMapper, FitShowsTheWholeData) {
    TimeMapper mapper(0, 10 * kMs, 0, 500);
    mapper.setDataEnd(300 * kMs);
    mapper.zoomAround(10, 8);
    mapper.fit();
    EXPECT_EQ(mapper.startNs(), 0);
    EXPECT_EQ(mapper.endNs(), 300 * kMs);
}

} // namespace
} // namespace interleave::ui

namespace interleave::ui {
namespace {

TEST(TimeMapper, ALiveFitLeavesRoomAndChangesScaleOnlyAtRoundEnds) {
    TimeMapper mapper(0, 1'000'000, 100, 1100);
    std::set<std::int64_t> ends;
    for (std::int64_t dataEnd = 1'000'000; dataEnd <= 100'000'000; dataEnd += 100'000) { // 1 ms to 100 ms, live
        mapper.setDataEnd(dataEnd);
        mapper.fitAhead();
        EXPECT_EQ(mapper.startNs(), 0);
        EXPECT_GT(mapper.endNs(), dataEnd);             // the newest data is inside the view
        EXPECT_LE(mapper.endNs(), dataEnd * 4 / 3 + 1); // and fills at least three quarters of it
        ends.insert(mapper.endNs());
    }
    EXPECT_LE(ends.size(), 22U); // about ten scales a decade, not one per frame (991 frames here)
    EXPECT_TRUE(ends.contains(1'250'000));
    EXPECT_TRUE(ends.contains(50'000'000));
    mapper.fit(); // once the run is over: the data exactly
    EXPECT_EQ(mapper.endNs(), 100'000'000);
}

} // namespace
} // namespace interleave::ui
