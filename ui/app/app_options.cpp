// The desktop app's command line.
#include "app/app_options.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>
#include <cstdlib>

namespace interleave::ui {

namespace {

[[noreturn]] void usageError(const QString& message) {
    std::fprintf(stderr, "interleave: %s\n", qPrintable(message));
    std::exit(2);
}

} // namespace

AppOptions parseAppOptions(const QCoreApplication& application) {
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Interleave: a concurrency lab. Runs real work in four models and "
                                                    "draws it live."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption lesson(QStringLiteral("lesson"), QStringLiteral("Lesson id, alias (L2) or file."),
                                    QStringLiteral("LESSON"));
    const QCommandLineOption variant(QStringLiteral("variant"),
                                     QStringLiteral("Variant to run (repeatable; default: all)."), QStringLiteral("V"));
    const QCommandLineOption set(QStringLiteral("set"), QStringLiteral("Set a parameter (repeatable)."),
                                 QStringLiteral("name=value"));
    const QCommandLineOption timeScale(QStringLiteral("time-scale"),
                                       QStringLiteral("Slow motion: multiply every duration by X (1 to 20)."),
                                       QStringLiteral("X"));
    const QCommandLineOption run(QStringLiteral("run"), QStringLiteral("Start the run at once."));
    const QCommandLineOption python(QStringLiteral("python"),
                                    QStringLiteral("With --run: each variant's listing in CPython too, below it."));
    const QCommandLineOption sweep(
        QStringLiteral("sweep"), QStringLiteral("Start the lesson's sweep at once (of --variant's, else its first)."));
    const QCommandLineOption presenter(QStringLiteral("presenter"), QStringLiteral("Start in presenter mode."));
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QStringLiteral("Save a PNG of the window once the run ends (or the file is open)."), QStringLiteral("FILE"));
    const QCommandLineOption frameStats(QStringLiteral("frame-stats"),
                                        QStringLiteral("Write frame-time percentiles (JSON) once the run ends."),
                                        QStringLiteral("FILE"));
    const QCommandLineOption quit(QStringLiteral("quit-when-done"), QStringLiteral("Quit once the run ends."));
    parser.addOptions({lesson, variant, set, timeScale, run, python, sweep, presenter, screenshot, frameStats, quit});
    parser.addPositionalArgument(QStringLiteral("file"),
                                 QStringLiteral("A run file (.interleave), a Chrome trace JSON or a Python program "
                                                "(.py: opened, run with Run or --run) to open."),
                                 QStringLiteral("[file]"));
    parser.process(application);
    if (parser.positionalArguments().size() > 1) {
        usageError(QStringLiteral("open one file at a time"));
    }

    AppOptions options;
    options.lesson = parser.value(lesson);
    options.python = parser.isSet(python);
    options.openPath = parser.positionalArguments().value(0);
    options.variants = parser.values(variant);
    for (const QString& assignment : parser.values(set)) {
        const auto equals = assignment.indexOf(QLatin1Char('='));
        if (equals <= 0) {
            usageError(QStringLiteral("--set takes name=value, got '%1'").arg(assignment));
        }
        options.settings[assignment.left(equals).trimmed().toStdString()] =
            assignment.mid(equals + 1).trimmed().toStdString();
    }
    if (parser.isSet(timeScale)) {
        bool ok = false;
        const double value = parser.value(timeScale).toDouble(&ok);
        if (!ok || value < 1.0 || value > 20.0) {
            usageError(
                QStringLiteral("--time-scale takes a number from 1 to 20, got '%1'").arg(parser.value(timeScale)));
        }
        options.timeScale = value;
    }
    options.run = parser.isSet(run);
    options.sweep = parser.isSet(sweep);
    options.presenter = parser.isSet(presenter);
    options.screenshotPath = parser.value(screenshot);
    options.frameStatsPath = parser.value(frameStats);
    options.quitWhenDone = parser.isSet(quit);
    return options;
}

} // namespace interleave::ui
