// One chart of the charts dock, painted by hand as the timeline is: a header (the title, then a line sample and a name
// per line, wrapping when narrow), a y axis labelled at round values, and counters drawn as steps over a time range;
// the bottom chart of a column also labels the time. Ticks are chosen when painting, from the range and the plot's
// size, so no change of range, line or size is ever a layout: each costs one repaint, in proportion to the points
// drawn (a few per pixel column). Qt Charts laid out every label and stroked every line's hover shape on each of
// those changes, 10-50 ms in a live frame.
#pragma once

#include <QFont>
#include <QHash>
#include <QList>
#include <QPen>
#include <QPointF>
#include <QStaticText>
#include <QString>
#include <QWidget>

#include <functional>
#include <optional>
#include <utility>
#include <vector>

namespace interleave::ui {

// A line of a chart: one counter of one variant, in (ms, value) points. Owned by the charts panel; a chart draws the
// lines it is given, so a line can move to another chart without a copy.
struct ChartLine {
    QString name; // as the legend says it
    QList<QPointF> points;
    QPen pen;
};

struct ChartStyle {
    QFont labels;
    QFont title;
    QColor background = Qt::white;
    QColor text = QColor(0x20, 0x20, 0x20);
    QColor axis = QColor(0x80, 0x80, 0x80);
    QColor grid = QColor(0xE4, 0xE4, 0xE4);
};

// An axis as painted: from min to max with a label every `step` (ticks at multiples of it), with `decimals`.
struct ChartAxis {
    double min = 0;
    double max = 1;
    double step = 1;
    int decimals = 0;
    int tickCount() const; // labelled ticks within [min, max]
};

// How a chart is drawn into a rectangle: plot edges in the rectangle's coordinates (nullopt: its own), and whether
// the time labels and the "ms" under them are drawn.
struct ChartFrame {
    std::optional<std::pair<double, double>> plotX;
    bool xLabels = true;
    bool xTitle = false;
};

class CounterChart : public QWidget {
    Q_OBJECT

public:
    enum class ValueKind { Whole, Tenths, Any }; // counts of things, the loop lag in ms, an imported counter

    explicit CounterChart(QWidget* parent = nullptr);

    void setTitle(const QString& title);
    const QString& title() const { return m_title; }
    void setLines(std::vector<const ChartLine*> lines); // legend order
    const std::vector<const ChartLine*>& lines() const { return m_lines; }
    void setValueKind(ValueKind kind);
    void setChartStyle(const ChartStyle& style);
    const ChartStyle& chartStyle() const { return m_style; }

    // The time range drawn, in ms, and the peak of the lines drawn (the y axis tops it with some headroom).
    void setRange(double fromMs, double toMs, double peak);
    // Where the plot goes, in this widget's coordinates (to line up with the timeline); nullopt: the chart's own.
    void setPlotX(std::optional<std::pair<double, double>> plotX);
    void setXLabels(bool on);
    bool xLabels() const { return m_frame.xLabels; }
    void setPlayhead(std::optional<double> ms);
    // Shown on hover over a line: the text for the line under the cursor and the point of it there (ms, value).
    void setToolTipSource(std::function<QString(const ChartLine*, QPointF)> source);

    // The layout for a size: plot area, header height, and the axes as they are painted.
    QRectF plotAreaFor(QSizeF size, const ChartFrame& frame) const;
    QRectF plotArea() const { return plotAreaFor(QSizeF(size()), m_frame); }
    ChartAxis xAxisFor(double plotWidthPx) const;
    ChartAxis yAxisFor(double plotHeightPx) const;
    ChartAxis xAxis() const { return xAxisFor(plotArea().width()); }
    ChartAxis yAxis() const { return yAxisFor(plotArea().height()); }
    int headerHeight(double width) const;
    // Widget x (or y) of a time in ms (or a value), in the current layout.
    QPointF mapToPosition(QPointF value) const;
    // The height that shows the header (wrapped to `width`), two y labels and, when it has them, the time labels.
    int minimumChartHeight(int width) const;

    // Paints the chart into `target` (a window, an image, an SVG or a PDF: vector output stays vector).
    void paintChart(QPainter& painter, const QRectF& target, const ChartFrame& frame) const;

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    struct HeaderEntry {
        QRectF text;           // the title's or a line's name, in header coordinates
        const ChartLine* line; // nullptr for the title
    };
    // The header's entries and height at a width, kept until the title, the lines or the style change.
    const std::vector<HeaderEntry>& layOutHeader(double width, double* height) const;
    // Draws a one-line text in `font` aligned in `box` (Qt::AlignLeft, AlignRight or AlignHCenter, centred
    // vertically), shaped once and kept: a chart's labels are the same from frame to frame, and shaping them anew was
    // most of its paint.
    void drawLabel(QPainter& painter, const QRectF& box, Qt::Alignment alignment, const QString& text, bool bold) const;
    double labelWidth(const QString& text, bool bold) const;
    void forgetLayout();
    // The line under a widget point and its value there, within a few pixels of it.
    std::optional<std::pair<const ChartLine*, QPointF>> lineAt(QPointF position) const;

    QString m_title;
    std::vector<const ChartLine*> m_lines;
    ValueKind m_valueKind = ValueKind::Whole;
    ChartStyle m_style;
    double m_fromMs = 0;
    double m_toMs = 1;
    double m_peak = 0;
    ChartFrame m_frame;
    std::optional<double> m_playheadMs;
    std::function<QString(const ChartLine*, QPointF)> m_toolTip;
    struct {
        bool valid = false;
        double width = 0;
        double height = 0;
        std::vector<HeaderEntry> entries;
    } mutable m_header;
    mutable QHash<QString, QStaticText> m_labels[2]; // plain, bold
};

} // namespace interleave::ui
