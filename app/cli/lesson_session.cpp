// Runs a lesson's variants: start, poll the trace every 50 ms, show progress, stop on Ctrl-C, collect the trace.
#include "lesson_session.h"

#include "runtime/run.h"
#include "scenario/lesson_error.h"
#include "stop_signal.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>

namespace interleave::cli {

namespace {

// Drained every 10 ms: the recorder recycles drained chunks of events instead of mapping fresh ones.
constexpr auto kPollInterval = std::chrono::milliseconds(10);
// How long a stopped run may take to cancel and free its tasks before the CLI reports it and leaves the rest to the
// process's exit: a gather of a million tasks took 1.3 s to tear down, and a stop is to take at most 200 ms.
constexpr auto kStopGrace = std::chrono::milliseconds(120);

core::VariantRun runOne(const core::Scenario& scenario, core::Plan plan, ProgressLine& progress) {
    const std::string variant = plan.variant;
    const double timeScale = plan.options.timeScale;
    auto run = std::make_unique<core::Run>(std::move(plan));
    std::optional<std::chrono::steady_clock::time_point> stoppedAt;
    run->start();
    bool leftRunning = false;
    while (!run->waitFor(kPollInterval)) {
        // Once stopped, a bounded drain: a million cancelled tasks' events would take a third of a second, and a
        // run that large is not analysed anyway.
        run->pollTrace(stoppedAt ? core::kAnalysedWhenStopped : core::Recorder::kNoLimit);
        if (!stoppedAt && stopSignal() != 0) {
            run->requestStop();
            stoppedAt = std::chrono::steady_clock::now();
        }
        if (stoppedAt && std::chrono::steady_clock::now() - *stoppedAt > kStopGrace) {
            leftRunning = true;
            break;
        }
        progress.show(scenario.alias(), variant, run->elapsedNs(), run->tasksFinished(), run->tasksCreated());
    }
    const bool stopRequested = stoppedAt.has_value();
    core::VariantRun result;
    result.variant = variant;
    result.timeScale = timeScale;
    if (leftRunning) {
        // The events drained so far (the trace is this thread's, and nothing drains it again); the engine goes on
        // cancelling on its own thread until the process exits.
        result.trace = run->takeTrace();
        result.outcome.status = core::RunStatus::Stopped;
    } else {
        run->pollTrace(stoppedAt ? core::kAnalysedWhenStopped : core::Recorder::kNoLimit);
        result.trace = run->takeTrace();
        result.outcome = run->outcome();
    }
    progress.clear();
    if (stopRequested) {
        // The session ends here: the run's memory (a million coroutine frames and their timers took 0.6 s to free
        // one by one) goes back with the process's exit, all at once.
        static_cast<void>(run.release());
        leaveTeardownToExit();
    }
    if (stopRequested && result.trace.events.size() > core::kAnalysedWhenStopped) {
        result.outcome.error = core::notAnalysedMessage(result.trace.events.size());
        return result;
    }
    try {
        // A stop that comes while a finished run is analysed (a million tasks: most of a second) ends the session
        // there; a run stopped earlier, and small enough, is analysed whole.
        result.analysis = core::analyze(
            result.trace, stopRequested ? core::StopCheck() : core::StopCheck([] { return stopSignal() != 0; }));
    } catch (const core::WorkStopped&) {
        result.outcome.status = core::RunStatus::Stopped;
        result.outcome.error =
            fmt::format("stopped while its {} events were analysed; not analysed", result.trace.events.size());
        static_cast<void>(run.release());
        leaveTeardownToExit();
    }
    return result;
}

} // namespace

bool SessionResult::anyRunFailed() const {
    return std::any_of(runs.begin(), runs.end(),
                       [](const core::VariantRun& run) { return core::endedWithError(run.outcome.status); });
}

std::vector<std::string> selectVariants(const core::Scenario& scenario, const std::vector<std::string>& requested) {
    std::vector<std::string> all;
    for (const core::VariantDecl& variant : scenario.variants) {
        all.push_back(variant.name);
    }
    if (requested.empty()) {
        return all;
    }
    for (const std::string& name : requested) {
        if (scenario.findVariant(name) == nullptr) {
            throw core::UsageError(fmt::format("lesson {} ({}) has no variant '{}'; its variants are: {}",
                                               scenario.alias(), scenario.id, name, fmt::join(all, ", ")));
        }
    }
    return requested;
}

std::map<std::string, std::string> parseOverrides(const std::vector<std::string>& sets) {
    std::map<std::string, std::string> overrides;
    for (const std::string& set : sets) {
        const auto equals = set.find('=');
        if (equals == std::string::npos || equals == 0) {
            throw core::UsageError(fmt::format("--set expects name=value, got '{}'", set));
        }
        overrides[set.substr(0, equals)] = set.substr(equals + 1);
    }
    return overrides;
}

LessonSession::LessonSession(const core::Scenario& scenario, const core::ParameterValues& parameters,
                             const std::vector<std::string>& variants, const core::RunOptions& options)
    : m_scenario(scenario) {
    for (const std::string& name : selectVariants(scenario, variants)) {
        m_plans.push_back(core::compilePlan(scenario, *scenario.findVariant(name), parameters, options));
    }
}

SessionResult LessonSession::run(ProgressLine& progress) {
    SessionResult result;
    for (core::Plan& plan : m_plans) {
        if (stopSignal() != 0) {
            break;
        }
        result.runs.push_back(runOne(m_scenario, std::move(plan), progress));
    }
    m_plans.clear();
    result.stopSignal = stopSignal();
    return result;
}

} // namespace interleave::cli
