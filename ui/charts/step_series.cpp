// buildStepSeries / buildLinearSeries: binary search for the window, then either every sample or per-bucket extremes
// (a binary search and a MinMaxIndex query per bucket).
#include "charts/step_series.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace interleave::ui {

namespace {

constexpr double kNsPerMs = 1e6;
constexpr int kPixelsPerBucket = 2;

double toMs(std::int64_t ns) {
    return static_cast<double>(ns) / kNsPerMs;
}

using Sample = std::pair<std::int64_t, double>;

// One bucket of samples [begin, end): its first and last sample and its extremes.
struct Bucket {
    std::size_t begin = 0;
    std::size_t end = 0;
    ValueRange range;
};

// The samples the window needs (one before it, one after it) and how to fold them.
struct WindowSpan {
    std::size_t first = 0; // index of the first sample emitted
    std::size_t last = 0;  // one past the last
    bool downsample = false;
};

WindowSpan windowSpan(const CounterSamples& samples, const StepSeriesWindow& window) {
    auto byTime = [](const Sample& sample, std::int64_t ns) { return sample.first < ns; };
    auto first = std::lower_bound(samples.begin(), samples.end(), window.startNs, byTime);
    if (first != samples.begin()) {
        --first;
    }
    auto last = std::lower_bound(first, samples.end(), window.endNs, byTime);
    if (last != samples.end()) {
        ++last;
    }
    WindowSpan span;
    span.first = static_cast<std::size_t>(first - samples.begin());
    span.last = static_cast<std::size_t>(last - samples.begin());
    const std::int64_t width = window.endNs - window.startNs;
    span.downsample =
        window.pixels > 0 && width > 0 && span.last - span.first > static_cast<std::size_t>(window.pixels) * 2;
    return span;
}

// Collects a series' points and their peak.
struct PointWriter {
    QList<QPointF>& out;
    double peak = 0;
    void add(double x, double value) {
        out.append(QPointF(x, value));
        peak = std::max(peak, value);
    }
};

// A counter holds its last value to the end of the run (or now, while it is live).
void holdToEnd(const CounterSamples& samples, const WindowSpan& span, const StepSeriesWindow& window,
               PointWriter& writer) {
    const auto& lastSample = samples[span.last - 1];
    if (span.last == samples.size() && window.holdUntilNs > lastSample.first) {
        writer.add(toMs(window.holdUntilNs), lastSample.second);
    }
}

// Calls visit(bucket) for each non-empty two-pixel bucket of samples (from, to), in order: O(buckets · log n) with
// an index. A sample's bucket is floor((t - start) / bucketNs), so the one after the window gets a bucket of its own.
template <typename Visit>
void forEachBucket(const CounterSamples& samples, const StepSeriesWindow& window, std::size_t from, std::size_t to,
                   const MinMaxIndex* index, Visit&& visit) {
    const int buckets = std::max(1, window.pixels / kPixelsPerBucket);
    const double bucketNs = static_cast<double>(window.endNs - window.startNs) / buckets;
    auto bucketOf = [&](std::int64_t ns) {
        return static_cast<long long>(std::floor(static_cast<double>(ns - window.startNs) / bucketNs));
    };
    const bool indexed = index != nullptr && index->size() >= to;
    std::size_t begin = from;
    while (begin < to) {
        const long long bucket = bucketOf(samples[begin].first);
        const auto end = static_cast<std::size_t>(
            std::partition_point(samples.begin() + static_cast<std::ptrdiff_t>(begin) + 1,
                                 samples.begin() + static_cast<std::ptrdiff_t>(to),
                                 [&](const Sample& sample) { return bucketOf(sample.first) <= bucket; }) -
            samples.begin());
        Bucket folded{begin, end, indexed ? index->range(samples, begin, end) : scanRange(samples, begin, end)};
        visit(folded);
        begin = end;
    }
}

} // namespace

double buildStepSeries(const CounterSamples& samples, const StepSeriesWindow& window, QList<QPointF>& out,
                       const MinMaxIndex* index) {
    out.clear();
    if (samples.empty()) {
        return 0;
    }
    const WindowSpan span = windowSpan(samples, window);
    PointWriter writer{out};

    if (!span.downsample) {
        out.reserve(static_cast<qsizetype>((span.last - span.first) * 2 + 1));
        for (std::size_t i = span.first; i < span.last; ++i) {
            if (i != span.first) {
                writer.add(toMs(samples[i].first), samples[i - 1].second);
            }
            writer.add(toMs(samples[i].first), samples[i].second);
        }
    } else {
        out.reserve(static_cast<qsizetype>(window.pixels / kPixelsPerBucket) * 4 + 8);
        double held = samples[span.first].second;
        writer.add(toMs(samples[span.first].first), held);
        forEachBucket(samples, window, span.first + 1, span.last, index, [&](const Bucket& bucket) {
            // All at one x: the vertical stroke covers everything the bucket went through and ends at its last value.
            const double x = toMs(samples[bucket.begin].first);
            const double lastValue = samples[bucket.end - 1].second;
            double previous = held;
            writer.add(x, held);
            for (double value : {bucket.range.min, bucket.range.max, lastValue}) {
                if (value != previous) {
                    writer.add(x, value);
                    previous = value;
                }
            }
            held = lastValue;
        });
    }
    holdToEnd(samples, span, window, writer);
    return writer.peak;
}

double buildLinearSeries(const CounterSamples& samples, const StepSeriesWindow& window, QList<QPointF>& out,
                         const MinMaxIndex* index) {
    out.clear();
    if (samples.empty()) {
        return 0;
    }
    const WindowSpan span = windowSpan(samples, window);
    PointWriter writer{out};
    if (!span.downsample) {
        out.reserve(static_cast<qsizetype>(span.last - span.first + 1));
        for (std::size_t i = span.first; i < span.last; ++i) {
            writer.add(toMs(samples[i].first), samples[i].second);
        }
    } else {
        out.reserve(static_cast<qsizetype>(window.pixels / kPixelsPerBucket) * 4 + 8);
        writer.add(toMs(samples[span.first].first), samples[span.first].second);
        forEachBucket(samples, window, span.first + 1, span.last, index, [&](const Bucket& bucket) {
            // The line comes in to the bucket's first value, strokes through its extremes, and leaves from its last.
            const double x = toMs(samples[bucket.begin].first);
            const double firstValue = samples[bucket.begin].second;
            const double lastValue = samples[bucket.end - 1].second;
            writer.add(x, firstValue);
            if (bucket.end - bucket.begin > 1) {
                writer.add(x, bucket.range.max);
                writer.add(x, bucket.range.min);
                writer.add(toMs(samples[bucket.end - 1].first), lastValue);
            }
        });
    }
    holdToEnd(samples, span, window, writer);
    return writer.peak;
}

} // namespace interleave::ui
