// ChartsPanel: one short CounterChart per quantity in one column, a line per counter per variant, its points rebuilt
// each frame from the counter's index; the plot areas are set so that they line up with the timeline's time axis.
#include "charts/charts_panel.h"

#include "timeline/timeline_data.h"

#include <QEvent>
#include <QImage>
#include <QLabel>
#include <QPainter>
#include <QScrollArea>
#include <QSet>
#include <QVBoxLayout>

#include <algorithm>
#include <array>
#include <cstring>

namespace interleave::ui {

namespace {

// The counter-name suffixes of the fixed charts, in ChartKind order (in_flight and the loop lag are whole names).
struct QuantityInfo {
    const char* suffix;
    const char* title;
};
constexpr std::array<QuantityInfo, ChartsPanel::kChartCount> kQuantities = {{
    {".in_use", QT_TRANSLATE_NOOP("ChartsPanel", "Semaphore permits in use")},
    {".held", QT_TRANSLATE_NOOP("ChartsPanel", "Lock held")},
    {".waiters", QT_TRANSLATE_NOOP("ChartsPanel", "Tasks waiting")}, // completed by the primitive's kind
    {".waiting", QT_TRANSLATE_NOOP("ChartsPanel", "Tasks in a condition's wait, until notified")},
    {".depth", QT_TRANSLATE_NOOP("ChartsPanel", "Items in the queue")},
    {".putters", QT_TRANSLATE_NOOP("ChartsPanel", "Producers blocked on put")},
    {".getters", QT_TRANSLATE_NOOP("ChartsPanel", "Consumers waiting on get")},
    {".unfinished", QT_TRANSLATE_NOOP("ChartsPanel", "Items not yet done (task_done)")},
    {".taken", QT_TRANSLATE_NOOP("ChartsPanel", "Items taken out of the buffer")},
    {".writes", QT_TRANSLATE_NOOP("ChartsPanel", "Updates written to the shared variable")},
    {".value", QT_TRANSLATE_NOOP("ChartsPanel", "The shared variable's value")},
    {nullptr, QT_TRANSLATE_NOOP("ChartsPanel", "Tasks in flight")},
    {nullptr, QT_TRANSLATE_NOOP("ChartsPanel", "Event-loop lag (ms)")},
}};

// A buffer's size goes on the queue-depth chart: both are the items waiting between producers and consumers.
constexpr const char* kBufferSizeSuffix = ".size";

QString primitiveOf(const QString& counter, ChartsPanel::ChartKind kind) {
    const char* suffix = kQuantities[static_cast<std::size_t>(kind)].suffix;
    return suffix != nullptr ? counter.left(counter.lastIndexOf(QLatin1Char('.'))) : QString();
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
    // The scroll bar coming or going moves the viewport and the column after the charts were resized: their plots line
    // up again then.
    m_scroll->viewport()->installEventFilter(this);
    m_column->installEventFilter(this);
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
    slot.view = new CounterChart(m_column);
    slot.view->setTitle(title);
    if (!group.isEmpty()) {
        slot.view->setValueKind(CounterChart::ValueKind::Any); // an imported counter can be anything
    } else if (kind == ChartKind::LoopLag) {
        slot.view->setValueKind(CounterChart::ValueKind::Tenths);
    }
    slot.view->setToolTipSource([this](const ChartLine* line, QPointF point) { return toolTipFor(line, point); });
    slot.view->setObjectName(title);
    slot.view->installEventFilter(this);
    slot.view->hide(); // placed by updateVisibility once it has data
    m_layout->insertWidget(layoutPosition >= 0 ? layoutPosition : m_layout->count() - 1, slot.view,
                           1); // before the note
    styleChart(slot);
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
    createChart(ChartKind::QueueDepth, group, group);
    return m_charts.size() - 1;
}

CounterChart* ChartsPanel::chartAt(std::size_t index) const {
    return m_charts[index].view;
}

bool ChartsPanel::isChartShownAt(std::size_t index) const {
    return m_charts[index].seriesCount > 0 && !m_charts[index].suppressed;
}

QString ChartsPanel::chartTitle(std::size_t index) const {
    return m_charts[index].title;
}

QStringList ChartsPanel::legendOf(std::size_t index) const {
    QStringList legend;
    for (const ChartLine* line : m_charts[index].view->lines()) {
        legend << line->name;
    }
    return legend;
}

bool ChartsPanel::chartFor(const QString& name, ChartKind* kind) {
    std::optional<ChartKind> found;
    if (name == QLatin1String("in_flight")) {
        found = ChartKind::InFlight;
    } else if (name == QLatin1String("loop_lag_ms")) {
        found = ChartKind::LoopLag;
    } else if (name.endsWith(QLatin1String(kBufferSizeSuffix)) &&
               name.size() > static_cast<qsizetype>(std::strlen(kBufferSizeSuffix))) {
        found = ChartKind::QueueDepth;
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
    m_bindings.clear(); // updateTitlesAndLegends below takes the lines from the charts
    for (ChartSlot& slot : m_charts) {
        slot.seriesCount = 0;
        slot.suppressed = false;
        slot.companion.reset();
    }
    // The extra charts belong to the counters of the variants shown: the next ones make their own.
    while (m_charts.size() > kChartCount) {
        delete m_charts.back().view;
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
            // A stage's counter is drawn as the summary's breakdown (StageChart), not as a line of its own.
            if (bound || core::isStageCounter(counters[index].name.toStdString())) {
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
            binding.line = std::make_unique<ChartLine>();
            ++m_charts[binding.chartIndex].seriesCount; // given to its chart and styled by updateTitlesAndLegends
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
    const double width = slot.view->isVisible() ? slot.view->plotArea().width() : 0;
    return width >= 50 ? static_cast<int>(width) : kFallbackPixels;
}

void ChartsPanel::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    dataChanged(); // the downsampling follows the width
}

bool ChartsPanel::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_scroll->viewport() || watched == m_column) {
        if (event->type() == QEvent::Move) {
            layOutShownCharts();
        }
    } else if (event->type() == QEvent::Resize || event->type() == QEvent::Move || event->type() == QEvent::Show) {
        for (ChartSlot& slot : m_charts) {
            if (slot.view == watched && slot.seriesCount > 0) {
                slot.view->setPlotX(alignedPlotX(slot));
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
    QPainter painter(&canvas);
    ChartLine stand{QStringLiteral("0123456789 abcdefghijklmnopqrstuvwxyz"), {QPointF(0, 0), QPointF(1, 1)}, QPen()};
    CounterChart chart;
    chart.setChartStyle(m_charts.front().view->chartStyle());
    chart.setTitle(QStringLiteral("ABCDEFGHIJKLMNOPQRSTUVWXYZ · ()"));
    chart.setLines({&stand});
    chart.setRange(0, 1, 1);
    chart.paintChart(painter, QRectF(canvas.rect()), ChartFrame{});
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
                binding.peak = track->linear
                                   ? buildLinearSeries(track->points, window, binding.line->points, &track->index)
                                   : buildStepSeries(track->points, window, binding.line->points, &track->index);
            } else {
                binding.line->points.clear();
                binding.peak = 0;
            }
            binding.builtFor = {true,    samples, sampleCount,        lastSampleNs,
                                startNs, endNs,   window.holdUntilNs, window.pixels};
            m_charts[binding.chartIndex].view->update();
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
        m_charts[index].view->setRange(fromMs, toMs, m_peaks[index]);
    }
    placePlayheads();
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
    m_scroll->viewport()->repaint(); // every chart shown, in one paint and one flush
}

void ChartsPanel::setTimeRange(std::int64_t startNs, std::int64_t endNs) {
    m_rangeStartNs = startNs;
    m_rangeEndNs = endNs;
    // Downsampling depends on the window, so rebuild rather than only moving the axes.
    dataChanged();
}

CounterChart* ChartsPanel::chart(ChartKind kind) const {
    return m_charts[static_cast<std::size_t>(kind)].view;
}

bool ChartsPanel::isChartShown(ChartKind kind) const {
    return isChartShownAt(static_cast<std::size_t>(kind));
}

QList<const ChartLine*> ChartsPanel::linesOf(ChartKind kind) const {
    QList<const ChartLine*> result;
    for (const Binding& binding : m_bindings) {
        if (binding.home == static_cast<std::size_t>(kind)) {
            result.append(binding.line.get());
        }
    }
    return result;
}

QString ChartsPanel::counterOf(const ChartLine* line) const {
    for (const Binding& binding : m_bindings) {
        if (binding.line.get() == line) {
            return binding.counter;
        }
    }
    return {};
}

QString ChartsPanel::toolTipFor(const ChartLine* line, QPointF point) const {
    for (const Binding& binding : m_bindings) {
        if (binding.line.get() != line) {
            continue;
        }
        const QString& variant = m_variantNames[binding.variant];
        QString text = QStringLiteral("<b>%1</b><br>%2")
                           .arg(m_charts[binding.chartIndex].title.toHtmlEscaped(), line->name.toHtmlEscaped());
        text += QStringLiteral("<br>counter <tt>%1</tt>").arg(binding.counter.toHtmlEscaped());
        if (!variant.isEmpty() && !line->name.contains(variant)) {
            text += QStringLiteral(" (%1)").arg(variant.toHtmlEscaped());
        }
        text += QStringLiteral("<br>%1 at %2 ms").arg(point.y(), 0, 'g', 6).arg(point.x(), 0, 'f', 2);
        return text;
    }
    return {};
}

void ChartsPanel::setPlayhead(std::optional<std::int64_t> ns) {
    m_playheadNs = ns;
    placePlayheads();
}

void ChartsPanel::placePlayheads() {
    const std::optional<double> ms =
        m_playheadNs ? std::optional<double>(static_cast<double>(*m_playheadNs) / 1e6) : std::nullopt;
    for (ChartSlot& slot : m_charts) {
        slot.view->setPlayhead(ms);
    }
}

} // namespace interleave::ui
