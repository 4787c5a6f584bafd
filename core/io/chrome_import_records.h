// Chrome trace import, internal: what the reading pass keeps of a trace (compact records keyed by interned ids), and
// the build pass that turns those records into a Trace. See chrome_import.h for the mapping.
#pragma once

#include "io/chrome_import.h"
#include "trace/trace.h"

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace interleave::core::chrome_import {

constexpr std::int64_t kOpenEnd = std::numeric_limits<std::int64_t>::max();
constexpr std::uint32_t kNone = 0xFFFFFFFFu;
constexpr std::string_view kArrow = " › ";
constexpr std::string_view kDot = " · ";
// Keys of events (strings or numbers) as 64-bit values: numbers as they are, strings tagged with their key id.
constexpr std::uint64_t kStringKeyTag = std::uint64_t{1} << 63;

struct Slice {
    std::int64_t startNs = 0;
    std::int64_t endNs = 0;
    std::uint32_t subject = 0; // trace string id
    std::uint32_t laneRef = 0; // Interleave: args.lane (key id); after resolution: the lane index
    std::int32_t line = 0;
    TaskState state = TaskState::Running;
};

struct OpenSlice {
    std::int64_t startNs = 0;
    std::uint32_t subject = 0;
};

enum class SliceKind : std::uint8_t { Generic, InterleaveTask, InterleaveLane, Unused };

struct ThreadRec {
    std::uint64_t tidKey = 0;
    std::uint32_t process = 0;
    std::uint32_t nameKey = 0; // thread_name (key id), 0 = none
    bool hasSort = false;
    std::int64_t sortIndex = 0;
    std::uint32_t seq = 0;
    bool bound = false; // has thread-bound events
    std::int64_t firstNs = kOpenEnd;
    std::int64_t lastNs = std::numeric_limits<std::int64_t>::min();
    std::vector<Slice> slices;
    std::vector<OpenSlice> open; // B without E yet
    std::uint32_t interleaveTaskSlices = 0;
    std::uint32_t interleaveLaneSlices = 0;
    std::uint32_t genericSlices = 0;
    // Build pass.
    std::uint32_t lane = kNone;
    std::uint32_t task = kNone;
};

struct ProcessRec {
    std::uint64_t pidKey = 0;
    std::uint32_t nameKey = 0;
    bool hasSort = false;
    std::int64_t sortIndex = 0;
    std::uint32_t seq = 0;
    std::vector<std::uint32_t> threads;
    std::uint32_t firstLane = kNone;
};

struct AsyncKey {
    std::uint64_t scope = 0; // pid key, or a constant for id2.global
    std::uint64_t id = 0;
    std::uint32_t cat = 0;
    bool operator==(const AsyncKey& other) const { return scope == other.scope && id == other.id && cat == other.cat; }
};
struct AsyncKeyHash {
    std::size_t operator()(const AsyncKey& key) const {
        std::uint64_t h = key.scope * 0x9E3779B97F4A7C15ull;
        h ^= key.id + 0x7F4A7C159E3779B9ull + (h << 6) + (h >> 2);
        h ^= key.cat + (h << 6) + (h >> 2);
        return static_cast<std::size_t>(h);
    }
};

struct AsyncRec {
    std::uint32_t thread = 0;  // of its first event
    std::uint32_t subject = 0; // outermost b name (trace string id)
    std::int64_t startNs = 0;
    std::vector<OpenSlice> open;
    std::uint32_t task = kNone;
};

struct AsyncSlice {
    Slice slice;
    std::uint32_t owner = 0;
};

struct InstantRec {
    std::int64_t timeNs = 0;
    std::uint32_t thread = 0;
    std::uint32_t subject = 0;
    std::uint32_t async = kNone;
    std::uint32_t laneRef = 0; // Interleave: args.lane key id
    std::int32_t line = 0;
    char scope = 't';
    MarkerKind kind = MarkerKind::Instant;
};

struct SeriesRec {
    std::uint32_t process = 0;
    std::uint32_t nameKey = 0;
    std::uint32_t argKey = 0;
    std::uint32_t nameId = 0; // final trace string id
    bool loopLag = false;
};

struct SeriesKey {
    std::uint32_t process = 0;
    std::uint32_t nameKey = 0;
    std::uint32_t argKey = 0;
    bool operator==(const SeriesKey& other) const {
        return process == other.process && nameKey == other.nameKey && argKey == other.argKey;
    }
};
struct SeriesKeyHash {
    std::size_t operator()(const SeriesKey& key) const {
        std::uint64_t h = (std::uint64_t{key.process} << 32 | key.nameKey) * 0x9E3779B97F4A7C15ull;
        h ^= key.argKey + 0x7F4A7C159E3779B9ull + (h << 6) + (h >> 2);
        return static_cast<std::size_t>(h);
    }
};

struct Sample {
    std::int64_t timeNs = 0;
    double value = 0;
    std::uint32_t series = 0;
};

struct PairHash {
    std::size_t operator()(const std::pair<std::uint64_t, std::uint64_t>& key) const {
        std::uint64_t h = key.first * 0x9E3779B97F4A7C15ull;
        h ^= key.second + 0x7F4A7C159E3779B9ull + (h << 6) + (h >> 2);
        return static_cast<std::size_t>(h);
    }
};

// Everything the reading pass collected.
struct ImportRecords {
    Trace trace; // its string table already holds the slice, async and instant names
    ImportStats stats;
    StringTable keys; // strings that are not the trace's: pids, tids, categories, ids, names of lanes
    std::vector<ProcessRec> processes;
    std::vector<ThreadRec> threads;
    std::vector<AsyncRec> asyncs;
    std::vector<AsyncSlice> asyncSlices;
    std::vector<InstantRec> instants;
    std::vector<SeriesRec> series;
    std::vector<Sample> samples;
    std::int64_t minNs = kOpenEnd;
    std::int64_t maxNs = std::numeric_limits<std::int64_t>::min();
    bool sawViztracer = false;
    bool sawNode = false;
    bool sawInterleave = false;

    std::string keyText(std::uint64_t key) const {
        if ((key & kStringKeyTag) != 0) {
            return keys.at(static_cast<std::uint32_t>(key & ~kStringKeyTag));
        }
        return std::to_string(static_cast<std::int64_t>(key));
    }
    std::string processName(const ProcessRec& process) const {
        return process.nameKey != 0 ? keys.at(process.nameKey) : "pid " + keyText(process.pidKey);
    }
    std::string threadName(const ThreadRec& thread) const {
        return thread.nameKey != 0 ? keys.at(thread.nameKey) : "tid " + keyText(thread.tidKey);
    }
};

// Lanes, tasks, state changes, markers and counter samples from the records, sorted by time (chrome_import_build.cpp).
ImportResult buildTrace(ImportRecords records);

} // namespace interleave::core::chrome_import
