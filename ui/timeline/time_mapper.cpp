// TimeMapper: ns <-> pixel x, zoom around a point and pan, clamped to the data range plus a margin.
#include "time_mapper.h"

#include <algorithm>
#include <cmath>

namespace interleave::ui {

TimeMapper::TimeMapper(std::int64_t startNs, std::int64_t endNs, double left, double right) {
    setPixelRange(left, right);
    m_dataEndNs = std::max<std::int64_t>(endNs, kMinVisibleNs);
    setRange(startNs, endNs);
}

void TimeMapper::setPixelRange(double left, double right) {
    m_left = left;
    m_right = std::max(right, left + 1.0);
}

void TimeMapper::setDataEnd(std::int64_t dataEndNs) {
    m_dataEndNs = std::max<std::int64_t>(dataEndNs, kMinVisibleNs);
    clampRange();
}

void TimeMapper::setRange(std::int64_t startNs, std::int64_t endNs) {
    m_startNs = std::min(startNs, endNs);
    m_endNs = std::max(startNs, endNs);
    clampRange();
}

void TimeMapper::fit() {
    m_startNs = 0;
    m_endNs = m_dataEndNs;
}

void TimeMapper::fitAhead() {
    const auto end = static_cast<double>(m_dataEndNs);
    const double magnitude = std::pow(10.0, std::floor(std::log10(end)));
    double ahead = 10 * magnitude;
    for (const double mantissa : {1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0}) {
        if (mantissa * magnitude > end) {
            ahead = mantissa * magnitude;
            break;
        }
    }
    m_startNs = 0;
    m_endNs = static_cast<std::int64_t>(std::llround(ahead));
}

std::int64_t TimeMapper::marginNs() const {
    return std::max<std::int64_t>(m_dataEndNs / 20, kMinVisibleNs);
}

void TimeMapper::clampRange() {
    const std::int64_t lowest = -marginNs();
    const std::int64_t highest = m_dataEndNs + marginNs();
    const std::int64_t widest = highest - lowest;
    std::int64_t visible = std::clamp<std::int64_t>(m_endNs - m_startNs, kMinVisibleNs, widest);
    if (visible != m_endNs - m_startNs) {
        const std::int64_t centre = m_startNs + (m_endNs - m_startNs) / 2;
        m_startNs = centre - visible / 2;
        m_endNs = m_startNs + visible;
    }
    if (m_startNs < lowest) {
        m_startNs = lowest;
        m_endNs = lowest + visible;
    }
    if (m_endNs > highest) {
        m_endNs = highest;
        m_startNs = highest - visible;
    }
}

double TimeMapper::nsPerPixel() const {
    return static_cast<double>(m_endNs - m_startNs) / width();
}

double TimeMapper::mapTimeToX(std::int64_t ns) const {
    return m_left + static_cast<double>(ns - m_startNs) / nsPerPixel();
}

std::int64_t TimeMapper::mapXToTime(double x) const {
    return m_startNs + static_cast<std::int64_t>(std::llround((x - m_left) * nsPerPixel()));
}

void TimeMapper::zoomAround(double x, double factor) {
    if (!(factor > 0)) {
        return;
    }
    const double anchorX = std::clamp(x, m_left, m_right);
    const std::int64_t anchorNs = mapXToTime(anchorX);
    const double fraction = (anchorX - m_left) / width();
    const double visible = static_cast<double>(m_endNs - m_startNs) / factor;
    const auto newVisible = static_cast<std::int64_t>(
        std::clamp(visible, static_cast<double>(kMinVisibleNs), static_cast<double>(m_dataEndNs + 2 * marginNs())));
    m_startNs = anchorNs - static_cast<std::int64_t>(std::llround(fraction * static_cast<double>(newVisible)));
    m_endNs = m_startNs + newVisible;
    clampRange();
}

void TimeMapper::panByPixels(double dx) {
    const auto shift = static_cast<std::int64_t>(std::llround(dx * nsPerPixel()));
    m_startNs -= shift;
    m_endNs -= shift;
    clampRange();
}

} // namespace interleave::ui
