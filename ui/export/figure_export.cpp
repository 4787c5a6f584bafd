// Figure export: one layout (title, timeline, charts, legend) painted into a QImage, a QSvgGenerator or a QPdfWriter.
#include "export/figure_export.h"
#include "runtime/cores.h"

#include "charts/charts_panel.h"
#include "io/atomic_file.h"
#include "timeline/timeline_painter.h"

#include <QBuffer>
#include <QDate>
#include <QFileInfo>
#include <QFontMetrics>
#include <QGraphicsLayout>
#include <QGraphicsScene>
#include <QImage>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSvgGenerator>

#include <algorithm>
#include <cmath>
#include <memory>

namespace interleave::ui {

namespace {

constexpr int kMinLanePx = 3;       // lanes shrink down to this, once every group is folded (see fitTimeline)
constexpr int kMinFigurePx = 64;    // smaller figures have no room for a title
constexpr int kMaxFigurePx = 20000; // a QImage of 20000² is already 1.6 GB
constexpr int kGap = 10;
constexpr int kChartGap = 2; // between the stacked charts

// The app's font with a generic family name, which SVG viewers understand ("Sans Serif" falls back to a serif face).
QFont figureFont(bool presenter) {
    QFont font;
    font.setFamily(QStringLiteral("sans-serif"));
    if (presenter) {
        font.setPointSizeF(font.pointSizeF() * 1.6);
    }
    return font;
}

bool showsTimeline(FigureView view) {
    return view == FigureView::Comparison || view == FigureView::Timeline;
}

bool showsCharts(FigureView view) {
    return view != FigureView::Timeline;
}

// The charts of a figure: an offscreen ChartsPanel fed the same variants and time range, never shown; each chart
// paints itself into its place in the figure (vector output stays vector).
class FigureCharts {
public:
    explicit FigureCharts(const FigureRequest& request) {
        std::vector<SharedTimeline> variants;
        std::vector<QString> names;
        for (std::size_t index = 0; index < request.variants.size(); ++index) {
            if (request.variants[index] != nullptr) {
                variants.push_back(request.variants[index]);
                names.push_back(index < request.variantNames.size() ? request.variantNames[index] : QString());
            }
        }
        m_panel.setFont(figureFont(false)); // the panel scales it for presenter mode
        m_panel.setPresenterMode(request.presenter);
        m_panel.setVariants(std::move(variants), std::move(names));
        if (request.endNs > request.startNs) {
            m_panel.setTimeRange(request.startNs, request.endNs);
        }
        for (const std::size_t index : m_panel.columnOrder()) {
            if (m_panel.isChartShownAt(index)) {
                m_shown.push_back(index);
            }
        }
    }

    const std::vector<std::size_t>& shown() const { return m_shown; }
    QString title(std::size_t index) const { return m_panel.chartTitle(index); }

    // Draws chart `index` into `target`, its plot area from plotLeft to plotRight (offsets in `target`), so that it
    // lines up with the timeline's time area above; only the bottom chart of the column has time labels.
    void render(QPainter& painter, std::size_t index, const QRectF& target, double plotLeft, double plotRight,
                bool xLabels) const {
        m_panel.paintForFigure(index, painter, target, std::make_pair(plotLeft, plotRight), xLabels);
    }

private:
    ChartsPanel m_panel;
    std::vector<std::size_t> m_shown;
};

// Makes the timeline's rows fit `rowsHeight`, in this order: lanes shrink down to a height that still shows their
// names; then expanded groups fold, the largest first, each fold taking its members back into one row; then lanes
// shrink down to kMinLanePx; and only then are the last rows left out, which each variant's header says. Group rows
// keep their proportion to lanes. Returns the metrics it settled on (already set on `timeline`).
TimelineMetrics fitTimeline(TimelinePainter& timeline, TimelineMetrics metrics, int rowsHeight) {
    const int fullLane = metrics.lane;
    const int fullGroup = metrics.group;
    auto setLane = [&](int lane) {
        metrics.lane = lane;
        metrics.group = std::max(lane, fullGroup * lane / std::max(fullLane, 1));
        timeline.setMetrics(metrics);
    };
    auto fitsAt = [&](int lane) {
        setLane(lane);
        return timeline.contentHeight() <= rowsHeight;
    };
    // The tallest lane in [lowest, fullLane] that fits, or 0 when even `lowest` does not.
    auto tallestFitting = [&](int lowest) {
        if (!fitsAt(lowest)) {
            return 0;
        }
        int low = lowest;
        int high = fullLane;
        while (low < high) {
            const int middle = low + (high - low + 1) / 2;
            if (fitsAt(middle)) {
                low = middle;
            } else {
                high = middle - 1;
            }
        }
        return low;
    };
    const QFontMetrics font(timeline.font());
    const int readable = std::clamp((font.height() * 2 + 2) / 3, kMinLanePx, std::max(fullLane, kMinLanePx));
    TimelineFolding folding = timeline.folding();
    for (;;) {
        if (const int lane = tallestFitting(readable); lane > 0) {
            setLane(lane);
            return metrics;
        }
        // Fold the largest expanded group left.
        int bestVariant = -1;
        int bestGroup = -1;
        std::size_t bestSize = 0;
        for (int variant = 0; variant < static_cast<int>(timeline.variants().size()); ++variant) {
            const TimelineData* data = timeline.variants()[static_cast<std::size_t>(variant)].get();
            if (data == nullptr || timeline.laneMode() != LaneMode::ByTask || timeline.variantCollapsed(variant)) {
                continue;
            }
            for (int group = 0; group < static_cast<int>(data->groups().size()); ++group) {
                const std::size_t size = data->groups()[static_cast<std::size_t>(group)].size;
                if (size >= 2 && size > bestSize && timeline.groupExpanded(variant, group)) {
                    bestVariant = variant;
                    bestGroup = group;
                    bestSize = size;
                }
            }
        }
        if (bestVariant < 0) {
            break;
        }
        folding.setExpanded(timeline.groupKey(bestVariant, bestGroup), false);
        timeline.setFolding(folding);
    }
    if (const int lane = tallestFitting(kMinLanePx); lane > 0) {
        setLane(lane);
        return metrics;
    }
    // The last resort: the most rows per variant that fit at the minimum height.
    setLane(kMinLanePx);
    std::size_t low = 0;
    std::size_t high = 0;
    for (int variant = 0; variant < static_cast<int>(timeline.variants().size()); ++variant) {
        high = std::max(high, timeline.rowCount(variant));
    }
    while (low < high) {
        const std::size_t middle = low + (high - low + 1) / 2;
        timeline.setRowLimit(middle);
        if (timeline.contentHeight() <= rowsHeight) {
            low = middle;
        } else {
            high = middle - 1;
        }
    }
    timeline.setRowLimit(low);
    return metrics;
}

void paintFigure(QPainter& painter, const FigureRequest& request, QSize size, bool vector,
                 std::optional<FigureCharts>& charts) {
    TimelinePainter timeline;
    timeline.setVariants(request.variants, request.labels);
    timeline.setLaneMode(request.laneMode);
    timeline.setPresenterMode(request.presenter);
    timeline.setFolding(request.folding);
    timeline.setVectorOutput(vector);
    timeline.setFont(figureFont(request.presenter));
    const StatePalette& palette = timeline.palette();
    TimelineMetrics metrics = timeline.metrics();

    const int width = size.width();
    const int height = size.height();
    painter.fillRect(QRect(0, 0, width, height), palette.canvas());
    const int margin = request.presenter ? 24 : 16;
    const int inner = width - 2 * margin;
    int y = margin;

    // Title and subtitle.
    QFont titleFont = timeline.font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.5);
    titleFont.setBold(true);
    const QFontMetrics titleMetrics(titleFont);
    painter.setFont(titleFont);
    painter.setPen(palette.text());
    painter.drawText(QRect(margin, y, inner, titleMetrics.height()), Qt::AlignLeft | Qt::AlignVCenter,
                     titleMetrics.elidedText(request.title, Qt::ElideRight, inner));
    y += titleMetrics.height() + 2;
    if (!request.subtitle.isEmpty()) {
        const QFontMetrics subtitleMetrics(timeline.font());
        painter.setFont(timeline.font());
        painter.setPen(request.presenter ? QColor(0xC8, 0xC8, 0xC8) : QColor(0x50, 0x50, 0x50));
        painter.drawText(QRect(margin, y, inner, subtitleMetrics.height()), Qt::AlignLeft | Qt::AlignVCenter,
                         subtitleMetrics.elidedText(request.subtitle, Qt::ElideRight, inner));
        y += subtitleMetrics.height();
    }
    y += kGap;

    // A sweep's chart first: the makespan and throughput against the parameter, above its runs' timeline.
    if (request.sweep) {
        SweepChart chart;
        chart.setPresenterMode(request.presenter); // its colours (and a font, replaced here by the figure's)
        chart.setInteractive(false);
        chart.setFont(figureFont(request.presenter));
        chart.setSweep(request.sweep->parameter, request.sweep->theory, request.sweep->points);
        const int sweepHeight = std::max(request.presenter ? 300 : 220, (height - margin - y) * 2 / 5);
        chart.paintChart(painter, QRectF(margin, y, inner, sweepHeight));
        y += sweepHeight + kGap;
    }

    // Where the time went, stage by stage, above the timeline that shows how.
    if (!request.stages.empty() && request.view != FigureView::SingleChart) {
        StageChart chart;
        chart.setPresenterMode(request.presenter);
        chart.setFont(figureFont(request.presenter));
        chart.setRows(request.stages);
        const int stagesHeight = chart.heightFor(inner);
        chart.paintChart(painter, QRectF(margin, y, inner, stagesHeight));
        y += stagesHeight + kGap;
    }

    // Share the height between the timeline and the charts.
    const bool withTimeline = showsTimeline(request.view);
    std::vector<std::size_t> chartIndices;
    if (charts) {
        chartIndices = charts->shown();
        if (request.view == FigureView::SingleChart) {
            chartIndices = {chartIndices.at(static_cast<std::size_t>(request.chartIndex))};
        }
    }
    const int chartCount = static_cast<int>(chartIndices.size());
    // One column of short charts, whose plot areas line up with the timeline's time area.
    const int chartRows = chartCount;
    const int legendHeight = withTimeline ? metrics.legend : 0;
    const int available = std::max(0, height - margin - y - (withTimeline ? legendHeight + kGap / 2 : 0));
    int timelineHeight = 0;
    int chartsHeight = 0;
    const int naturalTimeline = metrics.axis + timeline.contentHeight();
    if (withTimeline && chartCount > 0) {
        const int preferredRow = request.presenter ? 170 : 130;
        // Many charts share half the height at most, down to this floor a row: the timeline keeps the other half (L16
        // has seven charts, and its lanes are what a class follows).
        const int minimumRow = request.presenter ? 72 : 48;
        const int maximumRow = request.presenter ? 300 : 240;
        chartsHeight = std::min(chartRows * preferredRow, std::max(chartRows * minimumRow, available / 2));
        timelineHeight = available - chartsHeight - kGap;
        if (naturalTimeline < timelineHeight) {
            timelineHeight = naturalTimeline;
            chartsHeight = std::min(available - timelineHeight - kGap, chartRows * maximumRow);
        }
    } else if (withTimeline) {
        timelineHeight = std::min(naturalTimeline, available);
    } else {
        chartsHeight = available;
    }

    if (withTimeline) {
        metrics.legend = 0; // drawn below the charts
        metrics = fitTimeline(timeline, metrics, timelineHeight - metrics.axis);
        const QRect area(margin, y, inner, std::min(timelineHeight, metrics.axis + timeline.contentHeight()));
        const std::int64_t dataEnd = std::max<std::int64_t>(timeline.dataEndNs(), TimeMapper::kMinVisibleNs);
        const bool ranged = request.endNs > request.startNs;
        TimeMapper mapper(ranged ? request.startNs : 0, ranged ? request.endNs : dataEnd, area.left() + metrics.gutter,
                          area.right());
        mapper.setDataEnd(dataEnd);
        mapper.setRange(ranged ? request.startNs : 0, ranged ? request.endNs : dataEnd);
        timeline.paint(painter, area, mapper, 0, std::nullopt, TimelineSelection{});
        y += area.height() + (chartCount > 0 ? kGap : 0);
    }
    if (chartCount > 0) {
        // The timeline maps its range to [left + gutter, right]: each chart's plot area spans the same columns. The
        // bottom chart also carries the time labels and "ms" under its plot: it is taller by their height, so that
        // its plot is as tall as the others' and the labels are never squeezed into "…" when there are many charts.
        const int labels = static_cast<int>(std::ceil(QFontMetricsF(figureFont(request.presenter)).height() * 2.4)) + 2;
        const int rowHeight = (chartsHeight - (chartRows - 1) * kChartGap - labels) / chartRows;
        for (int index = 0; index < chartCount; ++index) {
            const QRect cell(margin, y + index * (rowHeight + kChartGap), inner,
                             rowHeight + (index == chartCount - 1 ? labels : 0));
            charts->render(painter, chartIndices[static_cast<std::size_t>(index)], cell, metrics.gutter, inner - 1,
                           index == chartCount - 1);
        }
        y += chartsHeight;
    }
    if (withTimeline) {
        timeline.paintLegend(painter, QRect(margin, y + kGap / 2, inner, legendHeight));
    }
}

QString paintPng(const FigureRequest& request, QIODevice& device, std::optional<FigureCharts>& charts) {
    const double scale = request.dpi / 96.0;
    QImage image(request.size, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::TextAntialiasing, true);
    painter.scale(scale, scale);
    const QSize logical(static_cast<int>(request.size.width() / scale),
                        static_cast<int>(request.size.height() / scale));
    paintFigure(painter, request, logical, false, charts);
    painter.end();
    // Set after painting: fonts are sized for 96 dpi and then scaled, so they grow with the DPI exactly once.
    const int dotsPerMeter = static_cast<int>(std::lround(request.dpi / 0.0254));
    image.setDotsPerMeterX(dotsPerMeter);
    image.setDotsPerMeterY(dotsPerMeter);
    if (!image.save(&device, "PNG")) {
        return device.errorString().isEmpty() ? QStringLiteral("PNG encoding failed") : device.errorString();
    }
    return {};
}

QString paintSvg(const FigureRequest& request, QIODevice& device, std::optional<FigureCharts>& charts) {
    QSvgGenerator generator;
    generator.setOutputDevice(&device);
    generator.setSize(request.size);
    generator.setViewBox(QRect(QPoint(0, 0), request.size));
    generator.setResolution(96); // 1 px = 1 user unit = 0.75 pt, as on screen
    generator.setTitle(request.title);
    generator.setDescription(request.subtitle);
    QPainter painter;
    if (!painter.begin(&generator)) {
        return QStringLiteral("cannot start the SVG writer");
    }
    paintFigure(painter, request, request.size, true, charts);
    painter.end();
    return {};
}

QString paintPdf(const FigureRequest& request, QIODevice& device, std::optional<FigureCharts>& charts) {
    QPdfWriter writer(&device);
    writer.setResolution(96);
    writer.setCreator(QStringLiteral("Interleave"));
    writer.setTitle(request.title);
    const QSizeF points(request.size.width() * 0.75, request.size.height() * 0.75);
    const QPageSize page(points, QPageSize::Point, QString(), QPageSize::ExactMatch);
    writer.setPageLayout(QPageLayout(page, QPageLayout::Portrait, QMarginsF(0, 0, 0, 0), QPageLayout::Point));
    QPainter painter;
    if (!painter.begin(&writer)) {
        return QStringLiteral("cannot start the PDF writer");
    }
    paintFigure(painter, request, request.size, true, charts);
    painter.end();
    return {};
}

} // namespace

std::optional<FigureFormat> figureFormatFor(const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png")) {
        return FigureFormat::Png;
    }
    if (suffix == QLatin1String("svg")) {
        return FigureFormat::Svg;
    }
    if (suffix == QLatin1String("pdf")) {
        return FigureFormat::Pdf;
    }
    return std::nullopt;
}

QString figureExtension(FigureFormat format) {
    switch (format) {
    case FigureFormat::Png:
        return QStringLiteral("png");
    case FigureFormat::Svg:
        return QStringLiteral("svg");
    case FigureFormat::Pdf:
        return QStringLiteral("pdf");
    }
    return {};
}

std::vector<QString> figureChartTitles(const FigureRequest& request) {
    const FigureCharts charts(request);
    std::vector<QString> titles;
    for (const std::size_t index : charts.shown()) {
        titles.push_back(charts.title(index));
    }
    return titles;
}

QString exportFigure(const FigureRequest& request, QIODevice& device, FigureFormat format) {
    const QSize size = request.size;
    if (size.width() < kMinFigurePx || size.height() < kMinFigurePx || size.width() > kMaxFigurePx ||
        size.height() > kMaxFigurePx) {
        return QStringLiteral("A figure is %1 to %2 px wide and high, not %3×%4")
            .arg(kMinFigurePx)
            .arg(kMaxFigurePx)
            .arg(size.width())
            .arg(size.height());
    }
    if (format == FigureFormat::Png && (request.dpi < 24 || request.dpi > 1200)) {
        return QStringLiteral("The DPI must be between 24 and 1200, not %1").arg(request.dpi);
    }
    std::optional<FigureCharts> charts;
    if (showsCharts(request.view)) {
        charts.emplace(request);
        const auto count = static_cast<int>(charts->shown().size());
        if (request.view == FigureView::SingleChart && (request.chartIndex < 0 || request.chartIndex >= count)) {
            return QStringLiteral("There is no chart %1: this run has %2").arg(request.chartIndex + 1).arg(count);
        }
    }
    switch (format) {
    case FigureFormat::Png:
        return paintPng(request, device, charts);
    case FigureFormat::Svg:
        return paintSvg(request, device, charts);
    case FigureFormat::Pdf:
        return paintPdf(request, device, charts);
    }
    return QStringLiteral("unknown figure format");
}

QString exportFigure(const FigureRequest& request, const QString& path, const std::function<bool()>& stopRequested) {
    const std::optional<FigureFormat> format = figureFormatFor(path);
    if (!format) {
        return QStringLiteral("Cannot write %1: a figure is .png, .svg or .pdf").arg(path);
    }
    // Painted into memory, then written through the same checked path as every other file: the SVG writer ignored
    // a failed write (a full disk left a truncated figure in place of the old one, and said nothing).
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    if (const QString error = exportFigure(request, buffer, *format); !error.isEmpty()) {
        return QStringLiteral("Cannot write %1: %2").arg(path, error);
    }
    const QByteArray& bytes = buffer.data();
    try {
        core::writeFileAtomically(
            path.toStdString(),
            [&bytes](std::ostream& out) { out.write(bytes.constData(), static_cast<std::streamsize>(bytes.size())); },
            stopRequested);
    } catch (const core::FileWriteError& error) {
        // "writing '/x/fig.svg' failed: No space left on device": the reason, in the figure's own words.
        const std::string message = error.what();
        const std::size_t cut = message.rfind("': ");
        return QStringLiteral("Cannot write %1: %2")
            .arg(path, QString::fromStdString(cut == std::string::npos ? message : message.substr(cut + 3)));
    }
    return {};
}

QString slowMotionNote(double timeScale) {
    if (timeScale == 1.0) {
        return {};
    }
    return QStringLiteral("×%1 slow motion, times in lesson time").arg(timeScale, 0, 'g', 3);
}

QString figureSubtitle(const core::ParameterValues& parameters, double timeScale) {
    QStringList items;
    if (timeScale != 1.0) {
        items << slowMotionNote(timeScale);
    }
    for (const auto& [name, value] : parameters) {
        items << QStringLiteral("%1=%2").arg(QString::fromStdString(name)).arg(value);
    }
    items << QStringLiteral("%1 CPU cores").arg(core::usableCores());
    items << QDate::currentDate().toString(Qt::ISODate);
    return items.join(QStringLiteral(" · "));
}

QString variantCaption(const core::VariantRun& run, const core::LessonReport& report, const std::string& baseline) {
    // In lesson time, as the report and the timeline give it (a slowed run's trace is in wall time).
    const double makespanMs =
        static_cast<double>(run.analysis.makespanNs) / 1e6 / (run.timeScale > 0 ? run.timeScale : 1);
    QString caption = QStringLiteral("%1 · %2 ms").arg(QString::fromStdString(run.variant)).arg(makespanMs, 0, 'f', 1);
    for (const core::VariantSummary& summary : report.variants) {
        if (summary.variant == run.variant && summary.speedup) {
            caption +=
                QStringLiteral(" · %1× vs %2").arg(*summary.speedup, 0, 'f', 2).arg(QString::fromStdString(baseline));
        }
    }
    if (run.outcome.status != core::RunStatus::Completed) {
        caption += QStringLiteral(" · ") + QString::fromStdString(std::string(core::toString(run.outcome.status)));
    }
    if (run.timeScale != 1.0) {
        caption += QStringLiteral(" · ×%1 slow motion").arg(run.timeScale, 0, 'g', 3);
    }
    return caption;
}

} // namespace interleave::ui
