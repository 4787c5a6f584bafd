// The main window: lesson browser, parameters and run controls, the live timeline, charts, summary, listing, notes.
#pragma once

#include "app/app_options.h"
#include "app/frame_stats.h"
#include "app/run_controller.h"
#include "io/run_file.h"
#include "scenario/scenario.h"
#include "timeline/timeline_data.h"

#include <QElapsedTimer>
#include <QMainWindow>

#include <vector>

class QAction;
class QComboBox;
class QDockWidget;
class QDoubleSpinBox;
class QLabel;
class QMenu;
class QSlider;
class QTimer;

namespace interleave::ui {

class ChartsPanel;
class SweepChart;
class LessonBrowser;
class ListingPanel;
class NotesPanel;
class ParameterPanel;
class SummaryPanel;
class TimelineView;
class TraceImportJob;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(AppOptions options, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Applies the scripted start (lesson, settings, --run ...) once the window is shown.
    void startFromOptions();
    bool openPythonScriptFile(const QString& path); // opened, not run: Run runs it
    const RunController& controller() const { return m_controller; }
    std::int64_t playheadNs() const { return m_playheadNs; }
    // File menu actions, also used by the scripted start and the tests (no dialog): true when done.
    bool openRunFile(const QString& path);
    bool saveRunTo(const QString& path);
    void openTraceFile(const QString& path); // asynchronous: reads on a thread behind a progress dialog
    enum class DataFormat { SpansCsv, CountersCsv, ChromeTrace };
    bool exportDataTo(const QString& path, DataFormat format);
    bool isImporting() const { return m_import != nullptr; }
    // Shows a lesson by id, alias or path (the browser's choice); a live run is stopped first.
    void selectLesson(const QString& idAliasOrPath);
    TimelineView* timelineView() const { return m_timeline; }

protected:
    void closeEvent(QCloseEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override; // keeps the charts aligned with the timeline

private:
    void createActions();
    void createMenus();
    void createDocks();
    QDockWidget* addPanelDock(const QString& title, const QString& objectName, QWidget* panel, Qt::DockWidgetArea area);
    void restoreSettings();
    void applyFirstStartLayout();
    void makeRoomForCharts(int height); // grows the charts dock to show them all, within a share of the window
    void saveSettings();
    QAction* m_brokerAction = nullptr;
    QAction* m_runPythonAction = nullptr;
    QAction* m_compareCpythonAction = nullptr; // checked: Run All Variants runs each listing in CPython too
    QAction* m_openScriptAction = nullptr;

    void loadLessons();
    void openLessonFile();
    void showLesson(const core::Scenario& scenario);
    void updateParametersLine(); // the status bar's "Ran with: Requests 1,000 · …"

    // `withPython`: each variant's listing in CPython too, below it (Run in CPython).
    void runVariants(bool allVariants, bool withPython = false);
    // A script runs its code: the first Run of each file asks (the answer is kept). True to go on.
    bool confirmScriptRun();
    bool confirmLongRun(std::int64_t estimateNs); // false: the user chose not to start it
    void runSweep();                              // the lesson's sweep of the chosen variant (or its first)
    void sweepParameter(); // Sweep a Parameter…: the user's parameter and values, on the chosen variant
    void startSweep(const core::SweepDecl& sweep);
    void updateSweepChart();      // from the controller's slots, as its runs finish
    void showSweepRun(int index); // a sweep chart's point clicked: that run's timeline alone
    void stopRun();
    void chooseBroker(); // Run → Broker…: the Redis the broker model (L17) uses, or a private one
    // Files (main_window_files.cpp).
    bool hasResults() const;
    void reportProblem(const QString& title, const QString& message);
    void saveRun();
    void saveRunAs();
    core::RunFile currentRunFile() const;
    void openRun();
    void showLoadedResults();
    void showImport(const QString& fileName, const QString& description);
    void openTrace();
    void openPythonScript(); // File → Open Python Script…
    void finishImport(TraceImportJob& job);
    void exportData();
    QString resultsStem() const; // "L2-gather", or the imported file's base name
    void exportFigure();

    void onRunStarted();
    void onFrame(qint64 pollNs);
    void onVariantFinished(int index);
    void onRunFinished(bool stopped);
    // Hands the run's variants to the views; `sameRun` when the shown run has moved on (a variant started or
    // finished), so that the charts keep their lines.
    void refreshViews(bool sameRun);
    void updateActions();
    void setPresenterMode(bool on);
    void setLaneMode(LaneMode mode);
    void onTaskSelected(int variant, std::uint32_t task, std::int32_t line);
    void onHover(int variant, std::uint32_t task, std::int64_t ns, std::int32_t line);
    void finishScriptedRun();
    void openFromOptions();
    // Replay: a playhead over the finished run, dragged or played at the slow-motion speed.
    void createReplayBar();
    void setPlayhead(std::int64_t ns);
    void togglePlay(bool playing);
    void advancePlayhead();
    std::int64_t replayEndNs() const;
    std::int32_t listingLineAt(int variant, std::uint32_t task, std::int64_t ns) const;
    QString variantLabel(int index) const;

    AppOptions m_options;
    RunController m_controller;
    FrameStats m_frameStats;
    std::vector<core::Scenario> m_lessons;
    std::optional<core::Scenario> m_scenario;
    QString m_shownVariantListing;
    QString m_longRunNote; // "This run will take about 8 min 20 s." while such a run is live

    TimelineView* m_timeline = nullptr;
    ChartsPanel* m_charts = nullptr;
    SweepChart* m_sweepChart = nullptr;
    LessonBrowser* m_browser = nullptr;
    ParameterPanel* m_parameters = nullptr;
    SummaryPanel* m_summary = nullptr;
    ListingPanel* m_listing = nullptr;
    NotesPanel* m_notes = nullptr;
    QComboBox* m_variantBox = nullptr;
    QDoubleSpinBox* m_timeScale = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_runParameters = nullptr;
    std::vector<QDockWidget*> m_docks;

    QAction* m_openAction = nullptr;
    QAction* m_quitAction = nullptr;
    QAction* m_openRunAction = nullptr;
    QAction* m_openTraceAction = nullptr;
    QAction* m_saveRunAction = nullptr;
    QAction* m_saveRunAsAction = nullptr;
    QAction* m_exportFigureAction = nullptr;
    QAction* m_exportDataAction = nullptr;
    QAction* m_runAction = nullptr;
    QAction* m_runAllAction = nullptr;
    QAction* m_runSweepAction = nullptr;
    QAction* m_sweepParameterAction = nullptr;
    QAction* m_stopAction = nullptr;
    QAction* m_zoomInAction = nullptr;
    QAction* m_zoomOutAction = nullptr;
    QAction* m_zoomFitAction = nullptr;
    QAction* m_byTaskAction = nullptr;
    QAction* m_byWorkerAction = nullptr;
    QAction* m_presenterAction = nullptr;
    QAction* m_aboutAction = nullptr;
    QMenu* m_viewMenu = nullptr;
    QSlider* m_replaySlider = nullptr;
    QLabel* m_replayTime = nullptr;
    QAction* m_playAction = nullptr;
    QTimer* m_replayTimer = nullptr;
    QElapsedTimer m_replayClock;
    std::int64_t m_playheadNs = 0;
    int m_selectedVariant = 0;
    std::uint32_t m_selectedTask = 0;
    bool m_presenter = false;
    bool m_firstStart = false;
    void alignChartsSoon(); // once the current layout pass is done: the timeline's time area to the charts
    bool m_alignPending = false;
    bool m_summaryPending = false; // a finished variant's figures wait for their own turn (onVariantFinished)
    // Frames until the held charts take a finished variant's exact data (onVariantFinished); 0 when not held.
    int m_chartsCatchUp = 0;
    QByteArray m_layoutBeforePresenting;
    bool m_scriptedRunPending = false;
    QString m_sessionPath;              // the run file the results were saved to or opened from
    QString m_importedName;             // the file name of an imported trace being shown; empty for lesson runs
    TraceImportJob* m_import = nullptr; // the import under way, if any
};

} // namespace interleave::ui
