// Makes a variant concrete: evaluates every expression with the run's parameters and time scale, interns names,
// counts the tasks the program will create, and refuses plans that break a limit before anything starts.
#include "runtime/plan.h"
#include "broker/broker_plan.h"
#include "runtime/cores.h"

#include "scenario/op_table.h"
#include "scenario/primitive_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <thread>

namespace interleave::core {

namespace {

constexpr std::int64_t kMaxCount = 1'000'000'000'000'000LL; // 1e15: anything above cannot be meant

std::string formatDuration(double ns) {
    const double seconds = ns / 1e9;
    auto express = [](double value, std::string_view unit) {
        const double rounded = std::round(value * 10) / 10;
        return fmt::format("{} {}{}", formatNumber(rounded), unit, rounded == 1 ? "" : "s");
    };
    if (seconds >= 3600) {
        return express(seconds / 3600, "hour");
    }
    if (seconds >= 60) {
        return express(seconds / 60, "minute");
    }
    if (seconds >= 1) {
        return express(seconds, "second");
    }
    return fmt::format("{} ms", formatNumber(std::round(ns / 1e5) / 10));
}

std::int64_t saturatingAdd(std::int64_t a, std::int64_t b) {
    return a > std::numeric_limits<std::int64_t>::max() - b ? std::numeric_limits<std::int64_t>::max() : a + b;
}

std::int64_t saturatingMultiply(std::int64_t a, std::int64_t b) {
    if (a == 0 || b == 0) {
        return 0;
    }
    return a > std::numeric_limits<std::int64_t>::max() / b ? std::numeric_limits<std::int64_t>::max() : a * b;
}

bool usesThreadPlacement(const std::vector<Op>& steps) {
    return std::any_of(steps.begin(), steps.end(), [](const Op& op) {
        return op.placement == Placement::Threads || usesThreadPlacement(op.body) ||
               std::any_of(op.children.begin(), op.children.end(),
                           [](const ChildTemplate& child) { return usesThreadPlacement(child.body); });
    });
}

class PlanCompiler {
public:
    PlanCompiler(const Scenario& scenario, const VariantDecl& variant, ParameterValues values, RunOptions options,
                 const Limits& limits)
        : m_scenario(scenario), m_variant(variant), m_values(std::move(values)), m_options(std::move(options)),
          m_limits(limits) {
        if (m_values.find("cores") == m_values.end()) {
            m_values["cores"] = usableCores();
        }
    }

    Plan compile() {
        if (!(m_options.timeScale >= m_limits.minTimeScale && m_options.timeScale <= m_limits.maxTimeScale)) {
            throw UsageError(fmt::format("refused: time scale {} is outside the allowed range {} to {}",
                                         formatNumber(m_options.timeScale), formatNumber(m_limits.minTimeScale),
                                         formatNumber(m_limits.maxTimeScale)));
        }
        m_plan.lessonId = m_scenario.id;
        m_plan.variant = m_variant.name;
        m_plan.model = m_variant.model;
        m_plan.gil = m_variant.gil;
        m_plan.options = m_options;
        m_plan.maxBackoffNs = static_cast<std::int64_t>(static_cast<double>(m_plan.maxBackoffNs) * m_options.timeScale);
        compilePools();
        m_plan.switchIntervalNs = durationNs(m_variant.switchIntervalMs, "switch_interval_ms", m_variant.location);
        m_plan.heartbeatNs = durationNs(m_variant.heartbeatMs, "heartbeat_ms", m_variant.location);
        if (m_plan.gil && m_plan.switchIntervalNs <= 0) {
            throw LessonError(where(m_variant.switchIntervalMs, m_variant.location),
                              "switch_interval_ms must be above 0");
        }
        if (m_plan.model == Model::Async && m_plan.heartbeatNs <= 0) {
            throw LessonError(where(m_variant.heartbeatMs, m_variant.location), "heartbeat_ms must be above 0");
        }
        if (m_plan.model == Model::Broker) {
            compileBroker(*m_variant.broker);
            return std::move(m_plan);
        }
        if (m_plan.model == Model::Python) {
            // CPython runs its program at its own pace: slow motion does not apply (its times are real ones).
            m_plan.options.timeScale = 1.0;
            m_plan.python.script = m_variant.pythonScript;
            return std::move(m_plan);
        }
        m_onLoop = m_plan.model == Model::Async;
        m_plan.program = compileSteps(m_variant.program);
        countTasks();
        checkTotalDuration();
        return std::move(m_plan);
    }

private:
    bool m_onLoop = false; // the steps being compiled run on the event loop (where a task can be cancelled)
    static SourceLocation where(const Expression& expression, const SourceLocation& fallback) {
        return expression.location().line > 0 ? expression.location() : fallback;
    }

    double evaluate(const Expression& expression, const SourceLocation& fallback) {
        const double value = expression.evaluate(m_values);
        if (!std::isfinite(value)) {
            throw LessonError(where(expression, fallback),
                              fmt::format("'{}' gives {} with these parameters", expression.text(),
                                          std::isnan(value) ? "no number" : "an infinite value"));
        }
        return value;
    }

    std::int64_t wholeNumber(const Expression& expression, const SourceLocation& location, std::string_view what) {
        const double value = evaluate(expression, location);
        if (value < 0) {
            throw LessonError(location, fmt::format("{} is {}; it cannot be negative", what, formatNumber(value)));
        }
        if (value != std::floor(value)) {
            throw LessonError(where(expression, location),
                              fmt::format("{} '{}' gives {}, which is not a whole number; use ceil() or floor()", what,
                                          expression.text(), formatNumber(value)));
        }
        if (value > static_cast<double>(kMaxCount)) {
            throw UsageError(fmt::format("refused: {} is {} ({}); no count may exceed {}", what, formatNumber(value),
                                         location.toString(), formatNumber(static_cast<double>(kMaxCount))));
        }
        return static_cast<std::int64_t>(value);
    }

    std::int64_t durationNs(const Expression& expression, std::string_view what, const SourceLocation& location) {
        const double ms = evaluate(expression, location);
        if (ms < 0) {
            throw LessonError(location,
                              fmt::format("{} lasts {} ms; a duration cannot be negative", what, formatNumber(ms)));
        }
        const double ns = ms * 1e6 * m_options.timeScale;
        if (ns > static_cast<double>(m_limits.maxDurationNs)) {
            throw UsageError(fmt::format("refused: a step lasts {} ({} at {}); the limit is {} per step",
                                         formatDuration(ns), what, location.toString(),
                                         formatDuration(static_cast<double>(m_limits.maxDurationNs))));
        }
        return std::llround(ns);
    }

    int poolSize(const Expression& expression, std::string_view noun, int limit) {
        const SourceLocation location = where(expression, m_variant.location);
        const double value = evaluate(expression, location);
        if (value < 1 || value != std::floor(value)) {
            throw LessonError(location, fmt::format("the {} pool size '{}' gives {}; it must be a whole number of at "
                                                    "least 1",
                                                    noun, expression.text(), formatNumber(value)));
        }
        if (value > limit) {
            throw UsageError(fmt::format("refused: {} {} requested; the limit is {}", formatNumber(value),
                                         noun == "thread" ? "threads" : "worker processes", limit));
        }
        return static_cast<int>(value);
    }

    std::int64_t brokerCount(const Expression& expression, const BrokerDecl& broker, std::string_view what,
                             std::int64_t minimum, std::int64_t maximum) {
        const SourceLocation location = where(expression, broker.location);
        const std::int64_t value = wholeNumber(expression, location, what);
        if (value < minimum || value > maximum) {
            throw LessonError(location, fmt::format("{} '{}' gives {}; it must be from {} to {}", what,
                                                    expression.text(), value, minimum, maximum));
        }
        return value;
    }

    // Its counts and durations checked at their places; the jobs, the poison jobs and the crash drawn from the seed.
    void compileBroker(const BrokerDecl& decl) {
        constexpr std::int64_t kMaxJobs = 100'000;
        BrokerPlan& broker = m_plan.broker;
        const std::int64_t jobs = brokerCount(decl.jobs, decl, "jobs", 1, kMaxJobs);
        broker.workers = static_cast<int>(brokerCount(decl.workers, decl, "workers", 1, m_limits.maxProcesses));
        broker.crashes = static_cast<int>(brokerCount(decl.crash, decl, "crash", 0, broker.workers - 1));
        const std::int64_t poison = brokerCount(decl.poison, decl, "poison", 0, jobs);
        broker.maxDeliveries = brokerCount(decl.maxDeliveries, decl, "max_deliveries", 1, 100);
        broker.streamLimit = brokerCount(decl.streamLimit, decl, "stream_limit", 0, kMaxJobs);
        broker.ackOnReceipt = decl.ackOnReceipt;
        const std::int64_t meanNs = durationNs(decl.jobMs, "job_ms", where(decl.jobMs, decl.location));
        broker.visibilityNs = durationNs(decl.visibilityMs, "visibility_ms", where(decl.visibilityMs, decl.location));
        if (broker.visibilityNs < 1'000'000) {
            throw LessonError(where(decl.visibilityMs, decl.location), "visibility_ms must be at least 1 ms");
        }
        // A free worker blocks for new jobs at most a tenth of the visibility timeout (1 to 50 ms) before it looks
        // for stale ones again: a reclaim is late by at most that.
        broker.pollNs = std::clamp<std::int64_t>(broker.visibilityNs / 10, 1'000'000, 50'000'000);
        drawBrokerJobs(broker, jobs, poison, meanNs, m_options.seed);
        const double sumNs = static_cast<double>(meanNs) * static_cast<double>(jobs);
        const double idealNs = sumNs / broker.workers;
        m_plan.taskCount = jobs + 1;
        m_plan.stepCount = jobs * 8;
        m_plan.minimumDurationNs = std::llround(idealNs);
        if (sumNs > static_cast<double>(m_limits.maxDurationNs)) {
            throw UsageError(fmt::format("refused: the jobs take {} in all; the limit is {}", formatDuration(sumNs),
                                         formatDuration(static_cast<double>(m_limits.maxDurationNs))));
        }
    }

    void compilePools() {
        if (m_variant.threads) {
            m_plan.threads = poolSize(*m_variant.threads, "thread", m_limits.maxThreads);
        } else if (m_variant.model == Model::Async && usesThreadPlacement(m_variant.program)) {
            // Like Python's default executor: min(32, cores + 4) threads.
            m_plan.threads = std::min(32, static_cast<int>(m_values.at("cores")) + 4);
            if (m_plan.threads > m_limits.maxThreads) {
                throw UsageError(
                    fmt::format("refused: {} threads requested; the limit is {}", m_plan.threads, m_limits.maxThreads));
            }
        }
        if (m_variant.processes) {
            m_plan.processes = poolSize(*m_variant.processes, "process", m_limits.maxProcesses);
        }
        if (m_variant.messageCpuMs) {
            m_plan.messageCpuNs = durationNs(*m_variant.messageCpuMs, "message_cpu_ms",
                                             where(*m_variant.messageCpuMs, m_variant.location));
        }
        if (m_variant.cpus) {
            const SourceLocation location = where(*m_variant.cpus, m_variant.location);
            const double value = evaluate(*m_variant.cpus, location);
            if (value < 1 || value != std::floor(value)) {
                throw LessonError(location, fmt::format("cpus '{}' gives {}; it must be a whole number of at least 1",
                                                        m_variant.cpus->text(), formatNumber(value)));
            }
            // More than the run may use would pin nothing: it runs on what it has (cores says how many).
            m_plan.cpus = static_cast<int>(std::min(value, m_values.at("cores")));
        }
    }

    std::int32_t primitiveIndex(const std::string& name) {
        for (std::size_t i = 0; i < m_plan.primitives.size(); ++i) {
            if (m_plan.primitives[i].name == name) {
                return static_cast<std::int32_t>(i);
            }
        }
        const PrimitiveDecl& decl = *m_scenario.findPrimitive(name);
        PlanPrimitive primitive;
        primitive.name = decl.name;
        primitive.kind = decl.kind;
        primitive.nameId = m_plan.strings.intern(decl.name);
        const std::string what = fmt::format("the capacity of '{}'", decl.name);
        const PrimitiveInfo& info = primitiveInfo(decl.kind);
        primitive.capacity = decl.capacity && info.takesCapacity ? wholeNumber(*decl.capacity, decl.location, what)
                                                                 : info.defaultCapacity;
        if (primitive.capacity < info.minimumCapacity) {
            throw LessonError(decl.location, fmt::format("{} '{}' needs a capacity of at least {}", info.key, decl.name,
                                                         info.minimumCapacity));
        }
        m_plan.primitives.push_back(primitive);
        return static_cast<std::int32_t>(m_plan.primitives.size() - 1);
    }

    std::int32_t stageIndex(const std::string& name) {
        for (std::size_t i = 0; i < m_plan.stages.size(); ++i) {
            if (m_plan.stages[i].name == name) {
                return static_cast<std::int32_t>(i);
            }
        }
        m_plan.stages.push_back(PlanStage{name, m_plan.strings.intern(stageCounterName(name))});
        return static_cast<std::int32_t>(m_plan.stages.size() - 1);
    }

    std::vector<PlanStep> compileSteps(const std::vector<Op>& ops) {
        std::vector<PlanStep> steps;
        steps.reserve(ops.size());
        for (const Op& op : ops) {
            steps.push_back(compileStep(op));
        }
        return steps;
    }

    PlanStep compileStep(const Op& op) {
        PlanStep step;
        step.kind = op.kind;
        step.line = op.line;
        step.placement = op.placement;
        step.returnExceptions = op.returnExceptions;
        step.labelId = op.label.empty() ? 0 : m_plan.strings.intern(op.label);
        step.stage = op.stage.empty() ? -1 : stageIndex(op.stage);
        if (op.chunkSize) {
            step.chunkSize = wholeNumber(*op.chunkSize, op.location, "the chunk size");
            if (step.chunkSize < 1) {
                throw LessonError(op.location,
                                  fmt::format("the chunk size is {}; it must be at least 1", step.chunkSize));
            }
        }
        const OpInfo& info = opInfo(op.kind);
        switch (info.argument) {
        case OpArgument::Duration:
            step.durationNs = durationNs(*op.amount, info.key, op.location);
            break;
        case OpArgument::Count:
            step.count = wholeNumber(*op.amount, op.location, info.countText);
            if (step.count < info.minimumCount) {
                throw LessonError(op.location, fmt::format("{} is {}; '{}' needs at least {}", info.countText,
                                                           step.count, info.key, info.minimumCount));
            }
            break;
        case OpArgument::Probability:
            step.probability = evaluate(*op.amount, op.location);
            if (step.probability < 0 || step.probability > 1) {
                throw LessonError(op.location, fmt::format("{} probability {} must be between 0 and 1", info.key,
                                                           formatNumber(step.probability)));
            }
            break;
        default:
            break;
        }
        if (op.extra && op.kind == OpKind::Retry) {
            step.durationNs = durationNs(*op.extra, fmt::format("{} backoff", info.key), op.location);
            checkBackoffWaits(step, op.location);
        }
        if (op.extra && op.kind == OpKind::Acquire) {
            // lock.acquire(timeout=…): a thread's wait that gives up; asyncio's acquire takes none.
            if (m_onLoop) {
                throw LessonError(op.location, "asyncio's acquire() takes no timeout: put the acquire in a "
                                               "'timeout' step (asyncio.timeout) instead");
            }
            step.durationNs = durationNs(*op.extra, "acquire timeout", op.location);
            if (step.durationNs <= 0) {
                throw LessonError(op.location, "an acquire's timeout must be more than 0 ms");
            }
        }
        if (!op.target.empty()) {
            step.primitive = primitiveIndex(op.target);
            if (m_onLoop && m_plan.primitives[static_cast<std::size_t>(step.primitive)].kind == PrimitiveKind::RLock) {
                throw LessonError(op.location, fmt::format("'{}' is an rlock, which asyncio does not have: a thread "
                                                           "(model: threads, or an offload) can take one",
                                                           op.target));
            }
        }
        if (op.until != BufferTest::None) {
            // The wait's subject, drawn on the waiting lane: "cond: buf full" is why a producer waits.
            step.until = op.until;
            step.untilBuffer = primitiveIndex(op.untilTarget);
            if (step.labelId == 0) {
                step.labelId = m_plan.strings.intern(fmt::format("{}: {} {}", op.target, op.untilTarget,
                                                                 op.until == BufferTest::NotFull ? "full" : "empty"));
            }
        }
        if (info.loopOnly && !m_onLoop) {
            throw LessonError(op.location,
                              fmt::format("'{}' needs the event loop (model: async, outside an offload to a pool): "
                                          "a thread or a process cannot be cancelled",
                                          info.key));
        }
        // Offloaded bodies and children placed on a pool leave the loop.
        const bool leavesLoop =
            op.kind == OpKind::Offload || op.placement == Placement::Threads || op.placement == Placement::Processes;
        const bool onLoop = m_onLoop;
        m_onLoop = onLoop && !leavesLoop;
        step.body = compileSteps(op.body);
        for (const ChildTemplate& child : op.children) {
            PlanChild planChild;
            planChild.nameId = m_plan.strings.intern(child.name);
            planChild.count = wholeNumber(child.count, op.location, fmt::format("the count of '{}'", child.name));
            planChild.body = compileSteps(child.body);
            step.children.push_back(std::move(planChild));
        }
        m_onLoop = onLoop;
        return step;
    }

    // Items put on each queue over the whole run, counted with the multiplicity of the surrounding repeats and
    // fan-outs; a consume body runs at most that many times, which bounds the tasks it can create. Also the consume
    // loops on each queue, which share its items.
    void countPuts(const std::vector<PlanStep>& steps, std::int64_t multiplier) {
        for (const PlanStep& step : steps) {
            if (step.kind == OpKind::Put) {
                m_puts[step.primitive] = saturatingAdd(m_puts[step.primitive], multiplier);
            }
            if (step.kind == OpKind::Consume) {
                m_consumers[step.primitive] = saturatingAdd(m_consumers[step.primitive], multiplier);
            }
            const bool repeats = opInfo(step.kind).bodyRuns == OpBodyRuns::UpToCount;
            countPuts(step.body, repeats ? saturatingMultiply(multiplier, step.count) : multiplier);
            for (const PlanChild& child : step.children) {
                countPuts(child.body, saturatingMultiply(multiplier, child.count));
            }
        }
    }

    // Counts what `steps` run, with repeats, consume loops and children multiplied out: tasks created (`tasks`) or
    // steps run (`!tasks`).
    std::int64_t countedIn(const std::vector<PlanStep>& steps, bool tasks) {
        std::int64_t total = 0;
        for (const PlanStep& step : steps) {
            const std::int64_t inBody = countedIn(step.body, tasks);
            const std::int64_t own = tasks ? 0 : 1;
            switch (opInfo(step.kind).bodyRuns) {
            case OpBodyRuns::UpToCount:
                total = saturatingAdd(total, saturatingAdd(own, saturatingMultiply(step.count, inBody)));
                break;
            case OpBodyRuns::PerItem: { // its share of the queue's items
                const auto share = static_cast<std::int64_t>(std::ceil(itemsPerConsumer(step.primitive)));
                total = saturatingAdd(total, saturatingAdd(own, saturatingMultiply(share, inBody)));
                break;
            }
            case OpBodyRuns::Once:
                total = saturatingAdd(total, saturatingAdd(own, inBody));
                break;
            }
            for (const PlanChild& child : step.children) {
                const std::int64_t perChild = saturatingAdd(tasks ? 1 : 0, countedIn(child.body, tasks));
                total = saturatingAdd(total, saturatingMultiply(child.count, perChild));
            }
        }
        return total;
    }

    void countTasks() {
        countPuts(m_plan.program, 1);
        m_plan.stepCount = countedIn(m_plan.program, false);
        m_plan.taskCount = saturatingAdd(1, countedIn(m_plan.program, true));
        if (m_plan.taskCount > m_limits.maxTasks) {
            throw UsageError(fmt::format("refused: the plan creates {} tasks; the limit is {}", m_plan.taskCount,
                                         m_limits.maxTasks));
        }
        if (m_plan.stepCount > m_limits.maxSteps) {
            throw UsageError(
                fmt::format("refused: the plan runs {} steps; the limit is {}", m_plan.stepCount, m_limits.maxSteps));
        }
    }

    // How many children of a fan-out can run at once: 1 when they run one after another, the pool size on a pool,
    // unbounded on the loop.
    double parallelism(const PlanStep& step) const {
        Placement placement = step.placement;
        if (placement == Placement::Default) {
            placement = m_plan.model == Model::Sequential ? Placement::Inline
                        : m_plan.model == Model::Threads  ? Placement::Threads
                                                          : Placement::Loop;
        }
        switch (placement) {
        case Placement::Inline:
            return 1;
        case Placement::Threads:
            return std::max(1, m_plan.threads);
        case Placement::Processes:
            return std::max(1, m_plan.processes);
        default:
            return std::numeric_limits<double>::infinity();
        }
    }

    // A lower bound on how long the steps take, assuming no contention beyond the pool sizes (the primitives'
    // capacities are checkTotalDuration's).
    double minimumNs(const std::vector<PlanStep>& steps) const {
        double total = 0;
        for (const PlanStep& step : steps) {
            total += minimumNs(step);
        }
        return total;
    }

    double minimumNs(const PlanStep& step) const {
        switch (opInfo(step.kind).time) {
        case OpTime::Duration:
            return static_cast<double>(step.durationNs);
        case OpTime::BodyTimesCount:
            return static_cast<double>(step.count) * minimumNs(step.body);
        case OpTime::ShorterOfBoth:
            return std::min(static_cast<double>(step.durationNs), minimumNs(step.body));
        case OpTime::Body:
            return minimumNs(step.body);
        case OpTime::BodyPerItem:
            return itemsPerConsumer(step.primitive) * minimumNs(step.body);
        case OpTime::Children: {
            double longest = 0;
            double work = 0;
            for (const PlanChild& child : step.children) {
                const double each = minimumNs(child.body);
                longest = child.count > 0 ? std::max(longest, each) : longest;
                work += static_cast<double>(child.count) * each;
            }
            return std::max(longest, work / parallelism(step));
        }
        case OpTime::Nothing:
            break;
        }
        return 0;
    }

    // A retry that fails every attempt waits between them: the first backoff, doubled each time up to the cap. Those
    // waits alone may not exceed the one-hour limit (retry: 2000 with backoff: 100 would wait 2^1998 × 100 ms
    // uncapped, and 33 hours capped).
    void checkBackoffWaits(const PlanStep& step, const SourceLocation& location) const {
        double waits = 0;
        std::int64_t backoff = std::min(step.durationNs, m_plan.maxBackoffNs);
        for (std::int64_t attempt = 1; attempt < step.count && backoff > 0; ++attempt) { // 0 doubles to 0
            if (backoff == m_plan.maxBackoffNs) {                                        // the rest wait the cap each
                waits += static_cast<double>(backoff) * static_cast<double>(step.count - attempt);
                break;
            }
            waits += static_cast<double>(backoff);
            backoff = doubledBackoffNs(backoff, m_plan.maxBackoffNs);
        }
        if (waits > static_cast<double>(m_limits.maxDurationNs)) {
            throw UsageError(fmt::format("refused: the retry at {} waits {} between its {} attempts when they all "
                                         "fail; the limit is {}",
                                         location.toString(), formatDuration(waits), step.count,
                                         formatDuration(static_cast<double>(m_limits.maxDurationNs))));
        }
    }

    // The items of queue `primitive` each of its consume loops takes, when they share them evenly.
    double itemsPerConsumer(std::int32_t primitive) const {
        const auto puts = m_puts.find(primitive);
        const auto consumers = m_consumers.find(primitive);
        if (puts == m_puts.end()) {
            return 0;
        }
        return static_cast<double>(puts->second) /
               static_cast<double>(consumers == m_consumers.end() ? 1 : std::max<std::int64_t>(1, consumers->second));
    }

    // Adds to m_heldNs how long each semaphore or lock is held over the run: the steps between an acquire and its
    // release in the same list, times how often that list runs. Held time over capacity bounds the run from below
    // (Semaphore(1) around 999,999 requests of 50 ms is 14 hours, whatever overlaps).
    void countHolds(const std::vector<PlanStep>& steps, double multiplier) {
        for (std::size_t index = 0; index < steps.size(); ++index) {
            const PlanStep& step = steps[index];
            if (step.kind == OpKind::Acquire) {
                double held = 0;
                for (std::size_t next = index + 1; next < steps.size(); ++next) {
                    if (steps[next].kind == OpKind::Release && steps[next].primitive == step.primitive) {
                        break;
                    }
                    held += minimumNs(steps[next]);
                }
                m_heldNs[step.primitive] += multiplier * held;
            }
            double bodyMultiplier = multiplier;
            switch (opInfo(step.kind).bodyRuns) {
            case OpBodyRuns::UpToCount:
                bodyMultiplier *= static_cast<double>(step.count);
                break;
            case OpBodyRuns::PerItem:
                bodyMultiplier *= itemsPerConsumer(step.primitive);
                break;
            case OpBodyRuns::Once:
                break;
            }
            countHolds(step.body, bodyMultiplier);
            for (const PlanChild& child : step.children) {
                countHolds(child.body, multiplier * static_cast<double>(child.count));
            }
        }
    }

    void checkTotalDuration() {
        double ns = minimumNs(m_plan.program);
        countHolds(m_plan.program, 1);
        for (const auto& [primitive, heldNs] : m_heldNs) {
            const PlanPrimitive& declared = m_plan.primitives[static_cast<std::size_t>(primitive)];
            const double capacity = static_cast<double>(std::max<std::int64_t>(1, declared.capacity));
            ns = std::max(ns, heldNs / capacity);
        }
        m_plan.minimumDurationNs = static_cast<std::int64_t>(std::min(ns, 9e18));
        // Each message to the process pool costs the parent its CPU, one after another: at most a message per task.
        ns = std::max(ns, static_cast<double>(m_plan.messageCpuNs) * static_cast<double>(m_plan.taskCount));
        if (ns > static_cast<double>(m_limits.maxDurationNs)) {
            throw UsageError(fmt::format("refused: the plan runs for at least {}; the limit is {}", formatDuration(ns),
                                         formatDuration(static_cast<double>(m_limits.maxDurationNs))));
        }
    }

    const Scenario& m_scenario;
    const VariantDecl& m_variant;
    ParameterValues m_values;
    RunOptions m_options;
    Limits m_limits;
    Plan m_plan;
    std::map<std::int32_t, std::int64_t> m_puts;
    std::map<std::int32_t, std::int64_t> m_consumers; // consume loops on each queue, multiplied out
    std::map<std::int32_t, double> m_heldNs;          // see countHolds
};

} // namespace

Plan compilePlan(const Scenario& scenario, const VariantDecl& variant, const ParameterValues& values,
                 const RunOptions& options, const Limits& limits) {
    return PlanCompiler(scenario, variant, values, options, limits).compile();
}

std::int64_t estimateDurationNs(const Scenario& scenario, const Plan& plan, const ParameterValues& values) {
    auto ns = static_cast<double>(plan.minimumDurationNs);
    for (const ExpectationDecl& expectation : scenario.expectations) {
        if (expectation.variant != plan.variant || expectation.metric.kind != MetricKind::MakespanMs ||
            expectation.comparison == Comparison::AtMost) {
            continue;
        }
        try {
            ns = std::max(ns, expectation.value.evaluate(values) * 1e6 * plan.options.timeScale);
        } catch (const std::exception&) {
            // an expectation that cannot be computed says nothing about the time
        }
    }
    return static_cast<std::int64_t>(std::min(ns, 9e18));
}

} // namespace interleave::core
