// MinMaxIndex: min and max of any run of a counter's samples in O(log n), kept beside the samples it indexes
// (CounterTrack), so that it is built with them: incrementally while a run is live, and off the GUI thread when a
// finished run's timeline is rebuilt. The charts (step_series) query it per two-pixel bucket.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace interleave::ui {

using CounterSamples = std::vector<std::pair<std::int64_t, double>>; // (ns, value), sorted by time

struct ValueRange {
    double min = 0;
    double max = 0;
};

// Min and max of any run of a growing sample vector in O(kFanout · log n): blocks of 16, 256, 4096… samples each keep
// their min and max. Append-only and incremental: sync() indexes only the samples added since the last call (it
// starts over if the samples were replaced, e.g. by a rebuild of the timeline at the end of a run).
class MinMaxIndex {
public:
    static constexpr std::size_t kFanout = 16;

    void sync(const CounterSamples& samples);
    void clear();
    std::size_t size() const { return m_count; } // samples indexed
    // Min and max of samples [begin, end) (end <= size(), begin < end); `samples` is what sync() was given.
    ValueRange range(const CounterSamples& samples, std::size_t begin, std::size_t end) const;

private:
    std::vector<std::vector<ValueRange>> m_levels; // m_levels[k]: one entry per complete block of kFanout^(k+1)
    std::size_t m_count = 0;
    std::pair<std::int64_t, double> m_last{}; // the last sample indexed, to notice replaced samples
};

// Min and max of samples [begin, end) (begin < end) by looking at each.
ValueRange scanRange(const CounterSamples& samples, std::size_t begin, std::size_t end);

} // namespace interleave::ui
