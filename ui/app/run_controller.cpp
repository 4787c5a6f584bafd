// Runs a lesson's variants one after another, polling the live one once a frame.
#include "app/run_controller.h"

#include "runtime/plan.h"

namespace interleave::ui {

namespace {
constexpr int kFrameIntervalMs = 16;
}

RunController::RunController(QObject* parent) : QObject(parent) {
    m_frameTimer.setInterval(kFrameIntervalMs);
    m_frameTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_frameTimer, &QTimer::timeout, this, &RunController::tick);
}

RunController::~RunController() {
    shutdown();
}

void RunController::start(const core::Scenario& scenario, const std::vector<std::string>& variants,
                          const core::ParameterValues& parameters, double timeScale) {
    shutdown();
    std::vector<std::unique_ptr<VariantSlot>> slots;
    core::RunOptions options;
    options.timeScale = timeScale;
    for (const std::string& name : variants) {
        const core::VariantDecl* variant = scenario.findVariant(name);
        if (variant == nullptr) {
            throw core::UsageError("lesson '" + scenario.id + "' has no variant '" + name + "'");
        }
        auto slot = std::make_unique<VariantSlot>();
        slot->name = QString::fromStdString(name);
        slot->plan = core::compilePlan(scenario, *variant, parameters, options);
        slots.push_back(std::move(slot));
    }
    m_scenario = scenario;
    m_parameters = parameters;
    m_slots = std::move(slots);
    updateReport();
    m_running = true;
    m_stopRequested = false;
    Q_EMIT started();
    startVariant(0);
}

std::unique_ptr<VariantSlot> RunController::finishedSlot(core::VariantRun run) {
    auto slot = std::make_unique<VariantSlot>();
    slot->name = QString::fromStdString(run.variant);
    if (run.analysis.spans.empty() && !run.trace.events.empty()) {
        run.analysis = core::analyze(run.trace);
    }
    slot->result = std::move(run);
    slot->timeline.rebuild(slot->result.trace); // after the move: the timeline keeps a pointer to this trace
    slot->finished = true;
    return slot;
}

void RunController::load(std::optional<core::Scenario> scenario, const core::ParameterValues& parameters,
                         std::vector<core::VariantRun> runs) {
    std::vector<std::unique_ptr<VariantSlot>> slots;
    for (core::VariantRun& run : runs) {
        slots.push_back(finishedSlot(std::move(run)));
    }
    load(std::move(scenario), parameters, std::move(slots));
}

void RunController::load(std::optional<core::Scenario> scenario, const core::ParameterValues& parameters,
                         std::vector<std::unique_ptr<VariantSlot>> slots) {
    shutdown();
    m_scenario = std::move(scenario);
    m_parameters = parameters;
    m_slots = std::move(slots);
    m_stopRequested = false;
    updateReport();
}

void RunController::startVariant(int index) {
    if (index >= static_cast<int>(m_slots.size())) {
        m_live = -1;
        m_running = false;
        m_frameTimer.stop();
        Q_EMIT finished(m_stopRequested);
        return;
    }
    m_live = index;
    VariantSlot& slot = *m_slots[static_cast<std::size_t>(index)];
    slot.run = std::make_unique<core::Run>(slot.plan);
    slot.run->start();
    if (!m_frameTimer.isActive()) {
        m_frameTimer.start();
    }
}

void RunController::tick() {
    if (m_live < 0) {
        return;
    }
    VariantSlot& slot = *m_slots[static_cast<std::size_t>(m_live)];
    QElapsedTimer clock;
    clock.start();
    const bool done = slot.run->finished();
    slot.run->pollTrace();
    slot.timeline.appendLive(slot.run->trace(), slot.run->lastBatch());
    const qint64 pollNs = clock.nsecsElapsed();
    if (done) {
        finishVariant(slot);
    }
    Q_EMIT frame(pollNs);
    if (done) {
        Q_EMIT variantFinished(m_live);
        if (m_stopRequested || slot.result.outcome.status == core::RunStatus::Failed) {
            startVariant(static_cast<int>(m_slots.size())); // a stop or a broken run ends the whole session
        } else {
            startVariant(m_live + 1);
        }
    }
}

void RunController::finishVariant(VariantSlot& slot) {
    slot.run->wait();
    slot.run->pollTrace();
    slot.result.variant = slot.name.toStdString();
    slot.result.trace = slot.run->trace();
    slot.result.outcome = slot.run->outcome();
    slot.result.timeScale = slot.plan.options.timeScale;
    slot.result.analysis = core::analyze(slot.result.trace);
    slot.run.reset();
    slot.timeline.rebuild(slot.result.trace); // exact spans now that every event is in
    slot.finished = true;
    updateReport();
}

void RunController::stop() {
    if (!m_running || m_live < 0) {
        return;
    }
    m_stopRequested = true;
    m_slots[static_cast<std::size_t>(m_live)]->run->requestStop();
}

void RunController::shutdown() {
    m_frameTimer.stop();
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
    if (!m_scenario) {
        // An imported trace: no lesson, so no expectations; each variant's figures still (and no trace copy).
        m_report = {};
        for (const auto& slot : m_slots) {
            if (slot->finished) {
                m_report.variants.push_back(core::summarize(slot->result, nullptr));
            }
        }
        return;
    }
    std::vector<core::VariantRun> runs;
    for (const auto& slot : m_slots) {
        if (slot->finished) {
            runs.push_back(slot->result);
        }
    }
    m_report = core::buildReport(*m_scenario, m_parameters, runs);
}

std::int64_t RunController::liveElapsedNs() const {
    if (m_live < 0) {
        return 0;
    }
    const auto& slot = m_slots[static_cast<std::size_t>(m_live)];
    return slot->run ? slot->run->elapsedNs() : 0;
}

} // namespace interleave::ui
