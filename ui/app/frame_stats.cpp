// Frame work, frame intervals and event-loop stalls of a live run, summarised as percentiles.
#include "app/frame_stats.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <algorithm>
#include <cstdio>

namespace interleave::ui {

namespace {

constexpr int kHeartbeatMs = 5;
constexpr std::int64_t kStallRecordNs = 50'000'000;

double percentileOf(std::vector<std::int64_t> values, double fraction) {
    if (values.empty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    const auto index = static_cast<std::size_t>(fraction * static_cast<double>(values.size() - 1) + 0.5);
    return static_cast<double>(values[std::min(index, values.size() - 1)]) / 1e6;
}

QJsonObject percentiles(const std::vector<std::int64_t>& values) {
    return QJsonObject{{QStringLiteral("p50"), percentileOf(values, 0.5)},
                       {QStringLiteral("p99"), percentileOf(values, 0.99)},
                       {QStringLiteral("max"), percentileOf(values, 1.0)}};
}

} // namespace

FrameStats::FrameStats(QObject* parent) : QObject(parent) {
    m_heartbeat.setInterval(kHeartbeatMs);
    m_heartbeat.setTimerType(Qt::PreciseTimer);
    connect(&m_heartbeat, &QTimer::timeout, this, &FrameStats::beat);
}

void FrameStats::startRun() {
    m_workNs.clear();
    m_intervalsNs.clear();
    m_stallsNs.clear();
    m_latenciesNs.clear();
    m_longestStallNs = 0;
    m_firstFrameNs = -1'000'000;
    m_framed = false;
    m_runClock.start();
    m_beatClock.start();
    m_heartbeat.start();
}

void FrameStats::finishRun(int tailMs) {
    m_framed = false; // the next frame (of another run) starts a new interval
    QTimer::singleShot(tailMs, this, [this] { m_heartbeat.stop(); });
}

void FrameStats::beat() {
    const std::int64_t late = m_beatClock.nsecsElapsed() - std::int64_t{kHeartbeatMs} * 1'000'000;
    m_beatClock.start();
    m_longestStallNs = std::max(m_longestStallNs, late);
    if (late > kStallRecordNs) {
        m_stallsNs.push_back(late);
        if (qEnvironmentVariableIsSet("INTERLEAVE_FRAME_DEBUG")) {
            std::fprintf(stderr, "stall: %.1f ms, ending %.1f ms after Run\n", static_cast<double>(late) / 1e6,
                         static_cast<double>(m_runClock.nsecsElapsed()) / 1e6);
        }
    }
}

void FrameStats::addFrame(std::int64_t workNs, bool drewData) {
    m_workNs.push_back(workNs);
    if (m_framed) {
        m_intervalsNs.push_back(m_frameClock.nsecsElapsed());
    }
    m_frameClock.start();
    m_framed = true;
    if (drewData && m_firstFrameNs < 0 && m_runClock.isValid()) {
        m_firstFrameNs = m_runClock.nsecsElapsed();
    }
}

double FrameStats::percentileMs(double fraction) const {
    return percentileOf(m_workNs, fraction);
}
double FrameStats::maxMs() const {
    return percentileOf(m_workNs, 1.0);
}
double FrameStats::intervalPercentileMs(double fraction) const {
    return percentileOf(m_intervalsNs, fraction);
}
double FrameStats::latencyPercentileMs(double fraction) const {
    return percentileOf(m_latenciesNs, fraction);
}

int FrameStats::stallsOver(double ms) const {
    return static_cast<int>(std::count_if(m_stallsNs.begin(), m_stallsNs.end(),
                                          [ms](std::int64_t ns) { return static_cast<double>(ns) / 1e6 > ms; }));
}

bool FrameStats::writeJson(const QString& path, QString* error) const {
    const QJsonObject root{{QStringLiteral("frames"), static_cast<qint64>(count())},
                           {QStringLiteral("p50"), percentileMs(0.5)},
                           {QStringLiteral("p99"), percentileMs(0.99)},
                           {QStringLiteral("max"), maxMs()},
                           {QStringLiteral("interval_ms"), percentiles(m_intervalsNs)},
                           {QStringLiteral("longest_stall_ms"), longestStallMs()},
                           {QStringLiteral("stalls_over_250ms"), stallsOver(250)},
                           {QStringLiteral("first_frame_ms"), firstFrameMs()},
                           {QStringLiteral("newest_event_latency_ms"), percentiles(m_latenciesNs)}};
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(root).toJson()) < 0 || !file.commit()) {
        if (error) {
            *error = file.errorString();
        }
        return false;
    }
    return true;
}

} // namespace interleave::ui
