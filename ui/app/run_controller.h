// Runs a lesson's variants one after another and polls the live one once a frame; the views draw what it holds.
#pragma once

#include "metrics/lesson_report.h"
#include "runtime/run.h"
#include "scenario/scenario.h"
#include "timeline/timeline_data.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>

#include <memory>
#include <optional>
#include <vector>

namespace interleave::ui {

// One variant of the current run: live while `run` exists, then its finished trace in `result`.
struct VariantSlot {
    QString name;
    core::Plan plan;
    std::unique_ptr<core::Run> run;
    core::VariantRun result; // filled when the variant ends
    TimelineData timeline;
    bool finished = false;
};

class RunController : public QObject {
    Q_OBJECT
public:
    explicit RunController(QObject* parent = nullptr);
    ~RunController() override;

    // Compiles every variant first, so that a refused limit or a bad value stops everything before it starts
    // (throws core::UsageError or core::LessonError), then starts the first one.
    void start(const core::Scenario& scenario, const std::vector<std::string>& variants,
               const core::ParameterValues& parameters, double timeScale);
    // Shows finished runs that did not run here (a run file, an imported trace): every slot is finished, its
    // timeline rebuilt and the report computed (when there is a lesson; an import has none).
    void load(std::optional<core::Scenario> scenario, const core::ParameterValues& parameters,
              std::vector<core::VariantRun> runs);
    void load(std::optional<core::Scenario> scenario, const core::ParameterValues& parameters,
              std::vector<std::unique_ptr<VariantSlot>> slots);
    // A finished slot for a run that did not run here: analysed (when it was not yet) and its timeline built. Safe
    // on any thread (it touches no QObject), so a large import is prepared off the GUI thread.
    static std::unique_ptr<VariantSlot> finishedSlot(core::VariantRun run);
    // Stops the live variant (and skips the rest); finished() follows once every thread and worker is gone.
    void stop();
    bool isRunning() const { return m_running; }
    // Stops and waits: for closing the window during a run.
    void shutdown();

    const std::vector<std::unique_ptr<VariantSlot>>& slots() const { return m_slots; }
    const core::Scenario* scenario() const { return m_scenario ? &*m_scenario : nullptr; }
    const core::ParameterValues& parameters() const { return m_parameters; }
    // The report of the variants that have finished so far (brought up to date as each one ends).
    const core::LessonReport& report() const { return m_report; }
    int liveIndex() const { return m_live; }
    std::int64_t liveElapsedNs() const;

Q_SIGNALS:
    void started();
    // Once a frame while running, after the live variant's new events were added to its timeline.
    // `pollNs` is how long taking them took.
    void frame(qint64 pollNs);
    void variantFinished(int index);
    void finished(bool stopped);

private:
    void tick();
    void startVariant(int index);
    void finishVariant(VariantSlot& slot);
    void updateReport();

    std::optional<core::Scenario> m_scenario;
    core::ParameterValues m_parameters;
    core::LessonReport m_report;
    std::vector<std::unique_ptr<VariantSlot>> m_slots;
    QTimer m_frameTimer;
    int m_live = -1;
    bool m_running = false;
    bool m_stopRequested = false;
};

} // namespace interleave::ui
