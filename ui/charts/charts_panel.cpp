// ChartsPanel: one short QChartView per quantity in one column, a line per counter per variant, fed by replace() each
// frame; the plot areas are set by hand (QChart::setPlotArea) so that they line up with the timeline's time axis.
#include "charts/charts_panel.h"

#include "timeline/timeline_data.h"

#include <QChart>
#include <QChartView>
#include <QCursor>
#include <QEvent>
#include <QGraphicsLayout>
#include <QGraphicsLineItem>
#include <QGraphicsSimpleTextItem>
#include <QImage>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QPainter>
#include <QScrollArea>
#include <QSet>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

namespace interleave::ui {

namespace {

constexpr std::array<double, 9> kTickMantissas = {1, 1.5, 2, 2.5, 3, 4, 5, 6, 8};

// The counter-name suffixes of the fixed charts, in ChartKind order (in_flight and the loop lag are whole names).
struct QuantityInfo {
    const char* suffix;
    const char* title;
};
constexpr std::array<QuantityInfo, ChartsPanel::kChartCount> kQuantities = {{
    {".in_use", QT_TRANSLATE_NOOP("ChartsPanel", "Semaphore permits in use")},
    {".held", QT_TRANSLATE_NOOP("ChartsPanel", "Lock held")},
    {".waiters", QT_TRANSLATE_NOOP("ChartsPanel", "Tasks waiting")}, // completed by the primitive's kind
    {".depth", QT_TRANSLATE_NOOP("ChartsPanel", "Items in the queue")},
    {".putters", QT_TRANSLATE_NOOP("ChartsPanel", "Producers blocked on put")},
    {".getters", QT_TRANSLATE_NOOP("ChartsPanel", "Consumers waiting on get")},
    {".unfinished", QT_TRANSLATE_NOOP("ChartsPanel", "Items not yet done (task_done)")},
    {nullptr, QT_TRANSLATE_NOOP("ChartsPanel", "Tasks in flight")},
    {nullptr, QT_TRANSLATE_NOOP("ChartsPanel", "Event-loop lag (ms)")},
}};

// A round upper bound for the y axis, close above the value (a short chart labels only 0 and its top): 1, 1.2, 1.5,
// 2, 2.5, 3, 4, 5, 6, 8, 10, 12 ...
double niceCeiling(double value) {
    if (value <= 1) {
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

// A round tick step (1, 2 or 5 times a power of ten) giving about `ticks` ticks over `span`.
double niceStep(double span, int ticks) {
    const double raw = std::max(span / std::max(ticks, 1), 1e-6);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (double factor : {1.0, 2.0, 5.0}) {
        if (raw <= factor * magnitude) {
            return factor * magnitude;
        }
    }
    return 10 * magnitude;
}

// As many decimals as labels `step` apart need: 0 for 1, 2, 5, 10…; 1 for 0.5 or 2.5; 2 for 0.05…
QString labelFormatFor(double step) {
    int decimals = 0;
    while (decimals < 6) {
        const double scaled = step * std::pow(10.0, decimals);
        if (std::abs(scaled - std::round(scaled)) < 1e-6 * std::max(1.0, scaled)) {
            break;
        }
        ++decimals;
    }
    return QStringLiteral("%.%1f").arg(decimals);
}

// Sets an axis to [from, to] with ticks every `interval`, in an order that never lets a layout see a small interval
// over a large range: Qt Charts lays out one item per tick on every change, so a range of 100,000 with an interval
// of 1 left from the last frame means 100,000 items, and a frozen window. The interval is never below 1/20 of the
// new range. A wider interval goes first (the old range over it has fewer ticks than before), a narrower one last
// (the new range over the old, wider one has fewer than 20): at most 20 ticks at every step, and one layout in the
// common case of a live frame, where only the range moves.
void setAxisSafely(QValueAxis* axis, double from, double to, double interval) {
    const double span = std::max(to - from, 1e-9);
    interval = std::max(interval, span / 20);
    if (axis->tickType() != QValueAxis::TicksDynamic) {
        axis->setTickInterval(std::max({interval, span, axis->max() - axis->min()}));
        axis->setTickAnchor(0);
        axis->setTickType(QValueAxis::TicksDynamic);
    }
    const bool wider = axis->tickInterval() < interval;
    if (wider) {
        axis->setTickInterval(interval);
    }
    if (axis->min() != from || axis->max() != to) {
        axis->setRange(from, to);
    }
    if (axis->tickInterval() != interval) {
        axis->setTickInterval(interval);
    }
}

QString primitiveOf(const QString& counter, ChartsPanel::ChartKind kind) {
    const char* suffix = kQuantities[static_cast<std::size_t>(kind)].suffix;
    return suffix != nullptr ? counter.chopped(static_cast<qsizetype>(std::strlen(suffix))) : QString();
}

} // namespace

ChartsPanel::ChartsPanel(QWidget* parent) : QWidget(parent) {
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    m_scroll = new QScrollArea(this);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setWidgetResizable(true);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // When the charts do not fit they scroll, with the scroll bar on the left, in the margin under the timeline's lane
    // names: on the right it would take width from the plots and break their alignment with the timeline.
    m_scroll->setLayoutDirection(Qt::RightToLeft);
    m_column = new QWidget;
    m_column->setLayoutDirection(Qt::LeftToRight);
    m_layout = new QVBoxLayout(m_column);
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->setSpacing(0);
    m_empty = new QLabel(tr("No counters yet: queue depth, semaphore occupancy, tasks in flight and loop lag are "
                            "charted here as a run records them."),
                         m_column);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_note = new QLabel(m_column);
    m_note->setContentsMargins(8, 2, 8, 2);
    m_note->hide();
    m_layout->addWidget(m_empty, 1);
    m_layout->addWidget(m_note, 0);
    m_scroll->setWidget(m_column);
    outer->addWidget(m_scroll);
    m_charts.reserve(kChartCount);
    for (std::size_t index = 0; index < kChartCount; ++index) {
        createChart(static_cast<ChartKind>(index), tr(kQuantities[index].title), {});
    }
    applyStyle(); // also places the charts
}

ChartsPanel::~ChartsPanel() = default;

ChartsPanel::ChartSlot& ChartsPanel::createChart(ChartKind kind, const QString& title, const QString& group,
                                                 int layoutPosition) {
    ChartSlot& slot = m_charts.emplace_back();
    slot.kind = kind;
    slot.group = group;
    slot.title = title;
    slot.chart = new QChart;
    slot.chart->setAnimationOptions(QChart::NoAnimation);
    // Title and legend are drawn by the panel on one line above the plot (see layOutChart): QChart's own take two
    // lines, or a third of the width beside the plot.
    slot.chart->legend()->setVisible(false);
    slot.chart->setMargins(QMargins(0, 0, 0, 0));
    if (slot.chart->layout() != nullptr) {
        slot.chart->layout()->setContentsMargins(0, 0, 0, 0);
    }
    slot.chart->setBackgroundRoundness(0);
    slot.chart->setBackgroundVisible(false); // the view's (or the figure's) background shows through
    slot.xAxis = new QValueAxis;
    slot.xAxis->setTitleText(tr("ms"));
    slot.xAxis->setTitleVisible(false); // the timeline right above says ms; a figure shows it under the bottom chart
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
    slot.view = new QChartView(slot.chart, m_column); // takes ownership of the chart
    slot.view->setFrameShape(QFrame::NoFrame);
    slot.view->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    slot.view->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    slot.playhead = new QGraphicsLineItem(slot.chart);
    slot.playhead->setPen(QPen(QColor(0xD5, 0x00, 0x00), 2));
    slot.playhead->setZValue(100);
    slot.playhead->hide();
    // No antialiasing: a counter is drawn as steps (horizontal and vertical strokes), and an antialiased dashed
    // stroke of a thousand steps cost up to 80 ms a frame (L8's producer, blocked and released at every put).
    slot.view->setRenderHint(QPainter::Antialiasing, false);
    slot.view->setObjectName(title);
    slot.view->installEventFilter(this);
    slot.view->hide(); // placed by updateVisibility once it has data
    m_layout->insertWidget(layoutPosition >= 0 ? layoutPosition : m_layout->count() - 1, slot.view,
                           1); // before the note
    return slot;
}

QString ChartsPanel::quantityTitle(ChartKind kind) {
    return tr(kQuantities[static_cast<std::size_t>(kind)].title);
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
        if (m_charts[index].group == group && !m_charts[index].scaleOf) {
            return index;
        }
    }
    ChartSlot& slot = createChart(ChartKind::QueueDepth, group, group);
    styleChart(slot);
    return m_charts.size() - 1;
}

QChart* ChartsPanel::chartAt(std::size_t index) const {
    return m_charts[index].chart;
}

QChartView* ChartsPanel::chartViewAt(std::size_t index) const {
    return m_charts[index].view;
}

bool ChartsPanel::isChartShownAt(std::size_t index) const {
    return m_charts[index].seriesCount > 0 && !m_charts[index].suppressed;
}

QString ChartsPanel::chartTitle(std::size_t index) const {
    return m_charts[index].title;
}

QStringList ChartsPanel::legendOf(std::size_t index) const {
    return m_charts[index].legend;
}

bool ChartsPanel::chartFor(const QString& name, ChartKind* kind) {
    std::optional<ChartKind> found;
    if (name == QLatin1String("in_flight")) {
        found = ChartKind::InFlight;
    } else if (name == QLatin1String("loop_lag_ms")) {
        found = ChartKind::LoopLag;
    } else {
        for (std::size_t index = 0; index < kChartCount; ++index) {
            const char* suffix = kQuantities[index].suffix;
            if (suffix != nullptr && name.endsWith(QLatin1String(suffix)) &&
                name.size() > static_cast<qsizetype>(std::strlen(suffix))) {
                found = static_cast<ChartKind>(index);
                break;
            }
        }
    }
    if (!found) {
        return false;
    }
    if (kind != nullptr) {
        *kind = *found;
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
        slot.suppressed = false;
        slot.companion.reset();
    }
    // The extra charts belong to the counters of the variants shown: the next ones make their own.
    while (m_charts.size() > kChartCount) {
        delete m_charts.back().view; // owns the chart, its axes, the header and the playhead
        m_charts.pop_back();
    }
    m_variants.clear();
    m_variantNames.clear();
    m_knownCounters.clear();
    m_note->clear();
    updateTitlesAndLegends();
    updateVisibility();
}

void ChartsPanel::setVariants(std::vector<SharedTimeline> variants, std::vector<QString> variantNames) {
    clear();
    m_variants = std::move(variants);
    m_variantNames = std::move(variantNames);
    m_variantNames.resize(m_variants.size());
    m_knownCounters.assign(m_variants.size(), 0);
    dataChanged();
}

void ChartsPanel::updateVariants(std::vector<SharedTimeline> variants, std::vector<QString> variantNames) {
    variantNames.resize(variants.size());
    const bool extends = variants.size() >= m_variants.size() &&
                         std::equal(m_variantNames.begin(), m_variantNames.end(), variantNames.begin());
    if (!extends) {
        setVariants(std::move(variants), std::move(variantNames));
        return;
    }
    // A finished variant's exact timeline takes the place (and address) of its live one, perhaps with its counters
    // in another order: every counter is looked at again (bound by name); a line is rebuilt when its samples are new
    // (see builtFor).
    m_variants = std::move(variants);
    m_variantNames = std::move(variantNames);
    m_knownCounters.assign(m_variants.size(), 0);
    dataChanged();
}

void ChartsPanel::syncSeries() {
    bool added = false;
    for (std::size_t variant = 0; variant < m_variants.size(); ++variant) {
        const auto& counters = m_variants[variant]->counters();
        for (std::size_t index = m_knownCounters[variant]; index < counters.size(); ++index) {
            const bool bound = std::any_of(m_bindings.begin(), m_bindings.end(), [&](const Binding& existing) {
                return existing.variant == variant && existing.counter == counters[index].name;
            });
            if (bound) {
                continue;
            }
            Binding binding;
            binding.variant = variant;
            binding.counter = counters[index].name;
            binding.home = chartIndexFor(binding.counter);
            binding.chartIndex = binding.home; // a line its scale flattens moves below later
            if (binding.home < kChartCount) {
                binding.primitive = primitiveOf(binding.counter, static_cast<ChartKind>(binding.home));
            }
            binding.series = new QLineSeries;
            ChartSlot& slot = m_charts[binding.chartIndex];
            slot.chart->addSeries(binding.series);
            binding.series->attachAxis(slot.xAxis);
            binding.series->attachAxis(slot.yAxis);
            ++slot.seriesCount; // styled with the others by updateTitlesAndLegends
            QLineSeries* series = binding.series;
            connect(series, &QLineSeries::hovered, this,
                    [this, series](const QPointF& point, bool state) { onSeriesHovered(series, point, state); });
            m_bindings.push_back(std::move(binding));
            added = true;
        }
        m_knownCounters[variant] = counters.size();
    }
    if (added) {
        updateTitlesAndLegends();
        updateVisibility();
    }
}

int ChartsPanel::plotWidth(const ChartSlot& slot) const {
    // Before the first layout the view has no real size yet; assume a wide one rather than fold everything.
    const double width = slot.view->isVisible() ? slot.chart->plotArea().width() : 0;
    return width >= 50 ? static_cast<int>(width) : kFallbackPixels;
}

void ChartsPanel::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    dataChanged(); // the downsampling follows the width
}

bool ChartsPanel::eventFilter(QObject* watched, QEvent* event) {
    if ((event->type() == QEvent::Resize || event->type() == QEvent::Move || event->type() == QEvent::Show) &&
        !m_layingOut) {
        for (ChartSlot& slot : m_charts) {
            if (slot.view == watched && slot.seriesCount > 0) {
                layOutChart(slot, slot.view->size(), alignedPlotX(slot));
                break;
            }
        }
    }
    return QWidget::eventFilter(watched, event);
}

std::int64_t ChartsPanel::dataEndNs() const {
    std::int64_t end = 0;
    for (const SharedTimeline& variantData : m_variants) {
        end = std::max(end, variantData->endNs());
    }
    return end;
}

void ChartsPanel::setLive(bool live) {
    m_live = live;
    if (!live && m_showPending) {
        updateVisibility();
    }
}

void ChartsPanel::warmUp() {
    const int width = std::max(400, m_scroll->viewport()->width());
    QImage canvas(width, 120, QImage::Format_ARGB32_Premultiplied);
    for (std::size_t index = 0; index < kChartCount; ++index) {
        ChartSlot& slot = m_charts[index];
        if (slot.seriesCount > 0) {
            continue; // in use already
        }
        QLineSeries stand;
        stand.append(0, 0);
        stand.append(1, 1);
        slot.chart->addSeries(&stand);
        stand.attachAxis(slot.xAxis);
        stand.attachAxis(slot.yAxis);
        slot.view->resize(canvas.size());
        QPainter painter(&canvas);
        slot.view->render(&painter);
        painter.end();
        slot.chart->removeSeries(&stand);
    }
}

void ChartsPanel::setHeld(bool held) {
    m_held = held;
    if (!held && m_changedWhileHeld) {
        m_changedWhileHeld = false;
        dataChanged();
    }
}

void ChartsPanel::dataChanged() {
    if (m_held) {
        m_changedWhileHeld = true;
        return;
    }
    syncSeries();
    if (m_showPending) {
        updateVisibility();
    }
    const bool followData = m_rangeEndNs <= m_rangeStartNs;
    const std::int64_t startNs = followData ? 0 : m_rangeStartNs;
    const std::int64_t endNs = followData ? std::max<std::int64_t>(dataEndNs(), 1) : m_rangeEndNs;

    m_peaks.assign(m_charts.size(), 0.0);
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
        const void* samples = track != nullptr ? track->points.data() : nullptr;
        const bool unchanged = binding.builtFor.samples == samples && binding.builtFor.sampleCount == sampleCount &&
                               binding.builtFor.lastSampleNs == lastSampleNs && binding.builtFor.startNs == startNs &&
                               binding.builtFor.endNs == endNs && binding.builtFor.holdUntilNs == window.holdUntilNs &&
                               binding.builtFor.pixels == window.pixels && binding.builtFor.valid;
        if (!unchanged) {
            if (track != nullptr) {
                // The track's own index (built with its samples): each bucket costs O(log n).
                binding.peak = track->linear ? buildLinearSeries(track->points, window, binding.points, &track->index)
                                             : buildStepSeries(track->points, window, binding.points, &track->index);
            } else {
                binding.points.clear();
                binding.peak = 0;
            }
            binding.series->replace(binding.points);
            binding.builtFor = {true,    samples, sampleCount,        lastSampleNs,
                                startNs, endNs,   window.holdUntilNs, window.pixels};
        }
        m_peaks[binding.chartIndex] = std::max(m_peaks[binding.chartIndex], binding.peak);
    }
    updateSuppression();
    if (separateFlattenedLines()) {
        dataChanged(); // the moved lines are rebuilt for their new chart's width; nothing moves twice
        return;
    }
    const double fromMs = static_cast<double>(startNs) / 1e6;
    const double toMs = std::max(static_cast<double>(endNs) / 1e6, fromMs + 0.001);
    for (std::size_t index = 0; index < m_charts.size(); ++index) {
        // A chart with nothing to show keeps its axes: each range change costs Qt Charts a layout of every label, and
        // the six unused charts took as long as the three shown. One that appears gets its axes here, when it does.
        if (isChartShownAt(index)) {
            updateAxes(m_charts[index], m_peaks[index], fromMs, toMs);
        }
    }
    placePlayheads();
}

void ChartsPanel::updateAxes(ChartSlot& slot, double peak, double fromMs, double toMs) {
    const QFontMetricsF metrics(slot.xAxis->labelsFont());
    const QRectF plot = slot.chart->plotArea();
    const double plotWidthPx = plot.width() >= 50 ? plot.width() : kFallbackPixels;
    const double plotHeightPx = plot.height() >= 10 ? plot.height() : 100;
    // Ticks on round milliseconds (0, 500, 1000…), like the timeline's axis above, far enough apart for the widest
    // label never to be elided; fewer when the chart is narrow. The plot ends at the chart's right edge (it lines up
    // with the timeline's), so a label there would be cut ("1200" read as "120"): the step is widened until the last
    // tick leaves room for half a label.
    const double span = toMs - fromMs;
    // The widest label this range can have: its largest value with the decimals a tenth of the span needs.
    const int decimals = std::clamp(1 - static_cast<int>(std::floor(std::log10(span / 10))), 0, 3);
    const double labelPx = metrics.horizontalAdvance(
        QString::number(std::max(std::abs(fromMs), std::abs(toMs)), 'f', decimals) + QStringLiteral("0"));
    const int xTicks = std::max(1, static_cast<int>(plotWidthPx / (labelPx * 2)));
    const double minimumStep = std::max(span / xTicks, span / 20);
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
    const double xStep =
        firstFitting({1.0, 2.0, 5.0}, 3)
            .value_or(firstFitting({1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0}, 2)
                          .value_or(firstFitting({1.0, 2.0, 2.5, 3.0, 4.0, 5.0}, 0).value_or(niceStep(span, xTicks))));
    setAxisSafely(slot.xAxis, fromMs, toMs, xStep);
    const QString xFormat = labelFormatFor(std::max(xStep, span / 20));
    if (slot.xAxis->labelFormat() != xFormat) {
        slot.xAxis->setLabelFormat(xFormat);
    }
    // Headroom so the peak is not drawn on the frame, with a round top that a tick labels (a short chart labels only
    // 0 and its top); whole numbers for the counters of whole things. Ticks divide the top evenly, as many as the
    // height has room for: five fixed ticks over 0..5 would be labelled 0, 1, 3, 4, 5.
    double top = niceCeiling(peak * 1.05);
    const bool whole = slot.group.isEmpty() && slot.kind != ChartKind::LoopLag;
    if (whole) {
        top = std::max(1.0, std::ceil(top));
    }
    const int yTicks = std::clamp(static_cast<int>(plotHeightPx / (metrics.height() * 1.8)), 1, 5);
    double yStep = top;
    for (int parts = yTicks; parts > 1; --parts) {
        const double step = top / parts;
        // A step of 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten (0, 30, 60, 90, 120; not 0, 24, 48…).
        const double magnitude = std::pow(10.0, std::floor(std::log10(step)));
        const double mantissa = step / magnitude;
        const bool round = std::any_of(kTickMantissas.begin(), kTickMantissas.end(),
                                       [mantissa](double nice) { return std::abs(mantissa - nice) < 1e-6; });
        if (round && (!whole || std::abs(step - std::round(step)) < 1e-9)) {
            yStep = step;
            break;
        }
    }
    setAxisSafely(slot.yAxis, 0, top, yStep);
}

void ChartsPanel::updateSuppression() {
    // A quiet loop (a few ms of lag at most, the host's noise) gets a line of text, not a chart of noise.
    ChartSlot& lag = m_charts[static_cast<std::size_t>(ChartKind::LoopLag)];
    double peak = 0;
    for (const Binding& binding : m_bindings) {
        if (binding.home == static_cast<std::size_t>(ChartKind::LoopLag)) {
            if (const CounterTrack* track = m_variants[binding.variant]->counter(binding.counter)) {
                peak = std::max(peak, track->peak);
            }
        }
    }
    const bool suppressed = lag.seriesCount > 0 && peak < TimelineData::kLagNoiseMs;
    const QString note = suppressed ? tr("Event-loop lag stayed below %1 ms (peak %2 ms): no chart.")
                                          .arg(TimelineData::kLagNoiseMs, 0, 'g', 3)
                                          .arg(peak, 0, 'f', 2)
                                    : QString();
    if (note != m_note->text()) {
        m_note->setText(note);
    }
    if (suppressed != lag.suppressed) {
        for (std::optional<std::size_t> index = static_cast<std::size_t>(ChartKind::LoopLag); index;
             index = m_charts[*index].companion) {
            m_charts[*index].suppressed = suppressed;
        }
        updateVisibility();
    }
}

QString ChartsPanel::noteText() const {
    return m_note->text();
}

void ChartsPanel::repaintNow() {
    for (ChartSlot& slot : m_charts) {
        if (slot.view->isVisible()) {
            slot.view->viewport()->repaint();
        }
    }
}

void ChartsPanel::setTimeRange(std::int64_t startNs, std::int64_t endNs) {
    m_rangeStartNs = startNs;
    m_rangeEndNs = endNs;
    // Downsampling depends on the window, so rebuild rather than only moving the axes.
    dataChanged();
}

QChart* ChartsPanel::chart(ChartKind kind) const {
    return m_charts[static_cast<std::size_t>(kind)].chart;
}

QChartView* ChartsPanel::chartView(ChartKind kind) const {
    return m_charts[static_cast<std::size_t>(kind)].view;
}

bool ChartsPanel::isChartShown(ChartKind kind) const {
    return isChartShownAt(static_cast<std::size_t>(kind));
}

QList<QLineSeries*> ChartsPanel::seriesOf(ChartKind kind) const {
    QList<QLineSeries*> result;
    for (const Binding& binding : m_bindings) {
        if (binding.home == static_cast<std::size_t>(kind)) {
            result.append(binding.series);
        }
    }
    return result;
}

QString ChartsPanel::counterOf(const QLineSeries* series) const {
    for (const Binding& binding : m_bindings) {
        if (binding.series == series) {
            return binding.counter;
        }
    }
    return {};
}

QString ChartsPanel::toolTipFor(const QLineSeries* series, QPointF point) const {
    for (const Binding& binding : m_bindings) {
        if (binding.series != series) {
            continue;
        }
        const QString& variant = m_variantNames[binding.variant];
        QString text = QStringLiteral("<b>%1</b><br>%2")
                           .arg(m_charts[binding.chartIndex].title.toHtmlEscaped(), series->name().toHtmlEscaped());
        text += QStringLiteral("<br>counter <tt>%1</tt>").arg(binding.counter.toHtmlEscaped());
        if (!variant.isEmpty() && !series->name().contains(variant)) {
            text += QStringLiteral(" (%1)").arg(variant.toHtmlEscaped());
        }
        text += QStringLiteral("<br>%1 at %2 ms").arg(point.y(), 0, 'g', 6).arg(point.x(), 0, 'f', 2);
        return text;
    }
    return {};
}

void ChartsPanel::onSeriesHovered(QLineSeries* series, QPointF point, bool state) {
    if (!state) {
        QToolTip::hideText();
        return;
    }
    QToolTip::showText(QCursor::pos(), toolTipFor(series, point), this);
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
