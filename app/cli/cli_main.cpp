// interleave-cli: runs lessons headless, checks their expectations and exports traces.
#include "commands.h"
#include "huge_pages.h"
#include "stop_signal.h"

#include "scenario/lesson_error.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

namespace interleave::cli {

namespace {

void addRunSettings(CLI::App& command, RunSettings& settings) {
    command.add_option("--set", settings.sets, "Set a lesson parameter, e.g. --set requests=100 (repeatable)")
        ->type_name("NAME=VALUE")
        ->allow_extra_args(false);
    command.add_option("--time-scale", settings.timeScale, "Slow motion: multiply every duration by X (0.01 to 100)")
        ->type_name("X");
    command.add_option("--seed", settings.seed, "Seed for random failures and jitter (default 1)")->type_name("N");
    command.add_flag("--json", settings.json, "Print one JSON document on stdout instead of text");
    command
        .add_option("--broker", settings.broker,
                    "The broker model (L17): use this running Redis, redis://HOST:PORT/DB (default: a private one)")
        ->type_name("URL");
    command
        .add_option("--broker-run", settings.brokerRunId,
                    "The broker model: the run's id on the broker, for workers started by hand (default: a fresh one)")
        ->type_name("ID");
}

void addFigureOptions(CLI::App& command, FigureOptions& figure) {
    command
        .add_option("--export", figure.path,
                    "Write a figure of the timeline and charts: FILE.svg or FILE.pdf (vector) or FILE.png")
        ->type_name("FILE");
    command.add_option("--width", figure.width, "Figure width in px (default 1600; SVG/PDF: 1 px = 0.75 pt)")
        ->type_name("W");
    command.add_option("--height", figure.height, "Figure height in px (default 900)")->type_name("H");
    command.add_option("--dpi", figure.dpi, "PNG resolution (default 96; the content scales with it)")->type_name("D");
}

CLI::App* addImportCommand(CLI::App& app, ImportCommand& command) {
    CLI::App* importApp =
        app.add_subcommand("import", "Read a Chrome trace JSON (node, VizTracer, Perfetto) and summarize it");
    importApp->add_option("FILE", command.file, "The trace: [events] or {\"traceEvents\": [events]}")->required();
    importApp->add_option("--csv", command.csvPath, "Write spans to FILE and counters to FILE-counters")
        ->type_name("FILE");
    importApp->add_option("--trace", command.tracePath, "Write it back as Interleave's Chrome trace JSON")
        ->type_name("FILE");
    importApp->add_option("--save", command.savePath, "Save it as FILE.interleave (opens in the desktop app)")
        ->type_name("FILE");
    addFigureOptions(*importApp, command.figure);
    importApp->add_flag("--json", command.json, "Print one JSON document on stdout instead of text");
    return importApp;
}

int run(int argc, char** argv) {
    CLI::App app{
        "interleave-cli: run Interleave's concurrency lessons headless, check them and export traces.\n"
        "Exit codes: 0 ok, 1 an expectation failed, 2 bad input (nothing ran), 3 a run failed,\n"
        "4 an export could not be written, 5 an internal error (a bug), 130 interrupted by Ctrl-C (partial results\n"
        "are still printed and exported).",
        "interleave-cli"};
    app.set_version_flag("--version", "interleave-cli 0.1.0");
    app.require_subcommand(1);

    bool listJson = false;
    CLI::App* list = app.add_subcommand("list", "List the built-in lessons: alias, id, title and topic");
    list->add_flag("--json", listJson, "Print a JSON array");

    RunCommand runCommand;
    CLI::App* runApp = app.add_subcommand("run", "Run a lesson's variants one after the other and summarize them");
    runApp->add_option("LESSON", runCommand.lesson, "Lesson id (gather), alias (L2) or path to a lesson file")
        ->required();
    runApp->add_option("--variant", runCommand.variants, "Run only this variant (repeatable; default: all)")
        ->type_name("V")
        ->allow_extra_args(false);
    addRunSettings(*runApp, runCommand.settings);
    runApp
        ->add_option("--csv", runCommand.csvPath,
                     "Write spans to FILE and counters to FILE with -counters before the extension "
                     "(run.csv -> run-counters.csv)")
        ->type_name("FILE");
    runApp->add_flag("--python", runCommand.python,
                     "Also run each variant's listing in CPython (python3, under Interleave's tracer) and set the two "
                     "side by side");
    runApp->add_option("--trace", runCommand.tracePath, "Write a Chrome trace JSON (opens in Perfetto) to FILE")
        ->type_name("FILE");
    runApp->add_option("--save", runCommand.savePath, "Save the run to FILE.interleave (opens in the desktop app)")
        ->type_name("FILE");
    addFigureOptions(*runApp, runCommand.figure);

    CheckCommand checkCommand;
    CLI::App* checkApp =
        app.add_subcommand("check", "Run every variant and verify the expectations; exit 1 when one fails");
    auto* checkLesson = checkApp->add_option("LESSON", checkCommand.lesson, "Lesson id, alias or path");
    checkApp->add_flag("--python", checkCommand.python,
                       "Also run each variant's listing in CPython; fail when its time is off the engine's by more "
                       "than the lesson's cpython_tolerance");
    checkApp->add_flag("--all", checkCommand.all, "Check every built-in lesson (the default without LESSON)")
        ->excludes(checkLesson);
    addRunSettings(*checkApp, checkCommand.settings);

    bool benchQuick = false;
    bool benchJson = false;
    bool benchStrict = false;
    CLI::App* bench = app.add_subcommand("bench", "Measure the engine's headline figures against their targets");
    bench->add_flag("--quick", benchQuick, "Smaller sizes: faster, noisier");
    bench->add_flag("--json", benchJson, "Print a JSON document");
    bench->add_flag("--strict", benchStrict, "Exit 1 when a target is not met");
    bool benchImport = false;
    bench->add_flag("--import", benchImport, "Measure importing a generated 100 MB Chrome trace instead");

    SweepCommand sweepCommand;
    CLI::App* sweepApp = app.add_subcommand(
        "sweep", "Run one variant once per value of a parameter: makespan and throughput against it");
    sweepApp->add_option("LESSON", sweepCommand.lesson, "Lesson id, alias or path")->required();
    sweepApp->add_option("--variant", sweepCommand.variant, "The variant to sweep (default: the lesson's sweep's)")
        ->type_name("V");
    sweepApp
        ->add_option("--param", sweepCommand.param,
                     "The parameter and its values: workers=1,2,4,8 or workers=1..8 or workers=1..64x2 "
                     "(default: the lesson's sweep)")
        ->type_name("NAME=VALUES");
    addRunSettings(*sweepApp, sweepCommand.settings);
    sweepApp->add_option("--csv", sweepCommand.csvPath, "Write one line per value to FILE")->type_name("FILE");
    addFigureOptions(*sweepApp, sweepCommand.figure);

    ImportCommand importCommand;
    CLI::App* importApp = addImportCommand(app, importCommand);

    TraceCommand traceCommand;
    CLI::App* traceApp = app.add_subcommand(
        "trace", "Run a Python program under CPython with Interleave's tracer: its asyncio tasks, threads and worker "
                 "processes, drawn as a lesson's are (running a script runs its code)");
    traceApp->add_option("SCRIPT", traceCommand.script, "The Python program")->required();
    traceApp->add_option("ARGS", traceCommand.arguments, "Its arguments (after --, when they start with -)");
    traceApp->add_option("--time-limit", traceCommand.timeLimitS, "Stop it after S seconds (default 600)")
        ->type_name("S");
    traceApp->add_option("--csv", traceCommand.csvPath, "Write spans to FILE and counters to FILE-counters")
        ->type_name("FILE");
    traceApp->add_option("--trace", traceCommand.tracePath, "Write a Chrome trace JSON (opens in Perfetto) to FILE")
        ->type_name("FILE");
    traceApp->add_option("--save", traceCommand.savePath, "Save it as FILE.interleave (opens in the desktop app)")
        ->type_name("FILE");
    addFigureOptions(*traceApp, traceCommand.figure);
    traceApp->add_flag("--json", traceCommand.json, "Print one JSON document on stdout instead of text");

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& help) {
        return app.exit(help);
    } catch (const CLI::CallForAllHelp& help) {
        return app.exit(help);
    } catch (const CLI::CallForVersion& version) {
        return app.exit(version);
    } catch (const CLI::ParseError& error) {
        fmt::print(stderr, "interleave-cli: {}\nRun with --help for more information.\n", error.what());
        return kExitUsage;
    }

    if (list->parsed()) {
        return listLessons(listJson);
    }
    if (runApp->parsed()) {
        return runLesson(runCommand);
    }
    if (checkApp->parsed()) {
        return checkLessons(checkCommand);
    }
    if (sweepApp->parsed()) {
        return runSweep(sweepCommand);
    }
    if (importApp->parsed()) {
        return importTrace(importCommand);
    }
    if (traceApp->parsed()) {
        return tracePython(traceCommand);
    }
    if (benchImport) {
        return runImportBenchmark(benchQuick, benchJson, benchStrict);
    }
    return runBenchmarks(benchQuick, benchJson, benchStrict);
}

} // namespace

} // namespace interleave::cli

int main(int argc, char** argv) {
    interleave::cli::reexecWithHugePages(argv);
    interleave::cli::installStopHandlers();
    try {
        const int code = interleave::cli::run(argc, argv);
        if (interleave::cli::teardownLeftToExit()) {
            // A stopped run is still freeing its tasks on its own thread: exit without waiting for it (the OS takes
            // the memory back at once) and without static destructors racing that thread.
            std::fflush(nullptr);
            std::_Exit(code);
        }
        return code;
    } catch (const interleave::core::LessonError& error) {
        fmt::print(stderr, "interleave-cli: {}\n", error.what());
        return interleave::cli::kExitUsage;
    } catch (const interleave::core::UsageError& error) {
        fmt::print(stderr, "interleave-cli: {}\n", error.what());
        return interleave::cli::kExitUsage;
    } catch (const std::exception& error) {
        fmt::print(stderr, "interleave-cli: unexpected error (please report it): {}\n", error.what());
        return interleave::cli::kExitInternal;
    }
}
