// Timeline layout: visible-window search, span rects and folds, marker marks, row culling. No painting here.
#include "timeline_layout.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace interleave::ui {

namespace {

constexpr std::size_t kExactDominantLimit = 256; // folds over more spans sample the dominant state
constexpr std::size_t kDominantSamples = 64;

core::TaskState dominantState(const std::vector<TimelineSpan>& spans, std::size_t first, std::size_t last,
                              std::int64_t dataEndNs) {
    std::array<std::int64_t, core::kTaskStateCount> time{};
    const std::size_t count = last - first;
    auto add = [&](const TimelineSpan& span) {
        // +1: zero-length spans still count.
        time[static_cast<std::size_t>(span.state)] += drawnEndNs(span, dataEndNs) - span.startNs + 1;
    };
    if (count <= kExactDominantLimit) {
        for (std::size_t index = first; index < last; ++index) {
            add(spans[index]);
        }
    } else {
        // Scattered samples (a multiplicative hash): a fixed stride would alias with periodic state patterns.
        for (std::size_t sample = 0; sample < kDominantSamples; ++sample) {
            add(spans[first + (sample * 2654435761U) % count]);
        }
    }
    const auto best = std::max_element(time.begin(), time.end());
    return static_cast<core::TaskState>(best - time.begin());
}

// The first index >= from whose drawn end is > limit: an exponential then binary search, O(log distance), since
// a fold usually ends a few spans later.
std::size_t gallopPastEnd(const std::vector<TimelineSpan>& spans, std::size_t from, std::int64_t limit,
                          std::int64_t dataEndNs) {
    std::size_t low = from;
    std::size_t step = 1;
    while (low < spans.size() && drawnEndNs(spans[low], dataEndNs) <= limit) {
        const std::size_t probe = std::min(low + step, spans.size());
        if (probe == spans.size() || drawnEndNs(spans[probe], dataEndNs) > limit) {
            const auto found = std::partition_point(
                spans.begin() + static_cast<std::ptrdiff_t>(low), spans.begin() + static_cast<std::ptrdiff_t>(probe),
                [&](const TimelineSpan& span) { return drawnEndNs(span, dataEndNs) <= limit; });
            return static_cast<std::size_t>(found - spans.begin());
        }
        low = probe;
        step *= 2;
    }
    return low;
}

} // namespace

std::size_t firstVisibleSpan(const std::vector<TimelineSpan>& spans, std::int64_t startNs, std::int64_t dataEndNs) {
    auto found = std::partition_point(spans.begin(), spans.end(),
                                      [&](const TimelineSpan& span) { return drawnEndNs(span, dataEndNs) < startNs; });
    // Lanes may overlap by a few µs (a state change published late): step back over such neighbours.
    std::size_t index = static_cast<std::size_t>(found - spans.begin());
    for (int step = 0; step < 8 && index > 0 && drawnEndNs(spans[index - 1], dataEndNs) >= startNs; ++step) {
        --index;
    }
    return index;
}

void layoutSpans(const std::vector<TimelineSpan>& spans, const TimeMapper& mapper, std::int64_t dataEndNs,
                 std::vector<SpanDrawItem>& out) {
    out.clear();
    const double left = mapper.left() - 1.0;
    const double right = mapper.right() + 1.0;
    const double nsPerPixel = mapper.nsPerPixel();
    const auto minSpanNs = static_cast<std::int64_t>(std::ceil(kMinSpanPx * nsPerPixel));
    const std::int64_t visibleEnd = mapper.endNs();
    auto clampX = [&](double x) { return std::clamp(x, left, right); };

    std::size_t index = firstVisibleSpan(spans, mapper.startNs(), dataEndNs);
    while (index < spans.size() && spans[index].startNs <= visibleEnd) {
        const TimelineSpan& span = spans[index];
        const std::int64_t end = drawnEndNs(span, dataEndNs);
        if (end - span.startNs >= minSpanNs) {
            out.push_back(SpanDrawItem{clampX(mapper.mapTimeToX(span.startNs)), clampX(mapper.mapTimeToX(end)),
                                       span.state, 1, index, false, span.open});
            ++index;
            continue;
        }
        // A fold: the narrow span and every span ending within kMinSpanPx of its start, found by a binary search.
        // Folds are at most ~kMinSpanPx wide, so a zoomed-out lane reads as a strip of dominant states over time at
        // O(pixels · log n) cost, not O(spans).
        const std::size_t first = index;
        const std::int64_t limit = span.startNs + minSpanNs;
        const std::size_t next = gallopPastEnd(spans, index + 1, limit, dataEndNs);
        const std::int64_t foldEnd = std::max(end, drawnEndNs(spans[next - 1], dataEndNs));
        const std::size_t count = next - first;
        SpanDrawItem item{clampX(mapper.mapTimeToX(span.startNs)),
                          clampX(mapper.mapTimeToX(foldEnd)),
                          span.state,
                          static_cast<std::uint32_t>(count),
                          first,
                          count > 1,
                          spans[next - 1].open};
        if (count > 1) {
            item.state = dominantState(spans, first, next, dataEndNs);
        }
        out.push_back(item);
        index = next;
    }
}

void layoutMarkers(const std::vector<TimelineMarker>& markers, const TimeMapper& mapper,
                   std::vector<MarkerDrawItem>& out) {
    out.clear();
    auto first = std::partition_point(markers.begin(), markers.end(),
                                      [&](const TimelineMarker& marker) { return marker.timeNs < mapper.startNs(); });
    for (auto it = first; it != markers.end() && it->timeNs <= mapper.endNs(); ++it) {
        const double x = std::floor(mapper.mapTimeToX(it->timeNs));
        if (!out.empty() && out.back().x == x) {
            ++out.back().count;
            continue;
        }
        out.push_back(MarkerDrawItem{x, it->kind, 1});
    }
}

std::ptrdiff_t spanAt(const std::vector<TimelineSpan>& spans, std::int64_t ns, std::int64_t toleranceNs,
                      std::int64_t dataEndNs) {
    std::size_t index = firstVisibleSpan(spans, ns - toleranceNs, dataEndNs);
    std::ptrdiff_t best = -1;
    std::int64_t bestDistance = toleranceNs + 1;
    for (; index < spans.size() && spans[index].startNs <= ns + toleranceNs; ++index) {
        const TimelineSpan& span = spans[index];
        const std::int64_t end = drawnEndNs(span, dataEndNs);
        const std::int64_t distance = ns < span.startNs ? span.startNs - ns : (ns > end ? ns - end : 0);
        if (distance < bestDistance) {
            bestDistance = distance;
            best = static_cast<std::ptrdiff_t>(index);
            if (distance == 0) {
                break;
            }
        }
    }
    return best;
}

std::ptrdiff_t markerAt(const std::vector<TimelineMarker>& markers, std::int64_t ns, std::int64_t toleranceNs) {
    auto it = std::partition_point(markers.begin(), markers.end(),
                                   [&](const TimelineMarker& marker) { return marker.timeNs < ns - toleranceNs; });
    std::ptrdiff_t best = -1;
    std::int64_t bestDistance = toleranceNs + 1;
    for (; it != markers.end() && it->timeNs <= ns + toleranceNs; ++it) {
        const std::int64_t distance = it->timeNs < ns ? ns - it->timeNs : it->timeNs - ns;
        if (distance < bestDistance) {
            bestDistance = distance;
            best = it - markers.begin();
        }
    }
    return best;
}

RowRange visibleRows(std::size_t rowCount, double top, double rowHeight, double viewTop, double viewBottom) {
    if (rowCount == 0 || rowHeight <= 0) {
        return {};
    }
    const double firstRow = std::floor((viewTop - top) / rowHeight);
    const double lastRow = std::ceil((viewBottom - top) / rowHeight);
    const auto clampRow = [&](double row) {
        return static_cast<std::size_t>(std::clamp(row, 0.0, static_cast<double>(rowCount)));
    };
    return RowRange{clampRow(firstRow), clampRow(lastRow)};
}

} // namespace interleave::ui
