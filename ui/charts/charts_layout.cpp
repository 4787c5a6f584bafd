// ChartsPanel's layout: each chart's plot area lined up with the timeline's time axis, the column of charts shown, and
// the charts below a chart that take the lines its scale flattens. Data is in charts_panel.cpp, names and style in
// charts_style.cpp, and each chart's own header, axes and lines in counter_chart.cpp.
#include "charts/charts_panel.h"

#include "timeline/timeline_data.h"

#include <QLabel>
#include <QScrollArea>
#include <QVBoxLayout>

#include <algorithm>

namespace interleave::ui {

std::optional<std::pair<double, double>> ChartsPanel::alignedPlotX(const ChartSlot& slot) const {
    if (!m_alignGlobal) {
        return std::nullopt;
    }
    // Global x to the chart's own.
    const double offset = -slot.view->mapToGlobal(QPointF(0, 0)).x();
    const double left = m_alignGlobal->first + offset;
    const double right = m_alignGlobal->second + offset;
    // Room for the y labels on the left, and the plot within the chart: otherwise the panel's own layout.
    const double width = slot.view->width();
    if (left < 40 || right > width + 0.5 || right - left < 80) {
        return std::nullopt;
    }
    return std::make_pair(left, right);
}

void ChartsPanel::layOutShownCharts() {
    for (ChartSlot& slot : m_charts) {
        if (slot.seriesCount > 0) {
            slot.view->setPlotX(alignedPlotX(slot));
        }
    }
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

void ChartsPanel::paintForFigure(std::size_t index, QPainter& painter, const QRectF& target,
                                 std::pair<double, double> plotX, bool xLabels) const {
    ChartFrame frame;
    frame.plotX = plotX;
    frame.xLabels = xLabels;
    frame.xTitle = xLabels; // "ms" under the bottom chart: a figure may have no timeline above
    m_charts[index].view->paintChart(painter, target, frame);
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
    // Showing a chart lays the column out at once: with the layout off, the charts that appear together cost one
    // layout, done at the end.
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
    for (ChartSlot* slot : shown) {
        slot->view->setXLabels(slot == shown.back());
        slot->view->setMinimumHeight(slot->view->minimumChartHeight(std::max(200, width())));
        slot->view->show();
    }
    m_layout->setEnabled(true);
    m_layout->activate();
    layOutShownCharts();
    const int wanted = heightToShowAll();
    if (wanted != m_heightToShowAll) {
        m_heightToShowAll = wanted;
        Q_EMIT heightToShowAllChanged(wanted);
    }
}

int ChartsPanel::heightToShowAll() const {
    // The column's own least height, and the panel's frame around the scroll area.
    return m_column->minimumSizeHint().height() + (height() - m_scroll->viewport()->height());
}

bool ChartsPanel::separateFlattenedLines() {
    bool moved = false;
    // Charts made here are appended, and checked in turn: the lines a companion's scale flattens move further down.
    for (std::size_t index = 0; index < m_charts.size(); ++index) {
        if (m_charts[index].suppressed || m_peaks[index] <= 0) {
            continue;
        }
        // A shared variable's counts climb over the run, and the variants are compared on one scale on purpose: the
        // lock's 2,000 beside the race's 500 is the lesson (live, the later variant's line starts small).
        const ChartKind quantity = m_charts[index].kind;
        if (m_charts[index].group.isEmpty() && (quantity == ChartKind::Writes || quantity == ChartKind::Value)) {
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
    --m_charts[binding.chartIndex].seriesCount; // the charts get their lines anew from updateTitlesAndLegends
    ++m_charts[chartIndex].seriesCount;
    binding.chartIndex = chartIndex;
    binding.builtFor.valid = false;
}

} // namespace interleave::ui
