// Runs a lesson's variants one after another, polling the live one once a frame.
#include "app/run_controller.h"
#include "runtime/cores.h"

#include "metrics/sweep.h"
#include "python/python_script.h"
#include "runtime/plan.h"
#include "runtime/stop_wait.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

namespace interleave::ui {

namespace {
constexpr int kFrameIntervalMs = 16;
// A variant whose pools can keep every core busy shares them with the window: the window draws at half the rate
// then, so that its drawing takes half as much from the lesson it shows (the pools run in the background class and
// yield to it, see RunOptions::backgroundPools).
constexpr int kSaturatedFrameIntervalMs = 33;
// Of a 16 ms frame, for draining the run and adding new events to the live timeline: what the last frame's views
// and painting left of the target, between the bounds (a catching-up timeline draws more each frame, so its
// views cost more, and it takes less).
constexpr qint64 kFrameWorkTargetNs = 13'000'000;
constexpr qint64 kIngestBudgetMaxNs = 5'000'000;
constexpr qint64 kIngestBudgetMinNs = 1'500'000;
// Events drained from the run per frame, about 5 ms of it: after a stall the engine may have 100,000 waiting, and
// taking them all at once took one frame 25 ms. The timeline takes fewer than this per frame anyway.
constexpr std::size_t kDrainLimit = 30'000;
constexpr std::size_t kIngestChunk = 256;
constexpr std::int64_t kReservedTasksMax = 1'000'000; // the engine's own limit
} // namespace

RunController::RunController(QObject* parent) : QObject(parent) {
    m_frameTimer.setInterval(kFrameIntervalMs);
    m_frameTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_frameTimer, &QTimer::timeout, this, &RunController::tick);
    m_shedTimer.setInterval(3);
    connect(&m_shedTimer, &QTimer::timeout, this, &RunController::shedTimelines);
}

RunController::~RunController() {
    shutdown();
}

std::string RunController::pythonFile(const std::string& name, const char* suffix) const {
    std::string file = name;
    std::replace_if(
        file.begin(), file.end(), [](char c) { return c == '/' || c == ' '; }, '_');
    return m_pythonFiles.filePath(QString::fromStdString(file + suffix)).toStdString();
}

void RunController::preparePython(core::Plan& plan, const std::string& name) {
    plan.python.outputFile = pythonFile(name, ".out");
}

void RunController::start(const core::Scenario& scenario, const std::vector<std::string>& variants,
                          const core::ParameterValues& parameters, double timeScale, bool withPython) {
    shutdown();
    std::vector<std::shared_ptr<VariantSlot>> slots;
    const core::RunOptions options = runOptions(timeScale);
    for (const std::string& name : variants) {
        const core::VariantDecl* variant = scenario.findVariant(name);
        if (variant == nullptr) {
            throw core::UsageError("lesson '" + scenario.id + "' has no variant '" + name + "'");
        }
        auto slot = std::make_shared<VariantSlot>();
        slot->name = QString::fromStdString(name);
        slot->variant = name;
        slot->plan = core::compilePlan(scenario, *variant, parameters, options);
        if (slot->plan.model == core::Model::Python) {
            preparePython(slot->plan, name);
        }
        slots.push_back(std::move(slot));
        if (withPython && variant->model != core::Model::Python) {
            const std::string listing = pythonFile(name, ".py");
            std::ofstream(listing) << scenario.renderListing(*variant, parameters);
            const core::VariantDecl python = core::cpythonVariant(*variant, listing);
            auto pythonSlot = std::make_shared<VariantSlot>();
            pythonSlot->name = QString::fromStdString(python.name);
            pythonSlot->variant = python.name;
            pythonSlot->plan = core::compilePlan(scenario, python, parameters, options);
            preparePython(pythonSlot->plan, python.name);
            slots.push_back(std::move(pythonSlot));
        }
    }
    m_sweep.reset();
    begin(scenario, parameters, std::move(slots));
}

core::RunOptions RunController::runOptions(double timeScale) const {
    core::RunOptions options;
    options.timeScale = timeScale;
    options.backgroundPools = true; // a lesson that keeps every core busy still leaves the window its frames
    options.brokerUrl = m_brokerUrl;
    return options;
}

void RunController::startSweep(const core::Scenario& scenario, const core::SweepDecl& sweep,
                               const core::ParameterValues& parameters, double timeScale) {
    shutdown();
    const core::VariantDecl* variant = scenario.findVariant(sweep.variant);
    if (variant == nullptr) {
        throw core::UsageError("lesson '" + scenario.id + "' has no variant '" + sweep.variant + "'");
    }
    if (sweep.values.empty()) {
        throw core::UsageError("a sweep of '" + sweep.parameter + "' needs at least one value");
    }
    const core::RunOptions options = runOptions(timeScale);
    std::vector<std::shared_ptr<VariantSlot>> slots;
    for (const double value : sweep.values) {
        core::ParameterValues values = parameters;
        values[sweep.parameter] = value;
        auto slot = std::make_shared<VariantSlot>();
        slot->name = QStringLiteral("%1 · %2=%3")
                         .arg(QString::fromStdString(sweep.variant), QString::fromStdString(sweep.parameter))
                         .arg(value);
        slot->variant = sweep.variant;
        slot->sweepValue = value;
        slot->theoryMs = core::sweepTheoryMs(sweep, values);
        slot->plan = core::compilePlan(scenario, *variant, values, options);
        slots.push_back(std::move(slot));
    }
    const core::Scenario swept = sweptScenario(scenario, slots.front()->name.toStdString());
    m_sweep = sweep;
    begin(swept, parameters, std::move(slots));
}

core::Scenario RunController::sweptScenario(const core::Scenario& scenario, const std::string& firstSlot) {
    core::Scenario swept = scenario;
    swept.expectations.clear();
    swept.baseline = firstSlot;
    return swept;
}

void RunController::loadSweep(const core::Scenario& scenario, const core::ParameterValues& parameters,
                              std::vector<core::VariantRun> runs, const core::SweepDecl& sweep) {
    std::vector<std::shared_ptr<VariantSlot>> slots;
    for (std::size_t index = 0; index < runs.size() && index < sweep.values.size(); ++index) {
        std::shared_ptr<VariantSlot> slot = finishedSlot(std::move(runs[index]));
        core::ParameterValues values = parameters;
        values[sweep.parameter] = sweep.values[index];
        slot->variant = sweep.variant;
        slot->sweepValue = sweep.values[index];
        slot->theoryMs = core::sweepTheoryMs(sweep, values);
        slots.push_back(std::move(slot));
    }
    if (slots.empty()) {
        load(scenario, parameters, std::move(slots));
        return;
    }
    const std::string first = slots.front()->name.toStdString(); // before the slots move into the call
    load(sweptScenario(scenario, first), parameters, std::move(slots));
    m_sweep = sweep; // after load, which forgets any sweep
}

void RunController::begin(const core::Scenario& scenario, const core::ParameterValues& parameters,
                          std::vector<std::shared_ptr<VariantSlot>> slots) {
    m_scenario = scenario;
    m_parameters = parameters;
    m_slots = std::move(slots);
    updateReport();
    m_running = true;
    m_stopRequested = false;
    Q_EMIT started();
    startVariant(0);
}

std::int64_t RunController::estimateNs(const core::Scenario& scenario, const std::vector<std::string>& variants,
                                       const core::ParameterValues& parameters, double timeScale) {
    core::RunOptions options;
    options.timeScale = timeScale;
    std::int64_t total = 0;
    for (const std::string& name : variants) {
        if (const core::VariantDecl* variant = scenario.findVariant(name)) {
            const core::Plan plan = core::compilePlan(scenario, *variant, parameters, options);
            total += core::estimateDurationNs(scenario, plan, parameters);
        }
    }
    return total;
}

std::shared_ptr<VariantSlot> RunController::finishedSlot(core::VariantRun run) {
    auto slot = std::make_shared<VariantSlot>();
    slot->name = QString::fromStdString(run.variant);
    slot->variant = run.variant;
    if (run.analysis.spans.empty() && !run.trace.events.empty()) {
        run.analysis = core::analyze(run.trace);
    }
    slot->result = std::move(run);
    slot->timeline.rebuild(slot->result.trace,
                           slot->result.timeScale); // after the move: the timeline keeps a pointer to this trace
    slot->finished = true;
    return slot;
}

void RunController::load(std::optional<core::Scenario> scenario, const core::ParameterValues& parameters,
                         std::vector<core::VariantRun> runs) {
    std::vector<std::shared_ptr<VariantSlot>> slots;
    for (core::VariantRun& run : runs) {
        slots.push_back(finishedSlot(std::move(run)));
    }
    load(std::move(scenario), parameters, std::move(slots));
}

void RunController::load(std::optional<core::Scenario> scenario, const core::ParameterValues& parameters,
                         std::vector<std::shared_ptr<VariantSlot>> slots) {
    shutdown();
    m_scenario = std::move(scenario);
    m_sweep.reset();
    m_parameters = parameters;
    m_slots = std::move(slots);
    m_stopRequested = false;
    updateReport();
}

void RunController::prepareVariant(const core::Plan& plan, TimelineData& timeline) {
    timeline.setTimeScale(plan.options.timeScale);
    timeline.reserveTasks(static_cast<std::size_t>(std::min<std::int64_t>(plan.taskCount, kReservedTasksMax)));
}

void RunController::startVariant(int index) {
    if (m_preparedRun != nullptr && m_preparedIndex != index) {
        disposeLater(std::move(m_preparedRun), std::move(m_preparedTimeline)); // stopped: never started
        m_preparedIndex = -1;
    }
    if (index >= static_cast<int>(m_slots.size())) {
        m_live = -1;
        m_running = false;
        m_frameTimer.stop();
        Q_EMIT finished(m_stopRequested);
        return;
    }
    m_live = index;
    dropPending();
    VariantSlot& slot = *m_slots[static_cast<std::size_t>(index)];
    if (m_preparedIndex == index && m_preparedRun != nullptr) {
        slot.timeline = std::move(*m_preparedTimeline);
        slot.run = std::move(m_preparedRun);
        m_preparedTimeline.reset();
        m_preparedIndex = -1;
    } else {
        prepareVariant(slot.plan, slot.timeline);
        slot.run = std::make_unique<core::Run>(slot.plan);
    }
    const auto cores = static_cast<std::int64_t>(core::usableCores());
    // Threads under a GIL run one at a time: they leave the window a core.
    const bool saturating = std::max<std::int64_t>(slot.plan.gil ? 0 : slot.plan.threads, slot.plan.processes) >= cores;
    m_frameTimer.setInterval(saturating ? kSaturatedFrameIntervalMs : kFrameIntervalMs);
    slot.run->start();
    if (!m_frameTimer.isActive()) {
        m_frameTimer.start();
    }
    Q_EMIT variantStarted(index);
}

SharedTimeline RunController::timelineOf(std::size_t index) const {
    const std::shared_ptr<VariantSlot>& slot = m_slots.at(index);
    return SharedTimeline(slot, &slot->timeline);
}

void RunController::tick() {
    if (m_live < 0) {
        return;
    }
    VariantSlot& slot = *m_slots[static_cast<std::size_t>(m_live)];
    if (m_finishing.valid()) {
        if (m_finishing.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
            Q_EMIT frame(0); // the live picture stays up (and the stall watch sees the window answer)
            return;
        }
        // The exact timeline goes up once: the views take it (and the next variant's live one) before the frame
        // that paints it, and that frame's work counts all of it.
        QElapsedTimer clock;
        clock.start();
        endFinishing(slot);
        const int finishedIndex = m_live;
        Q_EMIT variantFinished(finishedIndex);
        // A stop or a broken run ends the whole session.
        const bool last = m_stopRequested || slot.result.outcome.status == core::RunStatus::Failed ||
                          finishedIndex + 1 >= static_cast<int>(m_slots.size());
        if (!last) {
            startVariant(finishedIndex + 1);
        }
        Q_EMIT frame(clock.nsecsElapsed());
        if (last) {
            startVariant(static_cast<int>(m_slots.size()));
        }
        return;
    }
    QElapsedTimer clock;
    clock.start();
    // A stopped run that is still cancelling its tasks after the grace (a million of them take about a second) is
    // finished as it stands: the engine ends on the disposal thread, and the window has its Run button back.
    if (slot.run->finished() || (m_stopRequested && m_sinceStop.hasExpired(kStopGraceMs))) {
        // The exact timeline is built from the whole trace off this thread, which drains what is left: what is
        // still pending is not needed.
        m_lastDrainCount = 0;
        m_lastDrainNs = 0;
        dropPending();
        m_frameOldestNs = -1;
        beginFinishing(slot);
        Q_EMIT frame(clock.nsecsElapsed());
        return;
    }
    m_lastDrainCount = slot.run->pollTrace(kDrainLimit);
    m_lastDrainNs = clock.nsecsElapsed();
    // Ten thousand tasks starting at once are a burst of events: the timeline takes them a budget's worth per frame,
    // so that a frame's work is bounded and the window keeps answering while it catches up. With nothing pending, the
    // drained batch goes in straight from the run; only what the budget leaves is kept, in a block whose memory is
    // reused from drain to drain (a fresh one faulted its pages in every time).
    const qint64 budgetNs = std::clamp(kFrameWorkTargetNs - m_lastViewsNs, kIngestBudgetMinNs, kIngestBudgetMaxNs);
    std::span<const core::Event> batch = slot.run->lastBatch();
    m_frameOldestNs = !m_pending.empty() ? m_pending.front()[m_pendingAt].timeNs
                      : !batch.empty()   ? batch.front().timeNs
                                         : -1;
    auto ingest = [&](std::span<const core::Event> events) {
        std::size_t taken = 0;
        while (taken < events.size() && clock.nsecsElapsed() < budgetNs) {
            const std::size_t count = std::min(kIngestChunk, events.size() - taken);
            slot.timeline.appendLive(slot.run->trace(), events.subspan(taken, count));
            taken += count;
        }
        return taken;
    };
    while (!m_pending.empty() && clock.nsecsElapsed() < budgetNs) {
        std::vector<core::Event>& block = m_pending.front();
        m_pendingAt += ingest(std::span<const core::Event>(block).subspan(m_pendingAt));
        if (m_pendingAt == block.size()) {
            block.clear();
            m_spareBlocks.push_back(std::move(block));
            m_pending.pop_front();
            m_pendingAt = 0;
        }
    }
    if (m_pending.empty()) {
        batch = batch.subspan(ingest(batch));
    }
    if (!batch.empty()) {
        std::vector<core::Event> block;
        if (!m_spareBlocks.empty()) {
            block = std::move(m_spareBlocks.back());
            m_spareBlocks.pop_back();
        }
        block.assign(batch.begin(), batch.end());
        m_pending.push_back(std::move(block));
    }
    Q_EMIT frame(clock.nsecsElapsed());
}

void RunController::dropPending() {
    for (std::vector<core::Event>& block : m_pending) {
        block.clear();
        m_spareBlocks.push_back(std::move(block));
    }
    m_pending.clear();
    m_pendingAt = 0;
    // A few blocks as large as the largest bursts are worth keeping; more is memory held for nothing.
    constexpr std::size_t kSpareBlocksKept = 8;
    if (m_spareBlocks.size() > kSpareBlocksKept) {
        m_spareBlocks.resize(kSpareBlocksKept);
    }
}

core::LessonReport RunController::reportOf(const std::optional<core::Scenario>& scenario,
                                           const core::ParameterValues& parameters,
                                           const std::vector<const core::VariantRun*>& runs) {
    core::LessonReport report;
    if (!scenario) {
        // An imported trace: no lesson, so no expectations; each variant's figures still (and no trace copy).
        for (const core::VariantRun* run : runs) {
            report.variants.push_back(core::summarize(*run, nullptr));
        }
        return report;
    }
    return core::buildReport(*scenario, parameters, runs);
}

void RunController::beginFinishing(VariantSlot& slot) {
    const bool leftRunning = !slot.run->finished(); // stopped, and still cancelling its tasks
    if (!leftRunning) {
        slot.run->wait(); // the run said it finished: its threads and workers are gone, this returns at once
    }
    // The worker reads the finished run's trace and the earlier results; nothing writes them until endFinishing.
    std::vector<const core::VariantRun*> earlier;
    for (const auto& other : m_slots) {
        if (other->finished) {
            earlier.push_back(&other->result);
        }
    }
    // The worker is the run's consumer from here on (tick polls no more until endFinishing): it drains the rest.
    core::Run* run = slot.run.get();
    // The slots, and so the next one's plan, stay as they are until the worker is done (see waitForFinishing).
    const auto next = static_cast<std::size_t>(m_live + 1);
    const core::Plan* nextPlan = next < m_slots.size() && !m_stopRequested ? &m_slots[next]->plan : nullptr;
    m_finishing =
        std::async(std::launch::async, [run, name = slot.name.toStdString(), timeScale = slot.plan.options.timeScale,
                                        earlier, scenario = m_scenario, parameters = m_parameters, nextPlan,
                                        stopped = m_stopRequested, leftRunning]() mutable {
            core::runAtLowPriority(); // the window stays smooth while this takes the other core
            auto done = std::make_unique<Finished>();
            // Stopped, at most what a quick stop can take in, and nothing more once the run is already too large to
            // analyse (a million tasks left millions of events to drain: 0.4 s); the rest of a stopped run is not
            // kept.
            if (!stopped) {
                run->pollTrace();
            } else if (run->trace().events.size() <= core::kAnalysedWhenStopped) {
                run->pollTrace(core::kAnalysedWhenStopped);
            }
            done->result.variant = std::move(name);
            // The events move (a million tasks' are hundreds of MB); the names and lanes are copied, because the window
            // still draws the live timeline, which reads them from the run, until endFinishing.
            done->result.trace = run->takeEvents();
            // Left running, its outcome is not final yet: it is a stopped run, with the events drained so far.
            done->result.outcome = leftRunning ? core::RunOutcome{core::RunStatus::Stopped, {}} : run->outcome();
            done->result.timeScale = timeScale;
            if (stopped && done->result.trace.events.size() > core::kAnalysedWhenStopped) {
                done->result.outcome.error = core::notAnalysedMessage(done->result.trace.events.size());
                done->keepLiveTimeline = true; // what the window shows is what the stop left
            } else {
                done->result.analysis = core::analyze(done->result.trace);
                done->timeline.rebuild(done->result.trace, timeScale); // exact spans now that every event is in
            }
            earlier.push_back(&done->result);
            done->report = reportOf(scenario, parameters, earlier);
            if (nextPlan != nullptr) {
                done->nextTimeline = std::make_unique<TimelineData>();
                prepareVariant(*nextPlan, *done->nextTimeline);
                done->nextRun = std::make_unique<core::Run>(*nextPlan);
            }
            return done;
        });
}

void RunController::endFinishing(VariantSlot& slot) {
    std::unique_ptr<Finished> done = m_finishing.get();
    slot.result = std::move(done->result);
    if (done->keepLiveTimeline) {
        slot.timeline.retarget(slot.run->trace(), slot.result.trace); // the run goes; its names stay
        disposeLater(std::move(slot.run), nullptr);
    } else {
        auto live = std::make_unique<TimelineData>(std::move(slot.timeline)); // moves its blocks, frees nothing
        slot.timeline = std::move(done->timeline);
        slot.timeline.retarget(done->result.trace, slot.result.trace); // the trace it was built from moved
        disposeLater(std::move(slot.run), std::move(live));
    }
    slot.finished = true;
    m_report = std::move(done->report);
    if (done->nextRun != nullptr) {
        m_preparedIndex = m_live + 1;
        m_preparedRun = std::move(done->nextRun);
        m_preparedTimeline = std::move(done->nextTimeline);
    }
}

void RunController::disposeLater(std::unique_ptr<core::Run> run, std::unique_ptr<TimelineData> timeline) {
    if (timeline != nullptr) {
        m_shedding.push_back(std::move(timeline));
        m_shedTimer.start();
    }
    m_disposal = std::async(std::launch::async, [run = std::move(run), before = std::move(m_disposal)]() mutable {
        core::runAtLowPriority(); // freeing a large run's pages took half the window's core at a variant switch
        if (before.valid()) {
            before.wait();
        }
        run.reset(); // finished: its threads are joined and its workers reaped, so this only frees memory
    });
}

void RunController::shedTimelines() {
    // About a millisecond per turn, between frames.
    constexpr qint64 kSliceNs = 1'000'000;
    constexpr std::size_t kLanesPerStep = 512;
    QElapsedTimer clock;
    clock.start();
    while (!m_shedding.empty() && clock.nsecsElapsed() < kSliceNs) {
        if (!m_shedding.front()->shed(kLanesPerStep)) {
            m_shedding.pop_front(); // what is left is a few blocks
        }
    }
    if (m_shedding.empty()) {
        m_shedTimer.stop();
    }
}

void RunController::waitForFinishing() {
    if (m_finishing.valid()) {
        m_finishing.wait();
        m_finishing = {};
    }
}

void RunController::stop() {
    if (!m_running || m_live < 0) {
        return;
    }
    m_stopRequested = true;
    m_sinceStop.start();
    m_slots[static_cast<std::size_t>(m_live)]->run->requestStop();
}

void RunController::shutdown() {
    m_frameTimer.stop();
    waitForFinishing();
    if (m_disposal.valid()) {
        m_disposal.wait();
    }
    m_shedTimer.stop();
    m_shedding.clear();
    for (auto& slot : m_slots) {
        if (slot->run) {
            slot->run->requestStop();
            slot->run->wait();
        }
    }
    m_running = false;
    m_live = -1;
}

void RunController::updateReport() {
    std::vector<const core::VariantRun*> runs;
    for (const auto& slot : m_slots) {
        if (slot->finished) {
            runs.push_back(&slot->result);
        }
    }
    m_report = reportOf(m_scenario, m_parameters, runs);
}

std::int64_t RunController::liveElapsedNs() const {
    if (m_live < 0) {
        return 0;
    }
    const auto& slot = m_slots[static_cast<std::size_t>(m_live)];
    return slot->run ? slot->run->elapsedNs() : 0;
}

} // namespace interleave::ui
