// TimelineView: the scrollable, zoomable timeline widget; variants stacked on one shared time axis.
#pragma once

#include "time_mapper.h"
#include "timeline_painter.h"

#include <QAbstractScrollArea>

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

class QPaintDevice;

namespace interleave::ui {

class TimelineView : public QAbstractScrollArea {
    Q_OBJECT

public:
    explicit TimelineView(QWidget* parent = nullptr);

    // The view shares the data until the next setVariants call; labels are the header rows' text.
    void setVariants(std::vector<SharedTimeline> variants, std::vector<QString> labels);
    // Once per frame while live: follows the run's end unless the user zoomed or panned, and repaints once.
    void dataChanged();
    void setLaneMode(LaneMode mode);
    LaneMode laneMode() const { return m_painter.laneMode(); }
    void setPresenterMode(bool presenter);
    bool presenterMode() const { return m_painter.presenterMode(); }
    void setPlayhead(std::optional<std::int64_t> ns);
    void setVisibleRange(std::int64_t startNs, std::int64_t endNs); // stops following
    std::int64_t visibleStartNs() const { return m_mapper.startNs(); }
    std::int64_t visibleEndNs() const { return m_mapper.endNs(); }
    bool following() const { return m_follow; }
    // While a run is live, following leaves room to grow (TimeMapper::fitAhead); afterwards it fits the data exactly.
    void setLive(bool live);
    // Where visibleStartNs and visibleEndNs are drawn, in viewport() x: the time area right of the lane names.
    std::pair<double, double> timeAreaX() const { return {m_mapper.left(), m_mapper.right()}; }
    TimelineSelection selection() const { return m_selection; }

    // Group lanes and variant blocks (view state: kept across setVariants and live frames, see TimelineFolding).
    // With the mouse on a group row (or a group or member selected): Right or + expands it, Left or - folds it, Enter
    // toggles; on a variant's header they expand and collapse the block. A click on a group's triangle (its gutter)
    // or on a header toggles too. Elsewhere the keys pan and zoom as before.
    const TimelineFolding& folding() const { return m_painter.folding(); }
    void setFolding(const TimelineFolding& folding);
    void setGroupExpanded(int variant, int group, bool expanded);
    void setVariantCollapsed(int variant, bool collapsed);
    const TimelinePainter& painter() const { return m_painter; }
    // "fetch × 1,000 at 125.0 ms: 10 running, 990 blocked on sem" (rich text, with the variant's label first).
    QString groupToolTip(int variant, int group, std::int64_t ns) const;

    // Offscreen rendering at `size` with the current range and scroll (benchmark, figure export).
    bool renderTo(QPaintDevice& device, QSize size);
    void paintContents(QPainter& painter, const QRect& area);

public Q_SLOTS:
    void zoomIn();
    void zoomOut();
    void zoomToFit();
    void clearSelection();

Q_SIGNALS:
    void taskSelected(int variantIndex, std::uint32_t task, std::int32_t line);
    void hoverChanged(int variantIndex, std::uint32_t task, std::int64_t ns, std::int32_t line);
    void visibleRangeChanged(std::int64_t startNs, std::int64_t endNs);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void scrollContentsBy(int dx, int dy) override;

private:
    struct SpanHit {
        int variant = -1;
        const TimelineSpan* span = nullptr;
        const TimelineLane* lane = nullptr;
        const TimelineMarker* marker = nullptr; // a marker under the point (it wins the tooltip over the span)
        int group = -1;                         // a group row under the point
        bool gil = false;
        bool lock = false; // a lock's lane: the span is a holder's tenure
    };
    enum class FoldAction : std::uint8_t { Expand, Collapse, Toggle };
    RowHit rowAtViewport(QPoint point) const;
    RowHit keyRow() const; // the row fold keys act on: the hovered one, else the selected group or member
    bool applyFold(const RowHit& row, FoldAction action);
    void foldingChanged();
    SpanHit spanAtPoint(QPoint point) const;
    QString toolTipFor(const SpanHit& hit) const;
    QString markerToolTip(const SpanHit& hit) const;
    void userChangedRange(); // stops following, repaints, tells the charts
    void rangeMaybeChanged();
    void updateGeometryAndScrollBars();

    TimelinePainter m_painter;
    TimeMapper m_mapper;
    std::optional<std::int64_t> m_playheadNs;
    TimelineSelection m_selection;
    bool m_follow = true;
    bool m_live = false;
    std::optional<QPoint> m_pressPos;
    QPoint m_lastDragPos;
    bool m_dragged = false;
    std::int64_t m_emittedStart = -1;
    std::int64_t m_emittedEnd = -1;
    int m_hoverVariant = -1;
    std::uint32_t m_hoverTask = core::kNoTask;
    std::optional<QPoint> m_hoverPos; // the mouse over the viewport, for the fold keys
};

} // namespace interleave::ui
