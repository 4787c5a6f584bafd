// The `list` and `run` commands.
#include "commands.h"
#include "stop_signal.h"

#include "export_files.h"
#include "figure_output.h"
#include "io/atomic_file.h"
#include "lesson_session.h"
#include "python_compare.h"
#include "report_json.h"
#include "report_printer.h"
#include "scenario/lesson_loader.h"

#include <fmt/format.h>

#include <cstdio>

namespace interleave::cli {

int listLessons(bool json) {
    const std::vector<core::Scenario> lessons = core::loadLessonDirectory(core::builtinLessonDirectory());
    if (json) {
        nlohmann::ordered_json document = nlohmann::ordered_json::array();
        for (const core::Scenario& lesson : lessons) {
            nlohmann::ordered_json variants = nlohmann::ordered_json::array();
            for (const core::VariantDecl& variant : lesson.variants) {
                variants.push_back(variant.name);
            }
            document.push_back({{"id", lesson.id},
                                {"alias", lesson.alias()},
                                {"title", lesson.title},
                                {"topic", lesson.topic},
                                {"variants", std::move(variants)}});
        }
        fmt::print("{}\n", document.dump(2));
        return kExitOk;
    }
    std::size_t idWidth = 2;
    std::size_t titleWidth = 5;
    for (const core::Scenario& lesson : lessons) {
        idWidth = std::max(idWidth, lesson.id.size());
        titleWidth = std::max(titleWidth, lesson.title.size());
    }
    fmt::print("{:<5} {:<{}}  {:<{}}  {}\n", "alias", "id", idWidth, "title", titleWidth, "topic");
    for (const core::Scenario& lesson : lessons) {
        fmt::print("{:<5} {:<{}}  {:<{}}  {}\n", lesson.alias(), lesson.id, idWidth, lesson.title, titleWidth,
                   lesson.topic);
    }
    return kExitOk;
}

namespace {

class LeaveLargeToExit {
public:
    explicit LeaveLargeToExit(std::unique_ptr<SessionResult>& session) : m_session(session) {}
    LeaveLargeToExit(const LeaveLargeToExit&) = delete;
    LeaveLargeToExit& operator=(const LeaveLargeToExit&) = delete;
    ~LeaveLargeToExit() {
        std::size_t events = 0;
        for (const core::VariantRun& run : m_session->runs) {
            events += run.trace.events.size();
        }
        if (events > core::kAnalysedWhenStopped) {
            leaveToExit(m_session);
        }
    }

private:
    std::unique_ptr<SessionResult>& m_session;
};

} // namespace

int runLesson(const RunCommand& command) {
    const core::Scenario scenario = core::findLesson(command.lesson);
    const core::ParameterValues parameters = core::resolveParameters(scenario, parseOverrides(command.settings.sets));
    const core::RunOptions options = runOptionsFrom(command.settings);

    // Everything that can be refused is refused before the first run starts.
    checkFigureRequest(command.figure);
    LessonSession lessonSession(scenario, parameters, command.variants, options);
    ExportFiles exports(command.csvPath, command.tracePath, command.savePath);

    ProgressLine progress;
    auto session = std::make_unique<SessionResult>(lessonSession.run(progress));
    // Millions of events (a stopped or finished session's traces and analyses) go back with the process's exit.
    const LeaveLargeToExit leaveLarge(session);
    const SessionResult& result = *session;

    const core::LessonReport report = core::buildReport(scenario, parameters, result.runs);
    std::vector<PythonComparison> comparisons;
    if (command.python && !result.interrupted()) {
        comparisons = compareWithPython(scenario, parameters, result.runs, progress);
    }

    if (command.settings.json) {
        nlohmann::ordered_json document = reportToJson(report, scenario.alias(), result.interrupted());
        if (command.python) {
            document["python"] = comparisonsToJson(comparisons);
        }
        fmt::print("{}\n", document.dump(2));
    } else {
        printRunSummary(stdout, report, ReportContext{scenario.alias(), result.interrupted()});
        if (command.python && !comparisons.empty()) {
            printComparisons(stdout, comparisons);
        }
    }
    std::fflush(stdout);
    // The files come after the summary, so a failed write never hides the results. A stopped session writes none: a
    // stop is to be quick (writing a million tasks' trace is not), and its runs may not have been analysed.
    std::vector<std::string> written;
    std::string writeError;
    const bool writeFiles = !result.interrupted();
    try {
        try {
            if (writeFiles) {
                written = exports.write(scenario.alias() + " " + scenario.id, result.runs, &scenario, parameters);
            }
        } catch (const core::FileWriteError& error) {
            writeError = error.what();
        }
        if (writeFiles && !command.figure.path.empty()) {
            FigureSource figure;
            figure.title = fmt::format("{} · {}", scenario.alias(), scenario.title);
            figure.subtitle = figureSubtitle(parameters, command.settings.timeScale);
            for (const core::VariantRun& run : result.runs) {
                figure.runs.push_back(&run);
            }
            figure.report = &report;
            figure.baseline = scenario.baseline;
            figure.lanesByWorker = scenario.lanesByWorker;
            const std::string figureError = writeFigure(figure, command.figure);
            if (figureError.empty()) {
                written.push_back(command.figure.path);
            } else if (writeError.empty()) {
                writeError = figureError;
            }
        }
    } catch (const WriteInterrupted& stopped) {
        if (!written.empty()) {
            fmt::print(command.settings.json ? stderr : stdout, "wrote {}\n", fmt::join(written, ", "));
        }
        fmt::print(stderr, "interleave-cli: {}\n", stopped.what());
        leaveTeardownToExit();
        return 128 + stopSignal();
    }
    if (!written.empty()) {
        fmt::print(command.settings.json ? stderr : stdout, "wrote {}\n", fmt::join(written, ", "));
    }
    for (const core::VariantRun& run : result.runs) {
        if (core::endedWithError(run.outcome.status)) {
            fmt::print(stderr, "interleave-cli: {} · {} {}: {}\n", scenario.alias(), run.variant,
                       core::toString(run.outcome.status), run.outcome.error);
        }
    }
    if (!writeError.empty()) {
        fmt::print(stderr, "interleave-cli: {}\n", writeError);
    }
    if (result.interrupted()) {
        fmt::print(stderr, "interleave-cli: interrupted; the results above are partial, and no file was written\n");
        return 128 + result.stopSignal;
    }
    if (result.anyRunFailed()) {
        return kExitRunFailed;
    }
    return writeError.empty() ? kExitOk : kExitWriteFailed;
}

} // namespace interleave::cli
