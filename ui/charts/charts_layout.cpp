// ChartsPanel's layout: each chart's header (title and legend), its plot area lined up with the timeline's time axis,
// the column of charts shown, and the charts below a chart that take the lines its scale flattens. Data and axes are
// in charts_panel.cpp, names and style in charts_style.cpp.
#include "charts/charts_panel.h"

#include "timeline/timeline_data.h"

#include <QLineSeries>

#include <QChart>
#include <QChartView>
#include <QGraphicsLayout>
#include <QGraphicsLineItem>
#include <QGraphicsSimpleTextItem>
#include <QLabel>
#include <QScrollArea>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace interleave::ui {

namespace {

constexpr double kEdge = 6;          // chart edge to header text, and to a plot that is not aligned
constexpr double kLegendSample = 22; // length of a legend's line sample
constexpr double kHeaderGap = 12;    // between header entries

} // namespace

int ChartsPanel::headerHeight(const ChartSlot& slot, double width) const {
    if (slot.header.empty()) {
        return 0;
    }
    const double row = slot.header.front()->boundingRect().height();
    double x = kEdge;
    int rows = 1;
    for (std::size_t item = 0; item < slot.header.size(); item += item == 0 ? 1 : 2) {
        const double entry = item == 0 ? slot.header[0]->boundingRect().width()
                                       : kLegendSample + 4 + slot.header[item + 1]->boundingRect().width();
        if (x > kEdge && x + entry > width - kEdge) {
            x = kEdge;
            ++rows;
        }
        x += entry + kHeaderGap;
    }
    return static_cast<int>(std::ceil(rows * row));
}

void ChartsPanel::layOutChart(ChartSlot& slot, QSizeF size, std::optional<std::pair<double, double>> plotX) {
    if (size.width() < 20 || size.height() < 20 || slot.header.empty()) {
        return;
    }
    // Header: title and legend entries flow left to right, wrapping when the chart is narrow.
    const double row = slot.header.front()->boundingRect().height();
    double x = kEdge;
    double y = 1;
    for (std::size_t item = 0; item < slot.header.size(); item += item == 0 ? 1 : 2) {
        const bool isTitle = item == 0;
        const double entry = isTitle ? slot.header[0]->boundingRect().width()
                                     : kLegendSample + 4 + slot.header[item + 1]->boundingRect().width();
        if (x > kEdge && x + entry > size.width() - kEdge) {
            x = kEdge;
            y += row;
        }
        if (isTitle) {
            slot.header[0]->setPos(x, y);
        } else {
            static_cast<QGraphicsLineItem*>(slot.header[item])->setLine(x, y + row / 2, x + kLegendSample, y + row / 2);
            slot.header[item + 1]->setPos(x + kLegendSample + 4, y);
        }
        x += entry + kHeaderGap;
    }
    const QFontMetricsF metrics(slot.yAxis->labelsFont());
    const double top = y + row + metrics.height() / 2;
    const double bottom =
        size.height() -
        (slot.xLabels ? metrics.height() * (slot.xAxis->isTitleVisible() ? 2.4 : 1.2) + 2 : metrics.height() / 2 + 1);
    double left = kEdge + metrics.horizontalAdvance(QStringLiteral("0000000")) + 8;
    double right = size.width() - 2 * kEdge;
    if (plotX) {
        left = plotX->first;
        right = plotX->second;
    }
    const QRectF plot(left, top, std::max(1.0, right - left), std::max(1.0, bottom - top));
    if (slot.chart->plotArea() != plot) {
        slot.chart->setPlotArea(plot);
    }
}

std::optional<std::pair<double, double>> ChartsPanel::alignedPlotX(const ChartSlot& slot) const {
    if (!m_alignGlobal) {
        return std::nullopt;
    }
    // Global x to chart coordinates: the chart sits at the scene's origin, the scene at the view's viewport origin.
    const QPoint viewportGlobal = slot.view->viewport()->mapToGlobal(QPoint(0, 0));
    const QPointF sceneOrigin = slot.view->mapToScene(QPoint(0, 0));
    const double offset = sceneOrigin.x() - viewportGlobal.x();
    const double left = m_alignGlobal->first + offset;
    const double right = m_alignGlobal->second + offset;
    // Room for the y labels on the left, and the plot within the chart: otherwise the panel's own layout.
    const double width = slot.view->viewport()->width();
    if (left < 40 || right > width + 0.5 || right - left < 80) {
        return std::nullopt;
    }
    return std::make_pair(left, right);
}

void ChartsPanel::layOutShownCharts() {
    m_layingOut = true;
    for (ChartSlot& slot : m_charts) {
        if (slot.seriesCount > 0) {
            layOutChart(slot, slot.view->size(), alignedPlotX(slot));
        }
    }
    m_layingOut = false;
    placePlayheads();
}

void ChartsPanel::alignPlotsTo(double globalLeft, double globalRight) {
    const std::pair<double, double> aligned(globalLeft, globalRight);
    if (m_alignGlobal == aligned) {
        return;
    }
    m_alignGlobal = aligned;
    layOutShownCharts();
}

void ChartsPanel::clearPlotAlignment() {
    m_alignGlobal.reset();
    layOutShownCharts();
}

bool ChartsPanel::plotsAligned() const {
    for (const ChartSlot& slot : m_charts) {
        if (slot.seriesCount > 0 && !slot.suppressed && slot.view->isVisible() && !alignedPlotX(slot)) {
            return false;
        }
    }
    return m_alignGlobal.has_value();
}

void ChartsPanel::layOutForFigure(std::size_t index, QSizeF size, std::optional<std::pair<double, double>> plotX,
                                  bool xLabels) {
    ChartSlot& slot = m_charts[index];
    slot.xLabels = xLabels;
    slot.xAxis->setLabelsVisible(xLabels);
    slot.xAxis->setTitleVisible(xLabels); // "ms" under the bottom chart: a figure may have no timeline above
    slot.chart->setPos(0, 0);
    slot.chart->resize(size);
    // The ticks for this width first, then a fresh layout around the fixed plot area: a view lays its chart out from
    // events, and this one is never shown, so the layout is activated here.
    layOutChart(slot, size, plotX);
    updateAxes(slot, index < m_peaks.size() ? m_peaks[index] : 0, slot.xAxis->min(), slot.xAxis->max());
    if (slot.chart->layout() != nullptr) {
        slot.chart->layout()->invalidate();
        slot.chart->layout()->activate();
    }
}

std::vector<std::size_t> ChartsPanel::columnOrder() const {
    std::vector<std::size_t> order;
    order.reserve(m_charts.size());
    for (std::size_t index = 0; index < m_charts.size(); ++index) {
        if (m_charts[index].scaleOf) {
            continue; // placed after the chart whose lines it took
        }
        for (std::optional<std::size_t> next = index; next; next = m_charts[*next].companion) {
            order.push_back(*next);
        }
    }
    return order;
}

void ChartsPanel::updateVisibility() {
    // The charts with data, one column, each one short chart; the bottom one carries the time labels. When they do
    // not fit the dock's height they scroll rather than shrink below a readable height.
    // Showing a chart lays the column out at once, resizing every chart (Qt Charts then lays each out again): with
    // the layout off, the charts that appear together cost one layout, done at the end.
    m_layout->setEnabled(false);
    std::vector<ChartSlot*> shown;
    m_showPending = false;
    bool appeared = false;
    for (const std::size_t index : columnOrder()) {
        ChartSlot& slot = m_charts[index];
        if (slot.seriesCount > 0 && !slot.suppressed) {
            if (slot.view->isHidden() && m_live && appeared) {
                m_showPending = true; // its turn comes next frame
                continue;
            }
            appeared = appeared || slot.view->isHidden();
            shown.push_back(&slot);
        } else {
            slot.view->hide();
        }
    }
    m_empty->setVisible(shown.empty() && m_note->text().isEmpty());
    m_note->setVisible(!m_note->text().isEmpty());
    const QFontMetrics metrics(m_charts.front().xAxis->labelsFont());
    // Room for two y labels (0 and the top) one above the other: Qt hides a label that overlaps its neighbour.
    const int plotMinimum = std::max(34, metrics.height() * 5 / 2);
    for (ChartSlot* slot : shown) {
        const bool bottom = slot == shown.back();
        if (slot->xLabels != bottom) {
            slot->xLabels = bottom;
            slot->xAxis->setLabelsVisible(bottom);
        }
        const int header = std::max(headerHeight(*slot, std::max(200, width())), metrics.height());
        const int labels = bottom ? metrics.height() + 4 : 0;
        slot->view->setMinimumHeight(header + metrics.height() / 2 + plotMinimum + labels + 2);
        slot->view->show();
    }
    m_layout->setEnabled(true);
    m_layout->activate();
    layOutShownCharts();
}

bool ChartsPanel::separateFlattenedLines() {
    bool moved = false;
    // Charts made here are appended, and checked in turn: the lines a companion's scale flattens move further down.
    for (std::size_t index = 0; index < m_charts.size(); ++index) {
        if (m_charts[index].suppressed || m_peaks[index] <= 0) {
            continue;
        }
        const double top = m_peaks[index];
        // A loop lag under the noise floor stays flat: on its own scale the host's noise would look like a lesson.
        const double noiseFloor = m_charts[index].kind == ChartKind::LoopLag && m_charts[index].group.isEmpty()
                                      ? TimelineData::kLagNoiseMs
                                      : 0.0;
        std::vector<std::size_t> flattened;
        for (std::size_t binding = 0; binding < m_bindings.size(); ++binding) {
            const Binding& line = m_bindings[binding];
            if (line.chartIndex == index && line.peak > noiseFloor && line.peak * kFlattenRatio < top) {
                flattened.push_back(binding);
            }
        }
        if (flattened.empty()) {
            continue;
        }
        if (!m_charts[index].companion) {
            // Right below this chart (and so above any other chart's lines), named by updateTitlesAndLegends.
            const int position = m_layout->indexOf(m_charts[index].view) + 1;
            const ChartKind kind = m_charts[index].kind;
            const QString group = m_charts[index].group;
            ChartSlot& companion = createChart(kind, QString(), group, position);
            companion.scaleOf = index;
            m_charts[index].companion = m_charts.size() - 1;
            m_peaks.push_back(0);
        }
        const std::size_t target = *m_charts[index].companion;
        for (const std::size_t binding : flattened) {
            moveSeries(m_bindings[binding], target);
            m_peaks[target] = std::max(m_peaks[target], m_bindings[binding].peak);
        }
        m_peaks[index] = 0;
        for (const Binding& line : m_bindings) {
            if (line.chartIndex == index) {
                m_peaks[index] = std::max(m_peaks[index], line.peak);
            }
        }
        moved = true;
    }
    if (moved) {
        updateTitlesAndLegends();
        updateVisibility();
    }
    return moved;
}

void ChartsPanel::moveSeries(Binding& binding, std::size_t chartIndex) {
    ChartSlot& from = m_charts[binding.chartIndex];
    from.chart->removeSeries(binding.series); // detaches its axes; the series is ours again
    --from.seriesCount;
    ChartSlot& to = m_charts[chartIndex];
    to.chart->addSeries(binding.series);
    binding.series->attachAxis(to.xAxis);
    binding.series->attachAxis(to.yAxis);
    ++to.seriesCount;
    binding.chartIndex = chartIndex;
    binding.builtFor.valid = false;
}

} // namespace interleave::ui
