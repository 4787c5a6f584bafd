#include "charts/sweep_chart.h"

#include <QApplication>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace interleave::ui {

namespace {

constexpr double kPickRadius = 8;
const QColor kMeasured(0x00, 0x72, 0xb2); // the charts' first colour
const QColor kTheory(0xd5, 0x5e, 0x00);   // their second

// 1, 2 or 5 times a power of ten, at least `raw`.
double niceStep(double raw) {
    if (raw <= 0 || !std::isfinite(raw)) {
        return 1;
    }
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    for (const double mantissa : {1.0, 2.0, 5.0, 10.0}) {
        if (mantissa * power >= raw) {
            return mantissa * power;
        }
    }
    return 10 * power;
}

QString number(double value) {
    return value >= 100 || value == std::floor(value) ? QString::number(value, 'f', 0) : QString::number(value, 'g', 3);
}

} // namespace

SweepChart::SweepChart(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
}

void SweepChart::setSweep(const QString& parameter, const QString& theory, std::vector<Point> points) {
    m_parameter = parameter;
    m_theory = theory;
    m_points = std::move(points);
    double smallest = 0;
    double largest = 0;
    for (std::size_t index = 0; index < m_points.size(); ++index) {
        smallest = index == 0 ? m_points[index].value : std::min(smallest, m_points[index].value);
        largest = index == 0 ? m_points[index].value : std::max(largest, m_points[index].value);
    }
    // Pool sizes 1, 2, 4, ... 64 spread evenly on a log scale; a linear range stays linear.
    m_logX = smallest > 0 && largest / smallest >= 8;
    m_selected = std::min(m_selected, static_cast<int>(m_points.size()) - 1);
    update();
}

void SweepChart::clear() {
    m_points.clear();
    m_selected = -1;
    update();
}

void SweepChart::setPresenterMode(bool on) {
    m_presenter = on;
    QFont text = QApplication::font();
    text.setPointSizeF(text.pointSizeF() * (on ? 1.4 : 1.0)); // as the charts grow in presenter mode
    setFont(text);
    // The charts' presenter colours: white on black.
    QPalette colours;
    if (on) {
        colours.setColor(QPalette::Base, Qt::black);
        colours.setColor(QPalette::WindowText, Qt::white);
        colours.setColor(QPalette::Mid, QColor(0x60, 0x60, 0x60));
    }
    setPalette(colours);
    update();
}

void SweepChart::setSelected(int index) {
    m_selected = index;
    update();
}

std::optional<double> SweepChart::measured(const Point& point, Quantity quantity) const {
    return quantity == Quantity::Makespan ? point.makespanMs : point.throughputPerS;
}

std::optional<double> SweepChart::theory(const Point& point, Quantity quantity) const {
    if (!point.theoryMs || *point.theoryMs <= 0) {
        return std::nullopt;
    }
    if (quantity == Quantity::Makespan) {
        return point.theoryMs;
    }
    // The theory's throughput: the run's tasks in the theory's time (known once the run has said how many).
    return point.tasks > 0 ? std::optional<double>(static_cast<double>(point.tasks) * 1000.0 / *point.theoryMs)
                           : std::nullopt;
}

QRectF SweepChart::halfOf(const QRectF& area, Quantity quantity) const {
    const double half = area.width() / 2;
    return quantity == Quantity::Makespan ? QRectF(area.left(), area.top(), half, area.height())
                                          : QRectF(area.left() + half, area.top(), half, area.height());
}

SweepChart::Plot SweepChart::plotOf(Quantity quantity, const QRectF& area) const {
    const QFontMetricsF metrics(font());
    const QRectF half = halfOf(area, quantity);
    Plot plot;
    double top = 0;
    for (const Point& point : m_points) {
        top = std::max({top, measured(point, quantity).value_or(0), theory(point, quantity).value_or(0)});
    }
    const double titleHeight = metrics.height() * 1.6;
    const double axisHeight = metrics.height() * 2.4;
    const double height = std::max(10.0, half.height() - titleHeight - axisHeight);
    // As many ticks as fit (a short dock, presenter mode's large type), four at most; the top is one of them.
    plot.step = niceStep(top / std::clamp(std::floor(height / (metrics.height() * 1.5)), 1.0, 4.0));
    plot.yMax = std::max(plot.step, std::ceil(top / plot.step) * plot.step);
    const double left = metrics.horizontalAdvance(number(plot.yMax)) + 12;
    plot.frame = QRectF(half.left() + left, half.top() + titleHeight, std::max(10.0, half.width() - left - 16), height);
    return plot;
}

double SweepChart::xOf(const QRectF& frame, double value) const {
    if (m_points.size() < 2) {
        return frame.center().x();
    }
    auto scale = [this](double v) { return m_logX ? std::log2(v) : v; };
    double low = scale(m_points.front().value);
    double high = low;
    for (const Point& point : m_points) {
        low = std::min(low, scale(point.value));
        high = std::max(high, scale(point.value));
    }
    if (high <= low) {
        return frame.center().x();
    }
    const double inset = 12;
    return frame.left() + inset + (scale(value) - low) / (high - low) * (frame.width() - 2 * inset);
}

void SweepChart::paintPlot(QPainter& painter, Quantity quantity, const QRectF& area) const {
    const Plot plot = plotOf(quantity, area);
    const QRectF& frame = plot.frame;
    const QPalette& colours = palette();
    const QFontMetricsF metrics(painter.font());
    const QString title = quantity == Quantity::Makespan ? tr("Makespan (ms) by %1").arg(m_parameter)
                                                         : tr("Throughput (tasks/s) by %1").arg(m_parameter);
    QFont bold = painter.font();
    bold.setBold(true);
    painter.setFont(bold);
    painter.setPen(colours.color(QPalette::WindowText));
    painter.drawText(QRectF(frame.left(), area.top(), frame.width(), metrics.height() * 1.4),
                     Qt::AlignLeft | Qt::AlignVCenter, title);
    painter.setFont(font());
    // Grid and the y axis's values.
    const double step = plot.step;
    QColor grid = colours.color(QPalette::Mid);
    grid.setAlpha(90);
    for (double tick = 0; tick <= plot.yMax * (1 + 1e-9); tick += step) {
        const double y = frame.bottom() - tick / plot.yMax * frame.height();
        painter.setPen(QPen(grid, 1));
        painter.drawLine(QPointF(frame.left(), y), QPointF(frame.right(), y));
        painter.setPen(colours.color(QPalette::WindowText));
        painter.drawText(
            QRectF(area.left(), y - metrics.height() / 2, frame.left() - area.left() - 6, metrics.height()),
            Qt::AlignRight | Qt::AlignVCenter, number(tick));
    }
    // The x axis: a grid line per value, and its label where it does not run into the one before (1,000 and 2,000
    // sit close on a log axis), and the parameter's name under them.
    double labelsEnd = -1e9;
    for (const Point& point : m_points) {
        const double x = xOf(frame, point.value);
        painter.setPen(QPen(grid, 1));
        painter.drawLine(QPointF(x, frame.top()), QPointF(x, frame.bottom()));
        const QString label = number(point.value);
        const double half = metrics.horizontalAdvance(label) / 2;
        if (x - half < labelsEnd + metrics.averageCharWidth()) {
            continue;
        }
        painter.setPen(colours.color(QPalette::WindowText));
        painter.drawText(QRectF(x - 40, frame.bottom() + 2, 80, metrics.height()), Qt::AlignHCenter | Qt::AlignTop,
                         label);
        labelsEnd = x + half;
    }
    painter.setPen(colours.color(QPalette::WindowText));
    painter.drawText(QRectF(frame.left(), frame.bottom() + metrics.height(), frame.width(), metrics.height() * 1.3),
                     Qt::AlignHCenter | Qt::AlignVCenter, m_logX ? tr("%1 (log scale)").arg(m_parameter) : m_parameter);
    painter.setPen(QPen(colours.color(QPalette::WindowText), 1));
    painter.drawLine(frame.bottomLeft(), frame.bottomRight());
    painter.drawLine(frame.bottomLeft(), frame.topLeft());

    auto yOf = [&](double v) { return frame.bottom() - v / plot.yMax * frame.height(); };
    const double radius = m_presenter ? 6 : 4;
    const double width = m_presenter ? 3 : 2;
    // The theory: a dashed line through hollow points.
    QPainterPath theoryPath;
    for (const Point& point : m_points) {
        if (const auto value = theory(point, quantity)) {
            const QPointF at(xOf(frame, point.value), yOf(*value));
            theoryPath.elementCount() == 0 ? theoryPath.moveTo(at) : theoryPath.lineTo(at);
        }
    }
    painter.setRenderHint(QPainter::Antialiasing, true);
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(kTheory, width, Qt::DashLine));
    painter.drawPath(theoryPath);
    for (const Point& point : m_points) {
        if (const auto value = theory(point, quantity)) {
            painter.setPen(QPen(kTheory, width));
            painter.setBrush(colours.color(QPalette::Base));
            painter.drawEllipse(QPointF(xOf(frame, point.value), yOf(*value)), radius, radius);
        }
    }
    // The runs: a solid line through filled points, the selected one ringed.
    QPainterPath measuredPath;
    for (const Point& point : m_points) {
        if (const auto value = measured(point, quantity)) {
            const QPointF at(xOf(frame, point.value), yOf(*value));
            measuredPath.elementCount() == 0 ? measuredPath.moveTo(at) : measuredPath.lineTo(at);
        }
    }
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(kMeasured, width));
    painter.drawPath(measuredPath);
    for (std::size_t index = 0; index < m_points.size(); ++index) {
        if (const auto value = measured(m_points[index], quantity)) {
            const QPointF at(xOf(frame, m_points[index].value), yOf(*value));
            painter.setPen(Qt::NoPen);
            painter.setBrush(kMeasured);
            painter.drawEllipse(at, radius, radius);
            if (static_cast<int>(index) == m_selected) {
                painter.setPen(QPen(colours.color(QPalette::WindowText), 1.5));
                painter.setBrush(Qt::NoBrush);
                painter.drawEllipse(at, radius + 3, radius + 3);
            }
        }
    }
    painter.setRenderHint(QPainter::Antialiasing, false);
}

void SweepChart::paintChart(QPainter& painter, const QRectF& area) const {
    painter.save();
    painter.setFont(font());
    painter.fillRect(area, palette().color(QPalette::Base));
    if (m_points.empty()) {
        painter.setPen(palette().color(QPalette::WindowText));
        painter.drawText(area, Qt::AlignCenter | Qt::TextWordWrap,
                         tr("Run → Run Sweep runs a variant once per value of one parameter and draws its makespan "
                            "and throughput here, beside the lesson's theory."));
        painter.restore();
        return;
    }
    const QFontMetricsF metrics(font());
    const double legendHeight = metrics.height() * 1.5;
    const QRectF plots(area.left() + 4, area.top() + 4, area.width() - 8, area.height() - legendHeight - 8);
    paintPlot(painter, Quantity::Makespan, plots);
    paintPlot(painter, Quantity::Throughput, plots);
    // The legend, under both.
    const double y = area.bottom() - legendHeight / 2 - 2;
    double x = area.left() + 12;
    painter.setRenderHint(QPainter::Antialiasing, true);
    painter.setPen(Qt::NoPen);
    painter.setBrush(kMeasured);
    painter.drawEllipse(QPointF(x, y), 4, 4);
    painter.setPen(palette().color(QPalette::WindowText));
    const QString runs = m_interactive ? tr("measured (click a point for its run's timeline)") : tr("measured");
    painter.drawText(QPointF(x + 10, y + metrics.ascent() / 2 - 1), runs);
    x += 10 + metrics.horizontalAdvance(runs) + 24;
    if (!m_theory.isEmpty()) {
        painter.setPen(QPen(kTheory, 2));
        painter.setBrush(palette().color(QPalette::Base));
        painter.drawEllipse(QPointF(x, y), 4, 4);
        painter.setPen(palette().color(QPalette::WindowText));
        painter.drawText(QPointF(x + 10, y + metrics.ascent() / 2 - 1), tr("theory: %1 ms").arg(m_theory));
    }
    painter.restore();
}

int SweepChart::pointAt(QPointF position) const {
    const QFontMetricsF metrics(font());
    const QRectF area = QRectF(rect());
    const QRectF plots(area.left() + 4, area.top() + 4, area.width() - 8, area.height() - metrics.height() * 1.5 - 8);
    int best = -1;
    double bestDistance = kPickRadius;
    for (const Quantity quantity : {Quantity::Makespan, Quantity::Throughput}) {
        const Plot plot = plotOf(quantity, plots);
        for (std::size_t index = 0; index < m_points.size(); ++index) {
            if (const auto value = measured(m_points[index], quantity)) {
                const QPointF at(xOf(plot.frame, m_points[index].value),
                                 plot.frame.bottom() - *value / plot.yMax * plot.frame.height());
                const double distance = std::hypot(at.x() - position.x(), at.y() - position.y());
                if (distance <= bestDistance) {
                    bestDistance = distance;
                    best = static_cast<int>(index);
                }
            }
        }
    }
    return best;
}

void SweepChart::paintEvent(QPaintEvent* /*event*/) {
    QPainter painter(this);
    paintChart(painter, QRectF(rect()));
}

void SweepChart::mousePressEvent(QMouseEvent* event) {
    const int index = pointAt(event->position());
    if (index >= 0) {
        setSelected(index);
        Q_EMIT pointClicked(index);
    }
}

bool SweepChart::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int index = pointAt(help->pos());
        if (index < 0) {
            QToolTip::hideText();
            event->ignore();
            return true;
        }
        const Point& point = m_points[static_cast<std::size_t>(index)];
        QString text = QStringLiteral("<b>%1 = %2</b>").arg(m_parameter.toHtmlEscaped(), number(point.value));
        if (point.makespanMs) {
            text += tr("<br>makespan %1 ms").arg(*point.makespanMs, 0, 'f', 1);
        }
        if (point.throughputPerS) {
            text += tr("<br>throughput %1 tasks/s").arg(*point.throughputPerS, 0, 'f', 2);
        }
        if (point.theoryMs) {
            text += tr("<br>theory %1 ms").arg(*point.theoryMs, 0, 'f', 1);
        }
        QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(event);
}

} // namespace interleave::ui
