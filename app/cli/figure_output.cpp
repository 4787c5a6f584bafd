// Figure export for the CLI: a QApplication on the offscreen platform, created only when a figure is written.
#include "figure_output.h"

#include "export_files.h"
#include "stop_signal.h"

#include "scenario/lesson_error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>

#ifdef INTERLEAVE_CLI_FIGURES
#include "export/figure_export.h"
#include "timeline/timeline_data.h"

#include <QApplication>
#endif

namespace interleave::cli {

#ifdef INTERLEAVE_CLI_FIGURES
namespace {

QtMessageHandler g_qtHandler = nullptr;

// Qt's notes about the headless set-up (no XDG_RUNTIME_DIR) are noise on a terminal; everything else goes through.
void filterQtMessages(QtMsgType type, const QMessageLogContext& context, const QString& message) {
    if (type == QtWarningMsg && message.startsWith(QLatin1String("QStandardPaths:"))) {
        return;
    }
    if (g_qtHandler != nullptr) {
        g_qtHandler(type, context, message);
    }
}

} // namespace
#endif

bool figureExportAvailable() {
#ifdef INTERLEAVE_CLI_FIGURES
    return true;
#else
    return false;
#endif
}

void checkFigureRequest(const FigureOptions& figure) {
    if (figure.path.empty()) {
        return;
    }
    const std::string& path = figure.path;
    const int width = figure.width;
    const int height = figure.height;
    const double dpi = figure.dpi;
    if (!figureExportAvailable()) {
        throw core::UsageError("this build has no figure export (built without Qt)");
    }
    std::string extension = std::filesystem::path(path).extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (extension != ".svg" && extension != ".png" && extension != ".pdf") {
        throw core::UsageError(fmt::format("--export {}: a figure is .svg, .png or .pdf", path));
    }
    // Like --csv and --trace, a path that cannot be written is refused before the runs (the write itself still goes
    // through a temporary file, so a failure then leaves any previous figure as it was).
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    std::error_code error;
    if (!parent.empty() && !std::filesystem::is_directory(parent, error)) {
        throw core::UsageError(fmt::format("Cannot write {}: {} is not a directory", path, parent.string()));
    }
    if (width < 64 || height < 64 || width > 20000 || height > 20000) {
        throw core::UsageError(fmt::format("--width and --height: 64 to 20000 px, not {}x{}", width, height));
    }
    if (dpi < 24 || dpi > 1200) {
        throw core::UsageError(fmt::format("--dpi: 24 to 1200, not {}", dpi));
    }
}

std::string figureSubtitle(const core::ParameterValues& parameters, double timeScale) {
#ifdef INTERLEAVE_CLI_FIGURES
    return ui::figureSubtitle(parameters, timeScale).toStdString();
#else
    (void)parameters;
    (void)timeScale;
    return {};
#endif
}

std::string writeFigure(const FigureSource& source, const FigureOptions& figure) {
#ifdef INTERLEAVE_CLI_FIGURES
    std::unique_ptr<QApplication> application;
    if (QCoreApplication::instance() == nullptr) {
        qputenv("QT_QPA_PLATFORM", "offscreen"); // no display needed, whatever DISPLAY says
        g_qtHandler = qInstallMessageHandler(filterQtMessages);
        static int argc = 1;
        static char name[] = "interleave-cli";
        static char* argv[] = {name, nullptr};
        application = std::make_unique<QApplication>(argc, argv);
    }

    const core::LessonReport noReport;
    const core::LessonReport& report = source.report != nullptr ? *source.report : noReport;
    auto stopRequested = [] { return stopSignal() != 0; };
    const std::string stopped =
        fmt::format("stopped while drawing the figure '{}'; it was left as it was", figure.path);
    // The figure is the session's last work: its timelines (a million tasks' lanes took 0.25 s to free) and the
    // application are left to the process's exit, stopped or not.
    auto request = std::make_unique<ui::FigureRequest>();
    auto leaveAll = [&] {
        leaveToExit(request);
        leaveToExit(application);
    };
    auto interrupted = [&] {
        leaveAll();
        return WriteInterrupted(stopped);
    };

    request->title = QString::fromStdString(source.title);
    request->subtitle = QString::fromStdString(source.subtitle);
    for (const core::VariantRun* run : source.runs) {
        auto data = std::make_shared<ui::TimelineData>();
        request->variants.push_back(data);
        try {
            // Keeps a pointer to run->trace, which outlives the request.
            data->rebuild(run->trace, run->timeScale, core::StopCheck(stopRequested));
        } catch (const core::WorkStopped&) {
            throw interrupted();
        }
        request->labels.push_back(ui::variantCaption(*run, report, source.baseline));
        request->variantNames.push_back(QString::fromStdString(run->variant));
    }

    request->stages = ui::StageChart::rowsOf(report);
    if (source.sweep != nullptr) {
        ui::FigureSweep sweep;
        sweep.parameter = QString::fromStdString(source.sweep->parameter);
        sweep.theory = QString::fromStdString(source.sweepTheory);
        for (const core::SweepPoint& point : source.sweep->points) {
            ui::SweepChart::Point drawn;
            drawn.value = point.value;
            drawn.makespanMs = point.makespanMs;
            drawn.throughputPerS = point.throughputPerS;
            drawn.theoryMs = point.theoryMs;
            drawn.tasks = point.tasksDone;
            sweep.points.push_back(drawn);
        }
        request->sweep = std::move(sweep);
        request->view = ui::FigureView::Timeline; // the runs' lanes under the chart; their counters would crowd it
    }
    request->laneMode = source.lanesByWorker ? ui::LaneMode::ByWorker : ui::LaneMode::ByTask;
    request->size = QSize(figure.width, figure.height);
    request->dpi = figure.dpi;
    std::string error = ui::exportFigure(*request, QString::fromStdString(figure.path), stopRequested).toStdString();

    if (stopRequested()) {
        throw interrupted();
    }
    leaveAll();
    return error;
#else
    (void)source;
    (void)figure;
    return "this build has no figure export (built without Qt)";
#endif
}

} // namespace interleave::cli
