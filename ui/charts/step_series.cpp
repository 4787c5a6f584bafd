// buildStepSeries: binary search for the window, then either every step or per-bucket extremes.
#include "charts/step_series.h"

#include <algorithm>
#include <cmath>

namespace interleave::ui {

namespace {

constexpr double kNsPerMs = 1e6;
constexpr int kPixelsPerBucket = 2;

double toMs(std::int64_t ns) {
    return static_cast<double>(ns) / kNsPerMs;
}

} // namespace

double buildStepSeries(const std::vector<std::pair<std::int64_t, double>>& samples, const StepSeriesWindow& window,
                       QList<QPointF>& out) {
    out.clear();
    if (samples.empty()) {
        return 0;
    }
    using Sample = std::pair<std::int64_t, double>;
    auto byTime = [](const Sample& sample, std::int64_t ns) { return sample.first < ns; };
    // One sample before the window gives the value the line enters with; one after lets it leave the window.
    auto first = std::lower_bound(samples.begin(), samples.end(), window.startNs, byTime);
    if (first != samples.begin()) {
        --first;
    }
    auto last = std::lower_bound(first, samples.end(), window.endNs, byTime);
    if (last != samples.end()) {
        ++last;
    }
    const auto count = static_cast<std::size_t>(last - first);
    double peak = 0;
    auto add = [&](double x, double value) {
        out.append(QPointF(x, value));
        peak = std::max(peak, value);
    };

    const std::int64_t span = window.endNs - window.startNs;
    const bool downsample = window.pixels > 0 && span > 0 && count > static_cast<std::size_t>(window.pixels) * 2;
    if (!downsample) {
        out.reserve(static_cast<qsizetype>(count * 2 + 1));
        for (auto it = first; it != last; ++it) {
            if (it != first) {
                add(toMs(it->first), std::prev(it)->second);
            }
            add(toMs(it->first), it->second);
        }
    } else {
        const int buckets = std::max(1, window.pixels / kPixelsPerBucket);
        const double bucketNs = static_cast<double>(span) / buckets;
        out.reserve(static_cast<qsizetype>(buckets) * 4 + 4);
        auto bucketOf = [&](std::int64_t ns) {
            return static_cast<long long>(std::floor(static_cast<double>(ns - window.startNs) / bucketNs));
        };
        double held = first->second;
        add(toMs(first->first), held);
        auto it = std::next(first);
        while (it != last) {
            const long long bucket = bucketOf(it->first);
            double minimum = it->second;
            double maximum = it->second;
            double lastValue = it->second;
            const std::int64_t bucketStart = it->first;
            for (++it; it != last && bucketOf(it->first) == bucket; ++it) {
                minimum = std::min(minimum, it->second);
                maximum = std::max(maximum, it->second);
                lastValue = it->second;
            }
            // All at one x: the vertical stroke covers everything the bucket went through and ends at its last value.
            const double x = toMs(bucketStart);
            double previous = held;
            add(x, held);
            for (double value : {minimum, maximum, lastValue}) {
                if (value != previous) {
                    add(x, value);
                    previous = value;
                }
            }
            held = lastValue;
        }
    }
    // Hold the last value to the end of the run (or now, while it is live).
    const std::int64_t lastNs = std::prev(last)->first;
    if (last == samples.end() && window.holdUntilNs > lastNs) {
        add(toMs(window.holdUntilNs), std::prev(last)->second);
    }
    return peak;
}

} // namespace interleave::ui
