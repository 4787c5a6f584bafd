// Runs a lesson's variants: start, poll the trace every 50 ms, show progress, stop on Ctrl-C, collect the trace.
#include "lesson_session.h"

#include "broker/broker_protocol.h"
#include "broker/redis_client.h"
#include "commands.h"
#include "runtime/run.h"
#include "scenario/lesson_error.h"
#include "stop_signal.h"

#include <fmt/format.h>
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>

namespace interleave::cli {

namespace {

// Drained every 10 ms: the recorder recycles drained chunks of events instead of mapping fresh ones.
constexpr auto kPollInterval = std::chrono::milliseconds(10);
// At most this many events a poll, so that a poll ends in milliseconds however far the drain is behind (a burst of
// millions of events took 0.4 s to take in, its fresh pages faulted one by one) and a Ctrl-C is seen soon.
constexpr std::size_t kDrainPerPoll = 1U << 18U;
// How long a stopped run may take to cancel and free its tasks before the CLI reports it and leaves the rest to the
// process's exit: a gather of a million tasks took 1.3 s to tear down, and a stop is to take at most 200 ms.
constexpr auto kStopGrace = std::chrono::milliseconds(120);

// A stopped run that had more tasks than this alive is left running at once rather than after the grace: ending a
// task's coroutine frames and timers takes about 1.3 µs (a million took 1.3 s), so it would not end within it.
constexpr std::uint64_t kEndsWithinGrace = 80'000;

// A broker run is never left running: its teardown stops its workers and its private Redis, and deletes its keys
// from a shared one, within a second or so.
constexpr auto kBrokerStopGrace = std::chrono::seconds(10);

struct StopMoment {
    std::chrono::steady_clock::time_point at;
    std::uint64_t alive = 0; // tasks alive then
    bool broker = false;

    StopMoment(const core::Run& run, bool brokerRun)
        : at(std::chrono::steady_clock::now()),
          alive(run.tasksCreated() - std::min(run.tasksFinished(), run.tasksCreated())), broker(brokerRun) {}
    bool leaveRunning() const {
        if (broker) {
            return std::chrono::steady_clock::now() - at > kBrokerStopGrace;
        }
        return alive > kEndsWithinGrace || std::chrono::steady_clock::now() - at > kStopGrace;
    }
};

// Once stopped, the run is analysed only while small (core::kAnalysedWhenStopped): nothing more is drained past that.
void pollStopped(core::Run& run) {
    if (run.trace().events.size() <= core::kAnalysedWhenStopped) {
        run.pollTrace(std::min(kDrainPerPoll, core::kAnalysedWhenStopped));
    }
}

} // namespace

core::VariantRun runPlan(const std::string& label, core::Plan plan, ProgressLine& progress) {
    const std::string variant = plan.variant;
    const double timeScale = plan.options.timeScale;
    const bool broker = plan.model == core::Model::Broker;
    auto run = std::make_unique<core::Run>(std::move(plan));
    std::optional<StopMoment> stoppedAt;
    run->start();
    bool toldJoin = false;
    while (!run->waitFor(kPollInterval)) {
        if (!toldJoin && broker) {
            // On stderr, beside the progress: stdout may be a JSON document.
            if (const std::string join = run->brokerJoinCommand(); !join.empty()) {
                progress.clear();
                fmt::print(stderr, "{} {}: add a worker with: {}\n", label, variant, join);
                toldJoin = true;
            }
        }
        if (!stoppedAt && stopSignal() != 0) {
            run->requestStop();
            stoppedAt.emplace(*run, broker);
        }
        if (!stoppedAt) {
            run->pollTrace(kDrainPerPoll);
        } else if (stoppedAt->leaveRunning()) {
            break; // left running: the engine goes on cancelling on its own thread until the process exits
        } else {
            pollStopped(*run);
        }
        progress.show(label, variant, run->elapsedNs(), run->tasksFinished(), run->tasksCreated());
    }
    // The rest of a finished run's events, a bounded drain at a time, so that a Ctrl-C now is seen as well; once
    // stopped, only while the run is small enough to analyse.
    const bool stoppedWhileRunning = stoppedAt.has_value();
    while (run->finished() && !run->traceComplete()) {
        if (!stoppedAt && stopSignal() != 0) {
            stoppedAt.emplace(*run, broker);
        }
        if (stoppedAt && run->trace().events.size() > core::kAnalysedWhenStopped) {
            break;
        }
        if (run->pollTrace(kDrainPerPoll) == 0) {
            run->pollTrace(); // what the bound's cutoff could not split
        }
    }
    const bool stopRequested = stoppedAt.has_value();
    core::VariantRun result;
    result.variant = variant;
    result.timeScale = timeScale;
    // A run stopped before it finished, left running, or stopped while its events were collected is reported stopped,
    // with the events drained so far (the trace is this thread's, and nothing drains it again).
    result.outcome = run->finished() && !(stopRequested && !stoppedWhileRunning)
                         ? run->outcome()
                         : core::RunOutcome{core::RunStatus::Stopped, {}};
    result.trace = run->takeTrace();
    progress.clear();
    if (!stopRequested) {
        // The engine's tasks are gone, but malloc keeps their pages (a million tasks' coroutine frames: 1.3 GB) until
        // the process ends: handed back now, the analysis and the figure run in less memory, and a Ctrl-C during them
        // exits in half the time (the exit's release of those pages alone took 0.15 s).
        run.reset();
        malloc_trim(0);
    }
    if (stopRequested) {
        // The session ends here: the run's memory (a million coroutine frames and their timers took 0.6 s to free
        // one by one) goes back with the process's exit, all at once.
        leaveToExit(run);
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
        leaveToExit(run);
    }
    return result;
}

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

core::RunOptions runOptionsFrom(const RunSettings& settings) {
    core::RunOptions options;
    options.timeScale = settings.timeScale;
    options.seed = settings.seed;
    if (!settings.broker.empty()) {
        try {
            core::parseBrokerUrl(settings.broker);
        } catch (const core::BrokerError& error) {
            throw core::UsageError(error.what());
        }
        options.brokerUrl = settings.broker;
    }
    if (!settings.brokerRunId.empty() && !core::isValidRunId(settings.brokerRunId)) {
        throw core::UsageError(
            fmt::format("--broker-run '{}': a run id is letters, digits and '-', at most 64", settings.brokerRunId));
    }
    options.brokerRunId = settings.brokerRunId;
    return options;
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
        result.runs.push_back(runPlan(m_scenario.alias(), std::move(plan), progress));
    }
    m_plans.clear();
    result.stopSignal = stopSignal();
    return result;
}

} // namespace interleave::cli
