// MinMaxIndex: blocks of 16, 256, 4096… samples keep their min and max; a query climbs the levels.
#include "timeline/min_max_index.h"

#include <algorithm>
#include <limits>

namespace interleave::ui {

ValueRange scanRange(const CounterSamples& samples, std::size_t begin, std::size_t end) {
    ValueRange range{samples[begin].second, samples[begin].second};
    for (std::size_t i = begin + 1; i < end; ++i) {
        range.min = std::min(range.min, samples[i].second);
        range.max = std::max(range.max, samples[i].second);
    }
    return range;
}

void MinMaxIndex::clear() {
    m_levels.clear();
    m_count = 0;
    m_last = {};
}

void MinMaxIndex::sync(const CounterSamples& samples) {
    // Samples are only ever appended; anything else (fewer, or a different last indexed one) is a new vector.
    if (samples.size() < m_count || (m_count > 0 && samples[m_count - 1] != m_last)) {
        clear();
    }
    for (std::size_t i = m_count; i < samples.size(); ++i) {
        ++m_count;
        // Each completed block of kFanout entries at one level adds an entry to the level above.
        std::size_t level = 0;
        std::size_t blockSize = kFanout;
        while (m_count % blockSize == 0) {
            if (m_levels.size() <= level) {
                m_levels.emplace_back();
            }
            ValueRange folded;
            if (level == 0) {
                folded = scanRange(samples, m_count - kFanout, m_count);
            } else {
                const std::vector<ValueRange>& below = m_levels[level - 1];
                folded = below[below.size() - kFanout];
                for (std::size_t k = below.size() - kFanout + 1; k < below.size(); ++k) {
                    folded.min = std::min(folded.min, below[k].min);
                    folded.max = std::max(folded.max, below[k].max);
                }
            }
            m_levels[level].push_back(folded);
            ++level;
            blockSize *= kFanout;
        }
    }
    if (m_count > 0) {
        m_last = samples[m_count - 1];
    }
}

ValueRange MinMaxIndex::range(const CounterSamples& samples, std::size_t begin, std::size_t end) const {
    ValueRange result{std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
    auto take = [&result](const ValueRange& range) {
        result.min = std::min(result.min, range.min);
        result.max = std::max(result.max, range.max);
    };
    // Climb: at each level take the entries up to the next level's block boundaries, then go up with what is left.
    // begin and end stay multiples of the current block size, so every entry taken is a complete block.
    std::size_t level = 0; // 0 = the samples themselves, k = m_levels[k - 1]
    std::size_t block = 1;
    auto entry = [&](std::size_t position) {
        return level == 0 ? ValueRange{samples[position].second, samples[position].second}
                          : m_levels[level - 1][position / block];
    };
    while (begin < end) {
        const std::size_t up = block * kFanout;
        const std::size_t alignedBegin = (begin + up - 1) / up * up;
        const std::size_t alignedEnd = end / up * up;
        if (level >= m_levels.size() || alignedBegin >= alignedEnd) {
            for (std::size_t position = begin; position < end; position += block) {
                take(entry(position));
            }
            break;
        }
        for (std::size_t position = begin; position < alignedBegin; position += block) {
            take(entry(position));
        }
        for (std::size_t position = alignedEnd; position < end; position += block) {
            take(entry(position));
        }
        begin = alignedBegin;
        end = alignedEnd;
        ++level;
        block = up;
    }
    return result;
}

} // namespace interleave::ui
