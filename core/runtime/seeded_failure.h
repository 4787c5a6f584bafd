// fail(p), drawn the same way wherever its step runs (on the loop, in a thread or in a worker process): a splitmix64
// stream per task, started from the run's seed and the task's id, so that one seed gives one outcome.
#pragma once

#include <cstdint>

namespace interleave::core {

inline constexpr const char* kFailMessage = "raised by fail";

inline std::uint64_t taskRandomState(std::uint64_t seed, std::uint32_t task) {
    return seed ^ (static_cast<std::uint64_t>(task) * 0xD1B54A32D192ED03ULL);
}

inline std::uint64_t splitmix(std::uint64_t& state) {
    state += 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = state;
    z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31U);
}

// True with `probability`, advancing the task's stream.
inline bool drawFailure(std::uint64_t& state, double probability) {
    const double draw = static_cast<double>(splitmix(state) >> 11U) * 0x1.0p-53;
    return draw < probability;
}

} // namespace interleave::core
