// Frame times of a live run (poll, timeline and charts update, paint), summarised as percentiles.
#pragma once

#include <QString>

#include <cstdint>
#include <vector>

namespace interleave::ui {

class FrameStats {
public:
    void add(std::int64_t frameNs) { m_framesNs.push_back(frameNs); }
    void addLatency(std::int64_t latencyNs) { m_latenciesNs.push_back(latencyNs); }
    void clear();
    std::size_t count() const { return m_framesNs.size(); }
    double percentileMs(double fraction) const;
    double maxMs() const;
    double latencyPercentileMs(double fraction) const;
    // {"frames": N, "p50": ms, "p99": ms, "max": ms, "newest_event_latency_ms": {"p50":…, "p99":…, "max":…}}
    bool writeJson(const QString& path, QString* error) const;

private:
    std::vector<std::int64_t> m_framesNs;
    std::vector<std::int64_t> m_latenciesNs;
};

} // namespace interleave::ui
