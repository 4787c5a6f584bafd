// The desktop app's command line: the scripted start teachers and tests use.
#pragma once

#include <QString>
#include <QStringList>

#include <map>
#include <optional>
#include <string>

class QCoreApplication;

namespace interleave::ui {

struct AppOptions {
    QString lesson;                              // id, alias (L2) or path; empty = the last one used
    QString openPath;                            // a run file (.interleave) or a Chrome trace to open at start
    QStringList variants;                        // empty = all (for --run) or the first
    std::map<std::string, std::string> settings; // --set name=value
    std::optional<double> timeScale;
    bool run = false;
    bool python = false; // --python: with --run, each variant's listing in CPython too (Run in CPython)
    bool sweep = false;  // --sweep: run the lesson's sweep at once
    bool presenter = false;
    QString screenshotPath;
    QString frameStatsPath;
    bool quitWhenDone = false;
};

// Parses the application's arguments; on a usage error prints it and exits with status 2, as --help exits with 0.
AppOptions parseAppOptions(const QCoreApplication& application);

} // namespace interleave::ui
