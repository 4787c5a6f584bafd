// interleave: the desktop app. Parses the scripted-start options and shows the main window.
#include "app/app_options.h"
#include "app/main_window.h"

#include <QApplication>
#include <QTimer>

int main(int argc, char** argv) {
    QApplication application(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Interleave"));
    QApplication::setApplicationName(QStringLiteral("Interleave"));
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));
    interleave::ui::MainWindow window(interleave::ui::parseAppOptions(application));
    window.show();
    QTimer::singleShot(0, &window, &interleave::ui::MainWindow::startFromOptions);
    return QApplication::exec();
}
