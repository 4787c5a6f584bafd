// TimelinePainter: the timeline's geometry (stacked variant blocks of rows) and its painting into any QPainter, so
// the widget, the benchmark and figure export share one code path. No QWidget here.
#pragma once

#include "state_palette.h"
#include "time_mapper.h"
#include "timeline_data.h"
#include "timeline_folding.h"
#include "timeline_layout.h"

#include <QFont>
#include <QHash>
#include <QImage>
#include <QPainter>
#include <QStaticText>

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
    int group = 32;   // a folded group lane (its stacked strip of state counts)
    int indent = 14;  // member lanes' names under their group
    static TimelineMetrics forMode(bool presenter);
};

enum class RowKind : std::uint8_t { None, Header, Gil, LoopLag, Lock, Lane, Group };

struct RowHit {
    int variant = -1;
    RowKind kind = RowKind::None;
    std::size_t lane = 0; // RowKind::Lane: the index in lanesOf(variant); RowKind::Lock: in the data's lockLanes()
    int group = -1;       // RowKind::Group: the index in the data's groups(); RowKind::Lane: the member's group or -1
    int top = 0;          // in content coordinates (0 = first row, before scrolling)
    int height = 0;
};

struct TimelineSelection {
    int variant = -1;
    std::uint32_t task = core::kNoTask;
    int group = -1; // a selected group row (task is kNoTask then)
};

class TimelinePainter {
public:
    TimelinePainter();
    void setVariants(std::vector<SharedTimeline> variants, std::vector<QString> labels);
    void setLaneMode(LaneMode mode) {
        m_mode = mode;
        invalidateRows();
    }
    void setPresenterMode(bool presenter); // also resets the metrics to the mode's
    // Figure export: other row heights (lanes shrink to fit a page; legend 0 = no legend inside paint()).
    void setMetrics(const TimelineMetrics& metrics) {
        m_metrics = metrics;
        invalidateRows();
    }
    // At most this many rows per variant: a figure's last resort when even folded it cannot fit them all; the header
    // then says how many lanes were left out.
    void setRowLimit(std::size_t limit);
    // Figure export: another font (a family every SVG viewer knows); setPresenterMode resets it.
    void setFont(const QFont& font) {
        m_font = font;
        m_gutterText.clear();
    }
    // Vector output (SVG, PDF): folded spans become coalesced rectangles instead of a stretched image strip.
    void setVectorOutput(bool vector) { m_vector = vector; }

    const std::vector<SharedTimeline>& variants() const { return m_variants; }
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
    std::size_t rowCount(int variant) const;        // the lane and group rows shown (0 when collapsed)
    std::size_t hiddenLaneCount(int variant) const; // lanes left out by the row limit

    // Group lanes (by-task mode): sibling tasks with one name fold into one row; see TimelineFolding.
    const TimelineFolding& folding() const { return m_folding; }
    void setFolding(const TimelineFolding& folding);
    GroupKey groupKey(int variant, int group) const;
    bool groupExpanded(int variant, int group) const;
    void setGroupExpanded(int variant, int group, bool expanded);
    bool variantCollapsed(int variant) const { return m_folding.variantCollapsed(variant); }
    void setVariantCollapsed(int variant, bool collapsed);
    // "fetch × 1,000" (the count grouped as the locale does)
    QString groupLabel(int variant, int group) const;

    // Paints the whole timeline (axis, rows scrolled by scrollY, legend) into `area`; the mapper's pixel range must
    // already be [area.left() + gutter, area.right()].
    void paint(QPainter& painter, const QRect& area, const TimeMapper& mapper, int scrollY,
               std::optional<std::int64_t> playheadNs, const TimelineSelection& selection) const;
    // The state legend (swatch and name per state) in `area`; paint() draws it at the bottom when metrics().legend > 0.
    void paintLegend(QPainter& painter, const QRect& area) const;
    // The brush that marks folds of many thin spans ("many short steps" in the legend).
    QColor foldHatchColor() const;

private:
    struct RowEntry {
        RowKind kind = RowKind::Lane; // Lane or Group
        std::uint32_t index = 0;      // the lane in lanesOf(), or the group in groups()
        std::int32_t group = -1;      // a member lane's group, -1 for none
    };
    // The rows below a variant's fixed rows (header, GIL, loop lag), rebuilt when the data's structure, the lane
    // mode, the metrics or the folding change: O(lanes), not once a frame.
    struct VariantRows {
        std::vector<RowEntry> rows;
        std::vector<int> tops; // rows.size() + 1 offsets; tops.back() is the rows' height
        std::size_t hiddenLanes = 0;
        const TimelineData* data = nullptr;
        std::uint64_t dataRevision = 0;
        std::size_t laneCount = 0;
        std::uint64_t viewRevision = 0;
    };
    const VariantRows& rowsOf(int variant) const;
    void buildRows(int variant, VariantRows& out) const;
    void invalidateRows() { ++m_viewRevision; }
    int fixedHeight(int variant) const; // GIL and loop lag
    int blockHeight(int variant) const;
    bool gilUnmeasured(int variant) const; // a CPython run's GIL row, beside an engine run's GIL lane
    bool hasGilRow(int variant) const;
    bool showsLoopLag(const TimelineData& data) const;
    void paintAxis(QPainter& painter, const QRect& area, const TimeMapper& mapper, bool gridOnly) const;
    void paintHeader(QPainter& painter, const QRect& row, int variant) const;
    void paintLane(QPainter& painter, const QRect& row, const TimelineLane& lane, const TimeMapper& mapper,
                   std::int64_t dataEndNs, bool gil, std::uint32_t selectedTask) const;
    void paintLoopLag(QPainter& painter, const QRect& row, const CounterTrack& lag, const TimeMapper& mapper) const;
    // A lock's lane: its holders' tenures, and under them a strip where tasks wait for it, with how many.
    void paintLock(QPainter& painter, const QRect& row, const TimelineData& data, const TimelineLane& lock,
                   const TimeMapper& mapper, std::int64_t dataEndNs) const;
    void paintGutterName(QPainter& painter, const QRect& row, const QString& name, bool strong, int indent = 0) const;
    void paintDisclosure(QPainter& painter, const QRect& row, int left, bool expanded) const;
    void paintGroup(QPainter& painter, const QRect& row, const TaskGroup& group, const TimeMapper& mapper,
                    std::int64_t dataEndNs) const;
    void paintFoldHatch(QPainter& painter, const std::vector<std::pair<double, double>>& runs, double top,
                        double height) const;
    // A deadlock's cycle over a variant's task lanes: from each waiting task an arrow to the lane of the task that
    // holds the lock it waits for, named ("waits for b"); a lock its holder waits for is a loop on its own lane.
    // `rowsTop`: where the variant's lane rows start.
    void paintDeadlock(QPainter& painter, const TimelineData& data, const VariantRows& shown, int rowsTop,
                       const TimeMapper& mapper) const;

    std::vector<SharedTimeline> m_variants;
    std::vector<QString> m_labels;
    LaneMode m_mode = LaneMode::ByTask;
    StatePalette m_palette;
    TimelineMetrics m_metrics;
    QFont m_font;
    mutable std::vector<SpanDrawItem> m_spanItems; // reused between lanes and frames: no allocation per paint
    mutable std::vector<MarkerDrawItem> m_markerItems;
    std::array<QRgb, core::kTaskStateCount> m_foldRgb{};
    mutable QImage m_foldStrip; // one row of fold colours, stretched over the lane's height
    mutable std::vector<std::pair<double, double>> m_foldRuns; // x ranges of folds in a lane, for the hatching
    TimelineFolding m_folding;
    mutable std::vector<VariantRows> m_rows;
    // Gutter names, elided and shaped once: shaping every visible name again on every live frame cost a third of a
    // frame's paint. Keyed by name, width and weight; emptied when the font changes or it grows large.
    struct GutterKey {
        QString name;
        int width = 0;
        bool strong = false;
        bool operator==(const GutterKey& other) const = default;
        friend std::size_t qHash(const GutterKey& key, std::size_t seed = 0) {
            return qHashMulti(seed, key.name, key.width, key.strong);
        }
    };
    struct GutterText {
        QStaticText text;
        int height = 0;
    };
    mutable QHash<GutterKey, GutterText> m_gutterText;
    std::uint64_t m_viewRevision = 1;
    std::size_t m_rowLimit = static_cast<std::size_t>(-1);
    bool m_vector = false;
};

// A tick step of 1, 2 or 5 × 10^k ns giving at least minPixels between ticks.
std::int64_t niceTickStepNs(const TimeMapper& mapper, double minPixels);
// "1,000": a count with its thousands grouped, whatever the locale's default.
QString groupedCount(std::size_t count);
// "12.5 ms" with as many decimals as the step needs.
QString formatMs(std::int64_t ns, std::int64_t stepNs);

} // namespace interleave::ui
