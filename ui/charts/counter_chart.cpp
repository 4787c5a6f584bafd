// CounterChart: layout, ticks and painting of one counter chart, and the tooltip of the line under the cursor.
#include "charts/counter_chart.h"

#include "charts/round_step.h"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <array>
#include <cmath>
#include <initializer_list>

namespace interleave::ui {

namespace {

constexpr double kEdge = 6;          // chart edge to header text, and to a plot that is not aligned
constexpr double kLegendSample = 22; // length of a legend's line sample
constexpr double kHeaderGap = 12;    // between header entries
constexpr double kHoverPx = 6;       // how near a line the cursor must be for its tooltip
constexpr int kMaxTicks = 20;        // on any axis, whatever its range: a label per tick, never more

constexpr std::array<double, 9> kTickMantissas = {1, 1.5, 2, 2.5, 3, 4, 5, 6, 8};

// A round upper bound for the y axis, close above the value (a short chart labels only 0 and its top): 1, 1.2, 1.5,
// 2, 2.5, 3, 4, 5, 6, 8, 10, 12 ...
double niceCeiling(double value) {
    if (!(value > 1)) {
        return 1;
    }
    const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
    for (double factor : {1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0}) {
        if (value <= factor * magnitude) {
            return factor * magnitude;
        }
    }
    return 10 * magnitude;
}

// As many decimals as labels `step` apart need: 0 for 1, 2, 5, 10…; 1 for 0.5 or 2.5; 2 for 0.05…
int decimalsFor(double step) {
    int decimals = 0;
    while (decimals < 6) {
        const double scaled = step * std::pow(10.0, decimals);
        if (std::abs(scaled - std::round(scaled)) < 1e-6 * std::max(1.0, scaled)) {
            break;
        }
        ++decimals;
    }
    return decimals;
}

double firstTickOf(const ChartAxis& axis) {
    return std::ceil(axis.min / axis.step - 1e-9) * axis.step;
}

QString labelOf(double value, int decimals) {
    if (std::abs(value) < 1e-12) {
        value = 0; // no "-0"
    }
    return QString::number(value, 'f', decimals);
}

} // namespace

int ChartAxis::tickCount() const {
    if (!(step > 0) || max < min) {
        return 0;
    }
    return static_cast<int>(std::floor((max - firstTickOf(*this)) / step + 1e-9)) + 1;
}

CounterChart::CounterChart(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
    m_frame.xLabels = true;
    m_style.labels = font();
    m_style.title = font();
    m_style.title.setBold(true);
}

void CounterChart::setTitle(const QString& title) {
    if (title != m_title) {
        m_title = title;
        forgetLayout();
    }
}

void CounterChart::setLines(std::vector<const ChartLine*> lines) {
    m_lines = std::move(lines);
    forgetLayout(); // their names may have changed too
}

void CounterChart::forgetLayout() {
    m_header.valid = false;
    update();
}

void CounterChart::setValueKind(ValueKind kind) {
    m_valueKind = kind;
    update();
}

void CounterChart::setChartStyle(const ChartStyle& style) {
    m_style = style;
    m_labels[0].clear();
    m_labels[1].clear();
    forgetLayout();
}

double CounterChart::labelWidth(const QString& text, bool bold) const {
    QHash<QString, QStaticText>& cache = m_labels[bold ? 1 : 0];
    auto found = cache.find(text);
    if (found == cache.end()) {
        constexpr qsizetype kKept = 512; // tick labels of many ranges; dropped all at once when full
        if (cache.size() >= kKept) {
            cache.clear();
        }
        QStaticText staticText(text);
        staticText.setTextFormat(Qt::PlainText);
        staticText.prepare(QTransform(), bold ? m_style.title : m_style.labels);
        found = cache.insert(text, staticText);
    }
    return found->size().width();
}

void CounterChart::drawLabel(QPainter& painter, const QRectF& box, Qt::Alignment alignment, const QString& text,
                             bool bold) const {
    const double width = labelWidth(text, bold);
    const QStaticText& staticText = *m_labels[bold ? 1 : 0].constFind(text);
    double x = box.left();
    if (alignment & Qt::AlignRight) {
        x = box.right() - width;
    } else if (alignment & Qt::AlignHCenter) {
        x = box.center().x() - width / 2;
    }
    const double y = box.center().y() - staticText.size().height() / 2;
    painter.setFont(bold ? m_style.title : m_style.labels);
    painter.drawStaticText(QPointF(x, y), staticText);
}

void CounterChart::setRange(double fromMs, double toMs, double peak) {
    if (!std::isfinite(fromMs) || !std::isfinite(toMs) || !std::isfinite(peak)) {
        return;
    }
    toMs = std::max(toMs, fromMs + 0.001);
    if (fromMs != m_fromMs || toMs != m_toMs || peak != m_peak) {
        m_fromMs = fromMs;
        m_toMs = toMs;
        m_peak = std::max(peak, 0.0);
        update();
    }
}

void CounterChart::setPlotX(std::optional<std::pair<double, double>> plotX) {
    if (plotX != m_frame.plotX) {
        m_frame.plotX = plotX;
        update();
    }
}

void CounterChart::setXLabels(bool on) {
    if (on != m_frame.xLabels) {
        m_frame.xLabels = on;
        update();
    }
}

void CounterChart::setPlayhead(std::optional<double> ms) {
    if (ms != m_playheadMs) {
        m_playheadMs = ms;
        update();
    }
}

void CounterChart::setToolTipSource(std::function<QString(const ChartLine*, QPointF)> source) {
    m_toolTip = std::move(source);
}

const std::vector<CounterChart::HeaderEntry>& CounterChart::layOutHeader(double width, double* height) const {
    if (m_header.valid && m_header.width == width) {
        *height = m_header.height;
        return m_header.entries;
    }
    const double row = std::max(QFontMetricsF(m_style.title).height(), QFontMetricsF(m_style.labels).height());
    std::vector<HeaderEntry>& entries = m_header.entries;
    entries.clear();
    entries.reserve(m_lines.size() + 1);
    double x = kEdge;
    double y = 1;
    auto place = [&](double textWidth, double lead, const ChartLine* line) {
        const double entry = lead + textWidth;
        if (x > kEdge && x + entry > width - kEdge) {
            x = kEdge;
            y += row;
        }
        entries.push_back({QRectF(x + lead, y, textWidth, row), line});
        x += entry + kHeaderGap;
    };
    place(labelWidth(m_title, true), 0, nullptr);
    for (const ChartLine* line : m_lines) {
        place(labelWidth(line->name, false), kLegendSample + 4, line);
    }
    m_header.valid = true;
    m_header.width = width;
    m_header.height = y - 1 + row;
    *height = m_header.height;
    return entries;
}

int CounterChart::headerHeight(double width) const {
    double height = 0;
    layOutHeader(width, &height);
    return static_cast<int>(std::ceil(height));
}

QRectF CounterChart::plotAreaFor(QSizeF size, const ChartFrame& frame) const {
    const QFontMetricsF metrics(m_style.labels);
    const double top = 1 + headerHeight(size.width()) + metrics.height() / 2;
    const double bottom =
        size.height() - (frame.xLabels ? metrics.height() * (frame.xTitle ? 2.4 : 1.2) + 2 : metrics.height() / 2 + 1);
    double left = kEdge + metrics.horizontalAdvance(QStringLiteral("0000000")) + 8;
    double right = size.width() - 2 * kEdge;
    if (frame.plotX) {
        left = frame.plotX->first;
        right = frame.plotX->second;
    }
    return {left, top, std::max(1.0, right - left), std::max(1.0, bottom - top)};
}

int CounterChart::minimumChartHeight(int width) const {
    const QFontMetrics metrics(m_style.labels);
    // Room for two y labels (0 and the top), each centred on its grid line, one above the other with a gap.
    const int plotMinimum = std::max(34, metrics.height() * 8 / 5);
    const int header = std::max(headerHeight(width), metrics.height());
    const int labels = m_frame.xLabels ? metrics.height() + 4 : 0;
    return header + metrics.height() / 2 + plotMinimum + labels + 2;
}

ChartAxis CounterChart::xAxisFor(double plotWidthPx) const {
    const QFontMetricsF metrics(m_style.labels);
    plotWidthPx = std::max(plotWidthPx, 50.0);
    const double fromMs = m_fromMs;
    const double toMs = m_toMs;
    // Ticks on round milliseconds (0, 500, 1000…), like the timeline's axis above, far enough apart for the widest
    // label never to overlap the next; fewer when the chart is narrow. The plot ends at the chart's right edge (it
    // lines up with the timeline's), so a label there would be cut ("1200" read as "120"): the step is widened until
    // the last tick leaves room for half a label.
    const double span = toMs - fromMs;
    // The widest label this range can have: its largest value with the decimals a tenth of the span needs.
    const int decimals = std::clamp(1 - static_cast<int>(std::floor(std::log10(span / 10))), 0, 3);
    const double labelPx = labelWidth(
        QString::number(std::max(std::abs(fromMs), std::abs(toMs)), 'f', decimals) + QStringLiteral("0"), false);
    const int ticks = std::max(1, static_cast<int>(plotWidthPx / (labelPx * 2)));
    const double minimumStep = std::max(span / ticks, span / kMaxTicks);
    // The first step, from the smallest up, whose last tick leaves room: 1, 2 or 5 × 10^k as on the timeline while
    // that keeps at least three labels, else other round steps that keep two (a range ending just past 2000 labels
    // 0, 600, 1200, 1800 rather than 0 alone), else any.
    auto firstFitting = [&](std::initializer_list<double> mantissas, int minimumLabels) -> std::optional<double> {
        for (double magnitude = std::pow(10.0, std::floor(std::log10(minimumStep))); magnitude <= span * 10;
             magnitude *= 10) {
            for (const double mantissa : mantissas) {
                const double step = mantissa * magnitude;
                if (step < minimumStep * (1 - 1e-9)) {
                    continue;
                }
                const double lastTick = std::floor(toMs / step) * step;
                const double firstTick = std::ceil(fromMs / step) * step;
                const int labels =
                    lastTick >= firstTick ? static_cast<int>(std::lround((lastTick - firstTick) / step)) + 1 : 0;
                if (lastTick < fromMs || (toMs - lastTick) / span * plotWidthPx >= labelPx / 2) {
                    return labels >= minimumLabels ? std::optional<double>(step) : std::nullopt;
                }
            }
        }
        return std::nullopt;
    };
    double step =
        firstFitting({1.0, 2.0, 5.0}, 3)
            .value_or(
                firstFitting({1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0}, 2)
                    .value_or(firstFitting({1.0, 2.0, 2.5, 3.0, 4.0, 5.0}, 0).value_or(roundStepUp(span / ticks))));
    step = std::max(step, span / kMaxTicks);
    return {fromMs, toMs, step, decimalsFor(step)};
}

ChartAxis CounterChart::yAxisFor(double plotHeightPx) const {
    const QFontMetricsF metrics(m_style.labels);
    // Headroom so the peak is not drawn on the frame, with a round top that a tick labels (a short chart labels only
    // 0 and its top); whole numbers for the counters of whole things. Ticks divide the top evenly, as many as the
    // height has room for: five fixed ticks over 0..5 would be labelled 0, 1, 3, 4, 5.
    double top = niceCeiling(m_peak * 1.05);
    const bool whole = m_valueKind == ValueKind::Whole;
    if (whole) {
        top = std::max(1.0, std::ceil(top));
    }
    const int ticks = std::clamp(static_cast<int>(std::max(plotHeightPx, 10.0) / (metrics.height() * 1.8)), 1, 5);
    double step = top;
    for (int parts = ticks; parts > 1; --parts) {
        const double candidate = top / parts;
        // A step of 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten (0, 30, 60, 90, 120; not 0, 24, 48…).
        const double magnitude = std::pow(10.0, std::floor(std::log10(candidate)));
        const double mantissa = candidate / magnitude;
        const bool round = std::any_of(kTickMantissas.begin(), kTickMantissas.end(),
                                       [mantissa](double nice) { return std::abs(mantissa - nice) < 1e-6; });
        if (round && (!whole || std::abs(candidate - std::round(candidate)) < 1e-9)) {
            step = candidate;
            break;
        }
    }
    const int decimals =
        m_valueKind == ValueKind::Whole ? 0 : std::max(m_valueKind == ValueKind::Tenths ? 1 : 0, decimalsFor(step));
    return {0, top, step, decimals};
}

QPointF CounterChart::mapToPosition(QPointF value) const {
    const QRectF plot = plotArea();
    const ChartAxis x = xAxisFor(plot.width());
    const ChartAxis y = yAxisFor(plot.height());
    return {plot.left() + (value.x() - x.min) / (x.max - x.min) * plot.width(),
            plot.bottom() - (value.y() - y.min) / (y.max - y.min) * plot.height()};
}

void CounterChart::paintChart(QPainter& painter, const QRectF& target, const ChartFrame& frame) const {
    painter.save();
    painter.translate(target.topLeft());
    const QSizeF size = target.size();
    const QFontMetricsF metrics(m_style.labels);

    // Header: the title, then a line sample and a name per line.
    double headerHeightPx = 0;
    const std::vector<HeaderEntry>& header = layOutHeader(size.width(), &headerHeightPx);
    painter.setPen(m_style.text);
    for (const HeaderEntry& entry : header) {
        drawLabel(painter, entry.text, Qt::AlignLeft, entry.line == nullptr ? m_title : entry.line->name,
                  entry.line == nullptr);
        if (entry.line != nullptr) {
            const double y = entry.text.center().y();
            painter.setPen(entry.line->pen);
            painter.drawLine(QPointF(entry.text.left() - 4 - kLegendSample, y), QPointF(entry.text.left() - 4, y));
            painter.setPen(m_style.text);
        }
    }

    const QRectF plot = plotAreaFor(size, frame);
    const ChartAxis x = xAxisFor(plot.width());
    const ChartAxis y = yAxisFor(plot.height());
    const auto mapX = [&](double ms) { return plot.left() + (ms - x.min) / (x.max - x.min) * plot.width(); };
    const auto mapY = [&](double value) { return plot.bottom() - (value - y.min) / (y.max - y.min) * plot.height(); };

    // Grid, axes and their labels.
    const double labelHeight = metrics.height();
    const int xTicks = x.tickCount();
    const int yTicks = y.tickCount();
    QVector<QLineF> grid;
    grid.reserve(xTicks + yTicks);
    for (int tick = 0; tick < xTicks; ++tick) {
        const double px = mapX(firstTickOf(x) + tick * x.step);
        grid.append(QLineF(px, plot.top(), px, plot.bottom()));
    }
    for (int tick = 0; tick < yTicks; ++tick) {
        const double py = mapY(firstTickOf(y) + tick * y.step);
        grid.append(QLineF(plot.left(), py, plot.right(), py));
    }
    painter.setPen(QPen(m_style.grid, 0));
    painter.drawLines(grid);
    painter.setPen(QPen(m_style.axis, 0));
    painter.drawLine(plot.bottomLeft(), plot.bottomRight());
    painter.drawLine(plot.bottomLeft(), plot.topLeft());
    painter.setPen(m_style.text);
    for (int tick = 0; tick < yTicks; ++tick) {
        const double value = firstTickOf(y) + tick * y.step;
        const QRectF box(0, mapY(value) - labelHeight / 2, plot.left() - 4, labelHeight);
        drawLabel(painter, box, Qt::AlignRight, labelOf(value, y.decimals), false);
    }
    if (frame.xLabels) {
        for (int tick = 0; tick < xTicks; ++tick) {
            const double value = firstTickOf(x) + tick * x.step;
            drawLabel(painter, QRectF(mapX(value), plot.bottom() + 2, 0, labelHeight), Qt::AlignHCenter,
                      labelOf(value, x.decimals), false);
        }
        if (frame.xTitle) {
            drawLabel(painter, QRectF(plot.left(), plot.bottom() + 2 + labelHeight * 1.1, plot.width(), labelHeight),
                      Qt::AlignHCenter, tr("ms"), false);
        }
    }

    // The lines, clipped to the plot (a pen's width beyond it, so that a line at 0 or at the top is drawn whole).
    painter.save();
    painter.setClipRect(plot.adjusted(-2, -3, 2, 3));
    QPolygonF mapped;
    for (const ChartLine* line : m_lines) {
        mapped.resize(line->points.size());
        for (qsizetype index = 0; index < line->points.size(); ++index) {
            mapped[index] = QPointF(mapX(line->points[index].x()), mapY(line->points[index].y()));
        }
        painter.setPen(line->pen);
        painter.drawPolyline(mapped);
    }
    painter.restore();

    if (m_playheadMs && *m_playheadMs >= x.min && *m_playheadMs <= x.max) {
        painter.setPen(QPen(QColor(0xD5, 0x00, 0x00), 2));
        const double px = mapX(*m_playheadMs);
        painter.drawLine(QPointF(px, plot.top()), QPointF(px, plot.bottom()));
    }
    painter.restore();
}

void CounterChart::paintEvent(QPaintEvent* /*event*/) {
    QPainter painter(this);
    painter.fillRect(rect(), m_style.background);
    paintChart(painter, QRectF(rect()), m_frame);
}

std::optional<std::pair<const ChartLine*, QPointF>> CounterChart::lineAt(QPointF position) const {
    const QRectF plot = plotArea();
    if (!plot.adjusted(-kHoverPx, -kHoverPx, kHoverPx, kHoverPx).contains(position)) {
        return std::nullopt;
    }
    const ChartAxis x = xAxisFor(plot.width());
    const ChartAxis y = yAxisFor(plot.height());
    const double ms = x.min + (position.x() - plot.left()) / plot.width() * (x.max - x.min);
    std::optional<std::pair<const ChartLine*, QPointF>> nearest;
    double nearestPx = kHoverPx;
    for (const ChartLine* line : m_lines) {
        const QList<QPointF>& points = line->points;
        const auto after = std::upper_bound(points.begin(), points.end(), ms,
                                            [](double time, const QPointF& point) { return time < point.x(); });
        if (after == points.begin() || after == points.end()) {
            continue; // before its first point or after its last
        }
        const QPointF& from = *std::prev(after);
        const QPointF& to = *after;
        // Steps have their changes at one x, so between two points a step line is flat; a linear one interpolates.
        const double value =
            to.x() > from.x() ? from.y() + (to.y() - from.y()) * (ms - from.x()) / (to.x() - from.x()) : from.y();
        const double py = plot.bottom() - (value - y.min) / (y.max - y.min) * plot.height();
        if (std::abs(py - position.y()) <= nearestPx) {
            nearestPx = std::abs(py - position.y());
            nearest.emplace(line, QPointF(ms, value));
        }
    }
    return nearest;
}

void CounterChart::mouseMoveEvent(QMouseEvent* event) {
    QWidget::mouseMoveEvent(event);
    const auto hit = m_toolTip ? lineAt(event->position()) : std::nullopt;
    if (hit) {
        QToolTip::showText(event->globalPosition().toPoint(), m_toolTip(hit->first, hit->second), this);
    } else {
        QToolTip::hideText();
    }
}

void CounterChart::leaveEvent(QEvent* event) {
    QWidget::leaveEvent(event);
    QToolTip::hideText();
}

} // namespace interleave::ui
