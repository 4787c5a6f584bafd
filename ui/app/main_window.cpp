// The main window: its actions, menus, docks and settings, and choosing a lesson.
#include "app/main_window.h"
#include "app/listing_text.h"

#include "broker/redis_client.h"
#include "charts/charts_panel.h"
#include "charts/sweep_chart.h"
#include "panels/lesson_browser.h"
#include "panels/listing_panel.h"
#include "panels/notes_panel.h"
#include "panels/parameter_panel.h"
#include "panels/summary_panel.h"
#include "scenario/lesson_loader.h"
#include "timeline/timeline_view.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>

#include <cmath>
#include <cstdio>

namespace interleave::ui {

MainWindow::MainWindow(AppOptions options, QWidget* parent) : QMainWindow(parent), m_options(std::move(options)) {
    setWindowTitle(QStringLiteral("Interleave"));
    setDockNestingEnabled(true);
    // The side docks take the bottom corners, so the charts dock lies under the timeline alone and its plots can line
    // up with the timeline's time axis.
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    m_timeline = new TimelineView(this);
    setCentralWidget(m_timeline);
    createActions();
    createDocks();
    createMenus();
    createReplayBar();
    m_status = new QLabel(this);
    statusBar()->addWidget(m_status, 1);
    // The values of the run on screen, always in view (presenter mode hides the parameter dock): the class sees the
    // real N, not the listing's or last session's.
    m_runParameters = new QLabel(this);
    m_runParameters->setObjectName(QStringLiteral("runParametersLabel"));
    m_runParameters->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont strong = m_runParameters->font();
    strong.setBold(true);
    m_runParameters->setFont(strong);
    statusBar()->addPermanentWidget(m_runParameters);

    connect(&m_controller, &RunController::started, this, &MainWindow::onRunStarted);
    connect(&m_controller, &RunController::variantStarted, this, [this] { refreshViews(true); });
    connect(&m_controller, &RunController::frame, this, &MainWindow::onFrame);
    connect(&m_controller, &RunController::variantFinished, this, &MainWindow::onVariantFinished);
    connect(&m_controller, &RunController::finished, this, &MainWindow::onRunFinished);
    connect(m_timeline, &TimelineView::taskSelected, this, &MainWindow::onTaskSelected);
    connect(m_timeline, &TimelineView::hoverChanged, this, &MainWindow::onHover);
    connect(m_timeline, &TimelineView::visibleRangeChanged, m_charts, &ChartsPanel::setTimeRange);
    connect(m_charts, &ChartsPanel::heightToShowAllChanged, this, &MainWindow::makeRoomForCharts);
    // The charts' plot areas line up with the timeline's time area: told again whenever either moves or resizes.
    installEventFilter(this);
    m_timeline->viewport()->installEventFilter(this);
    m_charts->installEventFilter(this);
    if (auto* chartsDock = findChild<QDockWidget*>(QStringLiteral("chartsDock"))) {
        chartsDock->installEventFilter(this);
    }
    connect(m_browser, &LessonBrowser::lessonActivated, this, [this](const QString& id) { selectLesson(id); });

    loadLessons();
    restoreSettings();
    updateActions();
}

MainWindow::~MainWindow() = default;

void MainWindow::createActions() {
    auto make = [this](const QString& text, const QKeySequence& shortcut, const QString& icon, auto slot) {
        auto* action = new QAction(QIcon::fromTheme(icon), text, this);
        action->setShortcut(shortcut);
        connect(action, &QAction::triggered, this, slot);
        return action;
    };
    m_openAction = make(tr("&Open Lesson File…"), QKeySequence::Open, QStringLiteral("document-open"),
                        &MainWindow::openLessonFile);
    m_openRunAction = make(tr("Open &Run…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O),
                           QStringLiteral("document-open"), &MainWindow::openRun);
    m_openTraceAction = make(tr("Open &Trace…"), QKeySequence(Qt::CTRL | Qt::Key_I), QStringLiteral("document-import"),
                             &MainWindow::openTrace);
    m_openTraceAction->setToolTip(tr("Open a Chrome trace JSON (Perfetto, node --trace-events-enabled, VizTracer)"));
    m_saveRunAction = make(tr("&Save Run"), QKeySequence::Save, QStringLiteral("document-save"), &MainWindow::saveRun);
    m_saveRunAsAction = make(tr("Save Run &As…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S),
                             QStringLiteral("document-save-as"), &MainWindow::saveRunAs);
    m_exportFigureAction = make(tr("Export &Figure…"), QKeySequence(Qt::CTRL | Qt::Key_E),
                                QStringLiteral("image-x-generic"), &MainWindow::exportFigure);
    m_exportDataAction = make(tr("Export &Data…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E),
                              QStringLiteral("document-export"), &MainWindow::exportData);
    m_quitAction = make(tr("&Quit"), QKeySequence::Quit, QStringLiteral("application-exit"), &QWidget::close);
    m_runAction = make(tr("&Run"), QKeySequence(Qt::Key_F5), QStringLiteral("media-playback-start"),
                       [this] { runVariants(false); });
    m_runAllAction =
        make(tr("Run &All Variants"), QKeySequence(Qt::CTRL | Qt::Key_F5), QStringLiteral("media-seek-forward"),
             [this] { runVariants(true, m_compareCpythonAction->isChecked() && m_compareCpythonAction->isEnabled()); });
    m_runSweepAction =
        make(tr("Run S&weep"), QKeySequence(Qt::Key_F6), QStringLiteral("view-statistics"), &MainWindow::runSweep);
    m_runSweepAction->setObjectName(QStringLiteral("runSweepAction"));
    m_runSweepAction->setToolTip(tr("Run the lesson's sweep: one variant once per value of a parameter, drawn as "
                                    "makespan and throughput against it"));
    m_sweepParameterAction =
        make(tr("Sweep a &Parameter…"), QKeySequence(Qt::CTRL | Qt::Key_F6), {}, &MainWindow::sweepParameter);
    m_sweepParameterAction->setObjectName(QStringLiteral("sweepParameterAction"));
    m_stopAction = make(tr("&Stop"), QKeySequence(Qt::SHIFT | Qt::Key_F5), QStringLiteral("media-playback-stop"),
                        &MainWindow::stopRun);
    m_runAction->setObjectName(QStringLiteral("runAction"));
    m_runAllAction->setObjectName(QStringLiteral("runAllAction"));
    m_stopAction->setObjectName(QStringLiteral("stopAction"));
    m_runPythonAction = make(tr("Run in &CPython"), QKeySequence(Qt::Key_F7), QStringLiteral("system-run"),
                             [this] { runVariants(false, true); });
    m_runPythonAction->setObjectName(QStringLiteral("runPythonAction"));
    m_runPythonAction->setToolTip(tr("Run the variant, then its Python listing in real CPython (python3) below it, on "
                                     "the same time axis"));
    m_compareCpythonAction = new QAction(tr("Run All Variants in CPython &Too"), this);
    m_compareCpythonAction->setObjectName(QStringLiteral("compareCpythonAction"));
    m_compareCpythonAction->setCheckable(true);
    m_compareCpythonAction->setChecked(QSettings().value(QStringLiteral("run/compareWithCpython"), false).toBool());
    m_compareCpythonAction->setToolTip(tr("When checked, Run All Variants runs each variant's listing in real CPython "
                                          "too, below it, and the summary sets the two side by side"));
    connect(m_compareCpythonAction, &QAction::toggled, this,
            [](bool on) { QSettings().setValue(QStringLiteral("run/compareWithCpython"), on); });
    m_openScriptAction = make(tr("Open &Python Script…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P),
                              QStringLiteral("text-x-python"), &MainWindow::openPythonScript);
    m_openScriptAction->setToolTip(tr("Open a Python program of yours, to run it in CPython and watch its tasks, "
                                      "threads and processes"));
    m_brokerAction = make(tr("&Broker…"), {}, QStringLiteral("network-server"), &MainWindow::chooseBroker);
    m_brokerAction->setObjectName(QStringLiteral("brokerAction"));
    m_brokerAction->setToolTip(tr("The Redis that the task-queue lesson (L17) runs on: a private one started for "
                                  "each run, or a running one at redis://HOST:PORT/DB"));
    m_zoomInAction = make(tr("Zoom &In"), QKeySequence(Qt::CTRL | Qt::Key_Equal), QStringLiteral("zoom-in"),
                          [this] { m_timeline->zoomIn(); });
    m_zoomOutAction = make(tr("Zoom &Out"), QKeySequence(Qt::CTRL | Qt::Key_Minus), QStringLiteral("zoom-out"),
                           [this] { m_timeline->zoomOut(); });
    m_zoomFitAction = make(tr("Zoom to &Fit"), QKeySequence(Qt::CTRL | Qt::Key_0), QStringLiteral("zoom-fit-best"),
                           [this] { m_timeline->zoomToFit(); });
    m_byTaskAction =
        make(tr("Lanes by &Task"), QKeySequence(Qt::CTRL | Qt::Key_T), {}, [this] { setLaneMode(LaneMode::ByTask); });
    m_byWorkerAction = make(tr("Lanes by &Worker"), QKeySequence(Qt::CTRL | Qt::Key_W), {},
                            [this] { setLaneMode(LaneMode::ByWorker); });
    auto* laneModes = new QActionGroup(this);
    for (QAction* action : {m_byTaskAction, m_byWorkerAction}) {
        action->setCheckable(true);
        laneModes->addAction(action);
    }
    m_byTaskAction->setChecked(true);
    m_presenterAction = make(tr("&Presenter Mode"), QKeySequence(Qt::Key_F11), QStringLiteral("video-display"),
                             [this](bool on) { setPresenterMode(on); });
    m_presenterAction->setCheckable(true);
    m_aboutAction = make(tr("&About Interleave"), {}, QStringLiteral("help-about"), [this] {
        QMessageBox::about(this, tr("About Interleave"),
                           tr("<b>Interleave</b><p>A concurrency lab: real work in four models, drawn live.</p>"));
    });
}

void MainWindow::createMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_openAction);
    file->addActions({m_openRunAction, m_openTraceAction, m_openScriptAction});
    file->addSeparator();
    file->addActions({m_saveRunAction, m_saveRunAsAction});
    file->addSeparator();
    file->addActions({m_exportFigureAction, m_exportDataAction});
    file->addSeparator();
    file->addAction(m_quitAction);
    QMenu* run = menuBar()->addMenu(tr("&Run"));
    run->addActions({m_runAction, m_runAllAction, m_runPythonAction, m_compareCpythonAction, m_runSweepAction,
                     m_sweepParameterAction, m_stopAction});
    run->addSeparator();
    run->addAction(m_brokerAction);
    m_viewMenu = menuBar()->addMenu(tr("&View"));
    m_viewMenu->addActions({m_zoomInAction, m_zoomOutAction, m_zoomFitAction});
    m_viewMenu->addSeparator();
    m_viewMenu->addActions({m_byTaskAction, m_byWorkerAction});
    m_viewMenu->addSeparator();
    m_viewMenu->addAction(m_presenterAction);
    m_viewMenu->addSeparator();
    for (QDockWidget* dock : m_docks) {
        m_viewMenu->addAction(dock->toggleViewAction()); // a closed dock comes back from here
    }
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(m_aboutAction);

    QToolBar* toolbar = addToolBar(tr("Run"));
    toolbar->setObjectName(QStringLiteral("runToolbar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->addWidget(new QLabel(tr(" Variant "), toolbar));
    m_variantBox = new QComboBox(toolbar);
    m_variantBox->setMinimumContentsLength(14);
    connect(m_variantBox, &QComboBox::currentTextChanged, this, [this](const QString& name) {
        if (const core::VariantDecl* variant = m_scenario ? m_scenario->findVariant(name.toStdString()) : nullptr) {
            m_shownVariantListing = listingText(*m_scenario, *variant, m_controller, *m_parameters);
            m_listing->setListing(m_shownVariantListing);
        }
    });
    toolbar->addWidget(m_variantBox);
    toolbar->addActions({m_runAction, m_runAllAction, m_runSweepAction, m_stopAction});
    toolbar->addSeparator();
    toolbar->addWidget(new QLabel(tr(" Slow motion ×"), toolbar));
    m_timeScale = new QDoubleSpinBox(toolbar);
    m_timeScale->setRange(1.0, 20.0);
    m_timeScale->setDecimals(1);
    m_timeScale->setSingleStep(1.0);
    m_timeScale->setToolTip(tr("Every duration is multiplied by this factor (1 = real time)"));
    toolbar->addWidget(m_timeScale);
    toolbar->addSeparator();
    toolbar->addActions({m_zoomInAction, m_zoomOutAction, m_zoomFitAction});
    toolbar->addSeparator();
    toolbar->addActions({m_byTaskAction, m_byWorkerAction, m_presenterAction});
}

QDockWidget* MainWindow::addPanelDock(const QString& title, const QString& objectName, QWidget* panel,
                                      Qt::DockWidgetArea area) {
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(objectName);
    dock->setWidget(panel);
    addDockWidget(area, dock);
    m_docks.push_back(dock);
    return dock;
}

void MainWindow::createDocks() {
    m_browser = new LessonBrowser(this);
    m_parameters = new ParameterPanel(this);
    // Before a run of the lesson is on screen, the listing shows the values being set.
    connect(m_parameters, &ParameterPanel::valuesChanged, this, [this] {
        const core::VariantDecl* variant =
            m_scenario ? m_scenario->findVariant(m_variantBox->currentText().toStdString()) : nullptr;
        updateParametersLine();
        if (variant != nullptr && !showsRunOf(m_controller, *m_scenario)) {
            const QString listing = listingText(*m_scenario, *variant, m_controller, *m_parameters);
            if (listing != m_shownVariantListing) {
                m_shownVariantListing = listing;
                m_listing->setListing(listing);
            }
        }
    });
    m_summary = new SummaryPanel(this);
    m_listing = new ListingPanel(this);
    m_notes = new NotesPanel(this);
    m_charts = new ChartsPanel(this);
    QDockWidget* lessons =
        addPanelDock(tr("Lessons"), QStringLiteral("lessonsDock"), m_browser, Qt::LeftDockWidgetArea);
    QDockWidget* parameters =
        addPanelDock(tr("Parameters"), QStringLiteral("parametersDock"), m_parameters, Qt::LeftDockWidgetArea);
    splitDockWidget(lessons, parameters, Qt::Vertical);
    QDockWidget* summary =
        addPanelDock(tr("Summary"), QStringLiteral("summaryDock"), m_summary, Qt::RightDockWidgetArea);
    QDockWidget* listing =
        addPanelDock(tr("Python"), QStringLiteral("listingDock"), m_listing, Qt::RightDockWidgetArea);
    QDockWidget* notes = addPanelDock(tr("Notes"), QStringLiteral("notesDock"), m_notes, Qt::RightDockWidgetArea);
    splitDockWidget(summary, listing, Qt::Vertical);
    tabifyDockWidget(listing, notes);
    listing->raise();
    QDockWidget* charts = addPanelDock(tr("Charts"), QStringLiteral("chartsDock"), m_charts, Qt::BottomDockWidgetArea);
    m_sweepChart = new SweepChart(this);
    connect(m_sweepChart, &SweepChart::pointClicked, this, &MainWindow::showSweepRun);
    QDockWidget* sweep = addPanelDock(tr("Sweep"), QStringLiteral("sweepDock"), m_sweepChart, Qt::BottomDockWidgetArea);
    tabifyDockWidget(charts, sweep);
    charts->raise();
}

void MainWindow::restoreSettings() {
    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray())) {
        const QRect screen = QGuiApplication::primaryScreen()->availableGeometry();
        resize(std::min(1840, screen.width() * 19 / 20), std::min(1020, screen.height() * 19 / 20));
    }
    m_firstStart = !restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    m_timeScale->setValue(settings.value(QStringLiteral("run/timeScale"), 1.0).toDouble());
    const QString broker = settings.value(QStringLiteral("run/broker")).toString();
    try {
        if (!broker.isEmpty()) {
            core::parseBrokerUrl(broker.toStdString());
            m_controller.setBrokerUrl(broker.toStdString());
        }
    } catch (const core::BrokerError&) {
        // a setting edited by hand into something else: the private broker
    }
}

void MainWindow::chooseBroker() {
    QString url = QString::fromStdString(m_controller.brokerUrl());
    while (true) {
        bool accepted = false;
        url = QInputDialog::getText(this, tr("Broker"),
                                    tr("The task-queue lesson (L17) runs on a real Redis.\n"
                                       "Leave this empty for a private redis-server started for each run,\n"
                                       "or give a running one: redis://HOST:PORT/DB. Its other keys are never "
                                       "touched."),
                                    QLineEdit::Normal, url, &accepted)
                  .trimmed();
        if (!accepted) {
            return;
        }
        try {
            if (!url.isEmpty()) {
                core::parseBrokerUrl(url.toStdString());
            }
            break;
        } catch (const core::BrokerError& error) {
            QMessageBox::warning(this, tr("Broker"), QString::fromStdString(error.what()));
        }
    }
    m_controller.setBrokerUrl(url.toStdString());
    QSettings().setValue(QStringLiteral("run/broker"), url);
    m_status->setText(url.isEmpty() ? tr("Broker: a private redis-server for each run") : tr("Broker: %1").arg(url));
}

void MainWindow::applyFirstStartLayout() {
    // The timeline gets the most room, the side panels enough to read. Done once the window is laid out: dock
    // sizes asked for before that are ignored.
    auto dock = [this](const char* name) { return findChild<QDockWidget*>(QLatin1String(name)); };
    resizeDocks({dock("lessonsDock"), dock("summaryDock")}, {width() / 5, width() * 3 / 10}, Qt::Horizontal);
    resizeDocks({dock("chartsDock")}, {height() * 3 / 10}, Qt::Vertical);
    resizeDocks({dock("summaryDock")}, {height() / 2}, Qt::Vertical); // five expectations and four variants show
}

void MainWindow::saveSettings() {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), m_presenter ? m_layoutBeforePresenting : saveState());
    settings.setValue(QStringLiteral("run/timeScale"), m_timeScale->value());
    if (m_scenario) {
        settings.setValue(QStringLiteral("lesson/last"), QString::fromStdString(m_scenario->sourcePath));
        settings.beginGroup(QStringLiteral("parameters/") + QString::fromStdString(m_scenario->id));
        for (const auto& [name, value] : m_parameters->values()) {
            settings.setValue(QString::fromStdString(name), value);
        }
        settings.endGroup();
    }
}

void MainWindow::closeEvent(QCloseEvent* event) {
    saveSettings();
    m_controller.shutdown(); // a run still going is stopped: threads joined, workers reaped
    event->accept();
}

void MainWindow::loadLessons() {
    try {
        m_lessons = core::loadLessonDirectory(core::builtinLessonDirectory());
    } catch (const std::exception& problem) {
        QMessageBox::warning(
            this, tr("Lessons"),
            tr("The built-in lessons could not be loaded:\n%1").arg(QString::fromStdString(problem.what())));
    }
    m_browser->setLessons(m_lessons);
}

void MainWindow::openLessonFile() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Lesson File"), {},
                                                      tr("Lesson files (*.yaml *.yml *.json);;All files (*)"));
    if (!path.isEmpty()) {
        selectLesson(path);
    }
}

void MainWindow::selectLesson(const QString& idAliasOrPath) {
    if (m_controller.isRunning()) {
        m_controller.stop();
    }
    try {
        core::Scenario scenario = core::findLesson(idAliasOrPath.toStdString());
        const bool known = std::any_of(m_lessons.begin(), m_lessons.end(),
                                       [&](const core::Scenario& lesson) { return lesson.id == scenario.id; });
        if (!known) {
            m_lessons.push_back(scenario);
            m_browser->addLesson(scenario);
        }
        showLesson(scenario);
    } catch (const std::exception& problem) {
        // A bad lesson file: its file:line:col message, and the app carries on with what it showed. A scripted start
        // that is meant to quit by itself must not wait on a dialog nobody will close: it says so and exits with 2.
        if (m_options.quitWhenDone) {
            std::fprintf(stderr, "interleave: %s\n", problem.what());
            QTimer::singleShot(0, qApp, [] { QApplication::exit(2); });
            return;
        }
        QMessageBox::critical(this, tr("Cannot open the lesson"), QString::fromStdString(problem.what()));
    }
}

void MainWindow::updateParametersLine() {
    if (!m_scenario || m_scenario->parameters.empty()) {
        m_runParameters->clear();
        return;
    }
    const bool ran = showsRunOf(m_controller, *m_scenario);
    const core::ParameterValues values = ran ? m_controller.parameters() : m_parameters->values();
    QStringList items;
    const QLocale locale;
    const std::optional<core::SweepDecl>& sweep = m_controller.sweep();
    for (const core::ParameterDecl& decl : m_scenario->parameters) {
        if (ran && sweep && sweep->parameter == decl.name) {
            // A sweep's parameter has no one value: it is the sweep chart's axis.
            items << tr("%1 swept").arg(QString::fromStdString(decl.label.empty() ? decl.name : decl.label));
            continue;
        }
        const auto found = values.find(decl.name);
        const double value = found != values.end() ? found->second : decl.defaultValue;
        QString text = QString::fromStdString(decl.label.empty() ? decl.name : decl.label) + QLatin1Char(' ') +
                       (decl.integer ? locale.toString(static_cast<qlonglong>(std::llround(value)))
                                     : locale.toString(value, 'g', 6));
        if (!decl.unit.empty()) {
            text += QLatin1Char(' ') + QString::fromStdString(decl.unit);
        }
        items << text;
    }
    m_runParameters->setText((ran ? tr("Ran with: %1") : tr("Set: %1")).arg(items.join(QStringLiteral(" · "))));
}

void MainWindow::showLesson(const core::Scenario& scenario) {
    m_scenario = scenario;
    setWindowTitle(
        tr("Interleave — %1 %2").arg(QString::fromStdString(scenario.alias()), QString::fromStdString(scenario.title)));
    m_parameters->setScenario(scenario);
    QSettings settings;
    settings.beginGroup(QStringLiteral("parameters/") + QString::fromStdString(scenario.id));
    core::ParameterValues saved = scenario.defaults();
    for (const QString& key : settings.childKeys()) {
        saved[key.toStdString()] = settings.value(key).toDouble();
    }
    settings.endGroup();
    m_parameters->setValues(saved);
    m_notes->setScenario(scenario);
    m_variantBox->clear();
    for (const core::VariantDecl& variant : scenario.variants) {
        m_variantBox->addItem(QString::fromStdString(variant.name));
    }
    if (!scenario.variants.empty()) {
        m_shownVariantListing = listingText(scenario, scenario.variants.front(), m_controller, *m_parameters);
        m_listing->setListing(m_shownVariantListing);
    }
    m_browser->selectLesson(QString::fromStdString(scenario.id));
    // The lesson's view (a run file's own view is applied after this).
    setLaneMode(scenario.lanesByWorker ? LaneMode::ByWorker : LaneMode::ByTask);
    updateParametersLine();
    m_summary->clear();
    m_summary->setMessage(tr("Press Run (F5) to run %1, or Run All Variants (Ctrl+F5) to compare them.")
                              .arg(m_variantBox->currentText()));
    updateActions();
}

void MainWindow::setPresenterMode(bool on) {
    if (on == m_presenter) {
        return;
    }
    // The stage goes to the timeline: the lesson and parameter docks step aside while presenting, and the teacher's
    // own layout comes back afterwards.
    if (on) {
        m_layoutBeforePresenting = saveState();
        for (QDockWidget* dock : m_docks) {
            if (dock->objectName() == QStringLiteral("lessonsDock") ||
                dock->objectName() == QStringLiteral("parametersDock")) {
                dock->hide();
            }
        }
        if (auto* charts = findChild<QDockWidget*>(QStringLiteral("chartsDock"))) {
            resizeDocks({charts}, {height() * 3 / 10}, Qt::Vertical);
        }
        // In large type the summary needs the whole side column to show every variant and expectation: it shares
        // it with the listing and the notes as tabs, and comes to the front when a run ends.
        auto* summary = findChild<QDockWidget*>(QStringLiteral("summaryDock"));
        auto* listing = findChild<QDockWidget*>(QStringLiteral("listingDock"));
        if (summary != nullptr && listing != nullptr && !summary->isFloating() && !listing->isFloating() &&
            dockWidgetArea(summary) == dockWidgetArea(listing)) {
            tabifyDockWidget(listing, summary);
            summary->raise();
        }
    } else if (!m_layoutBeforePresenting.isEmpty()) {
        restoreState(m_layoutBeforePresenting);
    }
    m_presenter = on;
    m_presenterAction->setChecked(on);
    QFont font = QApplication::font();
    font.setPointSizeF(on ? 15.0 : 10.0);
    setFont(font);
    m_timeline->setPresenterMode(on);
    m_charts->setPresenterMode(on);
    m_sweepChart->setPresenterMode(on);
    alignChartsSoon(); // the lane names' gutter is wider in presenter mode
    m_summary->setPresenterMode(on);
    m_listing->setPresenterMode(on);
}

void MainWindow::makeRoomForCharts(int height) {
    // The charts dock grows until every shown chart and the note fit without scrolling, when that takes at most a
    // share of the window that leaves the timeline the most room. When they would scroll anyway, the timeline keeps
    // its room. It never shrinks here (a teacher's own size stays).
    auto* dock = findChild<QDockWidget*>(QStringLiteral("chartsDock"));
    if (dock == nullptr || dock->isFloating() || dock->isHidden() || m_charts->height() >= height) {
        return;
    }
    const int wanted = height + dock->height() - m_charts->height(); // and the dock's title bar
    if (wanted <= this->height() * 42 / 100) {
        resizeDocks({dock}, {wanted}, Qt::Vertical);
    }
}

bool MainWindow::eventFilter(QObject* watched, QEvent* event) {
    const QEvent::Type type = event->type();
    if (type == QEvent::Resize || type == QEvent::Move || type == QEvent::Show) {
        alignChartsSoon();
    }
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::alignChartsSoon() {
    // Queued: a resize reaches this filter before the timeline has updated its time area.
    if (m_alignPending) {
        return;
    }
    m_alignPending = true;
    QTimer::singleShot(0, this, [this] {
        m_alignPending = false;
        const auto [left, right] = m_timeline->timeAreaX();
        const QPointF origin = m_timeline->viewport()->mapToGlobal(QPointF(0, 0));
        m_charts->alignPlotsTo(origin.x() + left, origin.x() + right);
    });
}

void MainWindow::setLaneMode(LaneMode mode) {
    m_byTaskAction->setChecked(mode == LaneMode::ByTask);
    m_byWorkerAction->setChecked(mode == LaneMode::ByWorker);
    m_timeline->setLaneMode(mode);
}

void MainWindow::updateActions() {
    const bool running = m_controller.isRunning();
    m_runAction->setEnabled(!running && m_scenario.has_value());
    m_runAllAction->setEnabled(!running && m_scenario.has_value());
    // A lesson's listings in CPython; not a script (Run runs it) nor the broker model (its listing needs redis-py).
    const bool listingsRun =
        m_scenario.has_value() &&
        std::all_of(m_scenario->variants.begin(), m_scenario->variants.end(), [](const core::VariantDecl& variant) {
            return variant.model != core::Model::Python && variant.model != core::Model::Broker;
        });
    m_runPythonAction->setEnabled(!running && listingsRun);
    m_compareCpythonAction->setEnabled(listingsRun);
    m_runSweepAction->setEnabled(!running && m_scenario.has_value() && !m_scenario->sweeps.empty());
    m_sweepParameterAction->setEnabled(!running && m_scenario.has_value() && !m_scenario->parameters.empty());
    const bool replayable = !running && replayEndNs() > 0;
    m_playAction->setEnabled(replayable);
    m_replaySlider->setEnabled(replayable);
    if (running) {
        m_playAction->setChecked(false);
    }
    m_stopAction->setEnabled(running);
    const bool results = hasResults();
    for (QAction* action : {m_saveRunAction, m_saveRunAsAction, m_exportFigureAction, m_exportDataAction}) {
        action->setEnabled(results);
    }
    m_variantBox->setEnabled(!running);
    m_timeScale->setEnabled(!running);
    m_parameters->setEnabled(!running);
}

} // namespace interleave::ui
