// The charts dock: one short chart per quantity (semaphore permits in use, tasks waiting, items in the queue, …),
// stacked in one column whose plot areas line up with the timeline's time axis, each with the variants (and, when a
// lesson has several, the primitives) as its lines. Extra charts follow for an imported trace's other counters, one
// per group ("<name>" or "<name> · <key>").
// Each chart is a CounterChart, painted by hand: a live frame's new line, range or chart costs a repaint, not a layout.
#pragma once

#include "charts/counter_chart.h"
#include "charts/step_series.h"

#include <QList>
#include <QPointF>
#include <QString>
#include <QWidget>

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

class QLabel;
class QScrollArea;
class QVBoxLayout;

namespace interleave::ui {

class TimelineData;
using SharedTimeline = std::shared_ptr<const TimelineData>;

class ChartsPanel : public QWidget {
    Q_OBJECT

public:
    // The fixed charts, top to bottom. Each is one quantity in one unit, so no line is flattened by another's scale.
    enum class ChartKind {
        SemaphoreInUse, // <sem>.in_use      "Semaphore permits in use"
        LockHeld,       // <lock>.held       "Lock held"
        Waiters,        // <prim>.waiters    "Tasks waiting for the semaphore" (lock, event: by the primitive's kind)
        CondWaiting,    // <cond>.waiting    "Tasks in a condition's wait, until notified"
        QueueDepth,     // <queue>.depth     "Items in the queue" (and <buffer>.size: "Items in the buffer")
        Putters,        // <queue>.putters   "Producers blocked on put"
        Getters,        // <queue>.getters   "Consumers waiting on get"
        Unfinished,     // <queue>.unfinished "Items not yet done (task_done)"
        Taken,          // <buffer>.taken    "Items taken out of the buffer"
        Writes,         // <variable>.writes "Updates written to the shared variable"
        Value,          // <variable>.value  "The shared variable's value" (below the writes: the gap is the race)
        InFlight,       // in_flight         "Tasks in flight"
        LoopLag,        // loop_lag_ms       "Event-loop lag (ms)"
    };
    static constexpr std::size_t kChartCount = 13; // the fixed charts; extra ones follow them, made on demand
    // A loop lag whose peak (in lesson time) stays below TimelineData::kLagNoiseMs is noise: no chart, a note.

    explicit ChartsPanel(QWidget* parent = nullptr);
    ~ChartsPanel() override;

    // Whether a counter goes on one of the fixed charts, and which ("sem.in_use" -> SemaphoreInUse).
    static bool chartFor(const QString& counterName, ChartKind* kind);
    // The extra chart a counter no fixed chart takes goes on: the text before " · ", or the whole name.
    static QString counterGroup(const QString& counterName);
    // A fixed chart's title in words ("Tasks in flight"); the waiters chart completes its own by the primitive's kind.
    static QString quantityTitle(ChartKind kind);

    // The variants to chart, shared until the next setVariants or clear call.
    void setVariants(std::vector<SharedTimeline> variants, std::vector<QString> variantNames);
    // The same run's variants again: one more has started, or a live one's data was replaced by its exact timeline.
    // The charts, their lines and any own-scale split stay, and only the data is read anew, so that no chart is
    // hidden and shown again (a layout of every chart). Variants that do not extend the shown ones start over.
    void updateVariants(std::vector<SharedTimeline> variants, std::vector<QString> variantNames);
    void clear();

    CounterChart* chart(ChartKind kind) const;
    bool isChartShown(ChartKind kind) const; // has at least one line and is not suppressed (quiet loop lag)
    // The lines of a quantity, in the chart of its quantity or below it on their own scale.
    QList<const ChartLine*> linesOf(ChartKind kind) const;
    // The counter a line draws ("sem.in_use"), as its tooltip names it; empty for a line not of this panel.
    QString counterOf(const ChartLine* line) const;
    QString toolTipFor(const ChartLine* line, QPointF point) const;
    // The one-line note shown instead of a chart (a quiet loop lag); empty when none.
    QString noteText() const;

    // Every chart, the fixed ones first (index = ChartKind), then the extra ones in the order their groups appeared,
    // and the charts that take, on their own scale, the lines another chart's scale flattened.
    std::size_t chartCount() const { return m_charts.size(); }
    // The charts top to bottom as the column shows them: each one followed by the chart that took its flattened lines.
    std::vector<std::size_t> columnOrder() const;
    // A line whose peak is below 1/kFlattenRatio of its chart's top would be a few pixels high: it moves to a chart
    // below, titled "<quantity> · own scale", where it has the whole height.
    static constexpr double kFlattenRatio = 5;
    CounterChart* chartAt(std::size_t index) const;
    bool isChartShownAt(std::size_t index) const;
    QString chartTitle(std::size_t index) const;
    // The legend entries of a chart, in words ("bounded", or "semaphore db · bounded" when it has several primitives).
    QStringList legendOf(std::size_t index) const;

    // Lines the plot areas up with the timeline: its time range is drawn from globalLeft to globalRight (global x,
    // as the timeline's time area). Kept until the next call; clearPlotAlignment() goes back to the panel's own.
    void alignPlotsTo(double globalLeft, double globalRight);
    void clearPlotAlignment();
    bool plotsAligned() const;

    // Figure export: paints chart `index` into `target`, its plot area from plotX's first to its second (offsets in
    // `target`), with the time labels and "ms" under them or not.
    void paintForFigure(std::size_t index, QPainter& painter, const QRectF& target, std::pair<double, double> plotX,
                        bool xLabels) const;

    // The height the shown charts and the note need without scrolling, each chart at its least readable height.
    int heightToShowAll() const;

Q_SIGNALS:
    // The shown charts changed, and heightToShowAll() with them: the window may give the panel more room.
    void heightToShowAllChanged(int height);

public Q_SLOTS:
    // The data grew (a live frame) or is complete: rebuilds every series' points. New counters get new series.
    void dataChanged();
    // All x axes show this range (the timeline's visible range); an empty range means the whole run.
    void setTimeRange(std::int64_t startNs, std::int64_t endNs);
    void setPresenterMode(bool on);
    // Paints the shown charts now (a live frame times its whole work, charts included).
    void repaintNow();
    // A vertical line at this time on every chart (the replay playhead); nullopt hides it.
    void setPlayhead(std::optional<std::int64_t> ns);
    // While a run is live, charts that appear together are shown one per frame: each one shown lays the column out.
    void setLive(bool live);
    // Held, the charts keep the lines they have: a time range or data change waits until they are let go.
    void setHeld(bool held);
    // Draws each fixed chart once, off screen: the first paint of a font's glyphs costs a few ms, which otherwise lands
    // in the first frame of a run. Called once the window is up, before any run.
    void warmUp();

protected:
    void resizeEvent(QResizeEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    static constexpr int kFallbackPixels = 1200;

    struct Binding {
        std::size_t variant = 0;
        QString counter;
        QString primitive;               // "sem" of "sem.in_use"; empty for in_flight, the loop lag and extra counters
        std::size_t home = 0;            // the chart of its quantity (ChartKind, or an extra chart's index)
        std::size_t chartIndex = 0;      // the chart it is drawn in: home, or a chart below it on its own scale
        std::unique_ptr<ChartLine> line; // its points are rebuilt each frame, in place
        double peak = 0;
        struct {
            bool valid = false;
            const void* samples = nullptr; // the track's storage: an exact timeline swapped in has its own
            std::size_t sampleCount = 0;
            std::int64_t lastSampleNs = -1;
            std::int64_t startNs = 0;
            std::int64_t endNs = 0;
            std::int64_t holdUntilNs = 0;
            int pixels = 0;
        } builtFor; // what `points` were built from
    };
    struct ChartSlot {
        ChartKind kind = ChartKind::QueueDepth; // meaningless for an extra chart
        QString group;                          // an extra chart's counter group; empty for the fixed ones
        QString title;
        std::optional<std::size_t> scaleOf;   // set on a chart that takes lines chart *scaleOf flattened
        std::optional<std::size_t> companion; // the chart that took lines this one flattened
        CounterChart* view = nullptr;
        int seriesCount = 0;
        bool suppressed = false; // has lines but is not shown (a quiet loop lag)
    };

    ChartSlot& createChart(ChartKind kind, const QString& title, const QString& group, int layoutPosition = -1);
    // Moves the lines flattened by their chart's scale to a chart below it; true when any moved.
    bool separateFlattenedLines();
    void moveSeries(Binding& binding, std::size_t chartIndex);
    void restyleSeries();
    std::size_t chartIndexFor(const QString& counterName); // creates the extra chart of a new group
    void syncSeries();                                     // adds series for counters not seen yet
    void updateTitlesAndLegends();
    void applyStyle();
    void styleChart(ChartSlot& slot) const;
    // colourIndex: the line's place among its quantity's lines (its colour stays when it moves to its own scale).
    void styleSeries(Binding& binding, int colourIndex) const;
    int plotWidth(const ChartSlot& slot) const;
    std::int64_t dataEndNs() const;
    void updateVisibility();
    void updateSuppression();
    void placePlayheads();
    // The plot's edges that line a chart up with the timeline, in the chart's coordinates; nullopt: its own.
    void layOutShownCharts();
    std::optional<std::pair<double, double>> alignedPlotX(const ChartSlot& slot) const;

    std::vector<ChartSlot> m_charts;
    QScrollArea* m_scroll = nullptr;
    QWidget* m_column = nullptr;
    QVBoxLayout* m_layout = nullptr;
    QLabel* m_empty = nullptr; // shown instead of the charts while none has data
    QLabel* m_note = nullptr;  // a one-line note below them (a quiet loop lag)
    std::vector<SharedTimeline> m_variants;
    std::vector<QString> m_variantNames;
    std::vector<std::size_t> m_knownCounters; // per variant: counters() size already bound
    std::vector<Binding> m_bindings;
    std::vector<double> m_peaks; // per chart, of the last dataChanged
    std::int64_t m_rangeStartNs = 0;
    std::int64_t m_rangeEndNs = 0; // <= start: follow the data
    bool m_presenterMode = false;
    std::optional<std::int64_t> m_playheadNs;
    std::optional<std::pair<double, double>> m_alignGlobal; // the timeline's time area, global x
    bool m_live = false;
    bool m_showPending = false; // a chart with lines waits for the next frame to be shown (setLive)
    int m_heightToShowAll = 0;  // as last told by heightToShowAllChanged
    bool m_held = false;
    bool m_changedWhileHeld = false;
};

} // namespace interleave::ui
