// The main window's replay: a playhead over a finished run that the timeline, the charts and the listing follow.
#include "app/main_window.h"

#include "charts/charts_panel.h"
#include "panels/listing_panel.h"
#include "timeline/timeline_view.h"

#include <QAction>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QSlider>
#include <QTimer>
#include <QToolBar>

#include <algorithm>

namespace interleave::ui {

namespace {
constexpr int kSliderSteps = 2000;
}

void MainWindow::createReplayBar() {
    QToolBar* bar = addToolBar(tr("Replay"));
    bar->setObjectName(QStringLiteral("replayToolbar"));
    m_playAction = new QAction(QIcon::fromTheme(QStringLiteral("media-playback-start")), tr("&Play Replay"), this);
    m_playAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    m_playAction->setObjectName(QStringLiteral("playReplayAction"));
    m_playAction->setCheckable(true);
    m_playAction->setToolTip(tr("Replay the finished run at the slow-motion speed (Ctrl+P)"));
    connect(m_playAction, &QAction::toggled, this, &MainWindow::togglePlay);
    bar->addAction(m_playAction);
    m_replaySlider = new QSlider(Qt::Horizontal, bar);
    m_replaySlider->setRange(0, kSliderSteps);
    m_replaySlider->setMinimumWidth(260);
    m_replaySlider->setToolTip(tr("Drag to move the playhead through the finished run"));
    connect(m_replaySlider, &QSlider::sliderMoved, this,
            [this](int value) { setPlayhead(replayEndNs() * value / kSliderSteps); });
    bar->addWidget(m_replaySlider);
    m_replayTime = new QLabel(bar);
    m_replayTime->setMinimumWidth(90);
    bar->addWidget(m_replayTime);
    m_replayTimer = new QTimer(this);
    m_replayTimer->setInterval(16);
    connect(m_replayTimer, &QTimer::timeout, this, &MainWindow::advancePlayhead);
}

std::int64_t MainWindow::replayEndNs() const {
    std::int64_t end = 0;
    for (const auto& slot : m_controller.slots()) {
        if (slot->finished) {
            end = std::max(end, slot->timeline.endNs());
        }
    }
    return end;
}

void MainWindow::setPlayhead(std::int64_t ns) {
    m_playheadNs = std::clamp<std::int64_t>(ns, 0, replayEndNs());
    m_timeline->setPlayhead(m_playheadNs);
    m_charts->setPlayhead(m_playheadNs);
    const std::int64_t end = replayEndNs();
    if (end > 0 && !m_replaySlider->isSliderDown()) {
        m_replaySlider->setValue(static_cast<int>(m_playheadNs * kSliderSteps / end));
    }
    m_replayTime->setText(tr("%1 ms").arg(static_cast<double>(m_playheadNs) / 1e6, 0, 'f', 1));
    if (const std::int32_t line = listingLineAt(m_selectedVariant, m_selectedTask, m_playheadNs); line > 0) {
        m_listing->highlightLine(line);
    }
}

void MainWindow::togglePlay(bool playing) {
    if (!playing) {
        m_replayTimer->stop();
        return;
    }
    if (m_playheadNs >= replayEndNs()) {
        setPlayhead(0);
    }
    m_replayClock.start();
    m_replayTimer->start();
}

void MainWindow::advancePlayhead() {
    // Real time divided by the slow-motion factor: ×10 replays a 200 ms run in 2 s.
    const auto stepNs = static_cast<std::int64_t>(static_cast<double>(m_replayClock.nsecsElapsed()) /
                                                  std::max(1.0, m_timeScale->value()));
    m_replayClock.restart();
    setPlayhead(m_playheadNs + stepNs);
    if (m_playheadNs >= replayEndNs()) {
        m_playAction->setChecked(false);
    }
}

std::int32_t MainWindow::listingLineAt(int variant, std::uint32_t task, std::int64_t ns) const {
    if (variant < 0 || variant >= static_cast<int>(m_controller.slots().size())) {
        return 0;
    }
    const TimelineData& timeline = m_controller.slots()[static_cast<std::size_t>(variant)]->timeline;
    for (const TimelineLane& lane : timeline.lanes(LaneMode::ByTask)) {
        if (lane.task != task) {
            continue;
        }
        // The last span that started at or before `ns`: what the task was doing then.
        auto after = std::upper_bound(lane.spans.begin(), lane.spans.end(), ns,
                                      [](std::int64_t time, const TimelineSpan& span) { return time < span.startNs; });
        return after == lane.spans.begin() ? 0 : std::prev(after)->line;
    }
    return 0;
}

} // namespace interleave::ui
