// TimelinePainter's rows about locks: a lock's lane (its holders, and a strip where tasks wait for it) and a
// deadlock's cycle drawn over the lanes.
#include "timeline_painter.h"

#include <QFontMetrics>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace interleave::ui {

void TimelinePainter::paintLock(QPainter& painter, const QRect& row, const TimelineData& data, const TimelineLane& lock,
                                const TimeMapper& mapper, std::int64_t dataEndNs) const {
    paintLane(painter, row, lock, mapper, dataEndNs, true, core::kNoTask); // shaded by holder, as the GIL's lane
    const std::int64_t endNs = std::min(dataEndNs, data.endNs());          // this variant's, not the longest one's
    const CounterTrack* waiters = data.counter(LockLanes::lockOf(lock) + QStringLiteral(".waiters"));
    if (waiters == nullptr) {
        return;
    }
    const double strip = std::max(2.0, row.height() / 3.0);
    const QColor blocked = m_palette.color(core::TaskState::Blocked);
    const QFontMetrics metrics(m_font);
    const auto& points = waiters->points;
    // From the step in force at the view's left edge to the last one starting before its right edge: a frame draws
    // what is visible, not the whole run (L12's lock is taken 2,000 times).
    auto first = std::upper_bound(points.begin(), points.end(), mapper.startNs(),
                                  [](std::int64_t time, const auto& point) { return time < point.first; });
    const auto from = static_cast<std::size_t>(std::max<std::ptrdiff_t>(first - points.begin() - 1, 0));
    for (std::size_t at = from; at < points.size() && points[at].first <= mapper.endNs(); ++at) {
        const double count = points[at].second;
        if (count <= 0) {
            continue;
        }
        const std::int64_t until = at + 1 < points.size() ? points[at + 1].first : endNs;
        const double x0 = std::max(mapper.mapTimeToX(points[at].first), mapper.left());
        const double x1 = std::min(mapper.mapTimeToX(until), mapper.right());
        if (x1 < x0) {
            continue;
        }
        const QRectF bar(x0, row.bottom() + 1 - strip, std::max(x1 - x0, 1.0), strip);
        painter.fillRect(bar, blocked);
        const QString text = QString::number(count, 'f', 0);
        if (bar.width() > metrics.horizontalAdvance(text) + 4 && strip >= metrics.ascent() * 0.6) {
            painter.setPen(m_palette.text());
            painter.drawText(bar, Qt::AlignCenter, text);
        }
    }
}

void TimelinePainter::paintDeadlock(QPainter& painter, const TimelineData& data, const VariantRows& shown, int rowsTop,
                                    const TimeMapper& mapper) const {
    const auto& lanes = data.lanes(LaneMode::ByTask);
    std::unordered_map<std::uint32_t, double> middleOf; // task: its lane row's middle, when the row is shown
    for (std::size_t index = 0; index < shown.rows.size(); ++index) {
        if (shown.rows[index].kind == RowKind::Lane) {
            middleOf[lanes[shown.rows[index].index].task] = rowsTop + (shown.tops[index] + shown.tops[index + 1]) / 2.0;
        }
    }
    const QColor colour = m_palette.markerColor(core::MarkerKind::Deadlock);
    QFont font = m_font;
    font.setBold(true);
    painter.setFont(font);
    const QFontMetricsF metrics(font);
    int link = 0;
    std::vector<QRectF> labels; // drawn so far: rows thinner than a label (a figure's) would stack them on each other
    for (const TimelineLane& lane : lanes) {
        for (const TimelineMarker& marker : lane.markers) {
            if (marker.kind != core::MarkerKind::Deadlock || lane.task != marker.task) {
                continue;
            }
            const auto from = middleOf.find(marker.task);
            const auto to = middleOf.find(marker.holder);
            if (from == middleOf.end() || to == middleOf.end()) {
                continue;
            }
            const double x = mapper.mapTimeToX(marker.timeNs);
            const QString text =
                marker.holder == marker.task
                    ? QStringLiteral("waits for %1, which it holds").arg(data.subjectName(marker.subject))
                    : QStringLiteral("waits for %1").arg(data.subjectName(marker.subject));
            QRectF box = metrics.boundingRect(text).adjusted(-3, -1, 3, 1);
            // Each arrow of a cycle a little further out; to the left when the cycle closes at the right edge (it
            // usually does: the run ends there).
            double bulge = 28.0 + 16.0 * link++;
            if (x + bulge + 6 + box.width() > mapper.right()) {
                bulge = -bulge;
            }
            QPainterPath path(QPointF(x, from->second));
            QPointF head;
            if (marker.holder == marker.task) {
                // A loop back into its own lane: it waits for itself.
                const double lift = m_metrics.lane * 0.9;
                head = QPointF(x + (bulge > 0 ? 2 : -2), from->second - 2);
                path.cubicTo(QPointF(x + bulge, from->second - lift), QPointF(x + bulge, from->second + lift), head);
            } else {
                head = QPointF(x + (bulge > 0 ? 3 : -3), to->second);
                path.cubicTo(QPointF(x + bulge, from->second), QPointF(x + bulge, to->second), head);
            }
            painter.setPen(QPen(colour, std::max(2.0, m_palette.outlineWidth() + 1.0)));
            painter.setBrush(Qt::NoBrush);
            painter.drawPath(path);
            // The head points along the curve's last stretch, back towards the lane.
            const QPointF back = path.pointAtPercent(0.9) - head;
            const double length = std::max(1.0, std::hypot(back.x(), back.y()));
            const QPointF along(back.x() / length * 9, back.y() / length * 9);
            const QPointF across(-along.y() * 0.5, along.x() * 0.5);
            const QPointF arrow[3] = {head, head + along + across, head + along - across};
            painter.setPen(Qt::NoPen);
            painter.setBrush(colour);
            painter.drawPolygon(arrow, 3);
            // The name on the waiter's row, beyond the curve: one label per row.
            const double labelTop = from->second - box.height() / 2;
            if (bulge > 0) {
                box.moveTopLeft(QPointF(x + bulge + 6, labelTop));
            } else {
                box.moveTopRight(QPointF(x + bulge - 6, labelTop));
            }
            // Inside its variant's rows (the next block's header would cover it), beside the labels it would cover,
            // further out along its side.
            box.moveTop(std::min(box.top(), rowsTop + shown.tops.back() - box.height()));
            for (bool moved = true; moved;) {
                moved = false;
                for (const QRectF& drawn : labels) {
                    if (box.intersects(drawn)) {
                        box.moveLeft(bulge > 0 ? drawn.right() + 4 : drawn.left() - 4 - box.width());
                        moved = true;
                    }
                }
            }
            labels.push_back(box);
            painter.setBrush(m_palette.canvas());
            painter.setPen(QPen(colour, 1));
            painter.drawRect(box);
            painter.setPen(colour);
            painter.drawText(box, Qt::AlignCenter, text);
        }
    }
    painter.setFont(m_font);
}

} // namespace interleave::ui
