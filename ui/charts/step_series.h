// Turns a counter track into the points of a line (step-shaped, or straight for a linear track), downsampled to the
// pixels it is drawn on, in O(pixels · log n) with a MinMaxIndex whatever the number of samples.
#pragma once

#include <QList>
#include <QPointF>

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace interleave::ui {

using CounterSamples = std::vector<std::pair<std::int64_t, double>>; // (ns, value), sorted by time

struct StepSeriesWindow {
    std::int64_t startNs = 0; // the visible time range
    std::int64_t endNs = 0;
    std::int64_t holdUntilNs = 0; // the last value is held up to here (the run's end, or now while live)
    int pixels = 0;               // width the range is drawn on; 0 = do not downsample
};

struct ValueRange {
    double min = 0;
    double max = 0;
};

// Min and max of any run of a growing sample vector in O(kFanout · log n): blocks of 16, 256, 4096… samples each keep
// their min and max. Append-only and incremental: sync() indexes only the samples added since the last call (it
// starts over if the samples were replaced, e.g. by a rebuild of the timeline at the end of a run).
class MinMaxIndex {
public:
    static constexpr std::size_t kFanout = 16;

    void sync(const CounterSamples& samples);
    void clear();
    std::size_t size() const { return m_count; } // samples indexed
    // Min and max of samples [begin, end) (end <= size(), begin < end); `samples` is what sync() was given.
    ValueRange range(const CounterSamples& samples, std::size_t begin, std::size_t end) const;

private:
    std::vector<std::vector<ValueRange>> m_levels; // m_levels[k]: one entry per complete block of kFanout^(k+1)
    std::size_t m_count = 0;
    std::pair<std::int64_t, double> m_last{}; // the last sample indexed, to notice replaced samples
};

// Fills `out` (cleared first, capacity kept) with (ms, value) points of the step line through `samples`. A counter
// holds its value until the next sample, so each new sample repeats the previous value at its x. Only the window
// (plus one sample either side) is emitted. When it has more samples than about two per pixel, they are folded into
// buckets of two pixels, each keeping the value it starts from, its min, its max and its last value, so peaks stay
// visible; with `index` (synced to `samples`) each bucket costs O(log n), without it O(samples in the bucket).
// Returns the largest value emitted (0 when none).
double buildStepSeries(const CounterSamples& samples, const StepSeriesWindow& window, QList<QPointF>& out,
                       const MinMaxIndex* index = nullptr);

// The same for a linear track (CounterTrack::linear): straight lines between the samples, and when downsampled one
// vertical stroke per bucket through its min and max, from its first value to its last.
double buildLinearSeries(const CounterSamples& samples, const StepSeriesWindow& window, QList<QPointF>& out,
                         const MinMaxIndex* index = nullptr);

} // namespace interleave::ui
