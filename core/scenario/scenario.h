// The lesson model: parameters, primitives, variants with their task programs, expectations and listings.
#pragma once

#include "scenario/expression.h"
#include "scenario/lesson_error.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace interleave::core {

enum class OpKind : std::uint8_t {
    Io,        // amount = ms; an awaitable wait on the loop, a GIL-releasing blocking wait in a thread
    Block,     // amount = ms; a blocking call (label names it); freezes the loop when run on it
    Cpu,       // amount = CPU-ms on one core; holds the GIL in slices when there is one
    Acquire,   // target = semaphore, lock or condition (its lock)
    Release,   // target = semaphore, lock or condition (its lock)
    Put,       // target = queue; blocks while full
    Get,       // target = queue; blocks while empty
    TaskDone,  // target = queue; marks one got item finished (Python's Queue.task_done)
    Close,     // target = queue; no more puts; getters drain what is left, then stop
    Consume,   // target = queue; body runs once per item until the queue is closed and empty; task_done after each
    Wait,      // target = event (until set), or condition (Condition.wait: lets go of its lock until notified)
    Set,       // target = event
    Gather,    // children; waits for all (asyncio.gather / executor.map / a plain loop when inline)
    Group,     // children; structured: a failure cancels the siblings (TaskGroup)
    Spawn,     // children; started and not awaited; the run still waits for them before it ends
    Offload,   // body runs on placement (threads or processes) while the caller awaits it
    Repeat,    // amount = count; body runs that many times in order
    Timeout,   // amount = ms; body is cancelled when it takes longer
    Retry,     // amount = attempts; backoff = first delay in ms, doubled after each failure
    Shield,    // body completes even when the caller is cancelled
    Fail,      // amount = probability in [0,1]; raises with that probability (seeded)
    Cleanup,   // body = a finally block: the steps after it in the same list run as its try block
    Read,      // target = variable; the task's own register = the variable's value (`tmp = counter`)
    Write,     // target = variable; the variable = the register + 1 (`counter = tmp + 1`): an update that can be lost
    Increment, // target = variable; read and write in one step (`counter += 1`, no switch point between them)
    Yield,     // a switch point: time.sleep(0) in a thread (a sleep, the GIL let go), asyncio.sleep(0) on the loop
    WaitFor,   // target = condition; until = a buffer test: Condition.wait_for(predicate), waiting while it is false
    Notify,    // target = condition; wakes its longest waiter (Condition.notify)
    NotifyAll, // target = condition; wakes every waiter (Condition.notify_all)
    Append,    // target = buffer; one new item at its back (deque.append); never waits
    PopLeft,   // target = buffer; the item at its front out (deque.popleft); IndexError when it is empty
};
inline constexpr std::size_t kOpKindCount = static_cast<std::size_t>(OpKind::PopLeft) + 1;

// Whether a table with a row per kind (ops, primitives, their executors) lists them in the kind's order, so that a
// row is found by its kind's number: for a static_assert beside each table.
template <typename Rows> constexpr bool rowsInKindOrder(const Rows& rows) {
    for (std::size_t index = 0; index < rows.size(); ++index) {
        if (static_cast<std::size_t>(rows[index].kind) != index) {
            return false;
        }
    }
    return true;
}

// Where children or an offloaded body run. Default means: inline in the sequential model, tasks on the loop in the
// async model, the thread pool in the threads model.
enum class Placement : std::uint8_t { Default, Inline, Loop, Threads, Processes };

struct Op;

// The predicate of a wait_for: `len(buf) > 0` or `len(buf) < capacity`.
enum class BufferTest : std::uint8_t { None, NotEmpty, NotFull };

// One kind of child in a fan-out: `count` copies of `body`, each a task named `name` (numbered when count > 1).
struct ChildTemplate {
    std::string name;
    Expression count = Expression::constant(1);
    std::vector<Op> body;
    SourceLocation location;
};

struct Op {
    OpKind kind = OpKind::Io;
    SourceLocation location;
    int line = 0; // 1-based line in the variant's listing this step corresponds to; 0 = none
    std::optional<Expression> amount;
    std::optional<Expression> extra; // the value of its op's extra key: retry's backoff, acquire's timeout
    std::string target;              // primitive name
    std::string label; // a name for the step, e.g. the blocking call ("legacy SDK"); shown in the timeline
    Placement placement = Placement::Default;
    bool returnExceptions = false;       // gather: a child's failure is its result, not the parent's (asyncio.gather)
    std::optional<Expression> chunkSize; // children on processes: this many per message (executor.map's chunksize)
    std::string stage;                   // the stage of the order flow this step and its body belong to; "" = none
    BufferTest until = BufferTest::None; // wait_for: what it waits to be true of the buffer `untilTarget`
    std::string untilTarget;
    std::vector<Op> body;
    std::vector<ChildTemplate> children;
};

enum class PrimitiveKind : std::uint8_t { Semaphore, Lock, Queue, Event, Variable, RLock, Condition, Buffer };
inline constexpr std::size_t kPrimitiveKindCount = static_cast<std::size_t>(PrimitiveKind::Buffer) + 1;

struct PrimitiveDecl {
    std::string name;
    PrimitiveKind kind = PrimitiveKind::Lock;
    std::optional<Expression> capacity; // semaphore permits or queue maxsize; absent = 1 (semaphore) / unbounded
    SourceLocation location;
};

// Broker: a distributed task queue (L17): a producer, a real Redis broker and worker processes that pull jobs from
// it; its variant has a `broker:` block instead of a program.
// Python: a CPython program run under the tracer (resources/python): not a lesson variant's model, a plan's.
enum class Model : std::uint8_t { Sequential, Async, Threads, Broker, Python };

// A broker variant's task queue: `jobs` jobs of mixed lengths around `job_ms` on a Redis stream, `workers` worker
// processes, `crash` of them killed with SIGKILL mid-job at a seeded moment, `poison` jobs that always raise.
struct BrokerDecl {
    Expression jobs = Expression::constant(50);
    Expression workers = Expression::constant(4);
    Expression jobMs = Expression::constant(40);         // the jobs' mean length; each is 0.4 to 1.6 times it
    Expression poison = Expression::constant(1);         // jobs that raise on every delivery
    Expression crash = Expression::constant(1);          // workers killed mid-job
    Expression maxDeliveries = Expression::constant(3);  // a job that fails on its last delivery is dead-lettered
    Expression visibilityMs = Expression::constant(300); // a job pending this long without an ack is reclaimed
    Expression streamLimit = Expression::constant(0);    // the producer waits while this many are unacknowledged
    bool ackOnReceipt = false;                           // at-most-once: acknowledged before the work
    SourceLocation location;
};

// Counter names on the broker's lane.
inline constexpr std::string_view kStreamLengthCounter = "stream.length"; // jobs on the stream not yet acknowledged
inline constexpr std::string_view kPendingCounter = "pending";            // delivered to a worker and not acknowledged
inline constexpr std::string_view kAckedCounter = "acked";
inline constexpr std::string_view kRedeliveredCounter = "redelivered";
inline constexpr std::string_view kDeadLetteredCounter = "dead_lettered";
inline constexpr std::string_view kSettledCounter = "jobs.settled"; // acknowledged after their work, or dead-lettered
inline constexpr std::string_view kCompletedCounter = "jobs.completed";  // whose work was done (the first time)
inline constexpr std::string_view kDoneTwiceCounter = "jobs.done_twice"; // work done again after it was done once
inline constexpr std::string_view kLostCounter = "jobs.lost";            // acknowledged, and their work never done

inline constexpr std::array<std::string_view, 9> kBrokerCounters = {
    kStreamLengthCounter, kPendingCounter,   kAckedCounter,     kRedeliveredCounter, kDeadLetteredCounter,
    kSettledCounter,      kCompletedCounter, kDoneTwiceCounter, kLostCounter};

struct VariantDecl {
    std::string name;
    std::string description;
    Model model = Model::Async;
    std::optional<Expression> threads;   // thread-pool size; absent = no thread pool
    std::optional<Expression> processes; // process-pool size; absent = no process pool
    // CPU the parent spends on each message to a worker process, in ms: CPython pickles the call and its result and
    // passes them through the executor's helper threads. Absent = none beyond the real pipe round trip.
    std::optional<Expression> messageCpuMs;
    std::optional<Expression> cpus; // the run's threads kept to this many CPUs (taskset); absent = every one
    bool gil = false;
    Expression switchIntervalMs = Expression::constant(5);
    Expression heartbeatMs = Expression::constant(10); // loop-lag heartbeat (async model only)
    std::string listing;                               // the Python equivalent; may be empty (then the lesson's)
    std::vector<Op> program;                           // what the main task does
    std::optional<BrokerDecl> broker;                  // the broker model's task queue
    std::string pythonScript; // Model::Python: the program python3 runs under the tracer (a script, a listing)
    // `cpython_agrees: false`: its listing run in CPython is not expected to take the engine's time (a variant
    // without a GIL, which CPython 3.11 has; a listing that needs a package we do not install). check --python
    // reports it and does not judge it.
    bool cpythonAgrees = true;
    SourceLocation location;
};

struct ParameterDecl {
    std::string name; // without '$'
    std::string label;
    std::string unit; // "ms", "" ...
    std::string description;
    double defaultValue = 0;
    double minimum = 0;
    double maximum = 0;
    bool integer = true;
    SourceLocation location;
};

enum class MetricKind : std::uint8_t {
    MakespanMs,     // "makespan_ms"
    Speedup,        // "speedup": baseline makespan / this makespan
    MaxLagMs,       // "max_lag_ms"
    Peak,           // "peak(<counter>)", e.g. peak(sem.in_use), peak(items.depth), peak(in_flight)
    PeakConcurrent, // "peak_concurrent(<state>)", e.g. peak_concurrent(waiting-io)
    StateTimeMs,    // "state_time_ms(<state>[, <task>])": total time tasks (or those named <task>) spent in that state
    GilSwitchMs,    // "gil_switch_ms": median time between GIL hand-offs to another thread
    GilHandoffs,    // "gil_handoffs": number of GIL hand-offs between threads
    Markers,        // "markers(<kind>)": how many markers of that kind, e.g. markers(retry)
    TasksEnded,     // "tasks(<state>)": how many tasks ended in that state, e.g. tasks(failed)
    Final,          // "final(<counter>)": a counter's last value, e.g. final(counter.value)
    Lost,           // "lost(<variable>)": updates written to a shared variable and not in its value (a race)
    MessagingMs,    // "messaging_ms": time worker processes waited for their next job while one was queued
    StageMs,        // "stage_ms(<stage>)": the stage's share of the makespan (metrics/stage_breakdown.h)
};

struct MetricRef {
    MetricKind kind = MetricKind::MakespanMs;
    std::string argument; // counter name or state name for the kinds that take one
    std::string task; // state_time_ms(<state>, <task>): only the tasks of that name (all copies); empty = every task
};

// Parses "makespan_ms", "peak(sem.in_use)" ... Throws LessonError at `where` when unknown.
MetricRef parseMetric(std::string_view text, const SourceLocation& where);
std::string toString(const MetricRef& metric);

enum class Comparison : std::uint8_t { Near, AtMost, AtLeast, Equals };

struct ExpectationDecl {
    std::string text;    // what a teacher reads: "gather is about N times faster"
    std::string variant; // which variant's run it is measured on
    MetricRef metric;
    Comparison comparison = Comparison::Near;
    Expression value;
    double tolerance = 0.1; // relative, for Near
    SourceLocation location;
};

inline constexpr std::size_t kMaxSweepValues = 64;

// A parameter sweep the lesson offers: `variant` run once per value of `parameter`, with the theory of its makespan.
struct SweepDecl {
    std::string variant;
    std::string parameter;
    std::vector<double> values;         // each within the parameter's range
    std::optional<Expression> theoryMs; // the makespan the lesson expects at each value (the parameter set to it)
    SourceLocation location;
};

struct Scenario {
    std::string id; // "gather"
    int number = 0; // 2 for "L2"
    std::string title;
    std::string topic; // groups lessons in the browser: "asyncio", "threads and the GIL", ...
    std::string summary;
    std::string notes;          // shown beside the run; plain text with blank-line paragraphs
    std::string baseline;       // the variant speedups are measured against
    std::string listing;        // a shared Python listing, used by variants that have none
    bool lanesByWorker = false; // `lanes: worker`: the timeline starts with a lane per thread or worker process
    // `cpython_tolerance`: how far (relative) a listing's time in CPython may be from the engine's before
    // `check --python` fails.
    double cpythonTolerance = 0.15;
    std::vector<ParameterDecl> parameters;
    std::vector<PrimitiveDecl> primitives;
    std::vector<VariantDecl> variants;
    std::vector<ExpectationDecl> expectations;
    std::vector<SweepDecl> sweeps;
    std::string sourcePath;

    std::string alias() const; // "L2"
    const VariantDecl* findVariant(std::string_view name) const;
    const ParameterDecl* findParameter(std::string_view name) const;
    const PrimitiveDecl* findPrimitive(std::string_view name) const;
    const std::string& listingFor(const VariantDecl& variant) const;
    // The variant's listing with every `${name}` placeholder replaced by that parameter's value in `values`, or its
    // default when unset (see listing_template.h). Same number of lines as listingFor().
    std::string renderListing(const VariantDecl& variant, const ParameterValues& values) const;
    ParameterValues defaults() const;
};

std::string_view toString(OpKind kind);
std::string_view toString(Model model);
std::string_view toString(PrimitiveKind kind);
std::string_view toString(Placement placement);

} // namespace interleave::core
