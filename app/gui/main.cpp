// interleave: the desktop app. Parses the scripted-start options and shows the main window.
#include "app/app_options.h"
#include "app/main_window.h"

#include <QAbstractScrollArea>
#include <QApplication>
#include <QDateTime>
#include <QTimer>

#include <malloc.h>

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
    // No fast bins in glibc's allocator: a finished variant's live timeline (100,000 lanes of small blocks) is freed
    // on a worker thread, but into the window thread's arena, and with fast bins the next large allocation there had
    // to consolidate all of them first, inside a frame (13 ms of malloc_consolidate when L6 at 100,000 swaps its
    // exact timeline in; that frame went from about 50 to 24 ms without). Without them a block is merged when it is
    // freed, on the thread that frees it. Small allocations still go through the per-thread cache.
    mallopt(M_MXFAST, 0);
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
