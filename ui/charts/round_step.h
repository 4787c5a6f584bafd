// Round steps for axes and spin boxes: 1, 2 or 5 times a power of ten.
#pragma once

#include <algorithm>
#include <cmath>

namespace interleave::ui {

// The smallest 1, 2 or 5 × 10^k at or above `raw` (at least 1e-6).
inline double roundStepUp(double raw) {
    raw = std::max(raw, 1e-6);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (const double factor : {1.0, 2.0, 5.0}) {
        if (raw <= factor * magnitude) {
            return factor * magnitude;
        }
    }
    return 10 * magnitude;
}

} // namespace interleave::ui
