// How responsive the window is during a run: the GUI thread's work per frame (poll, view updates, paint of the
// timeline and charts), the interval between consecutive frames, the longest stall of the event loop (a 5 ms
// heartbeat that measures its own lateness, running from Run until shortly after the run ends, so that work done when
// a run finishes counts too), and the time from Run to the first frame that drew data.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>

#include <cstdint>
#include <vector>

namespace interleave::ui {

class FrameStats : public QObject {
    Q_OBJECT
public:
    explicit FrameStats(QObject* parent = nullptr);

    // Run was pressed: forgets the last run and starts the heartbeat.
    void startRun();
    // The run ended: the heartbeat goes on for `tailMs` more (the work of showing the results), then stops.
    void finishRun(int tailMs = 1500);
    // One live frame: `workNs` is what the GUI thread did for it; `drewData` says it painted some of the run.
    void addFrame(std::int64_t workNs, bool drewData);
    void addLatency(std::int64_t latencyNs) { m_latenciesNs.push_back(latencyNs); }

    std::size_t count() const { return m_workNs.size(); }
    double percentileMs(double fraction) const;         // frame work
    double maxMs() const;                               // frame work
    double intervalPercentileMs(double fraction) const; // time between consecutive frames
    double longestStallMs() const { return static_cast<double>(m_longestStallNs) / 1e6; }
    int stallsOver(double ms) const;
    double firstFrameMs() const { return static_cast<double>(m_firstFrameNs) / 1e6; } // -1 ms: none drew data
    double latencyPercentileMs(double fraction) const;
    // {"frames", "p50", "p99", "max" (frame work, ms), "interval_ms": {p50, p99, max}, "longest_stall_ms",
    //  "stalls_over_250ms", "first_frame_ms", "newest_event_latency_ms": {p50, p99, max}}
    bool writeJson(const QString& path, QString* error) const;

private:
    void beat();

    QTimer m_heartbeat;
    QElapsedTimer m_runClock;   // since Run
    QElapsedTimer m_beatClock;  // since the last heartbeat
    QElapsedTimer m_frameClock; // since the last frame
    bool m_framed = false;
    std::vector<std::int64_t> m_workNs;
    std::vector<std::int64_t> m_intervalsNs;
    std::vector<std::int64_t> m_stallsNs; // heartbeat lateness over 50 ms
    std::vector<std::int64_t> m_latenciesNs;
    std::int64_t m_longestStallNs = 0;
    std::int64_t m_firstFrameNs = -1'000'000;
};

} // namespace interleave::ui
