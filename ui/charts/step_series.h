// Turns a counter track into the points of a step-shaped line, downsampled to the pixels it is drawn on.
#pragma once

#include <QList>
#include <QPointF>

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

// Fills `out` (cleared first, capacity kept) with (ms, value) points of the step line through `samples` (sorted by
// time). A counter holds its value until the next sample, so each new sample repeats the previous value at its x.
// Only the window (plus one sample either side) is emitted. When it has more samples than about two per pixel, they
// are folded into buckets of two pixels, each keeping the value it starts from, its min, its max and its last value,
// so peaks stay visible. Returns the largest value emitted (0 when none).
double buildStepSeries(const std::vector<std::pair<std::int64_t, double>>& samples, const StepSeriesWindow& window,
                       QList<QPointF>& out);

} // namespace interleave::ui
