// ChartsPanel: one QChartView per aggregate, a step line per counter per variant, fed by replace() each frame.
#include "charts/charts_panel.h"

#include "charts/step_series.h"
#include "timeline/timeline_data.h"

#include <QChart>
#include <QChartView>
#include <QGraphicsLineItem>
#include <QGridLayout>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace interleave::ui {

namespace {

// Okabe-Ito: distinguishable with the common colour-vision deficiencies; variants also differ by dash pattern.
const std::array<QColor, 7> kLightColours = {
    QColor(0x00, 0x72, 0xb2), QColor(0xd5, 0x5e, 0x00), QColor(0x00, 0x9e, 0x73), QColor(0xcc, 0x79, 0xa7),
    QColor(0xe6, 0x9f, 0x00), QColor(0x56, 0xb4, 0xe9), QColor(0x00, 0x00, 0x00)};
const std::array<QColor, 7> kDarkColours = {
    QColor(0x56, 0xb4, 0xe9), QColor(0xe6, 0x9f, 0x00), QColor(0x00, 0xd0, 0x9a), QColor(0xf0, 0x9c, 0xd0),
    QColor(0xf0, 0xe4, 0x42), QColor(0xff, 0x80, 0x40), QColor(0xff, 0xff, 0xff)};
const std::array<Qt::PenStyle, 4> kVariantStyles = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine};

// A round upper bound for the y axis: 1, 2, 5, 10, 20, 50 ...
double niceCeiling(double value) {
    if (value <= 1) {
        return 1;
    }
    const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
    for (double factor : {1.0, 2.0, 5.0, 10.0}) {
        if (value <= factor * magnitude) {
            return factor * magnitude;
        }
    }
    return 10 * magnitude;
}

// A round tick step (1, 2 or 5 times a power of ten) giving about `ticks` ticks over `span`.
double niceStep(double span, int ticks) {
    const double raw = std::max(span / ticks, 1e-6);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (double factor : {1.0, 2.0, 5.0}) {
        if (raw <= factor * magnitude) {
            return factor * magnitude;
        }
    }
    return 10 * magnitude;
}

} // namespace

ChartsPanel::ChartsPanel(QWidget* parent) : QWidget(parent) {
    m_grid = new QGridLayout(this);
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_grid->setSpacing(2);
    m_empty = new QLabel(tr("No counters yet: queue depth, semaphore occupancy, tasks in flight and loop lag are "
                            "charted here as a run records them."),
                         this);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_charts.reserve(kChartCount);
    createChart(ChartKind::QueueDepth, tr("Queue depth"), {});
    createChart(ChartKind::SemaphoreLock, tr("Semaphore / lock"), {});
    createChart(ChartKind::InFlight, tr("Tasks in flight"), {});
    createChart(ChartKind::LoopLag, tr("Event-loop lag (ms)"), {});
    applyStyle(); // also places the charts
}

ChartsPanel::~ChartsPanel() = default;

ChartsPanel::ChartSlot& ChartsPanel::createChart(ChartKind kind, const QString& title, const QString& group) {
    ChartSlot& slot = m_charts.emplace_back();
    slot.kind = kind;
    slot.group = group;
    slot.chart = new QChart;
    slot.chart->setTitle(title);
    slot.chart->setAnimationOptions(QChart::NoAnimation);
    slot.chart->legend()->setVisible(true);
    slot.chart->legend()->setAlignment(Qt::AlignRight);
    slot.chart->setMargins(QMargins(4, 2, 4, 2));
    slot.xAxis = new QValueAxis;
    slot.xAxis->setTitleText(tr("ms"));
    slot.xAxis->setLabelFormat(QStringLiteral("%.0f"));
    slot.yAxis = new QValueAxis;
    if (!group.isEmpty()) {
        slot.yAxis->setLabelFormat(QStringLiteral("%g")); // an imported counter can be anything
    } else {
        slot.yAxis->setLabelFormat(kind == ChartKind::LoopLag ? QStringLiteral("%.1f") : QStringLiteral("%.0f"));
    }
    slot.yAxis->setRange(0, 1);
    slot.chart->addAxis(slot.xAxis, Qt::AlignBottom);
    slot.chart->addAxis(slot.yAxis, Qt::AlignLeft);
    slot.view = new QChartView(slot.chart, this); // takes ownership of the chart
    slot.playhead = new QGraphicsLineItem(slot.chart);
    slot.playhead->setPen(QPen(QColor(0xD5, 0x00, 0x00), 2));
    slot.playhead->setZValue(100);
    slot.playhead->hide();
    slot.view->setRenderHint(QPainter::Antialiasing, true);
    slot.view->setMinimumHeight(140);
    slot.view->setObjectName(title);
    slot.view->hide(); // placed by updateVisibility once it has data
    return slot;
}

QString ChartsPanel::counterGroup(const QString& counterName) {
    const qsizetype separator = counterName.indexOf(QStringLiteral(" · "));
    return separator > 0 ? counterName.left(separator) : counterName;
}

std::size_t ChartsPanel::chartIndexFor(const QString& counterName) {
    ChartKind kind;
    if (chartFor(counterName, &kind)) {
        return static_cast<std::size_t>(kind);
    }
    const QString group = counterGroup(counterName);
    for (std::size_t index = kChartCount; index < m_charts.size(); ++index) {
        if (m_charts[index].group == group) {
            return index;
        }
    }
    ChartSlot& slot = createChart(ChartKind::QueueDepth, group, group);
    styleChart(slot);
    return m_charts.size() - 1;
}

QString ChartsPanel::chartTitle(std::size_t index) const {
    return m_charts[index].chart->title();
}

bool ChartsPanel::chartFor(const QString& name, ChartKind* kind) {
    auto endsWith = [&name](const char* suffix) { return name.endsWith(QLatin1String(suffix)); };
    ChartKind found = ChartKind::QueueDepth;
    if (endsWith(".depth") || endsWith(".unfinished")) {
        found = ChartKind::QueueDepth;
    } else if (endsWith(".in_use") || endsWith(".held") || endsWith(".waiters")) {
        found = ChartKind::SemaphoreLock;
    } else if (name == QLatin1String("in_flight")) {
        found = ChartKind::InFlight;
    } else if (name == QLatin1String("loop_lag_ms")) {
        found = ChartKind::LoopLag;
    } else {
        return false;
    }
    if (kind != nullptr) {
        *kind = found;
    }
    return true;
}

void ChartsPanel::clear() {
    for (Binding& binding : m_bindings) {
        m_charts[binding.chartIndex].chart->removeSeries(binding.series);
        delete binding.series;
    }
    m_bindings.clear();
    for (ChartSlot& slot : m_charts) {
        slot.seriesCount = 0;
    }
    // The extra charts belong to the counters of the variants shown: the next ones make their own.
    while (m_charts.size() > kChartCount) {
        delete m_charts.back().view; // owns the chart, its axes and the playhead
        m_charts.pop_back();
    }
    m_variants.clear();
    m_variantNames.clear();
    m_knownCounters.clear();
    updateVisibility();
}

void ChartsPanel::setVariants(std::vector<const TimelineData*> variants, std::vector<QString> variantNames) {
    clear();
    m_variants = std::move(variants);
    m_variantNames = std::move(variantNames);
    m_variantNames.resize(m_variants.size());
    m_knownCounters.assign(m_variants.size(), 0);
    dataChanged();
}

void ChartsPanel::syncSeries() {
    bool added = false;
    for (std::size_t variant = 0; variant < m_variants.size(); ++variant) {
        const auto& counters = m_variants[variant]->counters();
        for (std::size_t index = m_knownCounters[variant]; index < counters.size(); ++index) {
            Binding binding;
            binding.variant = variant;
            binding.counter = counters[index].name;
            binding.chartIndex = chartIndexFor(binding.counter);
            binding.series = new QLineSeries;
            binding.series->setName(m_variantNames[variant].isEmpty()
                                        ? binding.counter
                                        : QStringLiteral("%1 · %2").arg(m_variantNames[variant], binding.counter));
            ChartSlot& slot = m_charts[binding.chartIndex];
            slot.chart->addSeries(binding.series);
            binding.series->attachAxis(slot.xAxis);
            binding.series->attachAxis(slot.yAxis);
            styleSeries(binding, slot.seriesCount++);
            m_bindings.push_back(std::move(binding));
            added = true;
        }
        m_knownCounters[variant] = counters.size();
    }
    if (added) {
        updateVisibility();
    }
}

void ChartsPanel::styleSeries(const Binding& binding, int indexInChart) const {
    const auto& colours = m_presenterMode ? kDarkColours : kLightColours;
    QPen pen(colours[static_cast<std::size_t>(indexInChart) % colours.size()]);
    pen.setWidthF(m_presenterMode ? 3.5 : 1.6);
    pen.setStyle(kVariantStyles[binding.variant % kVariantStyles.size()]);
    binding.series->setPen(pen);
}

int ChartsPanel::plotWidth(const ChartSlot& slot) {
    // Before the first layout the view has no real size yet; assume a wide one rather than fold everything.
    const int width = slot.view->isVisible() ? slot.view->width() : 0;
    return width >= 50 ? width : kFallbackPixels;
}

void ChartsPanel::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    dataChanged(); // the downsampling follows the width
}

std::int64_t ChartsPanel::dataEndNs() const {
    std::int64_t end = 0;
    for (const TimelineData* variantData : m_variants) {
        end = std::max(end, variantData->endNs());
    }
    return end;
}

void ChartsPanel::dataChanged() {
    syncSeries();
    const bool followData = m_rangeEndNs <= m_rangeStartNs;
    const std::int64_t startNs = followData ? 0 : m_rangeStartNs;
    const std::int64_t endNs = followData ? std::max<std::int64_t>(dataEndNs(), 1) : m_rangeEndNs;

    std::vector<double> peaks(m_charts.size(), 0.0);
    for (Binding& binding : m_bindings) {
        const TimelineData& variantData = *m_variants[binding.variant];
        const CounterTrack* track = variantData.counter(binding.counter);
        StepSeriesWindow window;
        window.startNs = startNs;
        window.endNs = endNs;
        window.holdUntilNs = variantData.endNs();
        window.pixels = plotWidth(m_charts[binding.chartIndex]);
        const std::size_t sampleCount = track != nullptr ? track->points.size() : 0;
        const std::int64_t lastSampleNs = sampleCount > 0 ? track->points.back().first : -1;
        // A finished variant's series does not change from frame to frame: skip it unless the view moved.
        const bool unchanged = binding.builtFor.sampleCount == sampleCount &&
                               binding.builtFor.lastSampleNs == lastSampleNs && binding.builtFor.startNs == startNs &&
                               binding.builtFor.endNs == endNs && binding.builtFor.holdUntilNs == window.holdUntilNs &&
                               binding.builtFor.pixels == window.pixels && binding.builtFor.valid;
        if (!unchanged) {
            binding.peak = track != nullptr ? buildStepSeries(track->points, window, binding.points) : 0;
            if (track == nullptr) {
                binding.points.clear();
            }
            binding.series->replace(binding.points);
            binding.builtFor = {true, sampleCount, lastSampleNs, startNs, endNs, window.holdUntilNs, window.pixels};
        }
        const double peak = binding.peak;
        peaks[binding.chartIndex] = std::max(peaks[binding.chartIndex], peak);
    }
    for (std::size_t index = 0; index < m_charts.size(); ++index) {
        ChartSlot& slot = m_charts[index];
        const double fromMs = static_cast<double>(startNs) / 1e6;
        const double toMs = std::max(static_cast<double>(endNs) / 1e6, fromMs + 0.001);
        // Ticks on round milliseconds (0, 500, 1000…), like the timeline's axis above. Each change relays the axis
        // out, so the order matters: a widening range takes its larger interval first, a narrowing one its range
        // first; either way no layout sees a small interval over a large range (millions of ticks).
        const double interval = std::max(niceStep(toMs - fromMs, 6), (toMs - fromMs) / 20);
        slot.xAxis->setTickType(QValueAxis::TicksDynamic);
        slot.xAxis->setTickAnchor(0);
        if (interval >= slot.xAxis->tickInterval()) {
            slot.xAxis->setTickInterval(interval);
            slot.xAxis->setRange(fromMs, toMs);
        } else {
            slot.xAxis->setRange(fromMs, toMs);
            slot.xAxis->setTickInterval(interval);
        }
        // Headroom so the peak is not drawn on the frame.
        // Ticks on round values too: five fixed ticks over 0..5 would be labelled 0, 1, 3, 4, 5 (1.25 shown as "1").
        const double top = niceCeiling(peaks[index] * 1.05);
        slot.yAxis->setTickType(QValueAxis::TicksDynamic);
        slot.yAxis->setTickAnchor(0);
        slot.yAxis->setRange(0, top);
        slot.yAxis->setTickInterval(niceStep(top, 4));
    }
    placePlayheads();
}

void ChartsPanel::setTimeRange(std::int64_t startNs, std::int64_t endNs) {
    m_rangeStartNs = startNs;
    m_rangeEndNs = endNs;
    // Downsampling depends on the window, so rebuild rather than only moving the axes.
    dataChanged();
}

void ChartsPanel::setPresenterMode(bool on) {
    m_presenterMode = on;
    applyStyle();
}

void ChartsPanel::applyStyle() {
    for (ChartSlot& slot : m_charts) {
        styleChart(slot);
    }
    updateVisibility(); // the grid's shape depends on the mode
    QPalette palette;
    if (m_presenterMode) {
        palette.setColor(QPalette::Window, Qt::black);
        palette.setColor(QPalette::WindowText, QColor(0xB0, 0xB0, 0xB0));
    }
    setPalette(palette);
    setAutoFillBackground(m_presenterMode);
    std::vector<int> indexInChart(m_charts.size(), 0);
    for (const Binding& binding : m_bindings) {
        styleSeries(binding, indexInChart[binding.chartIndex]++);
    }
}

void ChartsPanel::styleChart(ChartSlot& slot) const {
    QFont base = font();
    const double scale = m_presenterMode ? 1.6 : 0.9;
    base.setPointSizeF(std::max(6.0, QFont().pointSizeF() * scale));
    QFont title = base;
    title.setBold(true);
    // setTheme resets fonts and pens, so it goes first.
    slot.chart->setBackgroundRoundness(0);
    slot.chart->setTheme(m_presenterMode ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    slot.chart->setTitleFont(title);
    slot.chart->legend()->setFont(base);
    if (m_presenterMode) {
        slot.chart->setBackgroundBrush(Qt::black);
        slot.chart->setTitleBrush(Qt::white);
        slot.chart->legend()->setLabelColor(Qt::white);
    }
    for (QValueAxis* axis : {slot.xAxis, slot.yAxis}) {
        axis->setLabelsFont(base);
        axis->setTitleFont(base);
        if (m_presenterMode) {
            axis->setLabelsColor(Qt::white);
            axis->setTitleBrush(Qt::white);
            axis->setGridLineColor(QColor(0x60, 0x60, 0x60));
            axis->setLinePenColor(Qt::white);
        }
    }
    slot.view->setMinimumHeight(m_presenterMode ? 200 : 120);
    // Side by side there is no room beside a chart for its legend: it goes underneath.
    slot.chart->legend()->setAlignment(m_presenterMode ? Qt::AlignBottom : Qt::AlignRight);
    slot.xAxis->setTitleVisible(!m_presenterMode); // "ms" is on the timeline right above
}

void ChartsPanel::updateVisibility() {
    // The charts with data fill a grid: on a projector all side by side, so the timeline keeps the height of the
    // screen; otherwise stacked, in two columns once there are more than two, so none gets too short to read its
    // axis labels.
    std::vector<QChartView*> shown;
    for (ChartSlot& slot : m_charts) {
        m_grid->removeWidget(slot.view);
        if (slot.seriesCount > 0) {
            shown.push_back(slot.view);
        } else {
            slot.view->hide();
        }
    }
    const int count = static_cast<int>(shown.size());
    m_grid->removeWidget(m_empty);
    m_empty->setVisible(count == 0);
    if (count == 0) {
        m_grid->addWidget(m_empty, 0, 0);
    }
    const int columns = m_presenterMode ? std::max(count, 1) : (count > 2 ? 2 : 1);
    for (int index = 0; index < count; ++index) {
        m_grid->addWidget(shown[static_cast<std::size_t>(index)], index / columns, index % columns);
        shown[static_cast<std::size_t>(index)]->show();
    }
    for (int column = 0; column < m_grid->columnCount(); ++column) {
        m_grid->setColumnStretch(column, column < columns ? 1 : 0);
    }
    for (int row = 0; row < m_grid->rowCount(); ++row) {
        m_grid->setRowStretch(row, row < (count + columns - 1) / columns ? 1 : 0);
    }
}

QChart* ChartsPanel::chart(ChartKind kind) const {
    return m_charts[static_cast<std::size_t>(kind)].chart;
}

QChartView* ChartsPanel::chartView(ChartKind kind) const {
    return m_charts[static_cast<std::size_t>(kind)].view;
}

bool ChartsPanel::isChartShown(ChartKind kind) const {
    return m_charts[static_cast<std::size_t>(kind)].seriesCount > 0;
}

QList<QLineSeries*> ChartsPanel::seriesOf(ChartKind kind) const {
    QList<QLineSeries*> result;
    for (const Binding& binding : m_bindings) {
        if (binding.chartIndex == static_cast<std::size_t>(kind)) {
            result.append(binding.series);
        }
    }
    return result;
}

void ChartsPanel::setPlayhead(std::optional<std::int64_t> ns) {
    m_playheadNs = ns;
    placePlayheads();
}

void ChartsPanel::placePlayheads() {
    for (ChartSlot& slot : m_charts) {
        if (!m_playheadNs || slot.playhead == nullptr) {
            if (slot.playhead) {
                slot.playhead->hide();
            }
            continue;
        }
        const double ms = static_cast<double>(*m_playheadNs) / 1e6;
        const QRectF plot = slot.chart->plotArea();
        const double x = slot.chart->mapToPosition(QPointF(ms, 0)).x();
        slot.playhead->setLine(x, plot.top(), x, plot.bottom());
        slot.playhead->setVisible(x >= plot.left() && x <= plot.right());
    }
}

} // namespace interleave::ui
