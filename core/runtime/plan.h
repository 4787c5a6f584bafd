// A variant made concrete: every expression evaluated with the run's parameters and time scale, limits checked.
#pragma once

#include "scenario/scenario.h"
#include "trace/string_table.h"
#include "trace/trace.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace interleave::core {

// Sane amounts; anything above is refused before a run starts, with a message naming the limit.
struct Limits {
    std::int64_t maxTasks = 1'000'000;
    int maxProcesses = 64;
    int maxThreads = 1024;
    std::int64_t maxDurationNs = 3600LL * 1'000'000'000; // one hour, per step and for the whole plan's sum
    std::int64_t maxSteps = 5'000'000; // steps run in all, repeats multiplied out: each records events, kept in memory
    double minTimeScale = 0.01;
    double maxTimeScale = 100.0;
};

struct RunOptions {
    double timeScale = 1.0;                 // slow motion: every duration is multiplied by it
    std::uint64_t seed = 1;                 // for fail(p) and retry jitter
    std::filesystem::path workerExecutable; // empty = interleave-worker beside the running executable
    // The pools' threads and worker processes run as background work (SCHED_IDLE): any ordinary thread that wants a
    // core gets it at once. The desktop app sets it, so that a lesson that keeps every core busy (L5's threads without
    // a GIL, L7's processes) still leaves its window the moments a frame needs. Their shares of the cores among
    // themselves, and so the lesson, are unchanged. A listing run in CPython runs there too, so that the engine's run
    // and CPython's yield to the window alike.
    bool backgroundPools = false;
    // The broker model: a running Redis to use (redis://HOST:PORT/DB); empty = a private redis-server for the run.
    std::string brokerUrl;
    std::string brokerRunId; // the run's id on the broker (its keys' prefix); empty = a fresh random one
};

struct PlanStep;

struct PlanChild {
    std::uint32_t nameId = 0; // in Plan::strings
    std::int64_t count = 1;
    std::vector<PlanStep> body;
};

struct PlanStep {
    OpKind kind = OpKind::Io;
    std::int32_t line = 0;
    std::int64_t durationNs = 0; // io, block, cpu, timeout; first backoff for retry
    std::int64_t count = 0;      // repeat count, retry attempts
    double probability = 0;      // fail
    std::int32_t primitive = -1; // index into Plan::primitives
    std::uint32_t labelId = 0;   // in Plan::strings; 0 = none
    Placement placement = Placement::Default;
    bool returnExceptions = false;       // gather(return_exceptions=True): children's failures do not fail the parent
    std::int64_t chunkSize = 1;          // children on processes: this many per message to a worker (map's chunksize)
    std::int32_t stage = -1;             // index into Plan::stages while this step runs; -1 = none
    BufferTest until = BufferTest::None; // wait_for: its predicate on the buffer `untilBuffer`
    std::int32_t untilBuffer = -1;       // index into Plan::primitives
    std::vector<PlanStep> body;
    std::vector<PlanChild> children;
};

struct PlanPrimitive {
    std::string name;
    PrimitiveKind kind = PrimitiveKind::Lock;
    std::int64_t capacity = 0; // semaphore permits, queue maxsize (0 = unbounded)
    std::uint32_t nameId = 0;
};

// A named stage of a variant's flow (`stage:` on steps). While steps of it run, the counter `stage:<name>` holds how
// many: the per-stage breakdown (metrics/stage_breakdown.h) is read from those counters.
struct PlanStage {
    std::string name;
    std::uint32_t counterId = 0; // in Plan::strings
};

// The broker model's task queue with every value fixed: the jobs' lengths and the crash's moment drawn from the seed.
struct BrokerPlan {
    std::vector<std::int64_t> jobNs; // each job's length (slow motion included); their sum is jobs × job_ms
    std::vector<bool> poison;        // per job: it raises on every delivery
    int workers = 0;
    int crashes = 0;            // workers killed with SIGKILL mid-job
    std::int64_t crashAtNs = 0; // the first crash: the first worker busy from this moment on
    std::int64_t maxDeliveries = 3;
    std::int64_t visibilityNs = 0;
    std::int64_t pollNs = 0;      // a free worker looks for stale jobs this often
    std::int64_t streamLimit = 0; // 0 = unbounded
    bool ackOnReceipt = false;
};

// A CPython program run under the tracer (Model::Python).
struct PythonProgram {
    std::string interpreter = "python3";
    std::filesystem::path script;
    std::vector<std::string> arguments;
    std::int64_t timeLimitNs = 600'000'000'000; // 10 minutes; then it is stopped
    std::filesystem::path outputFile; // where its stdout and stderr go (its traceback read back from there); empty =
                                      // this process's stderr
};

struct Plan {
    std::string lessonId;
    std::string variant;
    Model model = Model::Async;
    int threads = 0;               // thread-pool size, 0 = none
    int processes = 0;             // process-pool size, 0 = none
    std::int64_t messageCpuNs = 0; // CPU the parent spends on each message to a worker (VariantDecl::messageCpuMs)
    int cpus = 0; // the run's threads and workers kept to the first this many of its CPUs; 0 = all of them
    bool gil = false;
    std::int64_t switchIntervalNs = 5'000'000;
    std::int64_t heartbeatNs = 10'000'000;
    std::vector<PlanPrimitive> primitives;
    std::vector<PlanStep> program;
    std::vector<PlanStage> stages; // in the order the program first names them
    BrokerPlan broker;             // Model::Broker only
    PythonProgram python;          // Model::Python only
    StringTable strings;           // names used by the plan; the run's trace starts from this table
    std::int64_t taskCount = 1;    // tasks the plan will create, main included
    // Steps the plan will run, every repetition counted (a consume loop runs once per put on its queue): an estimate,
    // for sizing the trace up front.
    std::int64_t stepCount = 0;
    // A lower bound on the run's wall time (slow motion included): no contention beyond the pool sizes, the
    // semaphores' and locks' capacities and the consumers of each queue.
    std::int64_t minimumDurationNs = 0;
    // A retry's wait doubles after each failed attempt up to this (a minute of lesson time), as capped exponential
    // backoff in retry libraries does.
    std::int64_t maxBackoffNs = 60'000'000'000;
    RunOptions options;
};

// The wait after the next failed attempt: twice this one, at most `capNs` (never overflows).
constexpr std::int64_t doubledBackoffNs(std::int64_t ns, std::int64_t capNs) {
    return ns >= capNs / 2 ? capNs : ns * 2;
}

// How long the variant will take in wall time, for warning before long runs: the plan's lower bound, or the lesson's
// own makespan expectation for the variant (it knows about semaphores and queues) when that is longer.
std::int64_t estimateDurationNs(const Scenario& scenario, const Plan& plan, const ParameterValues& values);

// Throws UsageError when a value breaks a limit (naming it), LessonError for a meaning error found only with values
// (e.g. a negative duration).
Plan compilePlan(const Scenario& scenario, const VariantDecl& variant, const ParameterValues& values,
                 const RunOptions& options, const Limits& limits = {});

} // namespace interleave::core
