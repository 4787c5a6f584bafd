// Turns a counter track into the points of a line (step-shaped, or straight for a linear track), downsampled to the
// pixels it is drawn on, in O(pixels · log n) with a MinMaxIndex whatever the number of samples.
#pragma once

#include "timeline/min_max_index.h"

#include <QList>
#include <QPointF>

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace interleave::ui {

struct StepSeriesWindow {
    std::int64_t startNs = 0; // the visible time range
    std::int64_t endNs = 0;
    std::int64_t holdUntilNs = 0; // the last value is held up to here (the run's end, or now while live)
    int pixels = 0;               // width the range is drawn on; 0 = do not downsample
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
