// interleave: the desktop app. Parses the scripted-start options and shows the main window.
#include "app/app_options.h"
#include "app/main_window.h"

#include <QAbstractScrollArea>
#include <QApplication>
#include <QDateTime>
#include <QTimer>

#include <cstdio>
#include <memory>

namespace {

// With INTERLEAVE_LAUNCH_NS set (CLOCK_REALTIME ns when the launcher started us, e.g. `date +%s%N`), reports how long
// it took from launch to the first painted timeline: the cold-start figure.
class StartupProbe : public QObject {
public:
    explicit StartupProbe(qint64 launchNs) : m_launchNs(launchNs) {}

protected:
    bool eventFilter(QObject* watched, QEvent* event) override {
        if (event->type() == QEvent::Paint && !m_reported) {
            m_reported = true;
            // Runs once the paint in progress has finished.
            QTimer::singleShot(0, this, [this] {
                const qint64 nowNs = QDateTime::currentMSecsSinceEpoch() * 1'000'000;
                std::fprintf(stderr, "interleave: first paint %.1f ms after launch\n",
                             static_cast<double>(nowNs - m_launchNs) / 1e6);
            });
        }
        return QObject::eventFilter(watched, event);
    }

private:
    qint64 m_launchNs;
    bool m_reported = false;
};

} // namespace

int main(int argc, char** argv) {
    QApplication application(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Interleave"));
    QApplication::setApplicationName(QStringLiteral("Interleave"));
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));
    // Matches the installed desktop entry (resources/desktop), so the window gets its icon and name.
    QGuiApplication::setDesktopFileName(QStringLiteral("org.interleave.Interleave"));
    interleave::ui::MainWindow window(interleave::ui::parseAppOptions(application));
    std::unique_ptr<StartupProbe> probe;
    if (const QByteArray launch = qgetenv("INTERLEAVE_LAUNCH_NS"); !launch.isEmpty()) {
        probe = std::make_unique<StartupProbe>(launch.toLongLong());
        if (auto* timeline = qobject_cast<QAbstractScrollArea*>(window.centralWidget())) {
            timeline->viewport()->installEventFilter(probe.get());
        }
    }
    window.show();
    QTimer::singleShot(0, &window, &interleave::ui::MainWindow::startFromOptions);
    return QApplication::exec();
}
