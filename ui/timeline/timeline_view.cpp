// TimelineView: zoom, pan, follow-live, hover and selection around TimelinePainter; painting is delegated.
#include "timeline_view.h"

#include <QKeyEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QPaintDevice>
#include <QPainter>
#include <QScrollBar>
#include <QToolTip>
#include <QWheelEvent>

#include <cmath>

namespace interleave::ui {

namespace {

constexpr double kZoomStep = 1.5;
constexpr double kPanStepPixels = 80.0;
constexpr int kClickSlopPixels = 3;
constexpr double kHoverTolerancePixels = 2.0;

QString groupedNumber(std::int64_t count) {
    QLocale locale;
    locale.setNumberOptions(locale.numberOptions() & ~QLocale::OmitGroupSeparator);
    return locale.toString(static_cast<qlonglong>(count));
}

QString formatDurationMs(std::int64_t ns) {
    const double ms = static_cast<double>(ns) / 1e6;
    return QString::number(ms, 'f', ms < 1.0 ? 3 : (ms < 100.0 ? 2 : 1));
}

} // namespace

TimelineView::TimelineView(QWidget* parent) : QAbstractScrollArea(parent) {
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setFocusPolicy(Qt::StrongFocus);
    viewport()->setMouseTracking(true);
    viewport()->setAttribute(Qt::WA_OpaquePaintEvent);
    m_painter.setPresenterMode(false);
    setMinimumSize(400, 160);
}

void TimelineView::setVariants(std::vector<SharedTimeline> variants, std::vector<QString> labels) {
    m_painter.setVariants(std::move(variants), std::move(labels));
    m_selection = {};
    m_follow = true;
    dataChanged();
}

void TimelineView::setFolding(const TimelineFolding& folding) {
    m_painter.setFolding(folding);
    foldingChanged();
}

void TimelineView::setGroupExpanded(int variant, int group, bool expanded) {
    m_painter.setGroupExpanded(variant, group, expanded);
    foldingChanged();
}

void TimelineView::setVariantCollapsed(int variant, bool collapsed) {
    m_painter.setVariantCollapsed(variant, collapsed);
    foldingChanged();
}

void TimelineView::foldingChanged() {
    updateGeometryAndScrollBars();
    viewport()->update();
}

RowHit TimelineView::rowAtViewport(QPoint point) const {
    const TimelineMetrics& metrics = m_painter.metrics();
    if (point.y() < metrics.axis || point.y() >= viewport()->height() - metrics.legend) {
        return {};
    }
    return m_painter.rowAt(point.y() - metrics.axis + verticalScrollBar()->value());
}

RowHit TimelineView::keyRow() const {
    if (m_hoverPos) {
        if (const RowHit row = rowAtViewport(*m_hoverPos); row.variant >= 0) {
            return row;
        }
    }
    if (m_selection.variant < 0 || m_selection.variant >= static_cast<int>(m_painter.variants().size())) {
        return {};
    }
    if (m_selection.group >= 0) {
        return RowHit{m_selection.variant, RowKind::Group, 0, m_selection.group, 0, 0};
    }
    const TimelineData* variantData = m_painter.variants()[static_cast<std::size_t>(m_selection.variant)].get();
    const int group = variantData != nullptr ? variantData->groupOfTask(m_selection.task) : -1;
    if (group >= 0 && variantData->groups()[static_cast<std::size_t>(group)].size >= 2) {
        return RowHit{m_selection.variant, RowKind::Lane, 0, group, 0, 0};
    }
    return {};
}

bool TimelineView::applyFold(const RowHit& row, FoldAction action) {
    if (row.variant < 0) {
        return false;
    }
    if (row.kind == RowKind::Header) {
        const bool collapsed = m_painter.variantCollapsed(row.variant);
        const bool wanted = action == FoldAction::Toggle ? !collapsed : action == FoldAction::Collapse;
        if (wanted == collapsed) {
            return false; // nothing to do: the key pans or zooms instead
        }
        setVariantCollapsed(row.variant, wanted);
        return true;
    }
    if (m_painter.laneMode() != LaneMode::ByTask) {
        return false;
    }
    if (row.kind == RowKind::Group) {
        const bool expanded = m_painter.groupExpanded(row.variant, row.group);
        const bool wanted = action == FoldAction::Toggle ? !expanded : action == FoldAction::Expand;
        if (wanted == expanded) {
            return false;
        }
        setGroupExpanded(row.variant, row.group, wanted);
        return true;
    }
    if (row.kind == RowKind::Lane && row.group >= 0 && action != FoldAction::Expand &&
        m_painter.groupExpanded(row.variant, row.group)) {
        // On a member lane, folding goes to its group (as a tree view's Left goes to the parent).
        setGroupExpanded(row.variant, row.group, false);
        return true;
    }
    return false;
}

QString TimelineView::groupToolTip(int variant, int group, std::int64_t ns) const {
    const TimelineData* variantData = m_painter.variants()[static_cast<std::size_t>(variant)].get();
    const TaskGroup& entry = variantData->groups()[static_cast<std::size_t>(group)];
    QStringList parts;
    std::int64_t counted = 0;
    for (const core::TaskState state :
         {core::TaskState::Running, core::TaskState::WaitingGil, core::TaskState::Ready, core::TaskState::Blocked,
          core::TaskState::WaitingIo, core::TaskState::Done, core::TaskState::Failed, core::TaskState::Cancelled}) {
        const std::int32_t count = entry.countAt(state, ns);
        counted += count;
        if (count <= 0) {
            continue;
        }
        const std::uint32_t subject = entry.subjects[static_cast<std::size_t>(state)];
        const bool oneSubject = subject != TaskGroup::kNoSubject && subject != TaskGroup::kMixedSubject;
        parts << QStringLiteral("%1 %2").arg(
            groupedNumber(count), stateName(state, oneSubject ? variantData->subjectName(subject) : QString()));
    }
    if (const auto notYet = static_cast<std::int64_t>(entry.size) - counted; notYet > 0) {
        parts << QStringLiteral("%1 not started").arg(groupedNumber(notYet));
    }
    const QString variantLabel = m_painter.labels()[static_cast<std::size_t>(variant)];
    return QStringLiteral("<b>%1</b><br>%2 at %3 ms: %4")
        .arg(variantLabel.toHtmlEscaped(), m_painter.groupLabel(variant, group).toHtmlEscaped(), formatDurationMs(ns),
             parts.join(QStringLiteral(", ")).toHtmlEscaped());
}

void TimelineView::dataChanged() {
    m_mapper.setDataEnd(m_painter.dataEndNs());
    if (m_follow) {
        if (m_live) {
            m_mapper.fitAhead();
        } else {
            m_mapper.fit();
        }
    }
    updateGeometryAndScrollBars();
    rangeMaybeChanged();
    viewport()->update();
}

void TimelineView::setLaneMode(LaneMode mode) {
    m_painter.setLaneMode(mode);
    updateGeometryAndScrollBars();
    viewport()->update();
}

void TimelineView::setPresenterMode(bool presenter) {
    m_painter.setPresenterMode(presenter);
    updateGeometryAndScrollBars();
    viewport()->update();
}

void TimelineView::setPlayhead(std::optional<std::int64_t> ns) {
    if (m_playheadNs != ns) {
        m_playheadNs = ns;
        viewport()->update();
    }
}

void TimelineView::setVisibleRange(std::int64_t startNs, std::int64_t endNs) {
    m_mapper.setRange(startNs, endNs);
    userChangedRange();
}

void TimelineView::zoomIn() {
    m_mapper.zoomAround((m_mapper.left() + m_mapper.right()) / 2, kZoomStep);
    userChangedRange();
}

void TimelineView::zoomOut() {
    m_mapper.zoomAround((m_mapper.left() + m_mapper.right()) / 2, 1.0 / kZoomStep);
    userChangedRange();
}

void TimelineView::setLive(bool live) {
    if (m_live != live) {
        m_live = live;
        dataChanged();
    }
}

void TimelineView::zoomToFit() {
    m_follow = true; // fitting again also resumes following a live run
    dataChanged();
}

void TimelineView::clearSelection() {
    m_selection = {};
    viewport()->update();
}

void TimelineView::userChangedRange() {
    m_follow = false;
    rangeMaybeChanged();
    viewport()->update();
}

void TimelineView::rangeMaybeChanged() {
    if (m_mapper.startNs() != m_emittedStart || m_mapper.endNs() != m_emittedEnd) {
        m_emittedStart = m_mapper.startNs();
        m_emittedEnd = m_mapper.endNs();
        Q_EMIT visibleRangeChanged(m_emittedStart, m_emittedEnd);
    }
}

void TimelineView::updateGeometryAndScrollBars() {
    const TimelineMetrics& metrics = m_painter.metrics();
    const QSize size = viewport()->size();
    m_mapper.setPixelRange(metrics.gutter, std::max(metrics.gutter + 10, size.width() - 1));
    const int rowsHeight = std::max(0, size.height() - metrics.axis - metrics.legend);
    // Blocks side by side (variants, or a variant and its run in CPython) are there to be compared: when they would
    // not all fit, the groups nobody opened fold (8 workers become one row), so that every block shows without
    // scrolling. A run of one block starts over from the defaults.
    const bool side = m_painter.variants().size() >= 2;
    const bool folds = m_painter.folding().foldsByDefault();
    if (side != folds && (!side || (rowsHeight > 0 && m_painter.contentHeight() > rowsHeight))) {
        TimelineFolding folding = m_painter.folding();
        folding.setFoldByDefault(side);
        m_painter.setFolding(folding);
    }
    verticalScrollBar()->setPageStep(rowsHeight);
    verticalScrollBar()->setSingleStep(metrics.lane);
    verticalScrollBar()->setRange(0, std::max(0, m_painter.contentHeight() - rowsHeight));
}

void TimelineView::paintContents(QPainter& painter, const QRect& area) {
    TimeMapper mapper = m_mapper;
    mapper.setPixelRange(area.left() + m_painter.metrics().gutter, area.right());
    m_painter.paint(painter, area, mapper, verticalScrollBar()->value(), m_playheadNs, m_selection);
}

bool TimelineView::renderTo(QPaintDevice& device, QSize size) {
    QPainter painter(&device);
    if (!painter.isActive()) {
        return false;
    }
    paintContents(painter, QRect(QPoint(0, 0), size));
    return true;
}

void TimelineView::paintEvent(QPaintEvent* /*event*/) {
    QPainter painter(viewport());
    m_painter.paint(painter, viewport()->rect(), m_mapper, verticalScrollBar()->value(), m_playheadNs, m_selection);
}

void TimelineView::resizeEvent(QResizeEvent* event) {
    QAbstractScrollArea::resizeEvent(event);
    updateGeometryAndScrollBars();
}

void TimelineView::scrollContentsBy(int /*dx*/, int /*dy*/) {
    viewport()->update();
}

void TimelineView::wheelEvent(QWheelEvent* event) {
    if (event->modifiers() & Qt::ShiftModifier) {
        QAbstractScrollArea::wheelEvent(event); // Shift+wheel scrolls the lanes
        return;
    }
    const int delta = event->angleDelta().y() != 0 ? event->angleDelta().y() : event->angleDelta().x();
    if (delta == 0) {
        return;
    }
    m_mapper.zoomAround(event->position().x(), std::pow(kZoomStep, delta / 120.0));
    userChangedRange();
    event->accept();
}

void TimelineView::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton) {
        m_pressPos = event->position().toPoint();
        m_lastDragPos = *m_pressPos;
        m_dragged = false;
    }
}

void TimelineView::mouseMoveEvent(QMouseEvent* event) {
    const QPoint pos = event->position().toPoint();
    if (m_pressPos && (event->buttons() & Qt::LeftButton)) {
        if (!m_dragged && (pos - *m_pressPos).manhattanLength() > kClickSlopPixels) {
            m_dragged = true;
            viewport()->setCursor(Qt::ClosedHandCursor);
        }
        if (m_dragged) {
            m_mapper.panByPixels(pos.x() - m_lastDragPos.x());
            m_lastDragPos = pos;
            userChangedRange();
        }
        return;
    }
    m_hoverPos = pos;
    const SpanHit hit = spanAtPoint(pos);
    const std::uint32_t task = hit.span != nullptr ? hit.span->task : core::kNoTask;
    const std::int64_t ns = m_mapper.mapXToTime(pos.x());
    Q_EMIT hoverChanged(hit.variant, task, ns, hit.span != nullptr ? hit.span->line : 0);
    m_hoverVariant = hit.variant;
    m_hoverTask = task;
    if (hit.group >= 0) {
        QToolTip::showText(event->globalPosition().toPoint(), groupToolTip(hit.variant, hit.group, ns), viewport());
    } else if (hit.marker != nullptr) {
        QToolTip::showText(event->globalPosition().toPoint(), markerToolTip(hit), viewport());
    } else if (hit.span != nullptr) {
        QToolTip::showText(event->globalPosition().toPoint(), toolTipFor(hit), viewport());
    } else {
        QToolTip::hideText();
    }
}

void TimelineView::mouseReleaseEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton || !m_pressPos) {
        return;
    }
    viewport()->unsetCursor();
    if (!m_dragged) {
        const QPoint pos = event->position().toPoint();
        const RowHit row = rowAtViewport(pos);
        const SpanHit hit = spanAtPoint(pos);
        if (row.kind == RowKind::Header || (row.kind == RowKind::Group && pos.x() < m_mapper.left())) {
            // A header or a group's triangle (its gutter): fold or unfold.
            applyFold(row, FoldAction::Toggle);
        } else if (row.kind == RowKind::Group) {
            m_selection = TimelineSelection{row.variant, core::kNoTask, row.group};
        } else if (hit.span != nullptr && hit.span->task != core::kNoTask && !hit.gil) {
            m_selection = TimelineSelection{hit.variant, hit.span->task, -1};
            Q_EMIT taskSelected(hit.variant, hit.span->task, hit.span->line);
        } else {
            m_selection = {};
        }
        viewport()->update();
    }
    m_pressPos.reset();
    m_dragged = false;
}

void TimelineView::leaveEvent(QEvent* event) {
    QAbstractScrollArea::leaveEvent(event);
    m_hoverPos.reset();
    if (m_hoverVariant >= 0 || m_hoverTask != core::kNoTask) {
        m_hoverVariant = -1;
        m_hoverTask = core::kNoTask;
        Q_EMIT hoverChanged(-1, core::kNoTask, -1, 0);
    }
}

void TimelineView::keyPressEvent(QKeyEvent* event) {
    // Fold keys first: on a group, a member or a header row they fold; anywhere else they pan and zoom.
    std::optional<FoldAction> fold;
    switch (event->key()) {
    case Qt::Key_Right:
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        fold = FoldAction::Expand;
        break;
    case Qt::Key_Left:
    case Qt::Key_Minus:
        fold = FoldAction::Collapse;
        break;
    case Qt::Key_Return:
    case Qt::Key_Enter:
        fold = FoldAction::Toggle;
        break;
    default:
        break;
    }
    if (fold && applyFold(keyRow(), *fold)) {
        return;
    }
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomIn();
        break;
    case Qt::Key_Minus:
        zoomOut();
        break;
    case Qt::Key_Left:
        m_mapper.panByPixels(kPanStepPixels);
        userChangedRange();
        break;
    case Qt::Key_Right:
        m_mapper.panByPixels(-kPanStepPixels);
        userChangedRange();
        break;
    case Qt::Key_Home:
        zoomToFit();
        break;
    case Qt::Key_Escape:
        clearSelection();
        break;
    default:
        QAbstractScrollArea::keyPressEvent(event);
    }
}

TimelineView::SpanHit TimelineView::spanAtPoint(QPoint point) const {
    const TimelineMetrics& metrics = m_painter.metrics();
    const int rowsBottom = viewport()->height() - metrics.legend;
    if (point.y() < metrics.axis || point.y() >= rowsBottom || point.x() < m_mapper.left()) {
        return {};
    }
    const RowHit row = m_painter.rowAt(point.y() - metrics.axis + verticalScrollBar()->value());
    if (row.variant < 0) {
        return {};
    }
    SpanHit hit;
    hit.variant = row.variant;
    const TimelineData* variantData = m_painter.variants()[static_cast<std::size_t>(row.variant)].get();
    if (variantData == nullptr) {
        return hit;
    }
    if (row.kind == RowKind::Gil) {
        hit.lane = &variantData->gilLane();
        hit.gil = true;
    } else if (row.kind == RowKind::Lock && row.lane < variantData->lockLanes().size()) {
        hit.lane = &variantData->lockLanes()[row.lane];
        hit.lock = true;
    } else if (row.kind == RowKind::Lane && row.lane < variantData->lanes(m_painter.laneMode()).size()) {
        hit.lane = &variantData->lanes(m_painter.laneMode())[row.lane];
    } else if (row.kind == RowKind::Group) {
        hit.group = row.group;
        return hit;
    } else {
        return hit;
    }
    const std::int64_t ns = m_mapper.mapXToTime(point.x());
    const auto tolerance = static_cast<std::int64_t>(m_mapper.nsPerPixel() * kHoverTolerancePixels);
    const std::ptrdiff_t index = spanAt(hit.lane->spans, ns, tolerance, m_painter.dataEndNs());
    if (index >= 0) {
        hit.span = &hit.lane->spans[static_cast<std::size_t>(index)];
    }
    if (const std::ptrdiff_t marker = markerAt(hit.lane->markers, ns, tolerance); marker >= 0) {
        hit.marker = &hit.lane->markers[static_cast<std::size_t>(marker)];
    }
    return hit;
}

QString TimelineView::markerToolTip(const SpanHit& hit) const {
    const TimelineData* variantData = m_painter.variants()[static_cast<std::size_t>(hit.variant)].get();
    const TimelineMarker& marker = *hit.marker;
    const QString subject = variantData->subjectName(marker.subject);
    // An imported instant is known by its name; the engine's markers by their kind and an optional message.
    QString what = marker.kind == core::MarkerKind::Instant && !subject.isEmpty() ? subject : markerName(marker.kind);
    if (marker.kind != core::MarkerKind::Instant && !subject.isEmpty()) {
        what += QStringLiteral(": %1").arg(subject);
    }
    const QString variant = m_painter.labels()[static_cast<std::size_t>(hit.variant)];
    QString text = QStringLiteral("<b>%1</b><br>%2").arg(variant.toHtmlEscaped(), what.toHtmlEscaped());
    if (marker.task != core::kNoTask) {
        text += QStringLiteral("<br>%1").arg(variantData->taskName(marker.task).toHtmlEscaped());
    }
    text += QStringLiteral("<br>at %1 ms").arg(formatDurationMs(marker.timeNs));
    return text;
}

QString TimelineView::toolTipFor(const SpanHit& hit) const {
    const TimelineData* variantData = m_painter.variants()[static_cast<std::size_t>(hit.variant)].get();
    const TimelineSpan& span = *hit.span;
    const std::int64_t end = drawnEndNs(span, m_painter.dataEndNs());
    QString who;
    if (hit.gil) {
        const auto& workers = variantData->lanes(LaneMode::ByWorker);
        who = span.lane < workers.size() ? QStringLiteral("GIL held by %1").arg(workers[span.lane].name)
                                         : QStringLiteral("GIL held");
    } else if (hit.lock) {
        who = QStringLiteral("'%1' held by %2").arg(LockLanes::lockOf(*hit.lane), variantData->taskName(span.task));
    } else if (span.task != core::kNoTask) {
        who = variantData->taskName(span.task);
    } else {
        who = hit.lane->name;
    }
    const QString variant = m_painter.labels()[static_cast<std::size_t>(hit.variant)];
    QString text = QStringLiteral("<b>%1</b><br>%2").arg(variant.toHtmlEscaped(), who.toHtmlEscaped());
    if (!hit.gil && !hit.lock) {
        text +=
            QStringLiteral("<br>%1").arg(stateName(span.state, variantData->subjectName(span.subject)).toHtmlEscaped());
    }
    text += QStringLiteral("<br>from %1 ms for %2 ms%3")
                .arg(formatDurationMs(span.startNs), formatDurationMs(end - span.startNs),
                     span.open ? QStringLiteral(" (still going)") : QString());
    if (span.line > 0) {
        text += QStringLiteral("<br>line %1").arg(span.line);
    }
    return text;
}

} // namespace interleave::ui
