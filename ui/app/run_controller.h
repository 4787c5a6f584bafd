// Runs a lesson's variants one after another and polls the live one once a frame; the views draw what it holds.
#pragma once

#include "metrics/lesson_report.h"
#include "runtime/run.h"
#include "scenario/scenario.h"
#include "timeline/timeline_data.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTemporaryDir>
#include <QTimer>

#include <deque>
#include <future>

#include <memory>
#include <optional>
#include <vector>

namespace interleave::ui {

// One variant of the current run: live while `run` exists, then its finished trace in `result`. Shared: the views hold
// its timeline through RunController::timelineOf, which keeps the slot alive until they let go.
struct VariantSlot {
    QString name;                     // the variant's, or in a sweep "pool · workers=4"
    std::string variant;              // the lesson's variant it runs (empty for an imported trace)
    std::optional<double> sweepValue; // in a sweep: the swept parameter's value
    std::optional<double> theoryMs;   // in a sweep: the lesson's theory of its makespan at that value
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
    // `withPython`: after each variant, its listing (with these parameters) run in CPython under the tracer, drawn
    // below it on the same axis ("gather · CPython").
    void start(const core::Scenario& scenario, const std::vector<std::string>& variants,
               const core::ParameterValues& parameters, double timeScale, bool withPython = false);
    // The broker model's Redis (redis://HOST:PORT/DB) for the runs started from now on; "" = a private one per run.
    void setBrokerUrl(std::string url) { m_brokerUrl = std::move(url); }
    const std::string& brokerUrl() const { return m_brokerUrl; }
    // A sweep: the sweep's variant once per value of its parameter, one slot each ("pool · workers=4"), one after
    // another as start() runs variants. The report has no expectations then (they are about the lesson's variants),
    // and its speedups are against the first value.
    void startSweep(const core::Scenario& scenario, const core::SweepDecl& sweep,
                    const core::ParameterValues& parameters, double timeScale);
    // The sweep the controller holds (running or finished); nullopt for a run of variants.
    const std::optional<core::SweepDecl>& sweep() const { return m_sweep; }
    // How long start() with these arguments would take in wall time, summed over the variants (see
    // core::estimateDurationNs); throws as start() does.
    static std::int64_t estimateNs(const core::Scenario& scenario, const std::vector<std::string>& variants,
                                   const core::ParameterValues& parameters, double timeScale);
    // Shows finished runs that did not run here (a run file, an imported trace): every slot is finished, its
    // timeline rebuilt and the report computed (when there is a lesson; an import has none).
    void load(std::optional<core::Scenario> scenario, const core::ParameterValues& parameters,
              std::vector<core::VariantRun> runs);
    void load(std::optional<core::Scenario> scenario, const core::ParameterValues& parameters,
              std::vector<std::shared_ptr<VariantSlot>> slots);
    // A saved sweep (a run file's): `runs` are `sweep.variant` at each of `sweep.values`, in order.
    void loadSweep(const core::Scenario& scenario, const core::ParameterValues& parameters,
                   std::vector<core::VariantRun> runs, const core::SweepDecl& sweep);
    // A finished slot for a run that did not run here: analysed (when it was not yet) and its timeline built. Safe
    // on any thread (it touches no QObject), so a large import is prepared off the GUI thread.
    static std::shared_ptr<VariantSlot> finishedSlot(core::VariantRun run);
    // Stops the live variant (and skips the rest); finished() follows once every thread and worker is gone.
    void stop();
    bool isRunning() const { return m_running; }
    // Stops and waits: for closing the window during a run.
    void shutdown();

    const std::vector<std::shared_ptr<VariantSlot>>& slots() const { return m_slots; }
    const core::Scenario* scenario() const { return m_scenario ? &*m_scenario : nullptr; }
    const core::ParameterValues& parameters() const { return m_parameters; }
    // The report of the variants that have finished so far (brought up to date as each one ends).
    const core::LessonReport& report() const { return m_report; }
    int liveIndex() const { return m_live; }
    // What a view holds of slot `index`: its timeline, sharing ownership of the whole slot (the trace it points into,
    // the live Run), so that a view never outlives the data it draws.
    SharedTimeline timelineOf(std::size_t index) const;
    std::int64_t liveElapsedNs() const;
    // The run time of the oldest event the last frame added to the live timeline, -1 when it added none.
    std::int64_t frameOldestEventNs() const { return m_frameOldestNs; }
    // How long the last frame's drain of the engine took (part of the frame's poll time).
    std::int64_t lastDrainNs() const { return m_lastDrainNs; }
    std::size_t lastDrainCount() const { return m_lastDrainCount; } // and how many events it took
    // What the views did with the last frame (updating and painting), so that the next frame's drain and ingest
    // take what is left of the frame budget.
    void setLastViewsNs(std::int64_t ns) { m_lastViewsNs = ns; }

Q_SIGNALS:
    void started();
    // A variant's Run has started (its slot now has a live timeline to show).
    void variantStarted(int index);
    // Once a frame while running, after the live variant's new events were added to its timeline.
    // `pollNs` is how long taking them took.
    void frame(qint64 pollNs);
    void variantFinished(int index);
    void finished(bool stopped);

private:
    core::RunOptions runOptions(double timeScale) const;
    // A CPython run's plan: its program's output goes to a file of m_pythonFiles (its traceback is read from there).
    void preparePython(core::Plan& plan, const std::string& name);
    std::string pythonFile(const std::string& name, const char* suffix) const; // in m_pythonFiles, named after it
    std::string m_brokerUrl;
    QTemporaryDir m_pythonFiles; // the listings run in CPython, and what they printed
    // What finishing a variant computes off the GUI thread: the analysed result, its exact timeline and the report.
    struct Finished {
        core::VariantRun result;
        TimelineData timeline;
        core::LessonReport report;
        // The next variant's Run (built, not started) and its live timeline's room: making them took the GUI thread
        // 15-25 ms at 100,000 tasks, in the frame that swaps the finished variant in.
        std::unique_ptr<core::Run> nextRun;
        std::unique_ptr<TimelineData> nextTimeline;
        // A stopped run too large to analyse quickly (core::kAnalysedWhenStopped): its live timeline stays, and
        // `timeline` is empty.
        bool keepLiveTimeline = false;
    };
    void begin(const core::Scenario& scenario, const core::ParameterValues& parameters,
               std::vector<std::shared_ptr<VariantSlot>> slots);
    // What a sweep's report is about: the lesson without its expectations, its speedups against the first value.
    static core::Scenario sweptScenario(const core::Scenario& scenario, const std::string& firstSlot);
    void tick();
    void startVariant(int index);
    // Sizes a variant's live timeline for its plan (thread-safe: it touches only its arguments).
    static void prepareVariant(const core::Plan& plan, TimelineData& timeline);
    // A variant's Run ended: its trace is analysed, its timeline rebuilt and the report brought up to date on a
    // worker thread (seconds at 100,000 tasks), while the live timeline stays on screen and frames go on.
    void beginFinishing(VariantSlot& slot);
    void endFinishing(VariantSlot& slot);
    void waitForFinishing();
    void updateReport();
    static core::LessonReport reportOf(const std::optional<core::Scenario>& scenario,
                                       const core::ParameterValues& parameters,
                                       const std::vector<const core::VariantRun*>& runs);

    std::optional<core::Scenario> m_scenario;
    std::optional<core::SweepDecl> m_sweep;
    core::ParameterValues m_parameters;
    core::LessonReport m_report;
    std::vector<std::shared_ptr<VariantSlot>> m_slots;
    QTimer m_frameTimer;
    std::future<std::unique_ptr<Finished>> m_finishing; // valid while the live variant is being finished
    // What the finishing worker prepared for the variant after it (Finished::nextRun), until startVariant takes it.
    int m_preparedIndex = -1;
    std::unique_ptr<core::Run> m_preparedRun;
    std::unique_ptr<TimelineData> m_preparedTimeline;
    // Lets go of a finished variant's engine and live timeline without a long frame: at 100,000 tasks they are a
    // million blocks, 75-100 ms of free(). The engine and recorder (allocated by the run's threads) are freed on a
    // thread of their own, each disposal after the one before; the live timeline, which this thread allocated, is
    // freed here a slice at a time (shedTimelines): freed on another thread, it held the allocator's lock that this
    // thread's every frame needs, and a frame waited for a low-priority thread. shutdown frees what is left.
    void disposeLater(std::unique_ptr<core::Run> run, std::unique_ptr<TimelineData> timeline);
    void shedTimelines();
    std::deque<std::unique_ptr<TimelineData>> m_shedding;
    QTimer m_shedTimer;
    void dropPending(); // forgets what is pending, keeping its blocks' memory
    std::future<void> m_disposal;
    // Drained but not yet in the live timeline (see tick): one block per drain, taken from the front. Never one vector
    // of everything pending, which grew (and was copied whole) all through a run whose ingest ran behind.
    std::deque<std::vector<core::Event>> m_pending;
    std::size_t m_pendingAt = 0;                         // into m_pending.front()
    std::vector<std::vector<core::Event>> m_spareBlocks; // emptied blocks, their memory kept for the next ones
    std::int64_t m_frameOldestNs = -1;
    std::int64_t m_lastDrainNs = 0;
    std::size_t m_lastDrainCount = 0;
    std::int64_t m_lastViewsNs = 0;
    int m_live = -1;
    bool m_running = false;
    bool m_stopRequested = false;
    QElapsedTimer m_sinceStop;
    static constexpr qint64 kStopGraceMs = 100; // see tick
};

} // namespace interleave::ui
