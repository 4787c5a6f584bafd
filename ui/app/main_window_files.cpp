// The main window's files: run files (Save Run, Open Run), Chrome trace import (Open Trace), and the data and
// figure exports. Every write goes through a temporary file renamed into place; a failure is said in a dialog and
// leaves any earlier file as it was.
#include "app/main_window.h"

#include "app/trace_import_job.h"
#include "charts/charts_panel.h"
#include "export/export_figure_dialog.h"
#include "export/figure_export.h"
#include "io/atomic_file.h"
#include "io/run_file.h"
#include "metrics/sweep.h"
#include "panels/lesson_browser.h"
#include "panels/listing_panel.h"
#include "panels/notes_panel.h"
#include "panels/parameter_panel.h"
#include "panels/summary_panel.h"
#include "python/python_script.h"
#include "scenario/lesson_loader.h"
#include "timeline/timeline_view.h"
#include "trace/trace_export.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMessageBox>
#include <QProgressDialog>
#include <QSettings>
#include <QSlider>
#include <QTimer>

#include <cstdio>
#include <fstream>
#include <iterator>

namespace interleave::ui {

namespace {

const QString kRunFilter = QObject::tr("Interleave runs (*.interleave)");

QString lastFolder(const QString& key) {
    return QSettings().value(QStringLiteral("files/") + key).toString();
}

void rememberFolder(const QString& key, const QString& path) {
    QSettings().setValue(QStringLiteral("files/") + key, QFileInfo(path).absolutePath());
}

} // namespace

bool MainWindow::hasResults() const {
    return !m_controller.isRunning() && std::any_of(m_controller.slots().begin(), m_controller.slots().end(),
                                                    [](const auto& slot) { return slot->finished; });
}

void MainWindow::reportProblem(const QString& title, const QString& message) {
    if (m_options.quitWhenDone) {
        std::fprintf(stderr, "interleave: %s\n", qPrintable(message));
        return;
    }
    QMessageBox::critical(this, title, message);
}

// ---- Save Run / Open Run ----

void MainWindow::saveRun() {
    if (m_sessionPath.isEmpty()) {
        saveRunAs();
    } else {
        saveRunTo(m_sessionPath);
    }
}

void MainWindow::saveRunAs() {
    if (!hasResults()) {
        return;
    }
    QString suggestion = m_sessionPath;
    if (suggestion.isEmpty()) {
        suggestion = QDir(lastFolder(QStringLiteral("runs"))).filePath(resultsStem() + QStringLiteral(".interleave"));
    }
    // The file dialog asks before replacing an existing file.
    QString path = QFileDialog::getSaveFileName(this, tr("Save Run"), suggestion, kRunFilter);
    if (path.isEmpty()) {
        return;
    }
    if (QFileInfo(path).suffix().isEmpty()) {
        path += QStringLiteral(".interleave");
    }
    rememberFolder(QStringLiteral("runs"), path);
    saveRunTo(path);
}

core::RunFile MainWindow::currentRunFile() const {
    std::vector<const core::VariantRun*> runs;
    for (const auto& slot : m_controller.slots()) {
        if (slot->finished) {
            runs.push_back(&slot->result);
        }
    }
    core::RunFile file = core::makeRunFile(m_controller.scenario(), m_controller.parameters(), runs);
    if (m_controller.sweep()) {
        core::SavedSweep sweep{m_controller.sweep()->variant, m_controller.sweep()->parameter, {}};
        for (const auto& slot : m_controller.slots()) {
            if (slot->finished) {
                sweep.values.push_back(slot->sweepValue.value_or(0));
            }
        }
        file.sweep = std::move(sweep);
    }
    if (m_controller.scenario() == nullptr) {
        file.lessonTitle = m_importedName.toStdString(); // an imported trace: no lesson, its file name instead
    }
    file.view.laneMode = m_timeline->laneMode() == LaneMode::ByWorker ? "worker" : "task";
    if (!m_timeline->following()) {
        file.view.rangeStartNs = m_timeline->visibleStartNs();
        file.view.rangeEndNs = m_timeline->visibleEndNs();
    }
    file.view.playheadNs = m_playheadNs > 0 ? m_playheadNs : -1;
    file.view.selectedVariant = m_selectedVariant;
    file.view.selectedTask = m_selectedTask;
    return file;
}

bool MainWindow::saveRunTo(const QString& path) {
    if (!hasResults()) {
        return false;
    }
    try {
        QApplication::setOverrideCursor(Qt::WaitCursor);
        core::saveRunFile(path.toStdString(), currentRunFile());
        QApplication::restoreOverrideCursor();
    } catch (const std::exception& error) {
        QApplication::restoreOverrideCursor();
        reportProblem(tr("Cannot save the run"),
                      tr("The run was not saved.\n\n%1").arg(QString::fromStdString(error.what())));
        return false;
    }
    m_sessionPath = path;
    m_status->setText(tr("Saved %1").arg(QFileInfo(path).fileName()));
    updateActions();
    return true;
}

void MainWindow::openPythonScript() {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open Python Script"), lastFolder(QStringLiteral("scripts")),
                                     tr("Python programs (*.py);;All files (*)"));
    if (!path.isEmpty()) {
        rememberFolder(QStringLiteral("scripts"), path);
        openPythonScriptFile(path);
    }
}

bool MainWindow::openPythonScriptFile(const QString& path) {
    if (m_controller.isRunning()) {
        stopRun();
    }
    try {
        showLesson(core::pythonScriptScenario(path.toStdString()));
    } catch (const std::exception& error) {
        reportProblem(tr("Cannot open the script"), QString::fromStdString(error.what()));
        return false;
    }
    m_summary->setMessage(tr("Press Run (F5) to run %1 in CPython under Interleave's tracer. Running a script runs "
                             "its code.")
                              .arg(QFileInfo(path).fileName()));
    m_status->setText(tr("Opened %1").arg(QFileInfo(path).fileName()));
    return true;
}

void MainWindow::openRun() {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open Run"), lastFolder(QStringLiteral("runs")), kRunFilter);
    if (!path.isEmpty()) {
        rememberFolder(QStringLiteral("runs"), path);
        openRunFile(path);
    }
}

bool MainWindow::openRunFile(const QString& path) {
    core::RunFile file;
    try {
        file = core::loadRunFile(path.toStdString());
    } catch (const std::exception& error) {
        reportProblem(tr("Cannot open the run"), QString::fromStdString(error.what()));
        return false;
    }
    // The lesson as it was when the run was saved; failing that, the lesson of that id as it is now.
    std::optional<core::Scenario> scenario;
    QString lessonProblem;
    if (!file.lessonSource.empty()) {
        try {
            scenario = core::parseLesson(file.lessonSource, file.lessonPath);
        } catch (const std::exception&) {
            // saved by a version whose lesson format this one no longer reads: try the lesson as it is now
        }
    }
    if (!scenario && !file.lessonId.empty()) {
        try {
            scenario = core::findLesson(file.lessonId);
        } catch (const std::exception& error) {
            lessonProblem = tr(" · its lesson could not be loaded: %1").arg(QString::fromStdString(error.what()));
        }
    }
    if (scenario) {
        showLesson(*scenario);
        m_parameters->setValues(file.parameters);
        m_importedName.clear();
    } else {
        showImport(QFileInfo(path).fileName(), QString::fromStdString(file.lessonTitle));
    }
    if (!file.variants.empty()) {
        m_timeScale->setValue(file.variants.front().timeScale);
    }
    if (file.sweep && scenario) {
        // A sweep: its values as saved, and the theory the lesson gives for that variant and parameter.
        core::SweepDecl sweep;
        sweep.variant = file.sweep->variant;
        sweep.parameter = file.sweep->parameter;
        sweep.values = file.sweep->values;
        if (const core::SweepDecl* lesson = core::findSweep(*scenario, sweep.variant);
            lesson != nullptr && lesson->parameter == sweep.parameter) {
            sweep.theoryMs = lesson->theoryMs;
        }
        m_controller.loadSweep(*scenario, file.parameters, std::move(file.variants), sweep);
    } else {
        m_controller.load(scenario, file.parameters, std::move(file.variants)); // stops a run still going
    }
    m_sessionPath = path;
    showLoadedResults();

    // The view as it was saved.
    setLaneMode(file.view.laneMode == "worker" ? LaneMode::ByWorker : LaneMode::ByTask);
    if (file.view.rangeEndNs > file.view.rangeStartNs) {
        m_timeline->setVisibleRange(file.view.rangeStartNs, file.view.rangeEndNs);
    }
    m_selectedVariant = file.view.selectedVariant;
    m_selectedTask = file.view.selectedTask;
    if (file.view.playheadNs >= 0) {
        setPlayhead(file.view.playheadNs);
    }
    m_status->setText(tr("Opened %1 (saved %2 on %3, %4 cores)")
                          .arg(QFileInfo(path).fileName(), QString::fromStdString(file.savedAt),
                               QString::fromStdString(file.machine.empty() ? "an unnamed machine" : file.machine))
                          .arg(file.cores) +
                      lessonProblem);
    return true;
}

void MainWindow::showLoadedResults() {
    m_timeline->setPlayhead(std::nullopt);
    m_charts->setPlayhead(std::nullopt);
    m_playheadNs = 0;
    m_selectedVariant = 0;
    m_selectedTask = 0;
    refreshViews(false);
    updateSweepChart();
    m_timeline->zoomToFit();
    m_charts->dataChanged();
    m_summary->setReport(m_controller.report());
    m_replaySlider->setValue(0);
    m_replayTime->clear();
    updateParametersLine();
    updateActions();
}

// ---- Open Trace ----

void MainWindow::showImport(const QString& fileName, const QString& description) {
    m_scenario.reset();
    setWindowTitle(tr("Interleave — %1").arg(fileName));
    m_parameters->setScenario(core::Scenario{});
    m_variantBox->clear();
    m_listing->setListing({});
    m_notes->setHtml(tr("<h2>%1</h2><p>%2</p><p>An imported trace: its processes and threads are lanes, its async "
                        "events are task lanes and its counters are charts. There is no lesson to run; pick one "
                        "in the lesson browser to go back to the lessons.</p>")
                         .arg(fileName.toHtmlEscaped(), description.toHtmlEscaped()));
    m_browser->selectLesson({});
    m_summary->clear();
    m_runParameters->clear();
    m_importedName = fileName;
}

void MainWindow::openTrace() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Trace"), lastFolder(QStringLiteral("traces")),
                                                      tr("Chrome trace JSON (*.json *.log *.trace);;All files (*)"));
    if (!path.isEmpty()) {
        rememberFolder(QStringLiteral("traces"), path);
        openTraceFile(path);
    }
}

void MainWindow::openTraceFile(const QString& path) {
    if (m_import) {
        return; // one import at a time
    }
    m_controller.shutdown(); // the trace replaces what is shown: a run still going stops now
    updateActions();
    m_import = new TraceImportJob(path, this);
    auto* dialog = new QProgressDialog(tr("Reading %1…").arg(QFileInfo(path).fileName()), tr("Cancel"), 0, 1000, this);
    dialog->setWindowTitle(tr("Open Trace"));
    dialog->setWindowModality(Qt::WindowModal);
    dialog->setMinimumDuration(300);
    dialog->setAutoClose(false);
    dialog->setAutoReset(false);
    connect(dialog, &QProgressDialog::canceled, m_import, &TraceImportJob::cancel);
    connect(m_import, &TraceImportJob::progress, dialog, [dialog](qint64 done, qint64 total) {
        if (total > 0 && done >= total) {
            dialog->setValue(1000);
            dialog->setLabelText(QObject::tr("Building the timeline…"));
        } else if (total > 0) {
            dialog->setValue(static_cast<int>(done * 1000 / total));
            dialog->setLabelText(QObject::tr("Reading %1 of %2 MB…")
                                     .arg(static_cast<double>(done) / 1e6, 0, 'f', 0)
                                     .arg(static_cast<double>(total) / 1e6, 0, 'f', 0));
        }
    });
    connect(m_import, &TraceImportJob::building, dialog, [dialog] {
        dialog->setLabelText(QObject::tr("Building the timeline…"));
        dialog->setCancelButton(nullptr); // the file is read: what is left is short and cannot be half-done
    });
    connect(m_import, &TraceImportJob::finished, this, [this, dialog] {
        dialog->close();
        dialog->deleteLater();
        TraceImportJob* job = m_import;
        m_import = nullptr;
        job->deleteLater();
        finishImport(*job);
    });
    m_status->setText(tr("Reading %1…").arg(QFileInfo(path).fileName()));
    m_import->start();
}

void MainWindow::finishImport(TraceImportJob& job) {
    const QString fileName = QFileInfo(job.path()).fileName();
    if (job.cancelled()) {
        m_status->setText(tr("Import of %1 cancelled; nothing was loaded").arg(fileName));
        return;
    }
    if (!job.result()) {
        m_status->setText(tr("Could not import %1").arg(fileName));
        reportProblem(tr("Cannot open the trace"), job.error());
        if (m_options.quitWhenDone) {
            QTimer::singleShot(0, qApp, [] { QApplication::exit(2); });
        }
        return;
    }
    const core::ImportStats stats = job.result()->stats;
    std::vector<std::shared_ptr<VariantSlot>> slots = std::move(job.slots());
    std::int64_t makespanNs = 0;
    std::size_t lanes = 0;
    std::size_t tasks = 0;
    std::size_t spans = 0;
    std::size_t counters = 0;
    for (const auto& slot : slots) {
        const core::VariantRun& run = slot->result;
        makespanNs = std::max(makespanNs, run.analysis.makespanNs);
        lanes += run.trace.lanes.size();
        tasks += run.analysis.tasks.size();
        spans += run.analysis.spans.size();
        counters += run.analysis.counters.size();
    }
    QString description =
        tr("%1 trace · %2 ms · %3 lanes · %4 tasks · %5 spans · %6 counters · %7 events read, %8 ignored")
            .arg(QString::fromStdString(stats.producer))
            .arg(static_cast<double>(makespanNs) / 1e6, 0, 'f', 1)
            .arg(lanes)
            .arg(tasks)
            .arg(spans)
            .arg(counters)
            .arg(stats.events)
            .arg(stats.ignored);
    if (slots.size() > 1) {
        description += tr(" · %1 variants, each on the time axis of its own run").arg(slots.size());
    }
    showImport(fileName, description);
    m_controller.load(std::nullopt, {}, std::move(slots));
    m_sessionPath.clear();
    showLoadedResults();
    m_summary->setMessage(description);
    m_status->setText(tr("Opened %1").arg(fileName));
    if (m_scriptedRunPending) {
        m_scriptedRunPending = false;
        QTimer::singleShot(300, this, &MainWindow::finishScriptedRun);
    }
}

// ---- Export Data ----

QString MainWindow::resultsStem() const {
    const core::Scenario* scenario = m_controller.scenario();
    return scenario != nullptr ? QString::fromStdString(scenario->alias() + "-" + scenario->id)
                               : QFileInfo(m_importedName).completeBaseName();
}

void MainWindow::exportData() {
    if (!hasResults()) {
        return;
    }
    const QString spans = tr("Spans CSV (*.csv)");
    const QString counters = tr("Counters CSV (*.csv)");
    const QString chrome = tr("Chrome trace JSON, for Perfetto (*.json)");
    QString filter = spans;
    // The file dialog asks before replacing an existing file.
    QString path = QFileDialog::getSaveFileName(
        this, tr("Export Data"),
        QDir(lastFolder(QStringLiteral("exports"))).filePath(resultsStem() + QStringLiteral(".csv")),
        QStringList{spans, counters, chrome}.join(QStringLiteral(";;")), &filter);
    if (path.isEmpty()) {
        return;
    }
    if (QFileInfo(path).suffix().isEmpty()) {
        path += filter == chrome ? QStringLiteral(".json") : QStringLiteral(".csv");
    }
    rememberFolder(QStringLiteral("exports"), path);
    exportDataTo(path, filter == chrome ? DataFormat::ChromeTrace
                                        : (filter == counters ? DataFormat::CountersCsv : DataFormat::SpansCsv));
}

bool MainWindow::exportDataTo(const QString& path, DataFormat format) {
    if (!hasResults()) {
        return false;
    }
    const core::Scenario* scenario = m_controller.scenario();
    const std::string lesson =
        scenario != nullptr ? scenario->alias() + " " + scenario->id : m_importedName.toStdString();
    std::vector<core::LabelledTrace> traces;
    for (const auto& slot : m_controller.slots()) {
        if (slot->finished) {
            traces.push_back(
                core::LabelledTrace{slot->result.variant, &slot->result.trace, &slot->result.analysis, lesson});
        }
    }
    try {
        core::writeFileAtomically(path.toStdString(), [&](std::ostream& out) {
            switch (format) {
            case DataFormat::SpansCsv:
                core::writeSpansCsv(out, traces);
                break;
            case DataFormat::CountersCsv:
                core::writeCountersCsv(out, traces);
                break;
            case DataFormat::ChromeTrace:
                core::writeChromeTrace(out, traces);
                break;
            }
        });
    } catch (const std::exception& error) {
        reportProblem(tr("Cannot export the data"),
                      tr("Nothing was written.\n\n%1").arg(QString::fromStdString(error.what())));
        return false;
    }
    m_status->setText(tr("Exported %1").arg(QFileInfo(path).fileName()));
    return true;
}

// ---- Export Figure ----

void MainWindow::exportFigure() {
    if (!hasResults()) {
        return;
    }
    FigureRequest base;
    if (m_scenario) {
        base.title = QStringLiteral("%1 · %2").arg(QString::fromStdString(m_scenario->alias()),
                                                   QString::fromStdString(m_scenario->title));
        core::ParameterValues shown = m_controller.parameters();
        if (m_controller.sweep()) {
            shown.erase(m_controller.sweep()->parameter); // it is the chart's axis, not one value
        }
        base.subtitle =
            figureSubtitle(shown, m_controller.slots().empty() ? 1.0 : m_controller.slots().front()->result.timeScale);
    } else {
        base.title = m_importedName;
        base.subtitle = tr("imported trace");
    }
    for (std::size_t i = 0; i < m_controller.slots().size(); ++i) {
        const auto& slot = *m_controller.slots()[i];
        if (slot.finished) {
            base.variants.push_back(m_controller.timelineOf(i));
            base.labels.push_back(variantLabel(static_cast<int>(i)));
            base.variantNames.push_back(slot.name);
        }
    }
    if (m_controller.sweep() && !m_sweepChart->isEmpty()) {
        // A sweep's figure: its chart above its runs.
        const core::SweepDecl& sweep = *m_controller.sweep();
        base.sweep = FigureSweep{QString::fromStdString(sweep.parameter),
                                 sweep.theoryMs ? QString::fromStdString(sweep.theoryMs->text()) : QString(),
                                 m_sweepChart->points()};
        base.title += tr(" · sweep of %1").arg(QString::fromStdString(sweep.parameter));
    }
    base.stages = StageChart::rowsOf(m_controller.report()); // none for an import: it names no stage
    base.laneMode = m_timeline->laneMode();
    base.folding = m_timeline->folding(); // the figure folds group lanes as the view does
    base.presenter = m_presenter;
    if (!m_timeline->following()) {
        base.startNs = m_timeline->visibleStartNs();
        base.endNs = m_timeline->visibleEndNs();
    }
    ExportFigureDialog dialog(this);
    dialog.setSource(base);
    dialog.setCurrentWindowSize(m_timeline->size());
    // The last folder and format, named after what is shown: "L2-gather.svg".
    const QFileInfo last(dialog.path());
    const QString folder = dialog.path().isEmpty() ? QDir::homePath() : last.absolutePath();
    const QString extension = last.suffix().isEmpty() ? QStringLiteral("svg") : last.suffix();
    dialog.setPath(QDir(folder).filePath(resultsStem() + QLatin1Char('.') + extension));
    if (dialog.exec() == QDialog::Accepted) {
        m_status->setText(tr("Exported %1").arg(QFileInfo(dialog.path()).fileName()));
    }
}

} // namespace interleave::ui
