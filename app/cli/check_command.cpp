// The `check` command: runs every variant of one lesson or of all built-in lessons and reports the verdicts.
#include "commands.h"
#include "python_compare.h"

#include "lesson_session.h"
#include "report_json.h"
#include "report_printer.h"
#include "scenario/lesson_loader.h"

#include <fmt/format.h>

#include <cstdio>

namespace interleave::cli {

namespace {

struct LessonCheck {
    bool passed = false;
    bool interrupted = false;
    int stopSignal = 0;
    nlohmann::ordered_json json;
};

LessonCheck checkOne(const core::Scenario& scenario, const CheckCommand& command, ProgressLine& progress) {
    const core::ParameterValues parameters = core::resolveParameters(scenario, parseOverrides(command.settings.sets));
    const core::RunOptions options = runOptionsFrom(command.settings);
    LessonSession session(scenario, parameters, {}, options);
    const SessionResult result = session.run(progress);
    const core::LessonReport report = core::buildReport(scenario, parameters, result.runs);

    LessonCheck check;
    check.interrupted = result.interrupted();
    check.stopSignal = result.stopSignal;
    check.passed = report.allPassed() && !check.interrupted;
    std::vector<PythonComparison> comparisons;
    if (command.python && !check.interrupted) {
        comparisons = compareWithPython(scenario, parameters, result.runs, progress);
        check.passed =
            check.passed && std::all_of(comparisons.begin(), comparisons.end(),
                                        [](const PythonComparison& each) { return !each.judged || each.agrees; });
    }
    if (command.settings.json) {
        check.json = reportToJson(report, scenario.alias(), check.interrupted);
        if (command.python) {
            check.json["python"] = comparisonsToJson(comparisons);
        }
    } else {
        printVerdicts(stdout, report, ReportContext{scenario.alias(), check.interrupted});
        if (!comparisons.empty()) {
            printComparisonVerdicts(stdout, scenario, comparisons);
        }
    }
    return check;
}

} // namespace

int checkLessons(const CheckCommand& command) {
    const bool all = command.all || command.lesson.empty();
    if (all && !command.settings.sets.empty()) {
        throw core::UsageError("--set needs a single LESSON; it cannot apply to every lesson");
    }
    const std::vector<core::Scenario> lessons = all ? core::loadLessonDirectory(core::builtinLessonDirectory())
                                                    : std::vector<core::Scenario>{core::findLesson(command.lesson)};

    ProgressLine progress;
    nlohmann::ordered_json reports = nlohmann::ordered_json::array();
    std::vector<std::string> failed;
    int stopSignalNumber = 0;
    std::size_t checked = 0;
    for (const core::Scenario& scenario : lessons) {
        LessonCheck check;
        try {
            check = checkOne(scenario, command, progress);
        } catch (const std::exception& error) {
            if (!all) {
                throw; // a single lesson's usage or lesson error is the command's error (exit 2)
            }
            fmt::print(stdout, "FAIL {} {}: {}\n", scenario.alias(), scenario.id, error.what());
            check.json = {
                {"lesson", scenario.id}, {"alias", scenario.alias()}, {"passed", false}, {"error", error.what()}};
        }
        ++checked;
        if (command.settings.json) {
            reports.push_back(std::move(check.json));
        }
        if (!check.passed) {
            failed.push_back(scenario.alias());
        }
        std::fflush(stdout);
        if (check.interrupted) {
            stopSignalNumber = check.stopSignal;
            break;
        }
    }

    const bool passed = failed.empty() && stopSignalNumber == 0;
    if (command.settings.json) {
        fmt::print("{}\n", nlohmann::ordered_json{{"passed", passed}, {"lessons", std::move(reports)}}.dump(2));
    } else if (lessons.size() > 1) {
        fmt::print("\n{} of {} lessons passed{}\n", checked - failed.size(), checked,
                   failed.empty() ? "" : fmt::format("; failed: {}", fmt::join(failed, ", ")));
    }
    std::fflush(stdout);
    if (stopSignalNumber != 0) {
        fmt::print(stderr, "interleave-cli: interrupted; the check is incomplete\n");
        return 128 + stopSignalNumber;
    }
    return passed ? kExitOk : kExitChecksFailed;
}

} // namespace interleave::cli
