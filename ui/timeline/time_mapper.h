// TimeMapper: the pure value mapping between trace time (ns) and pixel x for the timeline's visible range.
#pragma once

#include <cstdint>

namespace interleave::ui {

class TimeMapper {
public:
    static constexpr std::int64_t kMinVisibleNs = 1'000; // zooming stops at 1 µs across the view

    TimeMapper() = default;
    TimeMapper(std::int64_t startNs, std::int64_t endNs, double left, double right);

    // The pixel columns the time range is spread over (the lanes' area, right of the name gutter).
    void setPixelRange(double left, double right);
    // The visible range; clamped like zoom (at least kMinVisibleNs, at most the data range plus a margin).
    void setRange(std::int64_t startNs, std::int64_t endNs);
    // The data's extent, [0, dataEndNs]: zoom out and pan stop a margin past it.
    void setDataEnd(std::int64_t dataEndNs);

    double mapTimeToX(std::int64_t ns) const;
    std::int64_t mapXToTime(double x) const;
    // factor > 1 zooms in (the visible span shrinks by it), < 1 zooms out; the time under x stays under x.
    void zoomAround(double x, double factor);
    // Positive dx moves the content right (earlier times come into view), as when dragging.
    void panByPixels(double dx);
    void fit(); // the whole data range
    // The whole data range and room to grow, for a live run: the end rounded up to the next of 1, 1.25, 1.5, 2, 2.5,
    // 3, 4, 5, 6 or 8 × 10^k ns past the data's. The scale then changes a few times per decade of run time rather
    // than every frame, and a frame redraws what is new, not everything at a new scale.
    void fitAhead();

    std::int64_t startNs() const { return m_startNs; }
    std::int64_t endNs() const { return m_endNs; }
    std::int64_t visibleNs() const { return m_endNs - m_startNs; }
    std::int64_t dataEndNs() const { return m_dataEndNs; }
    double left() const { return m_left; }
    double right() const { return m_right; }
    double width() const { return m_right - m_left; }
    double nsPerPixel() const;

    bool operator==(const TimeMapper&) const = default;

private:
    std::int64_t marginNs() const;
    void clampRange();

    std::int64_t m_startNs = 0;
    std::int64_t m_endNs = 1'000'000;
    std::int64_t m_dataEndNs = 1'000'000;
    double m_left = 0;
    double m_right = 1;
};

} // namespace interleave::ui
