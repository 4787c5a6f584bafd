// The engine's headline figures, measured live on this machine.
#include "runtime/engine_bench.h"

#include "runtime/run.h"
#include "scenario/lesson_loader.h"
#include "trace/recorder.h"
#include "trace/trace_analysis.h"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>

#include <fmt/format.h>
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace interleave::core {

namespace {

using BenchClock = std::chrono::steady_clock;

double secondsSince(BenchClock::time_point start) {
    return std::chrono::duration<double>(BenchClock::now() - start).count();
}

asio::awaitable<void> yieldingTask(Recorder& recorder, std::uint32_t task, std::int64_t switches) {
    for (std::int64_t i = 0; i < switches; ++i) {
        co_await asio::post(asio::use_awaitable); // back of the loop's queue, as asyncio.sleep(0) does
        recorder.record(task, 0, EventKind::TaskState, static_cast<std::uint8_t>(TaskState::Running), 0, 0);
    }
}

// Coroutine switches through the loop, each recorded as a state-change event, in millions per second.
double coroutineSwitchesPerSecond(std::int64_t totalSwitches) {
    Recorder recorder;
    asio::io_context loop(1);
    constexpr int kTasks = 100;
    for (int task = 0; task < kTasks; ++task) {
        asio::co_spawn(loop, yieldingTask(recorder, static_cast<std::uint32_t>(task), totalSwitches / kTasks),
                       asio::detached);
    }
    const auto start = BenchClock::now();
    loop.run();
    return static_cast<double>(totalSwitches) / secondsSince(start) / 1e6;
}

// ns per recorded event with `threads` threads recording at once (the slowest thread's rate), while a consumer
// drains every millisecond as the CLI and the GUI do.
double recordingCostNs(int threads, std::int64_t eventsPerThread) {
    Recorder recorder;
    std::atomic<bool> recording{true};
    std::thread consumer([&] {
        std::vector<Event> batch;
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
            const auto start = BenchClock::now();
            for (std::int64_t i = 0; i < eventsPerThread; ++i) {
                recorder.record(static_cast<std::uint32_t>(i), static_cast<std::uint16_t>(t), EventKind::TaskState, 1,
                                0, 0);
            }
            costs[static_cast<std::size_t>(t)] = secondsSince(start) * 1e9 / static_cast<double>(eventsPerThread);
        });
    }
    for (auto& worker : workers) {
        worker.join();
    }
    recording.store(false);
    consumer.join();
    double worst = 0;
    for (double cost : costs) {
        worst = std::max(worst, cost);
    }
    return worst;
}

// Heap bytes per event once recorded events are stored in a Trace and the recorder is gone.
double bytesPerStoredEvent(std::int64_t events) {
    // Small blocks count in uordblks, mmapped ones (large vectors, recorder chunks) in hblkhd.
    auto heapInUse = [] {
        const struct mallinfo2 info = mallinfo2();
        return info.uordblks + info.hblkhd;
    };
    const std::size_t before = heapInUse();
    Trace trace;
    {
        Recorder recorder;
        std::vector<Event> batch;
        for (std::int64_t i = 0; i < events; ++i) {
            recorder.record(static_cast<std::uint32_t>(i), 0, EventKind::TaskState, 1, 0, 0);
            if (i % 1'000'000 == 999'999) {
                batch.clear();
                recorder.drain(batch);
                trace.appendSorted(batch);
            }
        }
        batch.clear();
        recorder.drain(batch);
        trace.appendSorted(batch);
    }
    trace.events.shrink_to_fit();
    const std::size_t after = heapInUse();
    return static_cast<double>(after - before) / static_cast<double>(trace.events.size());
}

// How far a lesson variant's makespan lands above its ideal, in percent.
double overIdealPercent(const std::string& lesson, const std::string& variant,
                        const std::map<std::string, std::string>& settings, double idealMs,
                        const std::filesystem::path& worker) {
    const Scenario scenario = findLesson(lesson);
    const VariantDecl* decl = scenario.findVariant(variant);
    if (decl == nullptr) {
        throw std::runtime_error(fmt::format("lesson {} has no variant '{}'", lesson, variant));
    }
    RunOptions options;
    options.workerExecutable = worker;
    RunResult result = runToCompletion(compilePlan(scenario, *decl, resolveParameters(scenario, settings), options));
    const TraceAnalysis analysis = analyze(result.trace);
    return (static_cast<double>(analysis.makespanNs) / 1e6 - idealMs) / idealMs * 100.0;
}

// The median of a few runs: one run can land on a moment when the host (a VM here) is busy elsewhere.
template <typename Measure> double medianOf(int runs, Measure measure) {
    std::vector<double> values;
    for (int i = 0; i < runs; ++i) {
        values.push_back(measure());
    }
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

// A pool of 4 workers started and 4 trivial jobs done, in ms.
double processPoolStartMs(const std::filesystem::path& worker) {
    Plan plan;
    plan.model = Model::Sequential;
    plan.processes = 4;
    plan.options.workerExecutable = worker;
    PlanStep gather;
    gather.kind = OpKind::Gather;
    gather.placement = Placement::Processes;
    PlanStep trivial;
    trivial.kind = OpKind::Cpu;
    trivial.durationNs = 1'000; // 1 µs of work
    gather.children.push_back(PlanChild{plan.strings.intern("trivial"), 4, {trivial}});
    plan.program.push_back(gather);
    RunResult result = runToCompletion(plan);
    if (result.outcome.status != RunStatus::Completed) {
        throw std::runtime_error("process pool benchmark failed: " + result.outcome.error);
    }
    return static_cast<double>(analyze(result.trace).makespanNs) / 1e6;
}

} // namespace

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
    auto add = [&figures](std::string name, double value, std::string unit, std::string target, bool met) {
        figures.push_back(BenchFigure{std::move(name), value, std::move(unit), std::move(target), met});
    };

    say("coroutine switches");
    const double switches = coroutineSwitchesPerSecond(quick ? 200'000 : 20'000'000);
    add("recorded coroutine switches on the loop", switches, "M/s", ">= 10", switches >= 10.0);

    say("recording cost");
    const std::int64_t events = quick ? 200'000 : 20'000'000;
    const double oneThread = recordingCostNs(1, events);
    add("recording cost, one thread", oneThread, "ns/event", "<= 20", oneThread <= 20.0);
    const double twoThreads = recordingCostNs(2, events);
    add("recording cost, two threads at once", twoThreads, "ns/event", "<= 40", twoThreads <= 40.0);
    const double bytes = bytesPerStoredEvent(quick ? 200'000 : 10'000'000);
    add("memory per stored event", bytes, "bytes/event", "<= 24", bytes <= 24.5);

    say("timer fidelity (L2 gather, 10 x 200 ms)");
    const int runs = quick ? 1 : 3;
    const double gather =
        medianOf(runs, [&] { return overIdealPercent("L2", "gather", {}, 200.0, options.workerExecutable); });
    add("L2 gather 10 x 200 ms, above ideal", gather, "%", "<= +0.25", gather <= 0.25);
    if (!quick) {
        say("timer fidelity (L8 bounded queue, 2000 x 10 ms, 8 workers)");
        const double queue = medianOf(
            runs, [&] { return overIdealPercent("L8", "bounded-queue", {}, 2500.0, options.workerExecutable); });
        add("L8 bounded queue 2000 x 10 ms / 8 workers, above ideal", queue, "%", "<= +0.5", queue <= 0.5);
    }

    say("process pool start-up");
    processPoolStartMs(options.workerExecutable); // warm the page cache for the worker binary
    const double pool = medianOf(runs, [&] { return processPoolStartMs(options.workerExecutable); });
    add("process pool of 4 started + 4 trivial tasks", pool, "ms", "<= 10", pool <= 10.0);
    return figures;
}

} // namespace interleave::core
