#include "charts/stage_chart.h"

#include <QApplication>
#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace interleave::ui {

namespace {

// Paul Tol's "muted" colours, which read apart for every kind of colour vision, in an order that keeps the first
// stages away from the timeline's state colours (Okabe and Ito's); grey is kept for "outside stages".
const QColor kStageColours[] = {QColor(0xCC, 0x66, 0x77), QColor(0xDD, 0xCC, 0x77), QColor(0x33, 0x22, 0x88),
                                QColor(0x99, 0x99, 0x33), QColor(0x88, 0x22, 0x55), QColor(0x88, 0xCC, 0xEE),
                                QColor(0x44, 0xAA, 0x99), QColor(0xAA, 0x44, 0x99), QColor(0x11, 0x77, 0x33)};
const QColor kOutside(0xBB, 0xBB, 0xBB);

QString milliseconds(double ms) {
    return ms >= 100 || ms == std::floor(ms) ? QString::number(ms, 'f', 0) : QString::number(ms, 'g', 3);
}

double totalOf(const StageChart::Row& row) {
    double total = row.outsideMs;
    for (const core::StageShare& share : row.stages) {
        total += share.ms;
    }
    return total;
}

// Dark text on the light colours, white on the dark ones.
QColor textOn(const QColor& fill) {
    return fill.lightnessF() > 0.55 ? QColor(0x20, 0x20, 0x20) : Qt::white;
}

} // namespace

StageChart::StageChart(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
}

std::vector<StageChart::Row> StageChart::rowsOf(const core::LessonReport& report) {
    std::vector<Row> rows;
    for (const core::VariantSummary& variant : report.variants) {
        if (!variant.stages.empty()) {
            rows.push_back(
                Row{QString::fromStdString(variant.variant), variant.stages.stages, variant.stages.outsideMs});
        }
    }
    return rows;
}

void StageChart::setRows(std::vector<Row> rows) {
    m_rows = std::move(rows);
    updateGeometry();
    update();
}

void StageChart::setPresenterMode(bool on) {
    m_presenter = on;
    QFont text = QApplication::font();
    text.setPointSizeF(text.pointSizeF() * (on ? 1.4 : 1.0));
    setFont(text);
    updateGeometry();
    update();
}

QStringList StageChart::stageNames() const {
    QStringList names;
    for (const Row& row : m_rows) {
        for (const core::StageShare& share : row.stages) {
            const QString name = QString::fromStdString(share.stage);
            if (!names.contains(name)) {
                names << name;
            }
        }
    }
    return names;
}

QColor StageChart::colourOf(int index) const {
    if (index < 0) {
        return kOutside;
    }
    return kStageColours[static_cast<std::size_t>(index) % std::size(kStageColours)];
}

StageChart::Layout StageChart::layoutIn(const QRectF& area) const {
    const QFontMetricsF metrics(font());
    const double line = metrics.height();
    const double gap = line * 0.4;
    Layout layout;
    layout.title = QRectF(area.left(), area.top(), area.width(), line);
    double y = area.top() + line + gap / 2;

    // A bar per variant, all on the scale of the longest makespan.
    double nameWidth = 0;
    double longest = 0;
    for (const Row& row : m_rows) {
        nameWidth = std::max(nameWidth, metrics.horizontalAdvance(row.variant));
        longest = std::max(longest, totalOf(row));
    }
    nameWidth = std::min(nameWidth + line * 0.6, area.width() / 3);
    const double totalWidth = metrics.horizontalAdvance(QStringLiteral("00000 ms")) + line * 0.5;
    const double barLeft = area.left() + nameWidth;
    const double barWidth = std::max(10.0, area.width() - nameWidth - totalWidth);
    const double barHeight = line * 1.35;
    for (std::size_t index = 0; index < m_rows.size(); ++index) {
        const Row& row = m_rows[index];
        layout.names.emplace_back(area.left(), y, nameWidth - line * 0.3, barHeight);
        double left = barLeft;
        auto add = [&](const QString& stage, double ms) {
            const double width = longest > 0 ? barWidth * ms / longest : 0;
            layout.segments.push_back(Segment{QRectF(left, y, width, barHeight), stage, ms, index});
            left += width;
        };
        for (const core::StageShare& share : row.stages) {
            add(QString::fromStdString(share.stage), share.ms);
        }
        add(QString(), row.outsideMs);
        layout.totals.emplace_back(left + line * 0.3, y, totalWidth, barHeight);
        y += barHeight + gap;
    }
    layout.barsBottom = y;

    // Then the legend (what a short panel leaves out first): a swatch and a name per stage, wrapping onto more lines
    // when the width runs out.
    const QStringList names = stageNames();
    double x = area.left();
    const double swatch = line * 0.8;
    for (int item = 0; item <= static_cast<int>(names.size()); ++item) {
        const int index = item < static_cast<int>(names.size()) ? item : -1; // "outside stages" last
        const QString text = index < 0 ? tr("outside stages") : names[index];
        const double width = swatch + 4 + metrics.horizontalAdvance(text) + line;
        if (x > area.left() && x + width > area.right()) {
            x = area.left();
            y += line + 2;
        }
        layout.legend.emplace_back(QRectF(x, y, width - line, line), index);
        x += width;
    }
    y += line + gap / 2;

    layout.bottom = y;
    return layout;
}

int StageChart::heightFor(int width) const {
    if (m_rows.empty()) {
        return 0;
    }
    return static_cast<int>(std::ceil(layoutIn(QRectF(0, 0, std::max(width, 60), 10000)).bottom)) + 2;
}

int StageChart::barsHeightFor(int width) const {
    if (m_rows.empty()) {
        return 0;
    }
    return static_cast<int>(std::ceil(layoutIn(QRectF(0, 0, std::max(width, 60), 10000)).barsBottom)) + 2;
}

void StageChart::paintChart(QPainter& painter, const QRectF& area) const {
    painter.save();
    painter.setFont(font());
    const QColor text = m_presenter ? QColor(Qt::white) : palette().color(QPalette::WindowText);
    const Layout layout = layoutIn(area);
    const QStringList names = stageNames();
    const QFontMetricsF metrics(font());

    QFont bold = font();
    bold.setBold(true);
    painter.setFont(bold);
    painter.setPen(text);
    // The whole title where it fits; a narrow summary keeps its first words.
    const QString title = tr("Where the time went · overlapping stages share their time");
    painter.drawText(layout.title, Qt::AlignLeft | Qt::AlignVCenter,
                     QFontMetricsF(bold).horizontalAdvance(title) <= layout.title.width() ? title
                                                                                          : tr("Where the time went"));
    painter.setFont(font());

    for (const auto& [box, index] : layout.legend) {
        if (box.bottom() > area.bottom() + 1) {
            break; // no room left: the segments' colours are in their tooltips and names
        }
        const double swatch = box.height() * 0.8;
        painter.fillRect(QRectF(box.left(), box.center().y() - swatch / 2, swatch, swatch), colourOf(index));
        painter.setPen(text);
        painter.drawText(QRectF(box.left() + swatch + 4, box.top(), box.width() - swatch - 4, box.height()),
                         Qt::AlignLeft | Qt::AlignVCenter, index < 0 ? tr("outside stages") : names[index]);
    }
    for (std::size_t row = 0; row < m_rows.size(); ++row) {
        painter.setPen(text);
        painter.drawText(layout.names[row], Qt::AlignRight | Qt::AlignVCenter,
                         metrics.elidedText(m_rows[row].variant, Qt::ElideRight, layout.names[row].width()));
        painter.drawText(layout.totals[row], Qt::AlignLeft | Qt::AlignVCenter,
                         tr("%1 ms").arg(milliseconds(totalOf(m_rows[row]))));
    }
    for (const Segment& segment : layout.segments) {
        if (segment.rect.width() <= 0) {
            continue;
        }
        const QColor fill = colourOf(segment.stage.isEmpty() ? -1 : static_cast<int>(names.indexOf(segment.stage)));
        painter.fillRect(segment.rect, fill);
        painter.setPen(QPen(m_presenter ? QColor(Qt::black) : QColor(Qt::white), 1));
        painter.drawLine(segment.rect.topRight(), segment.rect.bottomRight());
        // Its name and time inside when they fit, else its time alone, else nothing (the tooltip has it).
        const QString full = segment.stage.isEmpty() ? milliseconds(segment.ms)
                                                     : tr("%1 %2").arg(segment.stage, milliseconds(segment.ms));
        const double room = segment.rect.width() - 6;
        const QString shown = metrics.horizontalAdvance(full) <= room                       ? full
                              : metrics.horizontalAdvance(milliseconds(segment.ms)) <= room ? milliseconds(segment.ms)
                                                                                            : QString();
        if (!shown.isEmpty()) {
            painter.setPen(textOn(fill));
            painter.drawText(segment.rect, Qt::AlignCenter, shown);
        }
    }
    painter.restore();
}

void StageChart::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), m_presenter ? QColor(Qt::black) : palette().color(QPalette::Window));
    paintChart(painter, QRectF(rect()).adjusted(2, 2, -2, -2));
}

bool StageChart::event(QEvent* event) {
    if (event->type() != QEvent::ToolTip) {
        return QWidget::event(event);
    }
    const auto* help = static_cast<QHelpEvent*>(event);
    const Layout layout = layoutIn(QRectF(rect()).adjusted(2, 2, -2, -2));
    for (const Segment& segment : layout.segments) {
        if (segment.rect.contains(help->pos())) {
            const double total = totalOf(m_rows[segment.row]);
            const double percent = total > 0 ? 100.0 * segment.ms / total : 0;
            QToolTip::showText(help->globalPos(),
                               tr("%1 · %2: %3 ms (%4% of its makespan)")
                                   .arg(m_rows[segment.row].variant,
                                        segment.stage.isEmpty() ? tr("outside stages") : segment.stage,
                                        milliseconds(segment.ms), QString::number(percent, 'f', 0)),
                               this);
            return true;
        }
    }
    QToolTip::hideText();
    event->ignore();
    return true;
}

} // namespace interleave::ui
