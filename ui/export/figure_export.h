// Figure export: the timeline with its charts (the whole comparison, or one view) as PNG, SVG or PDF. SVG and PDF are
// vector: text stays text, lanes stay shapes. Shared by File → Export Figure… and `interleave-cli run --export`.
// Needs a QApplication (the charts are widgets, never shown); the offscreen platform is enough.
#pragma once

#include "charts/stage_chart.h"
#include "charts/sweep_chart.h"
#include "metrics/lesson_report.h"
#include "timeline/timeline_data.h"
#include "timeline/timeline_folding.h"

#include <QSize>
#include <QString>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

class QIODevice;

namespace interleave::ui {

enum class FigureFormat { Png, Svg, Pdf };

// By the file's extension, case-insensitive: .png, .svg, .pdf; nullopt for anything else.
std::optional<FigureFormat> figureFormatFor(const QString& path);
QString figureExtension(FigureFormat format); // "png", "svg", "pdf"

// A sweep's chart, drawn above the timeline of its runs.
struct FigureSweep {
    QString parameter;
    QString theory; // the theory's text, empty without one
    std::vector<SweepChart::Point> points;
};

enum class FigureView {
    Comparison,  // title, timeline, the charts that have data, state legend
    Timeline,    // title, timeline, state legend
    Charts,      // title, the charts that have data
    SingleChart, // title, the chart FigureRequest::chartIndex
};

struct FigureRequest {
    QString title;    // "L2 · await in a loop vs gather"
    QString subtitle; // parameters, "4 cores", date
    std::vector<SharedTimeline> variants;
    std::vector<QString> labels;       // one per variant, in its header row: name, makespan and speedup
    std::vector<QString> variantNames; // one per variant, for the charts' legends
    LaneMode laneMode = LaneMode::ByTask;
    // Group lanes and collapsed variants as the view has them (default: groups of more than 16 tasks folded). A
    // figure that cannot fit its rows folds more groups, largest first, before it leaves any lane out.
    TimelineFolding folding;
    bool presenter = false;
    FigureView view = FigureView::Comparison;
    int chartIndex = 0;       // SingleChart: an index among figureChartTitles(request)
    QSize size{1600, 900};    // logical px (SVG/PDF: 1 px = 0.75 pt); PNG pixel size = size
    double dpi = 96;          // PNG only: the content is scaled by dpi/96 (fonts grow), and the file carries the DPI
    std::int64_t startNs = 0; // the time range shown by the timeline and the charts; 0/0 = the whole run
    std::int64_t endNs = 0;
    std::optional<FigureSweep> sweep; // a sweep's figure: its chart first
    // Where each variant's time went (StageChart::rowsOf), drawn above the timeline; empty when no stage is named.
    std::vector<StageChart::Row> stages;
};

// The titles of the charts a figure of `request` would show (those with data), in order; SingleChart picks by index.
std::vector<QString> figureChartTitles(const FigureRequest& request);

// Paints into memory, then writes through core::writeFileAtomically (a temporary file renamed into place: nothing is
// replaced on failure, or on a stop that `stopRequested` reports while writing). Returns an empty string, or a
// message naming the file ("Cannot write /x/y.svg: Permission denied").
QString exportFigure(const FigureRequest& request, const QString& path,
                     const std::function<bool()>& stopRequested = {});
// Writes to an open device; an empty string or an error message.
QString exportFigure(const FigureRequest& request, QIODevice& device, FigureFormat format);

// The caption of a finished variant, used by the app's timeline and by figures:
// "name · 123.4 ms · 9.98× vs sequential" (plus " · failed" when it did not complete).
// "cores=2 · latency_ms=200 · requests=10 · 2 CPU cores · 2026-11-22": a lesson figure's subtitle.
// A slowed run's subtitle starts with "×10 slow motion, times in lesson time".
QString figureSubtitle(const core::ParameterValues& parameters, double timeScale = 1.0);
// "×10 slow motion, times in lesson time"; empty at 1.
QString slowMotionNote(double timeScale);
QString variantCaption(const core::VariantRun& run, const core::LessonReport& report, const std::string& baseline);

} // namespace interleave::ui
