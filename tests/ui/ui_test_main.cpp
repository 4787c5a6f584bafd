// GoogleTest main for the UI tests: one offscreen QApplication for the whole run, with its settings, data and cache
// in a private temporary folder so that no test reads or writes the user's home.
#include <QApplication>
#include <QTemporaryDir>

#include <gtest/gtest.h>

#include <cstdio>

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    const QTemporaryDir home(QStringLiteral("/tmp/interleave-ui-tests-XXXXXX"));
    if (!home.isValid()) {
        std::fprintf(stderr, "cannot create a temporary folder for the tests' settings\n");
        return 1;
    }
    for (const char* variable : {"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"}) {
        qputenv(variable, (home.path() + QLatin1Char('/') + QLatin1String(variable)).toUtf8());
    }
    QApplication application(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
