// Figures from the command line (`run --export fig.svg|png|pdf`): the same figure as the app's File → Export
// Figure…, drawn by the UI layer on Qt's offscreen platform, so no display is needed. Qt is started only here.
#pragma once

#include "commands.h"
#include "metrics/lesson_report.h"
#include "metrics/sweep.h"

#include <string>
#include <vector>

namespace interleave::cli {

struct FigureSource {
    std::string title;                          // "L2 · Await in a loop vs gather"
    std::string subtitle;                       // parameters, cores, date
    std::vector<const core::VariantRun*> runs;  // one block each, in this order (an import passes just one)
    const core::LessonReport* report = nullptr; // for the speedups; none without one
    std::string baseline;                       // the variant speedups are measured against
    const core::SweepResult* sweep = nullptr;   // a sweep's figure: its chart above the runs (one per point)
    std::string sweepTheory;                    // the sweep's theory, as the lesson writes it
    bool lanesByWorker = false;                 // a lane per thread or worker process (the lesson's `lanes: worker`)
};

// Whether this build can write figures (it was built with the Qt UI layer).
bool figureExportAvailable();

// Refuses, before anything runs, a figure path that is not .png, .svg or .pdf or whose directory does not exist, a bad
// size, or any figure in a build without Qt: throws UsageError.
// Nothing to check when no figure was asked for (an empty path).
void checkFigureRequest(const FigureOptions& figure);

// Writes the figure, width × height px (PNG: pixels, content scaled by dpi / 96; SVG and PDF: 1 px = 0.75 pt),
// through a temporary file renamed into place. Returns an empty string, or the error ("Cannot write …: …"). A stop
// (Ctrl-C) while the figure is laid out or written throws WriteInterrupted, and leaves any earlier file as it was.
std::string writeFigure(const FigureSource& source, const FigureOptions& figure);

// "cores=2 · latency_ms=200 · requests=10 · 4 CPU cores · 2025-05-01": a figure's subtitle.
std::string figureSubtitle(const core::ParameterValues& parameters, double timeScale = 1.0);

} // namespace interleave::cli
