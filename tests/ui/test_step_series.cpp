// Tests of the counter series' downsampling with a min/max index: O(pixels) points, the same result as a scan of every
// sample, and the right min and max in every bucket, at a million samples.
#include "charts/step_series.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

namespace interleave::ui {
namespace {

constexpr std::int64_t kMs = 1'000'000;

CounterSamples randomWalk(std::size_t count, std::uint32_t seed) {
    std::mt19937 random(seed);
    std::uniform_int_distribution<int> step(-3, 3);
    std::uniform_int_distribution<std::int64_t> gap(1, 2000);
    CounterSamples samples;
    samples.reserve(count);
    std::int64_t time = 0;
    double value = 100;
    for (std::size_t i = 0; i < count; ++i) {
        time += gap(random);
        value = std::max(0.0, value + step(random));
        samples.emplace_back(time, value);
    }
    return samples;
}

TEST(MinMaxIndex, AnswersEveryRangeLikeAScanAndGrowsIncrementally) {
    const CounterSamples all = randomWalk(70'000, 7);
    CounterSamples growing;
    MinMaxIndex index;
    std::mt19937 random(11);
    for (std::size_t end = 0; end < all.size();) {
        const std::size_t next = std::min(all.size(), end + 1 + random() % 5000); // frames of a live run
        growing.insert(growing.end(), all.begin() + static_cast<std::ptrdiff_t>(end),
                       all.begin() + static_cast<std::ptrdiff_t>(next));
        end = next;
        index.sync(growing);
        ASSERT_EQ(index.size(), growing.size());
        for (int query = 0; query < 50; ++query) {
            const std::size_t a = random() % growing.size();
            const std::size_t b = random() % growing.size();
            const std::size_t begin = std::min(a, b);
            const std::size_t stop = std::max(a, b) + 1;
            double low = growing[begin].second;
            double high = low;
            for (std::size_t i = begin; i < stop; ++i) {
                low = std::min(low, growing[i].second);
                high = std::max(high, growing[i].second);
            }
            const ValueRange range = index.range(growing, begin, stop);
            ASSERT_EQ(range.min, low) << begin << ".." << stop;
            ASSERT_EQ(range.max, high) << begin << ".." << stop;
        }
    }
    // Replaced samples (a rebuild at the end of a run) start the index over.
    CounterSamples rebuilt = all;
    rebuilt.resize(1000);
    rebuilt.back().second = 12345;
    index.sync(rebuilt);
    EXPECT_EQ(index.size(), 1000u);
    EXPECT_EQ(index.range(rebuilt, 0, 1000).max, std::max(12345.0, index.range(rebuilt, 0, 999).max));
}

TEST(StepSeries, AMillionSamplesGiveOPixelsPointsWithEachBucketsMinAndMax) {
    CounterSamples samples = randomWalk(1'000'000, 3);
    samples[654'321].second = 5000; // one narrow spike
    samples[123'456].second = 0;    // and one dip
    MinMaxIndex index;
    index.sync(samples);
    StepSeriesWindow window;
    window.startNs = 0;
    window.endNs = samples.back().first + 1;
    window.holdUntilNs = window.endNs;
    window.pixels = 1000;
    QList<QPointF> points;
    const double peak = buildStepSeries(samples, window, points, &index);
    EXPECT_EQ(peak, 5000);
    EXPECT_LE(points.size(), 4 * (window.pixels / 2) + 8); // O(pixels), not O(samples)

    // The index changes the cost, not the result: the same points as folding every sample.
    QList<QPointF> scanned;
    buildStepSeries(samples, window, scanned, nullptr);
    EXPECT_EQ(points, scanned);

    // Brute force per bucket: every bucket's min, max and last value are drawn at its first sample's x.
    const double bucketNs = static_cast<double>(window.endNs - window.startNs) / (window.pixels / 2);
    std::map<long long, std::tuple<double, double, double, double>> buckets; // x, min, max, last
    for (std::size_t i = 1; i < samples.size(); ++i) {
        const auto bucket = static_cast<long long>(std::floor(static_cast<double>(samples[i].first) / bucketNs));
        auto [it, inserted] = buckets.try_emplace(bucket, static_cast<double>(samples[i].first) / 1e6,
                                                  samples[i].second, samples[i].second, samples[i].second);
        auto& [x, low, high, last] = it->second;
        low = std::min(low, samples[i].second);
        high = std::max(high, samples[i].second);
        last = samples[i].second;
    }
    std::map<double, std::vector<double>> drawn; // x -> values drawn there, in order
    for (const QPointF& point : points) {
        drawn[point.x()].push_back(point.y());
    }
    for (const auto& [bucket, expected] : buckets) {
        const auto& [x, low, high, last] = expected;
        const auto it = drawn.find(x);
        ASSERT_NE(it, drawn.end()) << "bucket " << bucket;
        const std::vector<double>& values = it->second;
        EXPECT_EQ(*std::min_element(values.begin(), values.end()), std::min(low, values.front())) << bucket;
        EXPECT_TRUE(std::find(values.begin(), values.end(), low) != values.end()) << bucket;
        EXPECT_TRUE(std::find(values.begin(), values.end(), high) != values.end()) << bucket;
        EXPECT_EQ(values.back(), last) << bucket;
    }
}

TEST(StepSeries, ALinearTrackIsDrawnWithStraightLinesDownsampledLikeAScan) {
    // A loop-lag sawtooth: (t - L, 0) -> (t, L) -> (t, 0).
    CounterSamples samples;
    for (std::int64_t beat = 1; beat <= 200'000; ++beat) {
        const std::int64_t t = beat * 10 * kMs;
        const double lag = beat % 1000 == 0 ? 400 : 0.1;
        samples.emplace_back(t - static_cast<std::int64_t>(lag * 1e6), 0);
        samples.emplace_back(t, lag);
        samples.emplace_back(t, 0);
    }
    QList<QPointF> points;
    StepSeriesWindow few{0, 40 * kMs, 40 * kMs, 1000};
    buildLinearSeries(samples, few, points);
    // Few samples: each one as it is, no step corners.
    ASSERT_GE(points.size(), 6);
    EXPECT_EQ(points[0], QPointF(9.9, 0));
    EXPECT_EQ(points[1], QPointF(10, 0.1));
    EXPECT_EQ(points[2], QPointF(10, 0));
    EXPECT_EQ(points[3], QPointF(19.9, 0));

    MinMaxIndex index;
    index.sync(samples);
    StepSeriesWindow all{0, samples.back().first, samples.back().first, 800};
    QList<QPointF> indexed;
    const double peak = buildLinearSeries(samples, all, indexed, &index);
    EXPECT_EQ(peak, 400);
    EXPECT_LE(indexed.size(), 4 * 400 + 8);
    QList<QPointF> scanned;
    buildLinearSeries(samples, all, scanned, nullptr);
    EXPECT_EQ(indexed, scanned);
}

} // namespace
} // namespace interleave::ui
