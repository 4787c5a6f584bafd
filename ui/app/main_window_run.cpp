// The main window's run flow: start and stop, the once-a-frame refresh, results, and the scripted start.
#include "app/listing_text.h"
#include "app/main_window.h"

#include "charts/charts_panel.h"
#include "charts/sweep_chart.h"
#include "export/figure_export.h"
#include "metrics/sweep.h"
#include "panels/listing_panel.h"
#include "panels/parameter_panel.h"
#include "panels/summary_panel.h"
#include "panels/sweep_dialog.h"
#include "scenario/lesson_loader.h"
#include "timeline/timeline_view.h"
#include "trace/clock.h"

#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QMessageBox>
#include <QScreen>
#include <QSettings>
#include <QTimer>

#include <cstdio>

namespace interleave::ui {

namespace {
constexpr int kStatsTailMs = 1500; // the stall watch goes on this long after a run: showing the results counts too
constexpr std::int64_t kLongRunNs = 60'000'000'000;
// INTERLEAVE_FRAME_DEBUG=1: each live frame's parts on stderr (poll, views, paints), for finding a slow one.
const bool kFrameDebug = qEnvironmentVariableIsSet("INTERLEAVE_FRAME_DEBUG");

// "about 8 min 20 s", "about 2 h 5 min"
QString formatLongDuration(std::int64_t ns) {
    const auto seconds = static_cast<long long>(ns / 1'000'000'000);
    if (seconds >= 3600) {
        return QObject::tr("%1 h %2 min").arg(seconds / 3600).arg(seconds % 3600 / 60);
    }
    return QObject::tr("%1 min %2 s").arg(seconds / 60).arg(seconds % 60);
}
} // namespace

bool MainWindow::confirmLongRun(std::int64_t estimateNs) {
    // A long run is said before it starts (and asked about, when someone is there to answer).
    if (estimateNs <= kLongRunNs) {
        m_longRunNote.clear();
        return true;
    }
    const QString howLong = tr("This run will take about %1.").arg(formatLongDuration(estimateNs));
    if (m_options.run || m_options.sweep || m_options.quitWhenDone) {
        std::fprintf(stderr, "interleave: %s\n", qPrintable(howLong));
    } else if (QMessageBox::question(this, tr("A long run"), howLong + QLatin1Char(' ') + tr("Start it?"),
                                     QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Yes) != QMessageBox::Yes) {
        return false;
    }
    m_longRunNote = howLong;
    return true;
}

bool MainWindow::confirmScriptRun() {
    const bool script =
        std::any_of(m_scenario->variants.begin(), m_scenario->variants.end(),
                    [](const core::VariantDecl& variant) { return variant.model == core::Model::Python; });
    if (!script || m_scriptedRunPending) { // --run on the command line is the consent
        return true;
    }
    QSettings settings;
    QStringList trusted = settings.value(QStringLiteral("python/trusted")).toStringList();
    const QString path = QString::fromStdString(m_scenario->sourcePath);
    if (trusted.contains(path)) {
        return true;
    }
    const auto answer = QMessageBox::question(
        this, tr("Run this script?"),
        tr("Running %1 runs its code with python3, with your permissions, as running it in a terminal would.\n\n"
           "Run it?")
            .arg(path),
        QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
    if (answer != QMessageBox::Yes) {
        return false;
    }
    trusted.append(path);
    settings.setValue(QStringLiteral("python/trusted"), trusted);
    return true;
}

void MainWindow::runVariants(bool allVariants, bool withPython) {
    if (!m_scenario || m_controller.isRunning() || !confirmScriptRun()) {
        return;
    }
    std::vector<std::string> variants;
    if (allVariants) {
        for (const core::VariantDecl& variant : m_scenario->variants) {
            variants.push_back(variant.name);
        }
    } else {
        variants.push_back(m_variantBox->currentText().toStdString());
    }
    try {
        // A long run is said before it starts (and asked about, when someone is there to answer).
        const std::int64_t estimate =
            RunController::estimateNs(*m_scenario, variants, m_parameters->values(), m_timeScale->value());
        if (!confirmLongRun(estimate)) {
            return;
        }
        m_frameStats.startRun();
        QElapsedTimer clock;
        clock.start();
        m_controller.start(*m_scenario, variants, m_parameters->values(), m_timeScale->value(), withPython);
        if (kFrameDebug) {
            std::fprintf(stderr, "start: %.1f ms\n", static_cast<double>(clock.nsecsElapsed()) / 1e6);
        }
    } catch (const std::exception& problem) {
        // A refused limit or a bad value: said in the summary, nothing started.
        m_summary->clear();
        m_summary->setMessage(tr("Not started: %1").arg(QString::fromStdString(problem.what())));
        m_status->setText(tr("Not started"));
    }
}

void MainWindow::runSweep() {
    if (!m_scenario || m_controller.isRunning()) {
        return;
    }
    const core::SweepDecl* sweep = core::findSweep(*m_scenario, m_variantBox->currentText().toStdString());
    if (sweep == nullptr) {
        sweep = core::findSweep(*m_scenario, {});
    }
    if (sweep != nullptr) { // the action is off for a lesson without one
        startSweep(*sweep);
    }
}

void MainWindow::sweepParameter() {
    if (!m_scenario || m_controller.isRunning() || m_scenario->parameters.empty()) {
        return;
    }
    SweepDialog dialog(*m_scenario, m_variantBox->currentText().toStdString(), this);
    if (dialog.exec() == QDialog::Accepted) {
        if (const std::optional<core::SweepDecl> sweep = dialog.sweep()) {
            startSweep(*sweep);
        }
    }
}

void MainWindow::startSweep(const core::SweepDecl& sweep) {
    try {
        std::int64_t estimate = 0;
        for (const double value : sweep.values) {
            core::ParameterValues values = m_parameters->values();
            values[sweep.parameter] = value;
            estimate += RunController::estimateNs(*m_scenario, {sweep.variant}, values, m_timeScale->value());
        }
        if (!confirmLongRun(estimate)) {
            return;
        }
        m_frameStats.startRun();
        m_controller.startSweep(*m_scenario, sweep, m_parameters->values(), m_timeScale->value());
    } catch (const std::exception& problem) {
        m_summary->clear();
        m_summary->setMessage(tr("Not started: %1").arg(QString::fromStdString(problem.what())));
        m_status->setText(tr("Not started"));
    }
}

void MainWindow::updateSweepChart() {
    const std::optional<core::SweepDecl>& sweep = m_controller.sweep();
    if (!sweep) {
        m_sweepChart->clear();
        return;
    }
    std::vector<SweepChart::Point> points;
    for (const auto& slot : m_controller.slots()) {
        SweepChart::Point point;
        point.value = slot->sweepValue.value_or(0);
        point.theoryMs = slot->theoryMs;
        if (slot->finished && !slot->result.analysis.tasks.empty()) {
            const core::SweepPoint measured = core::sweepPoint(slot->result, point.value, slot->theoryMs);
            point.makespanMs = measured.makespanMs;
            point.throughputPerS = measured.throughputPerS;
            point.tasks = measured.tasksDone;
        }
        points.push_back(point);
    }
    m_sweepChart->setSweep(QString::fromStdString(sweep->parameter),
                           sweep->theoryMs ? QString::fromStdString(sweep->theoryMs->text()) : QString(),
                           std::move(points));
}

void MainWindow::showSweepRun(int index) {
    // That run's block alone, the others folded to their headers, and the whole of it in view.
    const int count = static_cast<int>(m_controller.slots().size());
    if (!m_controller.sweep() || index < 0 || index >= count) {
        return;
    }
    for (int variant = 0; variant < count; ++variant) {
        m_timeline->setVariantCollapsed(variant, variant != index);
    }
    m_timeline->zoomToFit();
}

void MainWindow::stopRun() {
    m_controller.stop();
}

QString MainWindow::variantLabel(int index) const {
    const auto& slot = *m_controller.slots()[static_cast<std::size_t>(index)];
    if (!slot.finished) {
        return tr("%1 · running").arg(slot.name);
    }
    const core::Scenario* scenario = m_controller.scenario(); // none for an imported trace: no speedups either
    return variantCaption(slot.result, m_controller.report(), scenario != nullptr ? scenario->baseline : std::string());
}

void MainWindow::refreshViews(bool sameRun) {
    std::vector<SharedTimeline> timelines;
    std::vector<QString> labels;
    std::vector<QString> names;
    for (std::size_t i = 0; i < m_controller.slots().size(); ++i) {
        const auto& slot = *m_controller.slots()[i];
        if (slot.run || slot.finished) {
            timelines.push_back(m_controller.timelineOf(i));
            labels.push_back(variantLabel(static_cast<int>(i)));
            names.push_back(slot.name);
        }
    }
    m_timeline->setVariants(timelines, labels);
    // Held charts (onVariantFinished) take the variants now and draw them when let go.
    if (sameRun) {
        m_charts->updateVariants(std::move(timelines), std::move(names));
    } else {
        m_charts->setVariants(std::move(timelines), std::move(names));
        m_chartsCatchUp = 0; // another run: nothing to catch up with
        m_charts->setHeld(false);
    }
}

void MainWindow::onRunStarted() {
    m_sessionPath.clear(); // new results: Save asks where
    m_importedName.clear();
    m_timeline->setPlayhead(std::nullopt);
    m_charts->setPlayhead(std::nullopt);
    m_selectedVariant = 0;
    m_selectedTask = 0;
    // The listing follows what runs: the first variant's Python until a span is picked.
    if (m_scenario && !m_controller.slots().empty()) {
        if (const core::VariantDecl* decl = m_scenario->findVariant(m_controller.slots().front()->variant)) {
            m_shownVariantListing = listingText(*m_scenario, *decl, m_controller, *m_parameters);
            m_listing->setListing(m_shownVariantListing);
        }
    }
    m_summaryPending = false;
    m_summary->clear();
    m_summary->setMessage(tr("Running…"));
    updateParametersLine();
    updateSweepChart();
    if (m_controller.sweep()) {
        if (auto* dock = findChild<QDockWidget*>(QStringLiteral("sweepDock"))) {
            dock->show();
            dock->raise(); // the chart fills in as the runs finish
        }
    }
    refreshViews(false); // the views let go of the previous run's data here
    m_timeline->setLive(true);
    m_charts->setLive(true);
    m_timeline->zoomToFit();
    updateActions();
}

void MainWindow::onFrame(qint64 pollNs) {
    QElapsedTimer clock;
    clock.start();
    const int live = m_controller.liveIndex();
    m_timeline->dataChanged();
    const qint64 timelineNs = clock.nsecsElapsed();
    if (m_chartsCatchUp > 0 && --m_chartsCatchUp == 0) {
        m_charts->setHeld(false); // draws what they were given while held
    } else {
        m_charts->dataChanged(); // nothing while held
    }
    const qint64 chartsNs = clock.nsecsElapsed();
    // Paint now rather than later, so that the frame time below covers the whole frame.
    m_timeline->viewport()->repaint();
    const qint64 paintNs = clock.nsecsElapsed();
    m_charts->repaintNow();
    m_frameStats.addFrame(pollNs + clock.nsecsElapsed(), m_timeline->visibleEndNs() > 0);
    m_controller.setLastViewsNs(clock.nsecsElapsed());
    if (kFrameDebug) {
        std::fprintf(
            stderr,
            "frame: drain %.1f (%zu events) of poll %.1f timeline %.1f charts %.1f paint %.1f chart-paint %.1f ms"
            " (ended at %.3f s, monotonic)\n",
            static_cast<double>(m_controller.lastDrainNs()) / 1e6, m_controller.lastDrainCount(),
            static_cast<double>(pollNs) / 1e6, static_cast<double>(timelineNs) / 1e6,
            static_cast<double>(chartsNs - timelineNs) / 1e6, static_cast<double>(paintNs - chartsNs) / 1e6,
            static_cast<double>(clock.nsecsElapsed() - paintNs) / 1e6, static_cast<double>(core::monotonicNs()) / 1e9);
    }
    if (live >= 0) {
        const auto& slot = *m_controller.slots()[static_cast<std::size_t>(live)];
        if (slot.run && m_controller.frameOldestEventNs() >= 0) {
            // How long the oldest event of this frame waited to be on screen.
            m_frameStats.addLatency(slot.run->elapsedNs() - m_controller.frameOldestEventNs());
        }
        if (slot.run && slot.plan.model == core::Model::Broker) {
            // A worker started by hand with this command joins the run (on another machine, with the broker's
            // address in place of a private socket).
            const QString join = QString::fromStdString(slot.run->brokerJoinCommand());
            m_status->setText(tr("Running %1 · %2 ms · %3 of %4 jobs · add a worker: %5")
                                  .arg(slot.name)
                                  .arg(static_cast<double>(m_controller.liveElapsedNs()) / 1e6, 0, 'f', 0)
                                  .arg(slot.run->tasksFinished())
                                  .arg(std::max<std::uint64_t>(slot.run->tasksCreated(), 1) - 1)
                                  .arg(join.isEmpty() ? tr("(starting the broker)") : join));
            m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
            return;
        }
        m_status->setText(tr("Running %1 · %2 ms · %3 of %4 tasks finished%5")
                              .arg(slot.name)
                              .arg(static_cast<double>(m_controller.liveElapsedNs()) / 1e6, 0, 'f', 0)
                              .arg(slot.run ? slot.run->tasksFinished() : 0)
                              .arg(slot.run ? slot.run->tasksCreated() : 0)
                              .arg(m_longRunNote.isEmpty() ? QString() : QStringLiteral(" · ") + m_longRunNote));
    }
}

void MainWindow::onVariantFinished(int /*index*/) {
    QElapsedTimer clock;
    clock.start();
    // The exact timeline goes up in this frame, the charts take the exact data in the next (they keep the live lines
    // one frame longer), so that the two do not add up in one frame.
    m_chartsCatchUp = 2;
    m_charts->setHeld(true); // the timeline's range moves with the exact data: the charts follow next frame
    refreshViews(true);
    updateSweepChart(); // one more point
    if (kFrameDebug) {
        std::fprintf(stderr, "variant finished: views %.1f ms\n", static_cast<double>(clock.nsecsElapsed()) / 1e6);
    }
    // The summary (its errors name a failed variant) in a turn of the event loop of its own, after the frame that
    // shows the exact timeline, rather than adding its layout to that frame. The run's end fills it at once.
    m_summaryPending = true;
    QTimer::singleShot(0, this, [this] {
        if (m_summaryPending) {
            m_summaryPending = false;
            m_summary->setReport(m_controller.report());
        }
    });
}

void MainWindow::onRunFinished(bool stopped) {
    QElapsedTimer clock;
    clock.start();
    m_frameStats.finishRun(kStatsTailMs);
    m_summaryPending = false;
    refreshViews(true);
    m_chartsCatchUp = 0; // everything up to date now
    m_charts->setHeld(false);
    m_timeline->setLive(false);
    m_charts->setLive(false);
    m_timeline->zoomToFit();
    m_summary->setReport(m_controller.report());
    updateSweepChart();
    if (kFrameDebug) {
        std::fprintf(stderr, "run finished: views and summary %.1f ms\n",
                     static_cast<double>(clock.nsecsElapsed()) / 1e6);
    }
    if (stopped) {
        m_summary->setMessage(tr("Stopped: the results are partial."));
    }
    if (m_presenter) {
        if (auto* summary = findChild<QDockWidget*>(QStringLiteral("summaryDock"))) {
            summary->raise(); // presenter mode shows it as a tab beside the listing
        }
    }
    m_status->setText(stopped ? tr("Stopped") : tr("Done"));
    updateActions();
    if (m_scriptedRunPending) {
        m_scriptedRunPending = false;
        // Let the final layout and paint happen before the screenshot, and the stall watch see the time after the run.
        QTimer::singleShot(m_options.frameStatsPath.isEmpty() ? 300 : kStatsTailMs + 100, this,
                           &MainWindow::finishScriptedRun);
    }
}

void MainWindow::onTaskSelected(int variant, std::uint32_t task, std::int32_t line) {
    if (!m_scenario || variant < 0 || variant >= static_cast<int>(m_controller.slots().size())) {
        return;
    }
    m_selectedVariant = variant;
    m_selectedTask = task;
    const auto& slot = *m_controller.slots()[static_cast<std::size_t>(variant)];
    if (const core::VariantDecl* decl = m_scenario->findVariant(slot.variant)) {
        const QString listing = listingText(*m_scenario, *decl, m_controller, *m_parameters);
        if (listing != m_shownVariantListing) {
            m_shownVariantListing = listing;
            m_listing->setListing(listing);
        }
    }
    m_listing->highlightLine(line);
}

void MainWindow::onHover(int variant, std::uint32_t /*task*/, std::int64_t /*ns*/, std::int32_t line) {
    // Hovering shows the step under the mouse without changing the selection.
    if (line > 0 && variant == m_selectedVariant) {
        m_listing->highlightLine(line);
    }
}

void MainWindow::startFromOptions() {
    if (m_firstStart) {
        applyFirstStartLayout();
    } else {
        // Dock sizes restored before the window had its size come out squeezed: restore them again now.
        restoreState(QSettings().value(QStringLiteral("window/state")).toByteArray());
    }
    m_charts->warmUp();
    if (m_options.presenter) {
        setPresenterMode(true);
    }
    if (m_options.timeScale) {
        m_timeScale->setValue(*m_options.timeScale);
    }
    const bool script = m_options.openPath.endsWith(QStringLiteral(".py"), Qt::CaseInsensitive);
    if (!m_options.openPath.isEmpty() && !script) {
        openFromOptions();
        return;
    }
    if (script) {
        openPythonScriptFile(m_options.openPath); // opened; run only with --run
    } else {
        QString lesson = m_options.lesson;
        if (lesson.isEmpty()) {
            lesson = QSettings().value(QStringLiteral("lesson/last"), QStringLiteral("L2")).toString();
        }
        selectLesson(lesson);
    }
    if (!m_scenario && m_options.quitWhenDone) {
        return; // the error is said; the app is on its way out
    }
    if (!m_scenario) {
        selectLesson(QStringLiteral("L2"));
    }
    if (!m_scenario) {
        return;
    }
    if (!m_options.settings.empty()) {
        try {
            m_parameters->setValues(core::resolveParameters(*m_scenario, m_options.settings));
        } catch (const std::exception& problem) {
            std::fprintf(stderr, "interleave: %s\n", problem.what());
            m_summary->setMessage(QString::fromStdString(problem.what()));
            if (m_options.quitWhenDone) {
                QTimer::singleShot(0, qApp, [] { QApplication::exit(2); });
            }
            return;
        }
    }
    if (!m_options.variants.isEmpty()) {
        m_variantBox->setCurrentText(m_options.variants.front());
    }
    if (!m_options.run && !m_options.sweep && (m_options.quitWhenDone || !m_options.screenshotPath.isEmpty())) {
        // Nothing to run: the screenshot (and the quit) come once the window has painted.
        QTimer::singleShot(300, this, &MainWindow::finishScriptedRun);
        return;
    }
    if (m_options.run || m_options.sweep) {
        m_scriptedRunPending = true;
        if (m_options.sweep) {
            runSweep();
        } else if (m_options.variants.size() == 1) {
            runVariants(false, m_options.python);
        } else {
            runVariants(true, m_options.python);
        }
        if (!m_controller.isRunning()) {
            m_scriptedRunPending = false;
            finishScriptedRun(); // refused before it started: still honour --screenshot and --quit-when-done
        }
    }
}

void MainWindow::openFromOptions() {
    const QString& path = m_options.openPath;
    if (path.endsWith(QStringLiteral(".interleave"), Qt::CaseInsensitive)) {
        const bool opened = openRunFile(path);
        if (!opened && m_options.quitWhenDone) {
            QTimer::singleShot(0, qApp, [] { QApplication::exit(2); });
            return;
        }
        if (!opened) {
            selectLesson(QStringLiteral("L2"));
        }
        if (m_options.quitWhenDone || !m_options.screenshotPath.isEmpty()) {
            QTimer::singleShot(300, this, &MainWindow::finishScriptedRun);
        }
        return;
    }
    m_scriptedRunPending = m_options.quitWhenDone || !m_options.screenshotPath.isEmpty();
    openTraceFile(path); // finishImport takes the screenshot and quits when asked
}

void MainWindow::finishScriptedRun() {
    if (!m_options.screenshotPath.isEmpty()) {
        const QPixmap shot = grab();
        if (!shot.save(m_options.screenshotPath, "PNG")) {
            std::fprintf(stderr, "interleave: cannot write the screenshot to %s\n",
                         qPrintable(m_options.screenshotPath));
        }
    }
    if (!m_options.frameStatsPath.isEmpty()) {
        QString error;
        if (!m_frameStats.writeJson(m_options.frameStatsPath, &error)) {
            std::fprintf(stderr, "interleave: cannot write the frame stats: %s\n", qPrintable(error));
        }
    }
    if (m_options.quitWhenDone) {
        close();
    }
}

} // namespace interleave::ui
