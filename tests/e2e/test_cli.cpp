// End-to-end tests of interleave-cli: the real binary on the built-in lessons, checked by output and exit code.
#include "cli_process.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <thread>

namespace interleave::e2e {
namespace {

using namespace std::chrono_literals;

std::string describe(const CliResult& result) {
    return "exit " + std::to_string(result.exitCode) + "\n--- stdout\n" + result.out + "\n--- stderr\n" + result.err;
}

const nlohmann::json* findVariant(const nlohmann::json& report, const std::string& name) {
    for (const auto& variant : report.at("variants")) {
        if (variant.at("name") == name) {
            return &variant;
        }
    }
    return nullptr;
}

TEST(Cli, ListShowsTheFirstNineLessons) {
    const CliResult text = runCli({"list"});
    ASSERT_EQ(text.exitCode, 0) << describe(text);
    for (int number = 1; number <= 9; ++number) {
        const std::regex row("(^|\\n)L" + std::to_string(number) + " +\\S+ +\\S");
        EXPECT_TRUE(std::regex_search(text.out, row)) << "no row for L" << number << "\n" << text.out;
    }

    const CliResult json = runCli({"list", "--json"});
    ASSERT_EQ(json.exitCode, 0) << describe(json);
    const auto lessons = nlohmann::json::parse(json.out);
    std::set<std::string> aliases;
    for (const auto& lesson : lessons) {
        aliases.insert(lesson.at("alias").get<std::string>());
        EXPECT_FALSE(lesson.at("id").get<std::string>().empty());
        EXPECT_FALSE(lesson.at("title").get<std::string>().empty());
        EXPECT_TRUE(lesson.contains("topic"));
    }
    for (int number = 1; number <= 9; ++number) {
        EXPECT_EQ(aliases.count("L" + std::to_string(number)), 1U) << json.out;
    }
}

TEST(Cli, RunGatherAsJsonShowsTheSpeedup) {
    const CliResult result = runCli({"run", "L2", "--json", "--set", "latency_ms=40", "--set", "requests=10"});
    ASSERT_EQ(result.exitCode, 0) << describe(result);
    const auto report = nlohmann::json::parse(result.out);
    EXPECT_EQ(report.at("parameters").at("requests"), 10);
    EXPECT_EQ(report.at("parameters").at("latency_ms"), 40);
    const nlohmann::json* gather = findVariant(report, "gather");
    ASSERT_NE(gather, nullptr) << result.out;
    EXPECT_EQ(gather->at("status"), "completed");
    ASSERT_TRUE(gather->at("speedup").is_number()) << result.out;
    EXPECT_GT(gather->at("speedup").get<double>(), 5.0);
    EXPECT_GT(gather->at("tasks").get<int>(), 10);
    EXPECT_GT(gather->at("events").get<int>(), 0);
    EXPECT_TRUE(gather->at("peaks").is_object());
    ASSERT_FALSE(report.at("expectations").empty());
    for (const auto& expectation : report.at("expectations")) {
        EXPECT_TRUE(expectation.contains("metric") && expectation.contains("measured"));
        EXPECT_NE(expectation.at("verdict"), "") << expectation.dump();
    }
}

TEST(Cli, RunPrintsAReadableSummary) {
    const CliResult result = runCli({"run", "L2", "--set", "latency_ms=20", "--set", "requests=5"});
    ASSERT_EQ(result.exitCode, 0) << describe(result);
    EXPECT_NE(result.out.find("makespan"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("gather"), std::string::npos) << result.out;
    EXPECT_TRUE(result.out.find("PASS") != std::string::npos || result.out.find("FAIL") != std::string::npos)
        << result.out;
}

TEST(Cli, CheckSemaphoreLessonPasses) {
    const CliResult result = runCli({"check", "L6"});
    EXPECT_EQ(result.exitCode, 0) << describe(result);
    EXPECT_NE(result.out.find("PASS"), std::string::npos) << result.out;
}

TEST(Cli, BadLessonFileIsRefusedWithItsLocation) {
    TempDir directory;
    const std::string path = directory.file("bad_lesson.yaml");
    writeFile(path, "id: broken\nnumber: 99\ntitle: Broken\ntopic: tests\nvariants:\n  only:\n    program:\n"
                    "      - no_such_op: 5\n");
    const CliResult result = runCli({"run", path});
    EXPECT_EQ(result.exitCode, 2) << describe(result);
    EXPECT_TRUE(std::regex_search(result.err, std::regex("bad_lesson\\.yaml:[0-9]+:[0-9]+:"))) << result.err;
    EXPECT_EQ(result.err.rfind("interleave-cli: ", 0), 0U) << result.err;
    EXPECT_TRUE(result.out.empty()) << result.out;
}

TEST(Cli, OutOfRangeParameterIsRefused) {
    const CliResult result = runCli({"run", "L2", "--set", "requests=999999999"});
    EXPECT_EQ(result.exitCode, 2) << describe(result);
    EXPECT_NE(result.err.find("requests"), std::string::npos) << result.err;
    const bool namesTheBound =
        result.err.find("10000") != std::string::npos || result.err.find("10,000") != std::string::npos ||
        result.err.find("range") != std::string::npos || result.err.find("limit") != std::string::npos;
    EXPECT_TRUE(namesTheBound) << result.err;
}

TEST(Cli, UsageErrorsExitWithTwo) {
    EXPECT_EQ(runCli({"run", "no-such-lesson"}).exitCode, 2);
    EXPECT_EQ(runCli({"run", "L2", "--variant", "no-such-variant"}).exitCode, 2);
    EXPECT_EQ(runCli({"run", "L2", "--set", "requests"}).exitCode, 2);
    EXPECT_EQ(runCli({"run", "L2", "--no-such-flag"}).exitCode, 2);
    EXPECT_EQ(runCli({}).exitCode, 2);
}

// `check` judges and exits 1 on a failed expectation; `run` shows the verdicts and exits 0 (README, exit codes). A
// run that stalls exits 3 from either, naming what its tasks waited on.
TEST(Cli, CheckJudgesRunShowsAndAStallExitsThree) {
    TempDir directory;
    const std::string path = directory.file("judged.yaml");
    writeFile(path, "id: judged\nnumber: 98\ntitle: Judged\ntopic: tests\n"
                    "variants:\n  quick:\n    program:\n      - io: 5\n"
                    "expectations:\n  - text: never\n    variant: quick\n    metric: makespan_ms\n"
                    "    at_least: 100000\n");
    const CliResult run = runCli({"run", path});
    EXPECT_EQ(run.exitCode, 0) << describe(run);
    EXPECT_NE(run.out.find("FAIL"), std::string::npos) << run.out;
    const CliResult check = runCli({"check", path});
    EXPECT_EQ(check.exitCode, 1) << describe(check);
    const std::string stuckPath = directory.file("stuck.yaml");
    writeFile(stuckPath, "id: stuck\nnumber: 97\ntitle: Stuck\ntopic: tests\nprimitives:\n  go: event\n"
                         "variants:\n  waits:\n    program:\n      - wait: go\n");
    const CliResult stuck = runCli({"run", stuckPath});
    EXPECT_EQ(stuck.exitCode, 3) << describe(stuck);
    EXPECT_NE(stuck.err.find("stalled: no task can make progress"), std::string::npos) << stuck.err;
    EXPECT_NE(stuck.err.find("1 on 'go'"), std::string::npos) << stuck.err;
}

// A deadlock is the program's, not a failure of the run: its cycle is in the summary and in --json, and it is judged
// by the lesson's expectations (L13 means its deadlocks), so `run` exits 0.
TEST(Cli, ADeadlockIsReportedWithItsCycle) {
    TempDir directory;
    const std::string path = directory.file("twice.yaml");
    writeFile(path, "id: twice\nnumber: 96\ntitle: Twice\ntopic: tests\nprimitives:\n  lk: lock\n"
                    "variants:\n  twice:\n    program:\n      - acquire: lk\n      - acquire: lk\n");
    const CliResult run = runCli({"run", path});
    EXPECT_EQ(run.exitCode, 0) << describe(run);
    EXPECT_NE(run.out.find("twice deadlocked: main waits for 'lk', held by itself"), std::string::npos) << run.out;
    const CliResult json = runCli({"run", path, "--json"});
    EXPECT_NE(json.out.find("\"status\": \"deadlocked\""), std::string::npos) << json.out;
    EXPECT_NE(json.out.find("\"waits_for\": \"lk\""), std::string::npos) << json.out;
}

// A sweep's points are the runs one would make by hand: each value's makespan and tasks as `run --set` gives them.
TEST(Cli, ASweepsPointsAreTheSeparateRunsOfEachValue) {
    TempDir directory;
    const std::string csv = directory.file("sweep.csv");
    const CliResult sweep = runCli({"sweep", "L15", "--param", "workers=1,2,8", "--set", "calls=8", "--set",
                                    "call_ms=50", "--json", "--csv", csv});
    ASSERT_EQ(sweep.exitCode, 0) << describe(sweep);
    const auto document = nlohmann::json::parse(sweep.out);
    EXPECT_EQ(document.at("variant"), "pool");
    EXPECT_EQ(document.at("parameter"), "workers");
    const auto& points = document.at("points");
    ASSERT_EQ(points.size(), 3U);
    const std::vector<int> workers = {1, 2, 8};
    for (std::size_t index = 0; index < points.size(); ++index) {
        const auto& point = points[index];
        SCOPED_TRACE(workers[index]);
        EXPECT_EQ(point.at("value").get<double>(), workers[index]);
        EXPECT_EQ(point.at("status"), "completed");
        EXPECT_EQ(point.at("tasks_done").get<int>(), 8);
        // The lesson's theory, ceil(8 / w) rounds of 50 ms, at this value.
        const double theory = std::ceil(8.0 / workers[index]) * 50;
        EXPECT_EQ(point.at("theory_ms").get<double>(), theory);
        const CliResult alone = runCli({"run", "L15", "--variant", "pool", "--set", "calls=8", "--set", "call_ms=50",
                                        "--set", "workers=" + std::to_string(workers[index]), "--json"});
        ASSERT_EQ(alone.exitCode, 0) << describe(alone);
        const auto aloneDocument = nlohmann::json::parse(alone.out);
        const auto& variant = aloneDocument.at("variants").at(0);
        EXPECT_EQ(variant.at("tasks").get<int>(), 9); // the 8 calls and main
        const double sweptMs = point.at("makespan_ms").get<double>();
        const double aloneMs = variant.at("makespan_ms").get<double>();
        // Wide margins: a pool's start-up on a busy machine adds milliseconds to either run.
        EXPECT_NEAR(sweptMs, aloneMs, 0.3 * theory + 25) << sweptMs << " vs " << aloneMs;
    }
    std::ifstream file(csv);
    std::string header;
    std::getline(file, header);
    EXPECT_EQ(header, "workers,status,makespan_ms,tasks_done,throughput_per_s,theory_ms");
    int lines = 0;
    for (std::string line; std::getline(file, line);) {
        ++lines;
    }
    EXPECT_EQ(lines, 3);
}

// A sweep's figure: its chart (makespan and throughput against the parameter) above a block per run.
TEST(Cli, ASweepsFigureHasItsChartAndABlockPerValue) {
    TempDir directory;
    const std::string svg = directory.file("sweep.svg");
    const CliResult result =
        runCli({"sweep", "L15", "--param", "workers=1,4", "--set", "calls=4", "--set", "call_ms=10", "--export", svg});
    ASSERT_EQ(result.exitCode, 0) << describe(result);
    std::ifstream file(svg);
    const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    for (const char* expected : {"Makespan (ms) by workers", "Throughput (tasks/s) by workers", "pool · workers=1",
                                 "pool · workers=4", "sweep of workers"}) {
        EXPECT_NE(text.find(expected), std::string::npos) << expected;
    }
}

TEST(Cli, ASweepRefusesABadValueBeforeItRuns) {
    for (const std::vector<std::string>& arguments :
         {std::vector<std::string>{"sweep", "L15", "--param", "workers=0,1"},
          std::vector<std::string>{"sweep", "L15", "--param", "workers=1..x2"},
          std::vector<std::string>{"sweep", "L15", "--param", "workers"}, std::vector<std::string>{"sweep", "L2"},
          std::vector<std::string>{"sweep", "L15", "--set", "workers=2"}}) {
        const CliResult result = runCli(arguments);
        EXPECT_EQ(result.exitCode, 2) << describe(result);
        EXPECT_EQ(result.out.find("completed"), std::string::npos) << result.out;
    }
}

TEST(Cli, HelpDescribesTheCountersFile) {
    const CliResult result = runCli({"run", "--help"});
    EXPECT_EQ(result.exitCode, 0) << describe(result);
    EXPECT_NE(result.out.find("-counters"), std::string::npos) << result.out;
}

TEST(Cli, TraceAndCsvExportsAreWritten) {
    TempDir directory;
    const std::string trace = directory.file("trace.json");
    const std::string csv = directory.file("run.csv");
    const CliResult result =
        runCli({"run", "L2", "--set", "latency_ms=10", "--set", "requests=5", "--trace", trace, "--csv", csv});
    ASSERT_EQ(result.exitCode, 0) << describe(result);

    const auto document = nlohmann::json::parse(readFile(trace));
    std::set<std::string> phases;
    std::set<int> pids;
    for (const auto& event : document.at("traceEvents")) {
        phases.insert(event.at("ph").get<std::string>());
        pids.insert(event.at("pid").get<int>());
    }
    EXPECT_EQ(phases.count("X"), 1U);
    EXPECT_EQ(phases.count("M"), 1U);
    EXPECT_EQ(pids.size(), 2U); // one process per variant

    const std::string spans = readFile(csv);
    EXPECT_EQ(spans.rfind("variant,lane,task,state,start_ms,end_ms,primitive,line\n", 0), 0U) << spans;
    EXPECT_NE(spans.find("\ngather,"), std::string::npos);
    const std::string counters = readFile(directory.file("run-counters.csv"));
    EXPECT_EQ(counters.rfind("variant,name,t_ms,value\n", 0), 0U) << counters;
}

TEST(Cli, CtrlCStopsALongRunAndPrintsAPartialSummary) {
    CliOptions options;
    options.interruptAfter = 700ms;
    options.timeout = 30s;
    // 10 requests of 2 s (the lesson's maximum latency): 20 s in the loop variant unless stopped.
    const CliResult result = runCli({"run", "L2", "--set", "latency_ms=2000", "--set", "requests=10"}, options);
    EXPECT_EQ(result.exitCode, 130) << describe(result);
    EXPECT_LT(result.afterSignal, 1000ms) << describe(result);
    EXPECT_NE(result.out.find("interrupted"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("stopped"), std::string::npos) << result.out;
}

// How soon a stop at scale must end the CLI here (a wide margin): a sanitizer makes cancelling every task, and
// writing, several times slower.
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr auto kStopBound = 5000ms;
#else
constexpr auto kStopBound = 1000ms;
#endif

// At 100,000 tasks the first Ctrl-C still ends the run within the stop target (a wide margin here): the engine
// cancels every live task, the summary says the run stopped, and the large trace is neither analysed nor written.
TEST(Cli, CtrlCStopsA100kTaskRunQuickly) {
    TempDir directory;
    const std::string trace = directory.file("stopped.json");
    CliOptions options;
    options.interruptAfter = 1500ms;
    options.timeout = 60s;
    const CliResult result = runCli({"run", "L6", "--variant", "semaphore", "--set", "requests=100000", "--set",
                                     "limit=10", "--set", "latency_ms=50", "--trace", trace},
                                    options);
    EXPECT_EQ(result.exitCode, 130) << describe(result);
    EXPECT_LT(result.afterSignal, kStopBound) << describe(result);
    EXPECT_NE(result.out.find("stopped"), std::string::npos) << result.out;
    EXPECT_NE(result.err.find("no file was written"), std::string::npos) << result.err;
    EXPECT_FALSE(std::filesystem::exists(trace));
}

// A Ctrl-C while a large trace is being written (after a run that completed) stops the write at once: exit 130,
// the trace file not created and no temporary file left beside it.
// Runs the 4-million-event switch lesson with `output` (an option and a file in a fresh folder), and Ctrl-C as soon
// as the file's temporary copy has data: the write stops, and the folder is left empty.
void expectAStopWhileWritingLeavesNoFile(const std::string& option, const std::string& fileName) {
    TempDir directory;
    CliOptions options;
    options.timeout = 120s;
    options.interruptAfter = 0ms;
    options.interruptWhen = [&directory] { // the temporary file has begun
        std::error_code error;
        for (const auto& entry : std::filesystem::directory_iterator(directory.path(), error)) {
            if (entry.file_size(error) > 0) {
                return true;
            }
        }
        return false;
    };
    // 20,000 tasks x 100 switches: 4 million events, a file of hundreds of MB, written for seconds.
    const CliResult result = runCli({"run", std::string(INTERLEAVE_TEST_DATA_DIR) + "/switch-rate/switch.yaml", "--set",
                                     "tasks=20000", option, directory.file(fileName)},
                                    options);
    EXPECT_EQ(result.exitCode, 130) << describe(result);
    EXPECT_LT(result.afterSignal, kStopBound) << describe(result);
    EXPECT_NE(result.err.find("stopped while writing"), std::string::npos) << result.err;
    EXPECT_TRUE(std::filesystem::is_empty(directory.path())) << "a file was left behind";
}

TEST(Cli, CtrlCWhileWritingATraceLeavesNoFile) {
    expectAStopWhileWritingLeavesNoFile("--trace", "big.json");
}

TEST(Cli, CtrlCWhileSavingARunFileLeavesNoFile) {
    expectAStopWhileWritingLeavesNoFile("--save", "big.interleave");
}

// `bench --quick` measures every figure through the real engine and prints each one finite, with its unit; the
// CPython peer and the ratio to it are there whenever python3 is.
TEST(Cli, QuickBenchReportsEveryFigureFinite) {
    CliOptions options;
    options.timeout = 120s;
    const CliResult result = runCli({"bench", "--quick", "--json"}, options);
    ASSERT_EQ(result.exitCode, 0) << describe(result);
    const auto document = nlohmann::json::parse(result.out);
    std::map<std::string, nlohmann::json> byName;
    for (const auto& figure : document.at("figures")) {
        byName[figure.at("name").get<std::string>()] = figure;
    }
    const bool python = std::system("python3 -c pass >/dev/null 2>&1") == 0;
    const std::vector<std::pair<std::string, std::string>> expected = {
        {"timestamp read alone (the floor)", "ns"},
        {"recording cost, one thread", "x the floor"},
        {"timestamp read alone, two threads at once", "ns"},
        {"recording cost, two threads at once", "x the floor"},
        {"switch through the engine (a task awaiting io 0, recorded)", "ns/switch"},
        {"CPython's await asyncio.sleep(0), same shape", "ns/switch"},
        {"engine switch against CPython's", "x faster"},
        {"memory a run keeps per event (trace, analysis, timeline)", "bytes/event"},
        {"engine timer precision: L2 gather 10 x 200 ms, above ideal", "%"},
        {"process pool of 4 started + 4 trivial tasks", "ms"},
    };
    for (const auto& [name, unit] : expected) {
        const bool needsPython = name.find("CPython") != std::string::npos;
        if (needsPython && !python) {
            continue;
        }
        const auto found = byName.find(name);
        ASSERT_NE(found, byName.end()) << "no figure '" << name << "'\n" << result.out;
        const nlohmann::json& figure = found->second;
        EXPECT_EQ(figure.at("unit"), unit) << figure.dump();
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
        // A sanitizer's allocator does not report its heap: the memory figure says it was not measured.
        if (unit == "bytes/event") {
            EXPECT_NE(figure.at("detail").get<std::string>().find("not measured"), std::string::npos) << figure.dump();
            continue;
        }
#endif
        ASSERT_TRUE(figure.at("value").is_number()) << figure.dump();
        const double value = figure.at("value").get<double>();
        EXPECT_TRUE(std::isfinite(value)) << figure.dump();
        EXPECT_GT(value, name.find("above ideal") != std::string::npos ? -100.0 : 0.0) << figure.dump();
        EXPECT_FALSE(figure.at("detail").get<std::string>().empty() && figure.at("target") == "") << figure.dump();
    }
}

// The first Ctrl-C stops `bench --import` while it writes or its child imports: exit 130, the child gone and the
// generated trace removed.
TEST(Cli, CtrlCStopsTheImportBenchmarkAndLeavesNothingBehind) {
    TempDir directory;
    CliOptions options;
    options.timeout = 60s;
    options.setEnvironment = {"TMPDIR=" + directory.path()};
    // Interrupted while it writes the 100 MB trace (the file has begun), then while its child imports it (the file
    // is whole), whatever the machine's speed.
    const auto traceBytes = [&directory]() -> std::uintmax_t {
        std::error_code error; // the file may go between listing and reading its size
        for (const auto& entry : std::filesystem::directory_iterator(directory.path(), error)) {
            const std::uintmax_t size = entry.file_size(error);
            return error ? 0 : size;
        }
        return 0;
    };
    const std::array<std::function<bool()>, 2> phases = {
        [traceBytes] { return traceBytes() > 0; },
        [traceBytes] { return traceBytes() >= 99'000'000; },
    };
    for (const auto& phase : phases) {
        options.interruptAfter = 0ms;
        options.interruptWhen = phase;
        const CliResult result = runCli({"bench", "--import"}, options);
        EXPECT_EQ(result.exitCode, 130) << describe(result);
        EXPECT_LT(result.afterSignal, 1000ms) << describe(result);
        EXPECT_NE(result.err.find("interrupted"), std::string::npos) << result.err;
        EXPECT_TRUE(std::filesystem::is_empty(directory.path())) << "a trace file was left behind";
    }
    // No import child outlives it: none of this test's processes is still an interleave-cli.
    std::this_thread::sleep_for(200ms);
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        std::ifstream status(entry.path() / "status");
        std::string line;
        std::getline(status, line);
        if (line.find("interleave-cli") == std::string::npos) {
            continue;
        }
        std::string parentLine;
        while (std::getline(status, parentLine) && parentLine.rfind("PPid:", 0) != 0) {
        }
        EXPECT_NE(std::stoi(parentLine.substr(5)), 1) << "an orphaned interleave-cli: " << entry.path();
    }
}

TEST(Cli, ABrokenProcessPoolFailsTheRunWithExitThree) {
    TempDir directory;
    const std::string trace = directory.file("broken.json");
    CliOptions options;
    options.killChildAfter = 800ms; // the workers are busy with 4 s of CPU each by then
    options.timeout = 60s;
    const CliResult result =
        runCli({"run", "L5", "--variant", "processes", "--set", "cpu_ms=4000", "--trace", trace}, options);
    ASSERT_NE(result.killedGrandchild, 0) << "no worker process to kill\n" << describe(result);
    EXPECT_EQ(result.exitCode, 3) << describe(result);
    EXPECT_NE(result.err.find("failed"), std::string::npos) << result.err;
    EXPECT_NE(result.out.find("failed"), std::string::npos) << result.out;
    // The partial trace is still exported, and whole.
    EXPECT_TRUE(nlohmann::json::accept(readFile(trace))) << readFile(trace).substr(0, 200);
}

} // namespace
} // namespace interleave::e2e
