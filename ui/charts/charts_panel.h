// The charts dock: queue depth, semaphore/lock occupancy, tasks in flight and loop lag over time, for each variant,
// plus one chart per group of other counters (an imported trace's "<name>" or "<name> · <key>").
// The only place (with charts_panel.cpp) that uses Qt Charts, which is deprecated upstream.
#pragma once

#include <QList>
#include <QPointF>
#include <QString>
#include <QWidget>

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

class QChart;
class QChartView;
class QLineSeries;
class QValueAxis;

class QGraphicsLineItem;
class QGridLayout;
class QLabel;

namespace interleave::ui {

class TimelineData;

class ChartsPanel : public QWidget {
    Q_OBJECT

public:
    enum class ChartKind { QueueDepth, SemaphoreLock, InFlight, LoopLag };
    static constexpr std::size_t kChartCount = 4; // the fixed charts; extra ones follow them, made on demand

    explicit ChartsPanel(QWidget* parent = nullptr);
    ~ChartsPanel() override;

    // Whether a counter goes on one of the fixed charts, and which ("sem.in_use" -> SemaphoreLock).
    static bool chartFor(const QString& counterName, ChartKind* kind);
    // The extra chart a counter no fixed chart takes goes on: the text before " · ", or the whole name.
    static QString counterGroup(const QString& counterName);

    // The variants to chart (not owned; they must outlive the panel or the next setVariants call).
    void setVariants(std::vector<const TimelineData*> variants, std::vector<QString> variantNames);
    void clear();

    QChart* chart(ChartKind kind) const;
    QChartView* chartView(ChartKind kind) const;
    bool isChartShown(ChartKind kind) const; // has at least one series (the view may still be hidden as a whole)
    QList<QLineSeries*> seriesOf(ChartKind kind) const;

    // Every chart, the fixed ones first (index = ChartKind), then the extra ones in the order their groups appeared.
    std::size_t chartCount() const { return m_charts.size(); }
    QChart* chartAt(std::size_t index) const { return m_charts[index].chart; }
    QChartView* chartViewAt(std::size_t index) const { return m_charts[index].view; }
    bool isChartShownAt(std::size_t index) const { return m_charts[index].seriesCount > 0; }
    QString chartTitle(std::size_t index) const;

public Q_SLOTS:
    // The data grew (a live frame) or is complete: rebuilds every series' points. New counters get new series.
    void dataChanged();
    // All x axes show this range (the timeline's visible range); an empty range means the whole run.
    void setTimeRange(std::int64_t startNs, std::int64_t endNs);
    void setPresenterMode(bool on);
    // A vertical line at this time on every chart (the replay playhead); nullopt hides it.
    void setPlayhead(std::optional<std::int64_t> ns);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    static constexpr int kFallbackPixels = 1200;

    struct Binding {
        std::size_t variant = 0;
        QString counter;
        std::size_t chartIndex = 0;
        QLineSeries* series = nullptr;
        QList<QPointF> points; // reused each frame
        double peak = 0;
        struct {
            bool valid = false;
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
        QChartView* view = nullptr;
        QChart* chart = nullptr;
        QValueAxis* xAxis = nullptr;
        QValueAxis* yAxis = nullptr;
        int seriesCount = 0;
        QGraphicsLineItem* playhead = nullptr;
    };

    ChartSlot& createChart(ChartKind kind, const QString& title, const QString& group);
    std::size_t chartIndexFor(const QString& counterName); // creates the extra chart of a new group
    void syncSeries();                                     // adds series for counters not seen yet
    void applyStyle();
    void styleChart(ChartSlot& slot) const;
    void styleSeries(const Binding& binding, int indexInChart) const;
    static int plotWidth(const ChartSlot& slot);
    std::int64_t dataEndNs() const;
    void updateVisibility();
    void placePlayheads();

    std::vector<ChartSlot> m_charts;
    QGridLayout* m_grid = nullptr;
    QLabel* m_empty = nullptr; // shown instead of the charts while none has data
    std::vector<const TimelineData*> m_variants;
    std::vector<QString> m_variantNames;
    std::vector<std::size_t> m_knownCounters; // per variant: counters() size already bound
    std::vector<Binding> m_bindings;
    std::int64_t m_rangeStartNs = 0;
    std::int64_t m_rangeEndNs = 0; // <= start: follow the data
    bool m_presenterMode = false;
    std::optional<std::int64_t> m_playheadNs;
};

} // namespace interleave::ui
