// The engine's headline figures, measured live on this machine, each against a floor or a peer measured in the same
// run so that the ratio holds on another machine.
#include "engine_bench.h"

#include "broker/child_process.h"
#include "runtime/run.h"
#include "scenario/lesson_loader.h"
#include "trace/clock.h"
#include "trace/recorder.h"
#include "trace/trace_analysis.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <malloc.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace interleave::bench {

namespace {

using core::EventKind;
using core::Recorder;
using core::TaskState;
// The median of a few runs: one run can land on a moment when the host (a VM here) is busy elsewhere.
template <typename Measure> double medianOf(int runs, Measure measure) {
    std::vector<double> values;
    for (int i = 0; i < runs; ++i) {
        values.push_back(measure());
    }
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

// The calling thread's CPU time in ns: what a loop costs the thread that runs it, whatever else shares the cores (on
// two cores, the recording threads and the consumer take turns, and wall time would count the turns).
double threadCpuNs() {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e9 + static_cast<double>(now.tv_nsec);
}

// ns of thread CPU time per read of the recorder's timestamp alone, with `threads` threads reading at once (the
// slowest thread's): the floor under any recorded event. Two threads at once share what the machine shares between
// its cores (a virtual machine's two vCPUs may be one core's two hyperthreads), and the recording cost with two
// threads is set against this floor, measured the same way.
double timestampFloorNs(int threads, std::int64_t reads) {
    std::vector<double> costs(static_cast<std::size_t>(threads));
    std::atomic<int> ready{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < threads; ++t) {
        readers.emplace_back([&, t] {
            ready.fetch_add(1);
            while (ready.load() < threads) {
            }
            // Unsigned: a sum of raw clock ticks wraps (a signed one overflowed once the TSC was large).
            std::uint64_t sink = 0;
            const double start = threadCpuNs();
            for (std::int64_t i = 0; i < reads; ++i) {
                sink += static_cast<std::uint64_t>(core::TickClock::now());
            }
            costs[static_cast<std::size_t>(t)] = (threadCpuNs() - start) / static_cast<double>(reads);
            // Keeps the reads: a sum the optimiser cannot see through.
            std::atomic_signal_fence(std::memory_order_seq_cst);
            volatile std::uint64_t kept = sink;
            (void)kept;
        });
    }
    for (auto& reader : readers) {
        reader.join();
    }
    return *std::max_element(costs.begin(), costs.end());
}

// ns of thread CPU time per recorded event with `threads` threads recording at once (the slowest thread's), while a
// consumer drains every millisecond as the CLI and the GUI do.
double recordingCostNs(int threads, std::int64_t eventsPerThread) {
    Recorder recorder;
    std::atomic<bool> recording{true};
    std::thread consumer([&] {
        std::vector<core::Event> batch;
        while (recording.load()) {
            batch.clear();
            recorder.drain(batch);
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    });
    std::vector<double> costs(static_cast<std::size_t>(threads));
    std::vector<std::thread> workers;
    std::atomic<int> ready{0};
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            ready.fetch_add(1);
            while (ready.load() < threads) {
            }
            const double start = threadCpuNs();
            for (std::int64_t i = 0; i < eventsPerThread; ++i) {
                recorder.record(static_cast<std::uint32_t>(i), static_cast<std::uint16_t>(t), EventKind::TaskState, 1,
                                0, 0);
            }
            costs[static_cast<std::size_t>(t)] = (threadCpuNs() - start) / static_cast<double>(eventsPerThread);
        });
    }
    for (auto& worker : workers) {
        worker.join();
    }
    recording.store(false);
    consumer.join();
    return *std::max_element(costs.begin(), costs.end());
}

// The switch shape, as a lesson: its listing is the CPython peer, run with the same two numbers.
constexpr const char* kSwitchLesson = R"(id: switch-bench
number: 99
title: Switch cost
topic: bench
summary: Gathered tasks that each give the loop back, again and again.
notes: Every io 0 is one await asyncio.sleep(0), a switch to the next ready task.
parameters:
  tasks: {default: 1000, min: 1, max: 100000, label: Tasks}
  switches: {default: 100, min: 1, max: 100000, label: Switches per task}
variants:
  gather:
    model: async
    description: Gathered tasks, each yielding to the loop.
    listing: |
      import asyncio, sys, time

      TASKS, SWITCHES = int(sys.argv[1]), int(sys.argv[2])

      async def task():
          for _ in range(SWITCHES):
              await asyncio.sleep(0)

      async def main():
          await asyncio.gather(*(task() for _ in range(TASKS)))

      start = time.perf_counter_ns()
      asyncio.run(main())
      print(time.perf_counter_ns() - start)
    program:
      - gather:
          name: task
          count: $tasks
          do:
            - repeat: $switches
              do:
                - io: 0
)";

struct SwitchRun {
    double nsPerSwitch = 0;
    double eventsPerSwitch = 0;
};

// A switch through the real engine: the plan compiled from kSwitchLesson, run by a Run, every switch recorded.
// Timed over the run's own makespan (its first to its last event).
SwitchRun engineSwitch(const core::Scenario& lesson, int tasks, int switches, const BenchOptions& options) {
    core::RunOptions runOptions;
    runOptions.workerExecutable = options.workerExecutable;
    const core::ParameterValues values =
        core::resolveParameters(lesson, {{"tasks", std::to_string(tasks)}, {"switches", std::to_string(switches)}});
    core::RunResult result =
        core::runToCompletion(core::compilePlan(lesson, lesson.variants.front(), values, runOptions));
    if (result.outcome.status != core::RunStatus::Completed) {
        throw std::runtime_error("the switch benchmark's run failed: " + result.outcome.error);
    }
    const double total = static_cast<double>(tasks) * switches;
    return {static_cast<double>(core::analyze(result.trace).makespanNs) / total,
            static_cast<double>(result.trace.events.size()) / total};
}

// Runs argv (found on the PATH) and returns its standard output, or nothing when it cannot start or fails.
std::optional<std::string> outputOf(std::vector<std::string> argv) {
    std::array<int, 2> pipeEnds{};
    if (pipe2(pipeEnds.data(), O_CLOEXEC) != 0) {
        return std::nullopt;
    }
    posix_spawn_file_actions_t actions;
    if (posix_spawn_file_actions_init(&actions) != 0) {
        close(pipeEnds[0]);
        close(pipeEnds[1]);
        return std::nullopt;
    }
    std::vector<char*> args;
    for (std::string& arg : argv) {
        args.push_back(arg.data());
    }
    args.push_back(nullptr);
    pid_t pid = -1;
    int spawned = posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], STDOUT_FILENO);
    if (spawned == 0) {
        spawned = posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    }
    if (spawned == 0) {
        spawned = posix_spawnp(&pid, args.front(), &actions, nullptr, args.data(), environ);
    }
    posix_spawn_file_actions_destroy(&actions);
    close(pipeEnds[1]);
    std::string output;
    if (spawned == 0) {
        std::array<char, 4096> buffer{};
        for (;;) {
            const ssize_t got = read(pipeEnds[0], buffer.data(), buffer.size());
            if (got > 0) {
                output.append(buffer.data(), static_cast<std::size_t>(got));
            } else if (got == 0 || errno != EINTR) {
                break;
            }
        }
    }
    close(pipeEnds[0]);
    if (spawned != 0) {
        return std::nullopt;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return std::nullopt;
    }
    return output;
}

// Heap bytes in use: small blocks count in uordblks, mmapped ones (large vectors, recorder chunks) in hblkhd.
std::size_t heapInUse() {
    const struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

struct KeptMemory {
    double bytesPerEvent = 0;
    std::size_t events = 0;
};

// What a run really keeps, per event: its trace, its analysis and (with buildViews) the front end's views, measured
// as the heap they hold once the Run itself is gone. L6 at the given size, all of it in the trace.
KeptMemory keptPerEvent(int requests, int limit, const BenchOptions& options) {
    const core::Scenario lesson = core::findLesson("L6");
    core::RunOptions runOptions;
    runOptions.workerExecutable = options.workerExecutable;
    const core::ParameterValues values =
        core::resolveParameters(lesson, {{"requests", std::to_string(requests)}, {"limit", std::to_string(limit)}});
    const core::VariantDecl* variant = lesson.findVariant("semaphore");
    if (variant == nullptr) {
        throw std::runtime_error("lesson L6 has no variant 'semaphore'");
    }
    core::Plan plan = core::compilePlan(lesson, *variant, values, runOptions);
    malloc_trim(0);
    const std::size_t before = heapInUse();
    auto result = std::make_unique<core::RunResult>(core::runToCompletion(std::move(plan)));
    result->trace.events.shrink_to_fit();
    const core::TraceAnalysis analysis = core::analyze(result->trace);
    std::shared_ptr<const void> views;
    if (options.buildViews) {
        views = options.buildViews(result->trace);
    }
    const std::size_t after = heapInUse();
    const std::size_t events = result->trace.events.size();
    if (after <= before) {
        return {NAN, events}; // an allocator that does not report its heap (a sanitizer's): not measured
    }
    return {static_cast<double>(after - before) / static_cast<double>(std::max<std::size_t>(events, 1)), events};
}

// How far a lesson variant's makespan lands above its ideal, in percent.
double overIdealPercent(const std::string& lesson, const std::string& variant,
                        const std::map<std::string, std::string>& settings, double idealMs,
                        const std::filesystem::path& worker) {
    const core::Scenario scenario = core::findLesson(lesson);
    const core::VariantDecl* decl = scenario.findVariant(variant);
    if (decl == nullptr) {
        throw std::runtime_error(fmt::format("lesson {} has no variant '{}'", lesson, variant));
    }
    core::RunOptions options;
    options.workerExecutable = worker;
    core::RunResult result =
        core::runToCompletion(core::compilePlan(scenario, *decl, core::resolveParameters(scenario, settings), options));
    if (result.outcome.status != core::RunStatus::Completed) {
        throw std::runtime_error(fmt::format("{} {} failed: {}", lesson, variant, result.outcome.error));
    }
    const core::TraceAnalysis analysis = core::analyze(result.trace);
    return (static_cast<double>(analysis.makespanNs) / 1e6 - idealMs) / idealMs * 100.0;
}

// L17 on its private Redis (the real path: a plan, a Run, the broker, worker processes): its trace and makespan.
struct TaskQueueRun {
    core::RunResult result;
    core::TraceAnalysis analysis;
};
TaskQueueRun taskQueueRun(const std::map<std::string, std::string>& settings, const std::filesystem::path& worker) {
    const core::Scenario scenario = core::findLesson("L17");
    core::RunOptions options;
    options.workerExecutable = worker;
    TaskQueueRun run{core::runToCompletion(core::compilePlan(scenario, *scenario.findVariant("at-least-once"),
                                                             core::resolveParameters(scenario, settings), options)),
                     {}};
    if (run.result.outcome.status != core::RunStatus::Completed) {
        throw std::runtime_error("L17 failed: " + run.result.outcome.error);
    }
    run.analysis = core::analyze(run.result.trace);
    return run;
}

// From the killed worker's job's delivery to the dead worker until a free worker took it over, less the visibility
// timeout (what XAUTOCLAIM waits for): how late the reclaim came, in ms.
double reclaimPastVisibilityMs(const TaskQueueRun& run, double visibilityMs) {
    const auto& markers = run.analysis.markers;
    const auto kill = std::find_if(markers.begin(), markers.end(), [](const core::MarkerRecord& marker) {
        return marker.kind == core::MarkerKind::Cancel;
    });
    if (kill == markers.end()) {
        return NAN;
    }
    const auto redelivery = std::find_if(markers.begin(), markers.end(), [&](const core::MarkerRecord& marker) {
        return marker.kind == core::MarkerKind::Redelivery && marker.task == kill->task;
    });
    std::int64_t deliveredNs = -1;
    for (const core::Span& span : run.analysis.spans) {
        if (span.task == kill->task && span.lane == kill->lane && span.state == core::TaskState::Running) {
            deliveredNs = span.startNs;
        }
    }
    if (redelivery == markers.end() || deliveredNs < 0) {
        return NAN;
    }
    return static_cast<double>(redelivery->timeNs - deliveredNs) / 1e6 - visibilityMs;
}

// A pool of 4 workers started and 4 trivial jobs done, in ms.
double processPoolStartMs(const std::filesystem::path& worker) {
    core::Plan plan;
    plan.model = core::Model::Sequential;
    plan.processes = 4;
    plan.options.workerExecutable = worker;
    core::PlanStep gather;
    gather.kind = core::OpKind::Gather;
    gather.placement = core::Placement::Processes;
    core::PlanStep trivial;
    trivial.kind = core::OpKind::Cpu;
    trivial.durationNs = 1'000; // 1 µs of work
    gather.children.push_back(core::PlanChild{plan.strings.intern("trivial"), 4, {trivial}});
    plan.program.push_back(gather);
    core::RunResult result = core::runToCompletion(plan);
    if (result.outcome.status != core::RunStatus::Completed) {
        throw std::runtime_error("process pool benchmark failed: " + result.outcome.error);
    }
    return static_cast<double>(core::analyze(result.trace).makespanNs) / 1e6;
}

// 100000 as "100,000", whatever the locale.
std::string withSeparators(double value) {
    const std::string digits = fmt::format("{}", std::llround(std::abs(value)));
    std::string grouped = value < 0 ? "-" : "";
    for (std::size_t index = 0; index < digits.size(); ++index) {
        if (index > 0 && (digits.size() - index) % 3 == 0) {
            grouped += ',';
        }
        grouped += digits[index];
    }
    return grouped;
}

} // namespace

std::optional<double> cpythonSwitchNs(const std::string& python, int tasks, int switches) {
    if (python.empty()) {
        return std::nullopt;
    }
    const core::Scenario lesson = core::parseLesson(kSwitchLesson, "switch benchmark");
    const std::string& listing = lesson.variants.front().listing;
    const std::optional<std::string> output =
        outputOf({python, "-c", listing, std::to_string(tasks), std::to_string(switches)});
    if (!output) {
        return std::nullopt;
    }
    char* end = nullptr;
    const double ns = std::strtod(output->c_str(), &end);
    if (end == output->c_str() || !std::isfinite(ns) || ns <= 0) {
        return std::nullopt;
    }
    return ns / (static_cast<double>(tasks) * switches);
}

// A program's own time in ns, from the line it prints last: run by `python` alone, or under the CPython tracer
// through the real path (a plan of the Python model, a Run reading the tracer's pipe into a trace), whose
// output goes to a file.
std::optional<double> printedNs(const std::string& text) {
    const auto last = text.find_last_not_of("\n");
    if (last == std::string::npos) {
        return std::nullopt;
    }
    const auto start = text.rfind('\n', last);
    const std::string line = text.substr(start == std::string::npos ? 0 : start + 1);
    char* end = nullptr;
    const double ns = std::strtod(line.c_str(), &end);
    return end != line.c_str() && std::isfinite(ns) && ns > 0 ? std::optional<double>(ns) : std::nullopt;
}

std::optional<double> programNs(const std::string& python, const std::filesystem::path& script, bool traced) {
    if (!traced) {
        const std::optional<std::string> output = outputOf({python, script.string()});
        return output ? printedNs(*output) : std::nullopt;
    }
    core::Plan plan;
    plan.lessonId = "python";
    plan.variant = script.filename().string();
    plan.model = core::Model::Python;
    plan.python.interpreter = python;
    plan.python.script = script;
    plan.python.outputFile = script.string() + ".out";
    const core::RunResult result = core::runToCompletion(std::move(plan));
    if (result.outcome.status != core::RunStatus::Completed) {
        return std::nullopt;
    }
    std::ifstream in(script.string() + ".out");
    std::ostringstream text;
    text << in.rdbuf();
    return printedNs(text.str());
}

// How much slower a program runs under the tracer than without it (median of `runs` each), its source timed from
// its first line to its last.
std::optional<double> tracerOverhead(const std::string& python, const std::string& source, const std::string& name,
                                     int runs) {
    const std::filesystem::path script =
        std::filesystem::temp_directory_path() / fmt::format("interleave-bench-{}-{}.py", name, getpid());
    std::ofstream(script) << "import time as _bench_time\n_bench_start = _bench_time.perf_counter_ns()\n"
                          << source << "\nprint(_bench_time.perf_counter_ns() - _bench_start)\n";
    const double alone = medianOf(runs, [&] { return programNs(python, script, false).value_or(NAN); });
    const double traced = medianOf(runs, [&] { return programNs(python, script, true).value_or(NAN); });
    std::error_code ignored;
    std::filesystem::remove(script, ignored);
    std::filesystem::remove(script.string() + ".out", ignored);
    return std::isfinite(alone) && std::isfinite(traced) ? std::optional<double>(traced / alone) : std::nullopt;
}

std::vector<BenchFigure> runEngineBenchmarks(const BenchOptions& options) {
    const bool quick = options.quick;
    auto say = [&](const std::string& what) {
        if (options.stopRequested && options.stopRequested()) {
            throw BenchInterrupted();
        }
        if (options.progress) {
            options.progress(what);
        }
    };
    std::vector<BenchFigure> figures;
    const int runs = quick ? 1 : 3;

    say("the timestamp floor and the recording cost");
    const std::int64_t events = quick ? 200'000 : 20'000'000;
    const char* clockName = core::TickClock::usesTsc() ? "rdtsc" : "clock_gettime(CLOCK_MONOTONIC)";
    for (const int threads : {1, 2}) {
        const double floor = medianOf(runs, [&] { return timestampFloorNs(threads, events); });
        figures.push_back(
            {threads == 1 ? "timestamp read alone (the floor)" : "timestamp read alone, two threads at once", floor,
             "ns", "", true, clockName});
        const double cost = medianOf(runs, [&] { return recordingCostNs(threads, events); });
        const double ratio = cost / floor;
        std::string detail = fmt::format("{:.1f} ns/event against a {:.1f} ns timestamp, {} (thread CPU time)", cost,
                                         floor, threads == 1 ? "one thread" : "two threads at once");
        // Two recording threads and the draining one are three busy threads: on fewer cores they share caches and
        // cores with the drain, which no recorder design removes; the target holds them where each has a core.
        const bool roomForAll = threads == 1 || std::thread::hardware_concurrency() >= 3;
        if (!roomForAll) {
            detail += fmt::format("; with the draining thread on {} cores, a reference (the target needs 3)",
                                  std::thread::hardware_concurrency());
        }
        figures.push_back({threads == 1 ? "recording cost, one thread" : "recording cost, two threads at once", ratio,
                           "x the floor", roomForAll ? "<= 2" : "", !roomForAll || ratio <= 2.0, detail});
    }

    say("switches through the engine and in CPython");
    const core::Scenario switchLesson = core::parseLesson(kSwitchLesson, "switch benchmark");
    const int tasks = quick ? 100 : 1000;
    const int switches = quick ? 100 : 1000;
    const std::string shape =
        fmt::format("{} gathered tasks x {} awaits of io 0", withSeparators(tasks), withSeparators(switches));
    SwitchRun engine;
    engine.nsPerSwitch = medianOf(runs, [&] {
        engine = engineSwitch(switchLesson, tasks, switches, options);
        return engine.nsPerSwitch;
    });
    figures.push_back({"switch through the engine (a task awaiting io 0, recorded)", engine.nsPerSwitch, "ns/switch",
                       "", true,
                       fmt::format("{}, through a compiled plan and a Run; {:.1f} events recorded per switch", shape,
                                   engine.eventsPerSwitch)});
    say("CPython's asyncio.sleep(0)");
    std::optional<double> peer;
    if (cpythonSwitchNs(options.python, 1, 1)) {
        peer = medianOf(runs, [&] { return cpythonSwitchNs(options.python, tasks, switches).value_or(NAN); });
    }
    if (peer && std::isfinite(*peer)) {
        figures.push_back({"CPython's await asyncio.sleep(0), same shape", *peer, "ns/switch", "", true,
                           fmt::format("{} -c (the switch lesson's listing)", options.python)});
        const double ratio = *peer / engine.nsPerSwitch;
        figures.push_back({"engine switch against CPython's", ratio, "x faster", ">= 10", ratio >= 10.0,
                           fmt::format("{:.0f} ns against {:.0f} ns per switch", engine.nsPerSwitch, *peer)});
    } else {
        figures.push_back({"engine switch against CPython's", NAN, "x faster", ">= 10", true,
                           fmt::format("not measured: '{}' could not be run", options.python)});
    }

    say("the CPython tracer's overhead");
    if (peer && std::isfinite(*peer)) {
        // The switch shape's listing with its numbers in place, and L2's gather of 10,000 requests.
        std::string switchSource = switchLesson.variants.front().listing;
        const auto numbers = switchSource.find("int(sys.argv[1]), int(sys.argv[2])");
        switchSource.replace(numbers, std::string_view("int(sys.argv[1]), int(sys.argv[2])").size(),
                             fmt::format("{}, {}", tasks, switches));
        const std::optional<double> switching = tracerOverhead(options.python, switchSource, "switch", runs);
        figures.push_back({"CPython under the tracer, switch-heavy shape", switching.value_or(NAN), "x slower", "<= 2",
                           switching && *switching <= 2.0,
                           fmt::format("{} tasks x {} await asyncio.sleep(0), traced through a Run against "
                                       "{} alone, each timing itself",
                                       withSeparators(tasks), withSeparators(switches), options.python)});
        const core::Scenario l2 = core::findLesson("L2");
        const int requests = quick ? 1000 : 10'000;
        const std::string gather = l2.renderListing(
            *l2.findVariant("gather"),
            core::resolveParameters(l2, {{"requests", std::to_string(requests)}, {"latency_ms", "200"}}));
        const std::optional<double> l2Overhead = tracerOverhead(options.python, gather, "l2", runs);
        figures.push_back({"CPython under the tracer, L2's gather", l2Overhead.value_or(NAN), "x slower", "", true,
                           fmt::format("{} requests of 200 ms gathered (its listing), traced against alone",
                                       withSeparators(requests))});
    }

    say("memory a run keeps per event");
    const KeptMemory kept = quick ? keptPerEvent(1000, 100, options) : keptPerEvent(10'000, 1000, options);
    figures.push_back({fmt::format("memory a run keeps per event (trace, analysis{})",
                                   options.buildViews ? ", " + options.viewsName : std::string()),
                       kept.bytesPerEvent, "bytes/event", "", true,
                       std::isfinite(kept.bytesPerEvent)
                           ? fmt::format("L6 semaphore, {} events; sizeof(Event) is {}",
                                         withSeparators(static_cast<double>(kept.events)), sizeof(core::Event))
                           : std::string("not measured: this build's allocator does not report its heap")});

    say("the engine's timer precision (L2 gather, 10 x 200 ms)");
    const double gather =
        medianOf(runs, [&] { return overIdealPercent("L2", "gather", {}, 200.0, options.workerExecutable); });
    figures.push_back({"engine timer precision: L2 gather 10 x 200 ms, above ideal", gather, "%", "<= +0.25",
                       gather <= 0.25, "the engine's timers (steady_timer on the loop), not the OS's"});
    if (!quick) {
        say("the engine's timer precision (L8 bounded queue, 2000 x 10 ms, 8 workers)");
        const double queue = medianOf(
            runs, [&] { return overIdealPercent("L8", "bounded-queue", {}, 2500.0, options.workerExecutable); });
        figures.push_back({"engine timer precision: L8 bounded queue 2000 x 10 ms / 8 workers, above ideal", queue, "%",
                           "<= +0.5", queue <= 0.5, ""});
        say("scale: L6, 100,000 requests of 50 ms behind Semaphore(1000)");
        const double l6 = overIdealPercent("L6", "semaphore", {{"requests", "100000"}, {"limit", "1000"}}, 5000.0,
                                           options.workerExecutable);
        figures.push_back({"scale: L6 100,000 x 50 ms / Semaphore(1000), above ideal", l6, "%", "<= +5", l6 <= 5.0,
                           "ideal 5,000 ms"});
        say("scale: L8, 100,000 items of 10 ms, 64 workers, queue 1,000");
        const double l8 =
            overIdealPercent("L8", "bounded-queue", {{"items", "100000"}, {"workers", "64"}, {"queue_size", "1000"}},
                             100000.0 * 10.0 / 64.0, options.workerExecutable);
        figures.push_back({"scale: L8 100,000 x 10 ms / 64 workers, queue 1,000, above ideal", l8, "%", "<= +5",
                           l8 <= 5.0, "ideal 15,625 ms"});
    }

    say("process pool start-up");
    processPoolStartMs(options.workerExecutable); // warm the page cache for the worker binary
    const double pool = medianOf(runs, [&] { return processPoolStartMs(options.workerExecutable); });
    figures.push_back({"process pool of 4 started + 4 trivial tasks", pool, "ms", "<= 10", pool <= 10.0, ""});

    if (core::findExecutable("redis-server")) {
        say("a task queue through Redis (L17, 2,000 jobs of 1 ms on average, 4 workers)");
        const double jobsPerSecond = medianOf(runs, [&] {
            const TaskQueueRun run = taskQueueRun({{"jobs", "2000"}, {"job_ms", "1"}}, options.workerExecutable);
            return 2000.0 / (static_cast<double>(run.analysis.makespanNs) / 1e9);
        });
        // The floor: 4 workers doing nothing but the jobs' sleeps, 2,000 ms of them, take 500 ms: 4,000 jobs/s.
        figures.push_back(
            {"jobs through Redis, 4 workers, 1 ms jobs: against the sleeps alone", jobsPerSecond / 4000.0,
             "of the floor", "", true,
             fmt::format("{:.0f} jobs/s against 4,000 jobs/s (4 workers sleeping 1 ms a job, nothing else)",
                         jobsPerSecond)});
        say("L17: a killed worker's job taken over");
        const double late =
            medianOf(runs, [&] { return reclaimPastVisibilityMs(taskQueueRun({}, options.workerExecutable), 250.0); });
        figures.push_back({"a killed worker's job reclaimed, past the visibility timeout (250 ms)", late, "ms", "",
                           true,
                           "from its delivery to the dead worker until XAUTOCLAIM gave it to another; the free workers "
                           "look every 25 ms, between their jobs"});
    }
    return figures;
}

} // namespace interleave::bench
