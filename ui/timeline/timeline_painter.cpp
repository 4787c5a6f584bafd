// TimelinePainter: rows of stacked variants, then per visible lane the layout's draw list, then the drawing.
#include "timeline_painter.h"

#include <QFontMetrics>

#include <algorithm>
#include <array>
#include <cmath>

namespace interleave::ui {

namespace {

constexpr std::array<core::TaskState, 7> kLegendStates = {
    core::TaskState::Running,    core::TaskState::Ready,    core::TaskState::WaitingIo, core::TaskState::Blocked,
    core::TaskState::WaitingGil, core::TaskState::Starting, core::TaskState::Failed,
};

const std::vector<TimelineLane> kNoLanes;

} // namespace

TimelineMetrics TimelineMetrics::forMode(bool presenter) {
    if (!presenter) {
        return {};
    }
    return TimelineMetrics{260, 38, 34, 36, 36, 60};
}

void TimelinePainter::setVariants(std::vector<const TimelineData*> variants, std::vector<QString> labels) {
    m_variants = std::move(variants);
    m_labels = std::move(labels);
    m_labels.resize(m_variants.size());
}

TimelinePainter::TimelinePainter() {
    setPresenterMode(false);
}

void TimelinePainter::setPresenterMode(bool presenter) {
    m_palette = StatePalette(presenter);
    for (int state = 0; state < core::kTaskStateCount; ++state) {
        // A fold: many thin spans, one mark in their main state, a shade darker than a real span.
        m_foldRgb[static_cast<std::size_t>(state)] =
            m_palette.color(static_cast<core::TaskState>(state)).darker(115).rgba();
    }
    m_metrics = TimelineMetrics::forMode(presenter);
    m_font = QFont();
    if (presenter) {
        m_font.setPointSizeF(m_font.pointSizeF() * 1.6);
    }
}

std::int64_t TimelinePainter::dataEndNs() const {
    std::int64_t end = 0;
    for (const TimelineData* data : m_variants) {
        end = std::max(end, data ? data->endNs() : 0);
    }
    return end;
}

const std::vector<TimelineLane>& TimelinePainter::lanesOf(int variant) const {
    const TimelineData* data = m_variants[static_cast<std::size_t>(variant)];
    return data ? data->lanes(m_mode) : kNoLanes;
}

std::size_t TimelinePainter::shownLaneCount(int variant) const {
    return std::min(lanesOf(variant).size(), m_laneLimit);
}

int TimelinePainter::blockHeight(int variant) const {
    const TimelineData* data = m_variants[static_cast<std::size_t>(variant)];
    int height = m_metrics.header;
    if (data != nullptr) {
        height += (data->hasGil() ? m_metrics.lane : 0) + (data->hasLoopLag() ? m_metrics.lag : 0);
        height += static_cast<int>(shownLaneCount(variant)) * m_metrics.lane;
    }
    return height;
}

int TimelinePainter::contentHeight() const {
    int height = 0;
    for (int variant = 0; variant < static_cast<int>(m_variants.size()); ++variant) {
        height += blockHeight(variant);
    }
    return height;
}

RowHit TimelinePainter::rowAt(int contentY) const {
    int top = 0;
    for (int variant = 0; variant < static_cast<int>(m_variants.size()); ++variant) {
        const int height = blockHeight(variant);
        if (contentY < top || contentY >= top + height) {
            top += height;
            continue;
        }
        const TimelineData* data = m_variants[static_cast<std::size_t>(variant)];
        if (contentY < top + m_metrics.header || data == nullptr) {
            return RowHit{variant, RowKind::Header, 0, top, m_metrics.header};
        }
        top += m_metrics.header;
        if (data->hasGil()) {
            if (contentY < top + m_metrics.lane) {
                return RowHit{variant, RowKind::Gil, 0, top, m_metrics.lane};
            }
            top += m_metrics.lane;
        }
        if (data->hasLoopLag()) {
            if (contentY < top + m_metrics.lag) {
                return RowHit{variant, RowKind::LoopLag, 0, top, m_metrics.lag};
            }
            top += m_metrics.lag;
        }
        const auto lane = static_cast<std::size_t>((contentY - top) / m_metrics.lane);
        return RowHit{variant, RowKind::Lane, lane, top + static_cast<int>(lane) * m_metrics.lane, m_metrics.lane};
    }
    return {};
}

void TimelinePainter::paint(QPainter& painter, const QRect& area, const TimeMapper& mapper, int scrollY,
                            std::optional<std::int64_t> playheadNs, const TimelineSelection& selection) const {
    painter.save();
    painter.setFont(m_font);
    painter.fillRect(area, m_palette.canvas());
    const QRect rows(area.left(), area.top() + m_metrics.axis, area.width(),
                     std::max(0, area.height() - m_metrics.axis - m_metrics.legend));
    const std::int64_t dataEnd = dataEndNs();

    painter.setClipRect(rows);
    paintAxis(painter, rows, mapper, true);
    int top = rows.top() - scrollY;
    for (int variant = 0; variant < static_cast<int>(m_variants.size()); ++variant) {
        const int height = blockHeight(variant);
        if (top + height <= rows.top() || top >= rows.bottom()) {
            top += height; // the whole block is outside the viewport
            continue;
        }
        const TimelineData* data = m_variants[static_cast<std::size_t>(variant)];
        paintHeader(painter, QRect(area.left(), top, area.width(), m_metrics.header), variant);
        int y = top + m_metrics.header;
        if (data != nullptr && data->hasGil()) {
            const QRect row(area.left(), y, area.width(), m_metrics.lane);
            paintGutterName(painter, row, QStringLiteral("GIL"), true);
            paintLane(painter, row, data->gilLane(), mapper, dataEnd, true, core::kNoTask);
            y += m_metrics.lane;
        }
        if (data != nullptr && data->hasLoopLag()) {
            const QRect row(area.left(), y, area.width(), m_metrics.lag);
            paintGutterName(painter, row, QStringLiteral("loop lag"), true);
            paintLoopLag(painter, row, *data->counter(QStringLiteral("loop_lag_ms")), mapper);
            y += m_metrics.lag;
        }
        if (data != nullptr) {
            const auto& lanes = data->lanes(m_mode);
            const RowRange visible =
                visibleRows(shownLaneCount(variant), y, m_metrics.lane, rows.top(), rows.bottom() + 1);
            const std::uint32_t selectedTask = selection.variant == variant ? selection.task : core::kNoTask;
            for (std::size_t lane = visible.first; lane < visible.last; ++lane) {
                const QRect row(area.left(), y + static_cast<int>(lane) * m_metrics.lane, area.width(), m_metrics.lane);
                paintGutterName(painter, row, lanes[lane].name, lanes[lane].task == selectedTask);
                paintLane(painter, row, lanes[lane], mapper, dataEnd, false, selectedTask);
            }
        }
        top += height;
    }
    if (playheadNs) {
        const double x = mapper.mapTimeToX(*playheadNs);
        if (x >= mapper.left() && x <= mapper.right()) {
            painter.setPen(QPen(m_palette.outline(), m_palette.outlineWidth() + 1));
            painter.drawLine(QPointF(x, rows.top()), QPointF(x, rows.bottom()));
        }
    }
    painter.setClipping(false);
    paintAxis(painter, QRect(area.left(), area.top(), area.width(), m_metrics.axis), mapper, false);
    if (m_metrics.legend > 0) {
        paintLegend(painter, QRect(area.left(), area.bottom() - m_metrics.legend + 1, area.width(), m_metrics.legend));
    }
    painter.restore();
}

void TimelinePainter::paintGutterName(QPainter& painter, const QRect& row, const QString& name, bool strong) const {
    const QRect text(row.left() + 6, row.top(), m_metrics.gutter - 10, row.height());
    QFont font = m_font;
    font.setBold(strong);
    const QFontMetrics metrics(font);
    if (row.height() < metrics.height() * 2 / 3) {
        return; // lanes shrunk to fit a figure: names would overprint each other, and grid lines hide the spans
    }
    painter.setPen(m_palette.text());
    painter.setFont(font);
    painter.drawText(text, Qt::AlignVCenter | Qt::AlignLeft, metrics.elidedText(name, Qt::ElideRight, text.width()));
    painter.setFont(m_font);
    painter.setPen(m_palette.gridLine());
    painter.drawLine(row.left(), row.bottom(), row.right(), row.bottom());
}

void TimelinePainter::paintHeader(QPainter& painter, const QRect& row, int variant) const {
    const QColor shade = m_palette.presenter() ? QColor(0x2A, 0x2A, 0x2A) : QColor(0xEE, 0xF1, 0xF5);
    painter.fillRect(row, shade);
    QFont font = m_font;
    font.setBold(true);
    painter.setFont(font);
    painter.setPen(m_palette.text());
    QString label = m_labels[static_cast<std::size_t>(variant)];
    if (const std::size_t all = lanesOf(variant).size(); shownLaneCount(variant) < all) {
        label += QStringLiteral(" · first %1 of %2 lanes").arg(shownLaneCount(variant)).arg(all);
    }
    painter.drawText(row.adjusted(6, 0, -6, 0), Qt::AlignVCenter | Qt::AlignLeft, label);
    painter.setFont(m_font);
}

void TimelinePainter::paintLane(QPainter& painter, const QRect& row, const TimelineLane& lane, const TimeMapper& mapper,
                                std::int64_t dataEndNs, bool gil, std::uint32_t selectedTask) const {
    layoutSpans(lane.spans, mapper, dataEndNs, m_spanItems);
    const int padding = row.height() >= 10 ? 2 : (row.height() >= 5 ? 1 : 0);
    const double top = row.top() + padding;
    const double height = row.height() - 2 * padding;
    const bool presenter = m_palette.presenter();
    // Folds go into a one-pixel-high strip drawn once per lane (tens of thousands of 1-3 px fills are too slow).
    const int stripLeft = static_cast<int>(std::floor(mapper.left()));
    const int stripWidth = static_cast<int>(std::ceil(mapper.right())) - stripLeft + 1;
    bool anyFold = false;
    // Vector output has no strip: runs of same-coloured fold pixels become one rectangle each.
    int runFrom = 0;
    int runTo = 0;
    QRgb runRgb = 0;
    auto flushRun = [&]() {
        if (runTo > runFrom) {
            painter.fillRect(QRectF(stripLeft + runFrom, top, runTo - runFrom, height), QColor::fromRgba(runRgb));
        }
        runFrom = runTo = 0;
    };
    for (const SpanDrawItem& item : m_spanItems) {
        const QRectF rect(item.x0, top, std::max(item.x1 - item.x0, 1.0), height);
        QColor color;
        if (!item.folded || gil) {
            color = m_palette.color(item.state);
        }
        if (gil) {
            // One shade per holding lane, so hand-overs show.
            const std::uint16_t holder = lane.spans[item.firstSpan].lane;
            color = color.darker(100 + 25 * (holder % 4));
        }
        if (item.folded && m_vector) {
            const QRgb rgb = gil ? color.darker(115).rgba() : m_foldRgb[static_cast<std::size_t>(item.state)];
            const int from = std::clamp(static_cast<int>(std::floor(item.x0)) - stripLeft, 0, stripWidth - 1);
            const int to = std::clamp(static_cast<int>(std::ceil(item.x1)) - stripLeft, from + 1, stripWidth);
            if (rgb == runRgb && from <= runTo && runTo > runFrom) {
                runTo = std::max(runTo, to);
            } else {
                flushRun();
                runFrom = from;
                runTo = to;
                runRgb = rgb;
            }
            continue;
        }
        if (item.folded) {
            if (!anyFold) {
                if (m_foldStrip.width() != stripWidth) {
                    m_foldStrip = QImage(stripWidth, 1, QImage::Format_ARGB32_Premultiplied);
                }
                m_foldStrip.fill(Qt::transparent);
                anyFold = true;
            }
            const QRgb rgb = gil ? color.darker(115).rgba() : m_foldRgb[static_cast<std::size_t>(item.state)];
            auto* pixels = reinterpret_cast<QRgb*>(m_foldStrip.scanLine(0));
            const int from = std::clamp(static_cast<int>(std::floor(item.x0)) - stripLeft, 0, stripWidth - 1);
            const int to = std::clamp(static_cast<int>(std::ceil(item.x1)) - stripLeft, from + 1, stripWidth);
            std::fill(pixels + from, pixels + to, rgb);
            continue;
        }
        if (presenter) {
            painter.fillRect(rect, m_palette.background(item.state));
            painter.fillRect(rect, QBrush(color, m_palette.pattern(item.state)));
        } else {
            painter.fillRect(rect, color);
        }
        if (selectedTask != core::kNoTask && lane.spans[item.firstSpan].task == selectedTask) {
            painter.setPen(QPen(m_palette.outline(), m_palette.outlineWidth() + 1));
            painter.setBrush(Qt::NoBrush);
            painter.drawRect(rect);
        } else if (presenter && rect.width() > 4) {
            painter.setPen(QPen(m_palette.canvas(), m_palette.outlineWidth()));
            painter.setBrush(Qt::NoBrush);
            painter.drawRect(rect);
        } else if (rect.width() > 4) {
            // A hairline where each span starts, so that back-to-back steps (ten awaits in a row) stay countable.
            painter.fillRect(QRectF(rect.left(), rect.top(), 1.0, rect.height()), m_palette.canvas());
        }
    }
    flushRun();
    if (anyFold) {
        painter.drawImage(QRectF(stripLeft, top, stripWidth, height), m_foldStrip);
    }
    layoutMarkers(lane.markers, mapper, m_markerItems);
    for (const MarkerDrawItem& marker : m_markerItems) {
        const double size = std::min(8.0, height);
        const QPointF points[3] = {{marker.x - size / 2, top}, {marker.x + size / 2, top}, {marker.x, top + size}};
        painter.setPen(QPen(m_palette.outline(), 1));
        painter.setBrush(m_palette.markerColor(marker.kind));
        painter.drawPolygon(points, 3);
    }
}

void TimelinePainter::paintLoopLag(QPainter& painter, const QRect& row, const CounterTrack& lag,
                                   const TimeMapper& mapper) const {
    painter.setPen(m_palette.gridLine());
    painter.drawLine(row.left(), row.bottom(), row.right(), row.bottom());
    const double peak = std::max(lag.peak, 1.0);
    const double base = row.bottom() - 1;
    const double scale = (row.height() - 6) / peak;
    const auto& points = lag.points;
    auto first = std::partition_point(points.begin(), points.end(),
                                      [&](const auto& point) { return point.first < mapper.startNs(); });
    if (first != points.begin()) {
        --first; // the sample before the window holds its value into it
    }
    // One vertex pair per pixel column (its maximum): a step area chart of bounded cost.
    QPolygonF area;
    area.reserve(static_cast<int>(2 * mapper.width()) + 8);
    area.append(QPointF(std::max(mapper.mapTimeToX(first == points.end() ? 0 : first->first), mapper.left()), base));
    double columnX = -1e9;
    double columnMax = 0;
    double lastValue = 0;
    auto flush = [&]() {
        if (columnX > -1e9) {
            area.append(QPointF(columnX, base - columnMax * scale));
            area.append(QPointF(columnX + 1, base - columnMax * scale));
        }
    };
    for (auto it = first; it != points.end(); ++it) {
        const double x = std::clamp(std::floor(mapper.mapTimeToX(it->first)), mapper.left(), mapper.right());
        if (x != columnX) {
            flush();
            columnX = x;
            columnMax = std::max(lastValue, it->second);
        } else {
            columnMax = std::max(columnMax, it->second);
        }
        lastValue = it->second;
        if (it->first > mapper.endNs()) {
            break;
        }
    }
    flush();
    if (area.size() < 2) {
        return;
    }
    area.append(QPointF(area.back().x(), base));
    QColor fill = m_palette.color(core::TaskState::Blocked);
    painter.setPen(QPen(fill, 1));
    fill.setAlpha(110);
    painter.setBrush(fill);
    painter.drawPolygon(area);
    painter.setPen(m_palette.text());
    painter.drawText(row.adjusted(m_metrics.gutter + 4, 2, -4, 0), Qt::AlignTop | Qt::AlignLeft,
                     QStringLiteral("peak %1 ms").arg(lag.peak, 0, 'f', 1));
}

void TimelinePainter::paintAxis(QPainter& painter, const QRect& area, const TimeMapper& mapper, bool gridOnly) const {
    const std::int64_t step = niceTickStepNs(mapper, m_palette.presenter() ? 140.0 : 90.0);
    if (!gridOnly) {
        painter.fillRect(area, m_palette.canvas());
        painter.setPen(m_palette.gridLine());
        painter.drawLine(area.left(), area.bottom(), area.right(), area.bottom());
        painter.setPen(m_palette.text());
        painter.drawText(QRect(area.left() + 6, area.top(), m_metrics.gutter - 10, area.height()),
                         Qt::AlignVCenter | Qt::AlignLeft, QStringLiteral("time (ms)"));
    }
    std::int64_t tick = (mapper.startNs() / step) * step;
    for (; tick <= mapper.endNs(); tick += step) {
        const double x = mapper.mapTimeToX(tick);
        if (x < mapper.left()) {
            continue;
        }
        if (gridOnly) {
            painter.setPen(m_palette.gridLine());
            painter.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()));
            continue;
        }
        painter.setPen(m_palette.text());
        painter.drawLine(QPointF(x, area.bottom() - 5), QPointF(x, area.bottom()));
        const QString label = formatMs(tick, step);
        if (x + 3 + QFontMetrics(painter.font()).horizontalAdvance(label) > area.right()) {
            // The last tick's label ends at its tick rather than past the edge.
            painter.drawText(QRectF(x - 203, area.top(), 200, area.height() - 4), Qt::AlignVCenter | Qt::AlignRight,
                             label);
            continue;
        }
        painter.drawText(QRectF(x + 3, area.top(), 200, area.height() - 4), Qt::AlignVCenter | Qt::AlignLeft, label);
    }
}

void TimelinePainter::paintLegend(QPainter& painter, const QRect& area) const {
    if (area.height() < 10) {
        return;
    }
    painter.fillRect(area, m_palette.canvas());
    painter.setPen(m_palette.gridLine());
    painter.drawLine(area.left(), area.top(), area.right(), area.top());
    const QFontMetrics metrics(m_font);
    const int swatch = area.height() - 8;
    int x = area.left() + 6;
    for (const core::TaskState state : kLegendStates) {
        const QRect box(x, area.top() + 4, swatch * 2, swatch);
        painter.fillRect(box, m_palette.background(state));
        painter.fillRect(box, m_palette.brush(state));
        painter.setPen(m_palette.gridLine());
        painter.setBrush(Qt::NoBrush); // whatever was drawn last must not tint the swatch
        painter.drawRect(box);
        const QString name = stateName(state);
        painter.setPen(m_palette.text());
        painter.drawText(QRect(box.right() + 4, area.top(), metrics.horizontalAdvance(name) + 4, area.height()),
                         Qt::AlignVCenter | Qt::AlignLeft, name);
        x = box.right() + 4 + metrics.horizontalAdvance(name) + 16;
    }
}

std::int64_t niceTickStepNs(const TimeMapper& mapper, double minPixels) {
    const double wanted = std::max(mapper.nsPerPixel() * minPixels, 1.0);
    double magnitude = std::pow(10.0, std::floor(std::log10(wanted)));
    for (const double factor : {1.0, 2.0, 5.0, 10.0}) {
        if (magnitude * factor >= wanted) {
            magnitude *= factor;
            break;
        }
    }
    return std::max<std::int64_t>(static_cast<std::int64_t>(std::llround(magnitude)), 1);
}

QString formatMs(std::int64_t ns, std::int64_t stepNs) {
    int decimals = 0;
    for (std::int64_t unit = 1'000'000; unit > stepNs && decimals < 6; unit /= 10) {
        ++decimals;
    }
    return QString::number(static_cast<double>(ns) / 1e6, 'f', decimals);
}

} // namespace interleave::ui
