// Timeline layout: visible-window search, span rects and folds, marker marks, row culling. No painting here.
#include "timeline_layout.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace interleave::ui {

namespace {

// A fold of at most this many spans weighs every one of them by its time; a larger fold is sampled.
constexpr std::size_t kExactDominantLimit = 16;
// Sample times per larger fold, spread over it by the golden ratio (evenly spaced samples alias with periodic state
// patterns: a 3-ns step then a 1-ns step sampled every 4 ns always hits the same one). Each sample finds the span
// under it by a binary search and votes for that span's state with the span's length, so the fold shows the state
// of the long spans it holds: close to the time-weighted winner, and "the longest seen" when a few long waits hide
// among many short steps. The cost is O(kDominantSamples · log n) per fold, whatever the number of spans in it.
constexpr std::size_t kDominantSamples = 16;
constexpr double kGoldenFraction = 0.6180339887498949;

// Counts the span reads of one layout (the stats are optional).
struct Visits {
    LayoutStats* stats = nullptr;
    void add(std::size_t count = 1) const {
        if (stats != nullptr) {
            stats->spansVisited += count;
        }
    }
};

core::TaskState dominantState(const std::vector<TimelineSpan>& spans, std::size_t first, std::size_t last,
                              std::int64_t foldStart, std::int64_t foldEnd, std::int64_t dataEndNs,
                              const Visits& visits) {
    std::array<std::int64_t, core::kTaskStateCount> weight{};
    const std::size_t count = last - first;
    if (count <= kExactDominantLimit) {
        for (std::size_t index = first; index < last; ++index) {
            const TimelineSpan& span = spans[index];
            // +1: zero-length spans still count.
            weight[static_cast<std::size_t>(span.state)] += drawnEndNs(span, dataEndNs) - span.startNs + 1;
        }
        visits.add(count);
    } else {
        const auto begin = spans.begin() + static_cast<std::ptrdiff_t>(first);
        const auto end = spans.begin() + static_cast<std::ptrdiff_t>(last);
        const double length = static_cast<double>(std::max<std::int64_t>(foldEnd - foldStart, 1));
        std::array<std::int64_t, kDominantSamples> times{};
        double position = 0.5 / static_cast<double>(kDominantSamples);
        for (std::int64_t& time : times) {
            time = foldStart + static_cast<std::int64_t>(length * position);
            position += kGoldenFraction;
            position -= std::floor(position);
        }
        std::sort(times.begin(), times.end());
        auto from = begin;
        for (const std::int64_t at : times) {
            // The span covering the sample, or the last one starting before it (the sample fell in a gap).
            const auto after = std::partition_point(from, end, [&](const TimelineSpan& span) {
                visits.add();
                return span.startNs <= at;
            });
            const TimelineSpan& span = after == begin ? *begin : *std::prev(after);
            weight[static_cast<std::size_t>(span.state)] += drawnEndNs(span, dataEndNs) - span.startNs + 1;
            from = after == begin ? begin : std::prev(after); // the samples are sorted: search on from here
        }
    }
    const auto best = std::max_element(weight.begin(), weight.end());
    return static_cast<core::TaskState>(best - weight.begin());
}

// The first index >= from whose drawn end is > limit: an exponential then binary search, O(log distance), since
// a fold usually ends a few spans later.
std::size_t gallopPastEnd(const std::vector<TimelineSpan>& spans, std::size_t from, std::int64_t limit,
                          std::int64_t dataEndNs, const Visits& visits) {
    std::size_t low = from;
    std::size_t step = 1;
    auto endsBy = [&](const TimelineSpan& span) {
        visits.add();
        return drawnEndNs(span, dataEndNs) <= limit;
    };
    while (low < spans.size() && endsBy(spans[low])) {
        const std::size_t probe = std::min(low + step, spans.size());
        if (probe == spans.size() || !endsBy(spans[probe])) {
            const auto found = std::partition_point(spans.begin() + static_cast<std::ptrdiff_t>(low),
                                                    spans.begin() + static_cast<std::ptrdiff_t>(probe), endsBy);
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
                 std::vector<SpanDrawItem>& out, LayoutStats* stats) {
    out.clear();
    const Visits visits{stats};
    const double left = mapper.left() - 1.0;
    const double right = mapper.right() + 1.0;
    const double nsPerPixel = mapper.nsPerPixel();
    const auto minSpanNs = static_cast<std::int64_t>(std::ceil(kMinSpanPx * nsPerPixel));
    const std::int64_t visibleEnd = mapper.endNs();
    auto clampX = [&](double x) { return std::clamp(x, left, right); };

    std::size_t index = firstVisibleSpan(spans, mapper.startNs(), dataEndNs);
    visits.add(static_cast<std::size_t>(std::ceil(std::log2(static_cast<double>(spans.size()) + 1.0))) + 1);
    while (index < spans.size() && spans[index].startNs <= visibleEnd) {
        const TimelineSpan& span = spans[index];
        visits.add();
        const std::int64_t end = drawnEndNs(span, dataEndNs);
        if (end - span.startNs >= minSpanNs) {
            out.push_back(SpanDrawItem{clampX(mapper.mapTimeToX(span.startNs)), clampX(mapper.mapTimeToX(end)),
                                       span.state, 1, index, false, span.open});
            ++index;
            continue;
        }
        // A fold: the narrow span and every span ending within kMinSpanPx of its start. The end of the fold is found
        // by a binary search (the spans inside are skipped, not visited), and its state is sampled, so a zoomed-out
        // lane reads as a strip of dominant states over time at O(pixels · log n) cost, not O(spans).
        const std::size_t first = index;
        const std::int64_t limit = span.startNs + minSpanNs;
        const std::size_t next = gallopPastEnd(spans, index + 1, limit, dataEndNs, visits);
        const TimelineSpan& lastSpan = spans[next - 1];
        visits.add();
        const std::int64_t foldEnd = std::max(end, drawnEndNs(lastSpan, dataEndNs));
        const std::size_t count = next - first;
        SpanDrawItem item{clampX(mapper.mapTimeToX(span.startNs)),
                          clampX(mapper.mapTimeToX(foldEnd)),
                          span.state,
                          static_cast<std::uint32_t>(count),
                          first,
                          count > 1,
                          lastSpan.open};
        if (count > 1) {
            item.state = dominantState(spans, first, next, span.startNs, foldEnd, dataEndNs, visits);
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
