// What the timeline draws for one lane in the visible time window, computed apart from the drawing (Tracy's model):
// binary search for the first visible span, rects for spans at least kMinSpanPx wide, narrower runs folded into one
// mark.
#pragma once

#include "time_mapper.h"
#include "timeline_data.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace interleave::ui {

inline constexpr double kMinSpanPx = 3.0;

struct SpanDrawItem {
    double x0 = 0; // pixel columns, clipped to the mapper's range (plus a pixel each side)
    double x1 = 0;
    core::TaskState state = core::TaskState::Running; // for a fold: the state holding the most time in it
    std::uint32_t count = 1;                          // spans it stands for; > 1 only for folds
    std::size_t firstSpan = 0;                        // index in the lane of the (first) span it stands for
    bool folded = false;
    bool open = false; // a live span drawn up to the data's end
};

struct MarkerDrawItem {
    double x = 0;
    core::MarkerKind kind = core::MarkerKind::Exception;
    std::uint32_t count = 1; // markers on that pixel column
};

// A span's end as drawn: an open (live) span reaches the data's end.
inline std::int64_t drawnEndNs(const TimelineSpan& span, std::int64_t dataEndNs) {
    return span.open ? std::max(span.endNs, dataEndNs) : span.endNs;
}

// Index of the first span whose drawn end is >= startNs (spans sorted by start, not overlapping); size() if none.
std::size_t firstVisibleSpan(const std::vector<TimelineSpan>& spans, std::int64_t startNs, std::int64_t dataEndNs);

// How much work a layout did: every read of a span (binary-search probes included) counts one.
struct LayoutStats {
    std::size_t spansVisited = 0;
};

// Appends the draw items of `lane` in the mapper's visible range to `out` (cleared first). The work is bounded by
// pixels, not spans: O(items · log n), where items <= visible width / kMinSpanPx + wide spans. A fold is found by
// a binary search for the first span reaching past it, and its state is sampled (see timeline_layout.cpp), so the
// thousands of spans under one pixel are never visited one by one.
void layoutSpans(const std::vector<TimelineSpan>& spans, const TimeMapper& mapper, std::int64_t dataEndNs,
                 std::vector<SpanDrawItem>& out, LayoutStats* stats = nullptr);

// Markers in the visible range, one item per pixel column.
void layoutMarkers(const std::vector<TimelineMarker>& markers, const TimeMapper& mapper,
                   std::vector<MarkerDrawItem>& out);

// The span of `spans` under time `ns` (with a tolerance in ns for thin spans); -1 when none.
std::ptrdiff_t spanAt(const std::vector<TimelineSpan>& spans, std::int64_t ns, std::int64_t toleranceNs,
                      std::int64_t dataEndNs);

// The marker of `markers` (sorted by time) nearest to `ns` within `toleranceNs`; -1 when none.
std::ptrdiff_t markerAt(const std::vector<TimelineMarker>& markers, std::int64_t ns, std::int64_t toleranceNs);

// Rows [first, last) of equal height `rowHeight` starting at `top` that intersect [viewTop, viewBottom).
struct RowRange {
    std::size_t first = 0;
    std::size_t last = 0;
};
RowRange visibleRows(std::size_t rowCount, double top, double rowHeight, double viewTop, double viewBottom);

} // namespace interleave::ui
