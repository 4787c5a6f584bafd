// TimelinePainter's drawing of the lanes: per visible row the layout's draw list, then the strokes (rows:
// timeline_rows.cpp; the time axis and the legend around them: timeline_axis_legend.cpp; locks and deadlocks:
// timeline_painter_locks.cpp).
#include "timeline_painter.h"

#include <QFontMetrics>

#include <algorithm>
#include <array>
#include <cmath>

namespace interleave::ui {

namespace {

// A group strip's bands, bottom up: the states that hold a lane (running), then those waiting for something.
constexpr std::array<core::TaskState, 5> kGroupStates = {
    core::TaskState::Running, core::TaskState::WaitingGil, core::TaskState::Ready,
    core::TaskState::Blocked, core::TaskState::WaitingIo,
};

constexpr double kHatchSpacing = 6.0; // px between the lines of a fold's hatching

} // namespace

TimelineMetrics TimelineMetrics::forMode(bool presenter) {
    if (!presenter) {
        return {};
    }
    // A lag chart and a group strip take 1.2 lanes each, not more: on a projector's 720 rows, L8's producer stays above
    // the fold under a variant with its lag, its main and a group.
    return TimelineMetrics{260, 38, 34, 36, 36, 44, 44, 22};
}

void TimelinePainter::setVariants(std::vector<SharedTimeline> variants, std::vector<QString> labels) {
    m_variants = std::move(variants);
    m_labels = std::move(labels);
    m_labels.resize(m_variants.size());
    // No invalidateRows(): each variant's rows are rebuilt when its data is another or has changed (rowsOf), so a
    // variant starting does not rebuild a finished one's 100,000 lanes.
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
    invalidateRows();
    m_gutterText.clear(); // shaped in the other mode's font
    m_font = QFont();
    if (presenter) {
        m_font.setPointSizeF(m_font.pointSizeF() * 1.6);
    }
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
        const TimelineData* data = m_variants[static_cast<std::size_t>(variant)].get();
        paintHeader(painter, QRect(area.left(), top, area.width(), m_metrics.header), variant);
        if (data == nullptr || m_folding.variantCollapsed(variant)) {
            top += height;
            continue;
        }
        int y = top + m_metrics.header;
        if (data->hasGil()) {
            const QRect row(area.left(), y, area.width(), m_metrics.lane);
            paintGutterName(painter, row, QStringLiteral("GIL"), true);
            paintLane(painter, row, data->gilLane(), mapper, dataEnd, true, core::kNoTask);
            y += m_metrics.lane;
        } else if (gilUnmeasured(variant)) {
            const QRect row(area.left(), y, area.width(), m_metrics.lane);
            paintGutterName(painter, row, QStringLiteral("GIL"), true);
            painter.setPen(m_palette.text());
            painter.drawText(row.adjusted(m_metrics.gutter + 6, 0, 0, 0), Qt::AlignVCenter | Qt::AlignLeft,
                             QStringLiteral("not drawn: CPython does not say which thread holds the GIL"));
            y += m_metrics.lane;
        }
        if (showsLoopLag(*data)) {
            const QRect row(area.left(), y, area.width(), m_metrics.lag);
            paintGutterName(painter, row, QStringLiteral("loop lag"), true);
            paintLoopLag(painter, row, *data->counter(QStringLiteral("loop_lag_ms")), mapper);
            y += m_metrics.lag;
        }
        for (const TimelineLane& lock : data->lockLanes()) {
            const QRect row(area.left(), y, area.width(), m_metrics.lane);
            paintGutterName(painter, row, lock.name, true);
            paintLock(painter, row, *data, lock, mapper, dataEnd);
            y += m_metrics.lane;
        }
        const auto& lanes = data->lanes(m_mode);
        const VariantRows& shown = rowsOf(variant);
        const bool selected = selection.variant == variant;
        const std::uint32_t selectedTask = selected ? selection.task : core::kNoTask;
        // A selected task inside a folded group: its group row's name is drawn strong.
        const int selectedGroup =
            !selected ? -1 : (selection.group >= 0 ? selection.group : data->groupOfTask(selection.task));
        // Rows intersecting the viewport, by binary search over the rows' offsets.
        auto firstRow = std::upper_bound(shown.tops.begin(), shown.tops.end(), rows.top() - y);
        const std::size_t first =
            firstRow == shown.tops.begin() ? 0 : static_cast<std::size_t>(firstRow - shown.tops.begin()) - 1;
        for (std::size_t index = first; index < shown.rows.size() && y + shown.tops[index] <= rows.bottom(); ++index) {
            const RowEntry& entry = shown.rows[index];
            const QRect row(area.left(), y + shown.tops[index], area.width(),
                            shown.tops[index + 1] - shown.tops[index]);
            if (entry.kind == RowKind::Group) {
                const TaskGroup& group = data->groups()[entry.index];
                const int triangle = row.left() + 4;
                paintDisclosure(painter, row, triangle, groupExpanded(variant, static_cast<int>(entry.index)));
                paintGutterName(painter, row, groupLabel(variant, static_cast<int>(entry.index)),
                                selectedGroup == static_cast<int>(entry.index), m_metrics.indent);
                paintGroup(painter, row, group, mapper, dataEnd);
                continue;
            }
            const TimelineLane& lane = lanes[entry.index];
            // Members sit under their group's name, one step further in.
            paintGutterName(painter, row, lane.name, lane.task == selectedTask,
                            entry.group >= 0 ? 2 * m_metrics.indent : 0);
            paintLane(painter, row, lane, mapper, dataEnd, false, selectedTask);
        }
        if (m_mode == LaneMode::ByTask && data->hasMarkers(core::MarkerKind::Deadlock)) {
            paintDeadlock(painter, *data, shown, y, mapper);
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

void TimelinePainter::paintGutterName(QPainter& painter, const QRect& row, const QString& name, bool strong,
                                      int indent) const {
    constexpr qsizetype kMaxCachedNames = 4096;
    const QRect text(row.left() + 6 + indent, row.top(), m_metrics.gutter - 10 - indent, row.height());
    const GutterKey key{name, text.width(), strong};
    auto cached = m_gutterText.constFind(key);
    if (cached == m_gutterText.constEnd()) {
        if (m_gutterText.size() >= kMaxCachedNames) {
            m_gutterText.clear();
        }
        QFont font = m_font;
        font.setBold(strong);
        const QFontMetrics metrics(font);
        GutterText entry{QStaticText(metrics.elidedText(name, Qt::ElideRight, text.width())), metrics.height()};
        entry.text.setTextFormat(Qt::PlainText);
        entry.text.prepare(QTransform(), font);
        cached = m_gutterText.insert(key, std::move(entry));
    }
    if (row.height() < cached->height * 2 / 3) {
        return; // lanes shrunk to fit a figure: names would overprint each other, and grid lines hide the spans
    }
    painter.setPen(m_palette.text());
    if (strong) {
        QFont font = m_font;
        font.setBold(true);
        painter.setFont(font);
    }
    painter.drawStaticText(QPointF(text.left(), text.top() + (text.height() - cached->height) / 2.0), cached->text);
    if (strong) {
        painter.setFont(m_font);
    }
    painter.setPen(m_palette.gridLine());
    painter.drawLine(row.left(), row.bottom(), row.right(), row.bottom());
}

void TimelinePainter::paintDisclosure(QPainter& painter, const QRect& row, int left, bool expanded) const {
    // ▸ folded, ▾ expanded; as wide as the indent of the names beside it.
    const double size = std::min<double>(m_metrics.indent - 4, row.height() - 4);
    if (size < 4) {
        return;
    }
    const double x = left + (m_metrics.indent - 4 - size) / 2;
    const double y = row.top() + (row.height() - size) / 2.0;
    QPolygonF triangle;
    if (expanded) {
        triangle << QPointF(x, y + size * 0.2) << QPointF(x + size, y + size * 0.2)
                 << QPointF(x + size / 2, y + size * 0.9);
    } else {
        triangle << QPointF(x + size * 0.2, y) << QPointF(x + size * 0.9, y + size / 2)
                 << QPointF(x + size * 0.2, y + size);
    }
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing, true);
    painter.setPen(Qt::NoPen);
    painter.setBrush(m_palette.text());
    painter.drawPolygon(triangle);
    painter.restore();
}

void TimelinePainter::paintHeader(QPainter& painter, const QRect& row, int variant) const {
    const QColor shade = m_palette.presenter() ? QColor(0x2A, 0x2A, 0x2A) : QColor(0xEE, 0xF1, 0xF5);
    painter.fillRect(row, shade);
    paintDisclosure(painter, row, row.left() + 4, !m_folding.variantCollapsed(variant));
    QFont font = m_font;
    font.setBold(true);
    painter.setFont(font);
    painter.setPen(m_palette.text());
    QString label = m_labels[static_cast<std::size_t>(variant)];
    if (const std::size_t hidden = hiddenLaneCount(variant); hidden > 0) {
        label += QStringLiteral(" · %1 %2 left out (no room)")
                     .arg(groupedCount(hidden), hidden == 1 ? QStringLiteral("lane") : QStringLiteral("lanes"));
    }
    painter.drawText(row.adjusted(6 + m_metrics.indent, 0, -6, 0), Qt::AlignVCenter | Qt::AlignLeft, label);
    painter.setFont(m_font);
}

void TimelinePainter::paintGroup(QPainter& painter, const QRect& row, const TaskGroup& group, const TimeMapper& mapper,
                                 std::int64_t dataEndNs) const {
    // Per pixel column, the time-weighted mean number of members in each state, stacked bottom up. The strip's full
    // height stands for the group's size (all its members), so the empty part above the bands is the members not yet
    // started or already finished, and two groups' strips compare. Each column costs a binary search per state in the
    // group's step counters (TaskGroup): the cost is pixels · log(steps), whatever the number of members or spans.
    // A state with any members in a column gets at least one pixel, so that 10 of 1,000 stay visible.
    const int padding = row.height() >= 10 ? 2 : (row.height() >= 5 ? 1 : 0);
    const double bottom = row.bottom() - padding + 1;
    const double height = row.height() - 2 * padding;
    if (group.size == 0 || height <= 0) {
        return;
    }
    const double from = std::max(mapper.left(), std::floor(mapper.mapTimeToX(0)));
    const double to = std::min(mapper.right(), std::ceil(mapper.mapTimeToX(dataEndNs)));
    const int columns = static_cast<int>(to - from);
    if (columns <= 0) {
        return;
    }
    constexpr std::size_t kBands = kGroupStates.size();
    // Each band's lower and upper edge per column, as step outlines (a point pair where a value changes).
    std::array<std::vector<double>, kBands + 1> edges;
    for (auto& edge : edges) {
        edge.resize(static_cast<std::size_t>(columns));
    }
    std::array<std::int64_t, kBands> previous{};
    std::array<std::size_t, kBands> cursors{}; // the columns go left to right: each search starts where the last ended
    std::int64_t startNs = mapper.mapXToTime(from);
    for (std::size_t band = 0; band < kBands; ++band) {
        previous[band] = group.states[static_cast<std::size_t>(kGroupStates[band])].integralTo(startNs, cursors[band]);
    }
    const double scale = height / static_cast<double>(group.size);
    for (int column = 0; column < columns; ++column) {
        const std::int64_t endNs = std::min(mapper.mapXToTime(from + column + 1), dataEndNs);
        const double span = static_cast<double>(std::max<std::int64_t>(endNs - startNs, 1));
        std::array<double, kBands> px{};
        double total = 0;
        std::size_t largest = 0;
        for (std::size_t band = 0; band < kBands; ++band) {
            const std::int64_t integral =
                group.states[static_cast<std::size_t>(kGroupStates[band])].integralTo(endNs, cursors[band]);
            const double mean = static_cast<double>(integral - previous[band]) / span;
            previous[band] = integral;
            px[band] = mean > 1e-9 ? std::max(1.0, std::round(mean * scale)) : 0.0;
            total += px[band];
            largest = px[band] > px[largest] ? band : largest;
        }
        if (total > height) {
            px[largest] = std::max(0.0, px[largest] - (total - height));
        }
        double level = bottom;
        edges[0][static_cast<std::size_t>(column)] = level;
        for (std::size_t band = 0; band < kBands; ++band) {
            level -= px[band];
            edges[band + 1][static_cast<std::size_t>(column)] = level;
        }
        startNs = endNs;
    }
    auto addStep = [&](QPolygonF& outline, const std::vector<double>& edge, bool forward) {
        for (int step = 0; step < columns; ++step) {
            const int column = forward ? step : columns - 1 - step;
            const double value = edge[static_cast<std::size_t>(column)];
            const double left = from + column;
            const double right = left + 1;
            const bool same = step > 0 && edge[static_cast<std::size_t>(forward ? column - 1 : column + 1)] == value;
            if (!same) {
                outline << QPointF(forward ? left : right, value);
            }
            const bool sameNext =
                step + 1 < columns && edge[static_cast<std::size_t>(forward ? column + 1 : column - 1)] == value;
            if (!sameNext) {
                outline << QPointF(forward ? right : left, value);
            }
        }
    };
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing, false);
    painter.setPen(Qt::NoPen);
    QPolygonF outline;
    outline.reserve(4 * static_cast<qsizetype>(columns) + 4); // at most two points per column and edge
    for (std::size_t band = 0; band < kBands; ++band) {
        outline.clear();
        addStep(outline, edges[band + 1], true);
        addStep(outline, edges[band], false);
        const core::TaskState state = kGroupStates[band];
        if (m_palette.presenter()) {
            painter.setBrush(m_palette.background(state));
            painter.drawPolygon(outline);
        }
        painter.setBrush(m_palette.brush(state));
        painter.drawPolygon(outline);
    }
    painter.restore();
}

void TimelinePainter::paintFoldHatch(QPainter& painter, const std::vector<std::pair<double, double>>& runs, double top,
                                     double height) const {
    // "/" lines on a grid anchored at x + y = k · spacing, so the hatching of neighbouring folds lines up. Drawn as
    // lines rather than a pattern brush, so SVG and PDF keep it too.
    QVector<QLineF> lines;
    const double bottom = top + height;
    for (const auto& [x0, x1] : runs) {
        const double first = std::ceil((x0 + top) / kHatchSpacing) * kHatchSpacing;
        for (double k = first; k <= x1 + bottom; k += kHatchSpacing) {
            // The line x + y = k inside [x0, x1] × [top, bottom].
            const double startX = std::max(x0, k - bottom);
            const double endX = std::min(x1, k - top);
            if (endX > startX) {
                lines.append(QLineF(startX, k - startX, endX, k - endX));
            }
        }
    }
    if (lines.isEmpty()) {
        return;
    }
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing, false);
    painter.setPen(QPen(foldHatchColor(), 1));
    painter.drawLines(lines);
    painter.restore();
}

QColor TimelinePainter::foldHatchColor() const {
    return m_palette.presenter() ? QColor(0, 0, 0, 200) : QColor(255, 255, 255, 210);
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
    m_foldRuns.clear();
    for (const SpanDrawItem& item : m_spanItems) {
        const QRectF rect(item.x0, top, std::max(item.x1 - item.x0, 1.0), height);
        if (item.folded) {
            // Whole pixel columns, merged with a touching fold: the hatching goes over these runs.
            const double x0 = std::floor(item.x0);
            const double x1 = std::max(std::ceil(item.x1), x0 + 1);
            if (!m_foldRuns.empty() && x0 <= m_foldRuns.back().second) {
                m_foldRuns.back().second = std::max(m_foldRuns.back().second, x1);
            } else {
                m_foldRuns.emplace_back(x0, x1);
            }
        }
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
    if (height >= 4) {
        paintFoldHatch(painter, m_foldRuns, top, height); // folds look folded: "many short steps" in the legend
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
            // A step track holds its last value into the column; a linear one (the lag's sawtooth) does not.
            columnMax = lag.linear ? it->second : std::max(lastValue, it->second);
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

} // namespace interleave::ui
