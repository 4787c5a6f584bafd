// The chart of a parameter sweep: the makespan and the throughput of each run against the swept parameter, beside
// the lesson's theory, filling in as the runs finish. A click on a point asks for that run's timeline.
#pragma once

#include <QWidget>

#include <optional>
#include <vector>

namespace interleave::ui {

class SweepChart : public QWidget {
    Q_OBJECT

public:
    struct Point {
        double value = 0;                     // the parameter's
        std::optional<double> makespanMs;     // once its run has finished
        std::optional<double> throughputPerS; // tasks done per second of makespan
        std::optional<double> theoryMs;       // the lesson's theory at this value
        std::size_t tasks = 0;                // tasks of the run (for the theory's throughput: tasks / theory)
    };

    explicit SweepChart(QWidget* parent = nullptr);

    // `theory` is the theory's text ("ceil($calls / $workers) * $call_ms"), empty without one.
    void setSweep(const QString& parameter, const QString& theory, std::vector<Point> points);
    void clear();
    bool isEmpty() const { return m_points.empty(); }
    const std::vector<Point>& points() const { return m_points; }
    void setPresenterMode(bool on);
    void setSelected(int index);                         // the point whose run is shown, -1 for none
    void setInteractive(bool on) { m_interactive = on; } // off in a figure: its legend does not say "click"
    // Paints the chart into `area` (the widget, an exported figure).
    void paintChart(QPainter& painter, const QRectF& area) const;
    // The point drawn nearest `position` within a few pixels, -1 for none.
    int pointAt(QPointF position) const;

    QSize sizeHint() const override { return {600, 240}; }
    QSize minimumSizeHint() const override { return {300, 160}; }

Q_SIGNALS:
    void pointClicked(int index);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    bool event(QEvent* event) override; // tooltips

private:
    enum class Quantity { Makespan, Throughput };
    struct Plot {
        QRectF frame; // the plotting area, inside the axes
        double yMax = 1;
        double step = 1; // between the y axis's ticks
    };
    Plot plotOf(Quantity quantity, const QRectF& area) const;
    double xOf(const QRectF& frame, double value) const;
    std::optional<double> measured(const Point& point, Quantity quantity) const;
    std::optional<double> theory(const Point& point, Quantity quantity) const;
    void paintPlot(QPainter& painter, Quantity quantity, const QRectF& area) const;
    QRectF halfOf(const QRectF& area, Quantity quantity) const;

    QString m_parameter;
    QString m_theory;
    std::vector<Point> m_points;
    bool m_logX = false;
    int m_selected = -1;
    bool m_presenter = false;
    bool m_interactive = true;
};

} // namespace interleave::ui
