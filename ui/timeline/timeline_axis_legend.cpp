// TimelinePainter's frame around the lanes: the time axis with its ticks and grid, and the legend of states, folds
// and markers.
#include "timeline_painter.h"

#include <QFontMetrics>
#include <QScopeGuard>

#include <algorithm>
#include <array>
#include <cmath>

namespace interleave::ui {

namespace {

constexpr std::array<core::TaskState, 7> kLegendStates = {
    core::TaskState::Running,    core::TaskState::Ready,    core::TaskState::WaitingIo, core::TaskState::Blocked,
    core::TaskState::WaitingGil, core::TaskState::Starting, core::TaskState::Failed,
};

} // namespace

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
    const QString foldName = QStringLiteral("many short steps");
    // The markers drawn in the shown variants (retry, timeout, cancel, cleanup...), after the states.
    std::uint32_t markerKinds = 0;
    for (const SharedTimeline& variant : m_variants) {
        markerKinds |= variant->markerKinds();
    }
    std::vector<core::MarkerKind> markers;
    for (int kind = 0; kind < core::kMarkerKindCount; ++kind) {
        if ((markerKinds & (1U << static_cast<unsigned>(kind))) != 0) {
            markers.push_back(static_cast<core::MarkerKind>(kind));
        }
    }
    // Everything on one line: a narrow area (presenter type in a small window) gets a smaller font, not a cut.
    QFont font = m_font;
    int swatch = area.height() - 8;
    auto needed = [&](const QFontMetrics& metrics) {
        int width = 6 + swatch * 2 + 4 + metrics.horizontalAdvance(foldName);
        for (const core::TaskState state : kLegendStates) {
            width += swatch * 2 + 4 + metrics.horizontalAdvance(stateName(state)) + 16;
        }
        return width; // the states and folds decide the size; the markers follow where they fit
    };
    const double fullSize = font.pointSizeF();
    for (int attempt = 0; attempt < 6; ++attempt) {
        const int width = needed(QFontMetrics(font));
        if (width <= area.width() || font.pointSizeF() <= fullSize * 0.6) {
            break;
        }
        const double scale = std::max(0.6 * fullSize / font.pointSizeF(), 0.97 * area.width() / width);
        font.setPointSizeF(font.pointSizeF() * scale);
        swatch = std::max(6, static_cast<int>(swatch * scale));
    }
    painter.setFont(font);
    const auto restoreFont = qScopeGuard([&painter, this] { painter.setFont(m_font); });
    const QFontMetrics metrics(font);
    int x = area.left() + 6;
    // Whole entries or none, at the smallest font too (presenter type at 1280×720 cut "many short steps" mid-word);
    // every state and fold is still named in the lanes' tooltips.
    auto fits = [&](const QString& name) {
        return x + swatch * 2 + 4 + metrics.horizontalAdvance(name) <= area.right();
    };
    for (const core::TaskState state : kLegendStates) {
        if (!fits(stateName(state))) {
            return;
        }
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
    // Folds of many thin spans: the state's colour under the hatching.
    if (!fits(foldName)) {
        return;
    }
    const QRect box(x, area.top() + 4, swatch * 2, swatch);
    painter.fillRect(box, m_palette.color(core::TaskState::Running).darker(115));
    std::vector<std::pair<double, double>> run{{box.left(), box.right() + 1}};
    paintFoldHatch(painter, run, box.top(), box.height());
    painter.setPen(m_palette.gridLine());
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(box);
    painter.setPen(m_palette.text());
    painter.drawText(QRect(box.right() + 4, area.top(), metrics.horizontalAdvance(foldName) + 4, area.height()),
                     Qt::AlignVCenter | Qt::AlignLeft, foldName);
    x = box.right() + 4 + metrics.horizontalAdvance(foldName) + 16;
    for (const core::MarkerKind kind : markers) {
        const QString name = markerName(kind);
        if (x + swatch + 4 + metrics.horizontalAdvance(name) > area.right()) {
            break; // whole entries or none: the marker's tooltip still names it
        }
        // The lanes' marker: a triangle pointing down at its moment.
        const double size = std::min<double>(swatch, 10);
        const double top = area.top() + (area.height() - size) / 2.0;
        const QPointF points[3] = {{x + 0.0, top}, {x + size, top}, {x + size / 2, top + size}};
        painter.setPen(QPen(m_palette.outline(), 1));
        painter.setBrush(m_palette.markerColor(kind));
        painter.drawPolygon(points, 3);
        painter.setBrush(Qt::NoBrush);
        painter.setPen(m_palette.text());
        painter.drawText(QRect(x + swatch + 4, area.top(), metrics.horizontalAdvance(name) + 4, area.height()),
                         Qt::AlignVCenter | Qt::AlignLeft, name);
        x += swatch + 4 + metrics.horizontalAdvance(name) + 16;
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
