// "Where the time went": a stacked bar per variant, its makespan divided among the stages of its flow (`stage:` on a
// lesson's steps), on one time scale so that the variants compare at a glance. Drawn in the summary and in figures.
#pragma once

#include "metrics/lesson_report.h"

#include <QString>
#include <QWidget>

#include <vector>

namespace interleave::ui {

class StageChart : public QWidget {
    Q_OBJECT

public:
    struct Row {
        QString variant;
        std::vector<core::StageShare> stages; // in the order they began
        double outsideMs = 0;                 // time no stage ran
    };

    explicit StageChart(QWidget* parent = nullptr);

    // The rows of the report's variants that name stages; empty when none does.
    static std::vector<Row> rowsOf(const core::LessonReport& report);

    void setRows(std::vector<Row> rows);
    const std::vector<Row>& rows() const { return m_rows; }
    bool isEmpty() const { return m_rows.empty(); }
    void setPresenterMode(bool on);
    // The height that shows every row and the legend at the current font and `width`; without the legend, which
    // comes last and is left out where there is no room for it.
    int heightFor(int width) const;
    int barsHeightFor(int width) const;
    // Paints the chart into `area` (the widget, an exported figure).
    void paintChart(QPainter& painter, const QRectF& area) const;
    // Every stage of the rows, in the order they first appear: their colours follow it.
    QStringList stageNames() const;

    QSize sizeHint() const override { return {600, heightFor(600)}; }
    QSize minimumSizeHint() const override { return {240, heightFor(240)}; }
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override { return heightFor(width); }

protected:
    void paintEvent(QPaintEvent* event) override;
    bool event(QEvent* event) override; // tooltips

private:
    struct Segment {
        QRectF rect;
        QString stage; // empty: outside every stage
        double ms = 0;
        std::size_t row = 0;
    };
    struct Layout {
        QRectF title;
        std::vector<std::pair<QRectF, int>> legend; // swatch and text box, colour index (-1: outside)
        std::vector<QRectF> names;                  // each row's name
        std::vector<QRectF> totals;                 // each row's makespan, right of its bar
        std::vector<Segment> segments;
        double barsBottom = 0; // below the last bar
        double bottom = 0;     // below the legend
    };
    Layout layoutIn(const QRectF& area) const;
    QColor colourOf(int index) const;

    std::vector<Row> m_rows;
    bool m_presenter = false;
};

} // namespace interleave::ui
