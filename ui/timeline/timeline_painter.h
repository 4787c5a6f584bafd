// TimelinePainter: the timeline's geometry (stacked variant blocks of rows) and its painting into any QPainter, so
// the widget, the benchmark and figure export share one code path. No QWidget here.
#pragma once

#include "state_palette.h"
#include "time_mapper.h"
#include "timeline_data.h"
#include "timeline_layout.h"

#include <QFont>
#include <QImage>
#include <QPainter>

#include <array>
#include <optional>
#include <vector>

namespace interleave::ui {

struct TimelineMetrics {
    int gutter = 180; // lane names, left of the time area
    int axis = 24;    // time axis at the top
    int legend = 22;  // state legend at the bottom
    int lane = 18;    // one lane row
    int header = 22;  // a variant's header row
    int lag = 36;     // the loop-lag area chart
    static TimelineMetrics forMode(bool presenter);
};

enum class RowKind : std::uint8_t { None, Header, Gil, LoopLag, Lane };

struct RowHit {
    int variant = -1;
    RowKind kind = RowKind::None;
    std::size_t lane = 0; // for RowKind::Lane
    int top = 0;          // in content coordinates (0 = first row, before scrolling)
    int height = 0;
};

struct TimelineSelection {
    int variant = -1;
    std::uint32_t task = core::kNoTask;
};

class TimelinePainter {
public:
    TimelinePainter();
    void setVariants(std::vector<const TimelineData*> variants, std::vector<QString> labels);
    void setLaneMode(LaneMode mode) { m_mode = mode; }
    void setPresenterMode(bool presenter); // also resets the metrics to the mode's
    // Figure export: other row heights (lanes shrink to fit a page; legend 0 = no legend inside paint()).
    void setMetrics(const TimelineMetrics& metrics) { m_metrics = metrics; }
    // At most this many lanes per variant (a figure that cannot fit them all); the header says "first N of M lanes".
    void setLaneLimit(std::size_t limit) { m_laneLimit = limit; }
    // Figure export: another font (a family every SVG viewer knows); setPresenterMode resets it.
    void setFont(const QFont& font) { m_font = font; }
    // Vector output (SVG, PDF): folded spans become coalesced rectangles instead of a stretched image strip.
    void setVectorOutput(bool vector) { m_vector = vector; }

    const std::vector<const TimelineData*>& variants() const { return m_variants; }
    const std::vector<QString>& labels() const { return m_labels; }
    LaneMode laneMode() const { return m_mode; }
    bool presenterMode() const { return m_palette.presenter(); }
    const TimelineMetrics& metrics() const { return m_metrics; }
    const StatePalette& palette() const { return m_palette; }
    const QFont& font() const { return m_font; }

    std::int64_t dataEndNs() const; // the latest endNs over the variants
    int contentHeight() const;      // all rows, unscrolled
    RowHit rowAt(int contentY) const;
    const std::vector<TimelineLane>& lanesOf(int variant) const;
    std::size_t shownLaneCount(int variant) const; // lanesOf(variant).size() capped by the lane limit

    // Paints the whole timeline (axis, rows scrolled by scrollY, legend) into `area`; the mapper's pixel range must
    // already be [area.left() + gutter, area.right()].
    void paint(QPainter& painter, const QRect& area, const TimeMapper& mapper, int scrollY,
               std::optional<std::int64_t> playheadNs, const TimelineSelection& selection) const;
    // The state legend (swatch and name per state) in `area`; paint() draws it at the bottom when metrics().legend > 0.
    void paintLegend(QPainter& painter, const QRect& area) const;

private:
    int blockHeight(int variant) const;
    void paintAxis(QPainter& painter, const QRect& area, const TimeMapper& mapper, bool gridOnly) const;
    void paintHeader(QPainter& painter, const QRect& row, int variant) const;
    void paintLane(QPainter& painter, const QRect& row, const TimelineLane& lane, const TimeMapper& mapper,
                   std::int64_t dataEndNs, bool gil, std::uint32_t selectedTask) const;
    void paintLoopLag(QPainter& painter, const QRect& row, const CounterTrack& lag, const TimeMapper& mapper) const;
    void paintGutterName(QPainter& painter, const QRect& row, const QString& name, bool strong) const;

    std::vector<const TimelineData*> m_variants;
    std::vector<QString> m_labels;
    LaneMode m_mode = LaneMode::ByTask;
    StatePalette m_palette;
    TimelineMetrics m_metrics;
    QFont m_font;
    mutable std::vector<SpanDrawItem> m_spanItems; // reused between lanes and frames: no allocation per paint
    mutable std::vector<MarkerDrawItem> m_markerItems;
    std::array<QRgb, core::kTaskStateCount> m_foldRgb{};
    mutable QImage m_foldStrip; // one row of fold colours, stretched over the lane's height
    std::size_t m_laneLimit = static_cast<std::size_t>(-1);
    bool m_vector = false;
};

// A tick step of 1, 2 or 5 × 10^k ns giving at least minPixels between ticks.
std::int64_t niceTickStepNs(const TimeMapper& mapper, double minPixels);
// "12.5 ms" with as many decimals as the step needs.
QString formatMs(std::int64_t ns, std::int64_t stepNs);

} // namespace interleave::ui
