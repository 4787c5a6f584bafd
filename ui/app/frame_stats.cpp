// Frame times of a live run, summarised as percentiles.
#include "app/frame_stats.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <algorithm>

namespace interleave::ui {

namespace {

double percentileOf(std::vector<std::int64_t> values, double fraction) {
    if (values.empty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    const auto index = static_cast<std::size_t>(fraction * static_cast<double>(values.size() - 1) + 0.5);
    return static_cast<double>(values[std::min(index, values.size() - 1)]) / 1e6;
}

} // namespace

void FrameStats::clear() {
    m_framesNs.clear();
    m_latenciesNs.clear();
}

double FrameStats::percentileMs(double fraction) const {
    return percentileOf(m_framesNs, fraction);
}
double FrameStats::maxMs() const {
    return percentileOf(m_framesNs, 1.0);
}
double FrameStats::latencyPercentileMs(double fraction) const {
    return percentileOf(m_latenciesNs, fraction);
}

bool FrameStats::writeJson(const QString& path, QString* error) const {
    QJsonObject latency{{QStringLiteral("p50"), latencyPercentileMs(0.5)},
                        {QStringLiteral("p99"), latencyPercentileMs(0.99)},
                        {QStringLiteral("max"), latencyPercentileMs(1.0)}};
    QJsonObject root{{QStringLiteral("frames"), static_cast<qint64>(count())},
                     {QStringLiteral("p50"), percentileMs(0.5)},
                     {QStringLiteral("p99"), percentileMs(0.99)},
                     {QStringLiteral("max"), maxMs()},
                     {QStringLiteral("newest_event_latency_ms"), latency}};
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
