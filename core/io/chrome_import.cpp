// Chrome trace JSON -> Trace: a RapidJSON SAX pass that keeps a compact record of what matters, then a build pass.
#include "io/chrome_import.h"

#include "trace/trace_analysis.h"

#include <fmt/format.h>
#include <rapidjson/error/error.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

namespace interleave::core {

namespace {

constexpr std::size_t kChunkBytes = std::size_t{1} << 20;
constexpr std::int64_t kOpenEnd = std::numeric_limits<std::int64_t>::max();
constexpr std::uint32_t kNone = 0xFFFFFFFFu;
constexpr std::string_view kArrow = " › ";
constexpr std::string_view kDot = " · ";

// ---------------------------------------------------------------------------------------------------------------
// Input: a RapidJSON stream over a file read in chunks, or over text in memory. At the end (or once cancelled) it
// yields '\0', which RapidJSON takes as the end of the input.

class ChunkStream {
public:
    using Ch = char;

    explicit ChunkStream(std::string_view text)
        : m_cur(text.data()), m_end(text.data() + text.size()), m_total(text.size()) {
        m_begin = m_cur;
    }
    ChunkStream(std::FILE* file, std::uint64_t total, const ImportProgress* progress)
        : m_file(file), m_buffer(new char[kChunkBytes]), m_total(total), m_progress(progress) {
        m_begin = m_cur = m_end = m_buffer.get();
    }

    Ch Peek() { return m_cur != m_end ? *m_cur : refillPeek(); }
    Ch Take() {
        if (m_cur == m_end && refillPeek() == '\0') {
            return '\0';
        }
        return *m_cur++;
    }
    std::size_t Tell() const { return static_cast<std::size_t>(m_base + static_cast<std::uint64_t>(m_cur - m_begin)); }

    // Not used by the reader (no in-situ parsing), but part of RapidJSON's stream concept.
    Ch* PutBegin() { return nullptr; }
    void Put(Ch /*unused*/) {}
    void Flush() {}
    std::size_t PutEnd(Ch* /*unused*/) { return 0; }

    bool cancelled() const { return m_cancelled; }
    std::uint64_t total() const { return m_total; }
    bool report(std::uint64_t bytes) {
        if (m_progress != nullptr && *m_progress && !m_cancelled && !(*m_progress)(bytes, m_total)) {
            m_cancelled = true;
        }
        return !m_cancelled;
    }

private:
    Ch refillPeek() {
        if (m_file == nullptr || m_cancelled || m_eof) {
            return '\0';
        }
        m_base += static_cast<std::uint64_t>(m_end - m_begin);
        const std::size_t got = std::fread(m_buffer.get(), 1, kChunkBytes, m_file);
        m_begin = m_cur = m_buffer.get();
        m_end = m_begin + got;
        if (got == 0) {
            m_eof = true;
            return '\0';
        }
        if (!report(m_base)) {
            m_end = m_cur; // nothing more is read: the parser sees the end and stops
            return '\0';
        }
        return *m_cur;
    }

    std::FILE* m_file = nullptr;
    std::unique_ptr<char[]> m_buffer;
    const char* m_begin = nullptr;
    const char* m_cur = nullptr;
    const char* m_end = nullptr;
    std::uint64_t m_base = 0; // offset of m_begin in the input
    std::uint64_t m_total = 0;
    const ImportProgress* m_progress = nullptr;
    bool m_eof = false;
    bool m_cancelled = false;
};

// ---------------------------------------------------------------------------------------------------------------
// What the SAX pass keeps.

struct Scalar {
    enum class Type : std::uint8_t { None, Number, String, Other };
    Type type = Type::None;
    bool integral = false;
    std::int64_t integer = 0; // when integral
    double number = 0;
    std::uint32_t offset = 0; // string: into the event's scratch text
    std::uint32_t length = 0;
};

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

struct SemanticError {
    std::string message;
    std::uint64_t offset = 0;
};

std::optional<TaskState> taskStateNamed(std::string_view name) {
    for (int index = 0; index < kTaskStateCount; ++index) {
        const auto state = static_cast<TaskState>(index);
        if (toString(state) == name) {
            return state;
        }
    }
    return std::nullopt;
}

std::optional<MarkerKind> markerKindNamed(std::string_view name) {
    for (int index = 0; index < kMarkerKindCount; ++index) {
        const auto kind = static_cast<MarkerKind>(index);
        if (toString(kind) == name) {
            return kind;
        }
    }
    return std::nullopt;
}

// Keys of events (strings or numbers) as 64-bit values: numbers as they are, strings tagged with their key id.
constexpr std::uint64_t kStringKeyTag = std::uint64_t{1} << 63;

// ---------------------------------------------------------------------------------------------------------------
// The SAX handler: a small state machine that collects one event's fields, then records the event.

class Importer {
public:
    explicit Importer(ChunkStream& stream) : m_stream(stream) {
        m_scratch.reserve(4096);
        m_args.reserve(16);
        m_threads.reserve(64);
    }

    // RapidJSON handler interface.
    bool Null() { return scalar(Scalar{Scalar::Type::Other}); }
    bool Bool(bool /*value*/) { return scalar(Scalar{Scalar::Type::Other}); }
    bool Int(int value) { return integer(value); }
    bool Uint(unsigned value) { return integer(value); }
    bool Int64(std::int64_t value) { return integer(value); }
    bool Uint64(std::uint64_t value) {
        if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return real(static_cast<double>(value));
        }
        return integer(static_cast<std::int64_t>(value));
    }
    bool Double(double value) { return real(value); }
    bool RawNumber(const char* /*text*/, rapidjson::SizeType /*length*/, bool /*copy*/) { return true; }
    bool String(const char* text, rapidjson::SizeType length, bool /*copy*/) {
        if (m_skip > 0 || (m_ctx != Ctx::Event && m_ctx != Ctx::Args && m_ctx != Ctx::Id2)) {
            return scalar(Scalar{Scalar::Type::String});
        }
        Scalar value;
        value.type = Scalar::Type::String;
        value.offset = static_cast<std::uint32_t>(m_scratch.size());
        value.length = length;
        m_scratch.append(text, length);
        return scalar(value);
    }
    bool Key(const char* text, rapidjson::SizeType length, bool /*copy*/);
    bool StartObject() { return open(true); }
    bool EndObject(rapidjson::SizeType /*members*/) { return close(); }
    bool StartArray() { return open(false); }
    bool EndArray(rapidjson::SizeType /*elements*/) { return close(); }

    const std::optional<SemanticError>& error() const { return m_error; }
    bool arrayForm() const { return m_arrayForm; }
    bool betweenEvents() const { return m_ctx == Ctx::Events && m_skip == 0; }
    std::uint64_t lastEventEnd() const { return m_lastEventEnd; }
    std::uint64_t eventCount() const { return m_stats.events; }

    ImportResult build();

private:
    enum class Ctx : std::uint8_t { Top, TopObject, Events, Event, Args, Id2, Done };
    enum class Field : std::uint8_t { Other, Ph, Name, Cat, Pid, Tid, Ts, Dur, Id, Id2, Scope, Args };

    struct Arg {
        std::uint32_t keyOffset = 0;
        std::uint32_t keyLength = 0;
        Scalar value;
    };

    bool integer(std::int64_t value) {
        Scalar scalarValue{Scalar::Type::Number};
        scalarValue.integral = true;
        scalarValue.integer = value;
        scalarValue.number = static_cast<double>(value);
        return scalar(scalarValue);
    }
    bool real(double value) {
        Scalar scalarValue{Scalar::Type::Number};
        scalarValue.number = value;
        return scalar(scalarValue);
    }
    bool scalar(const Scalar& value);
    bool open(bool object);
    bool close();
    // Offset of the bracket being opened or closed: the iterative reader calls the handler before taking it.
    std::uint64_t bracketOffset(char bracket) {
        const std::uint64_t at = m_stream.Tell();
        return m_stream.Peek() == bracket || at == 0 ? at : at - 1;
    }
    bool fail(std::string message, std::uint64_t offset) {
        m_error = SemanticError{std::move(message), offset};
        return false;
    }

    std::string_view text(const Scalar& value) const {
        return value.type == Scalar::Type::String ? std::string_view(m_scratch).substr(value.offset, value.length)
                                                  : std::string_view();
    }
    const Scalar* arg(std::string_view key) const {
        for (const Arg& entry : m_args) {
            if (std::string_view(m_scratch).substr(entry.keyOffset, entry.keyLength) == key) {
                return &entry.value;
            }
        }
        return nullptr;
    }
    std::uint64_t keyOf(const Scalar& value) {
        if (value.type == Scalar::Type::String) {
            return kStringKeyTag | m_keys.intern(text(value));
        }
        if (value.type == Scalar::Type::Number) {
            return static_cast<std::uint64_t>(value.integral ? value.integer : static_cast<std::int64_t>(value.number));
        }
        return 0;
    }
    std::string keyText(std::uint64_t key) const {
        if ((key & kStringKeyTag) != 0) {
            return m_keys.at(static_cast<std::uint32_t>(key & ~kStringKeyTag));
        }
        return std::to_string(static_cast<std::int64_t>(key));
    }
    std::optional<std::int64_t> toNs(const Scalar& value) const {
        if (value.type != Scalar::Type::Number) {
            return std::nullopt;
        }
        constexpr auto kLimitUs = std::int64_t{4'000'000'000'000'000}; // 4e15 µs: 126 years
        if (value.integral) {
            if (value.integer > kLimitUs || value.integer < -kLimitUs) {
                return std::nullopt;
            }
            return value.integer * 1000;
        }
        if (!std::isfinite(value.number) || std::abs(value.number) > static_cast<double>(kLimitUs)) {
            return std::nullopt;
        }
        return std::llround(value.number * 1000.0);
    }

    void beginEvent();
    bool finishEvent();
    std::uint32_t processFor(std::uint64_t pidKey);
    std::uint32_t threadFor(std::uint64_t pidKey, std::uint64_t tidKey);
    void touch(ThreadRec& thread, std::int64_t startNs, std::int64_t endNs) {
        thread.bound = true;
        thread.firstNs = std::min(thread.firstNs, startNs);
        thread.lastNs = std::max(thread.lastNs, endNs);
        noteTime(startNs, endNs);
    }
    void noteTime(std::int64_t startNs, std::int64_t endNs) {
        m_minNs = std::min(m_minNs, startNs);
        m_maxNs = std::max(m_maxNs, endNs);
    }
    void addSlice(ThreadRec& thread, std::int64_t startNs, std::int64_t endNs);
    void asyncEvent(char phase, std::int64_t timeNs);
    void counterEvent(std::int64_t timeNs);
    void instantEvent(std::int64_t timeNs);
    void metadataEvent();

    // Build pass helpers.
    std::string processName(const ProcessRec& process) const {
        return process.nameKey != 0 ? m_keys.at(process.nameKey) : "pid " + keyText(process.pidKey);
    }
    std::string threadName(const ThreadRec& thread) const {
        return thread.nameKey != 0 ? m_keys.at(thread.nameKey) : "tid " + keyText(thread.tidKey);
    }

    ChunkStream& m_stream;
    Ctx m_ctx = Ctx::Top;
    int m_skip = 0; // depth inside a value that is being skipped
    bool m_arrayForm = false;
    bool m_topKeyIsEvents = false;
    Field m_field = Field::Other;
    bool m_id2Global = false;
    bool m_id2Key = false;
    std::optional<SemanticError> m_error;
    std::uint64_t m_lastEventEnd = 0;

    // The current event.
    std::uint64_t m_eventOffset = 0;
    std::string m_scratch;
    std::vector<Arg> m_args;
    Scalar m_ph, m_name, m_cat, m_pid, m_tid, m_ts, m_dur, m_id, m_id2, m_scope;
    bool m_hasId2Global = false;

    // Collected.
    Trace m_trace;
    ImportStats m_stats;
    StringTable m_keys; // strings that are not the trace's: pids, tids, categories, ids, names of lanes
    std::vector<ProcessRec> m_processes;
    std::unordered_map<std::uint64_t, std::uint32_t> m_processIndex;
    std::vector<ThreadRec> m_threads;
    std::unordered_map<std::pair<std::uint64_t, std::uint64_t>, std::uint32_t, PairHash> m_threadIndex;
    std::uint64_t m_lastPidKey = 0, m_lastTidKey = 0;
    std::uint32_t m_lastThread = kNone;
    std::vector<AsyncRec> m_asyncs;
    std::vector<AsyncSlice> m_asyncSlices;
    std::unordered_map<AsyncKey, std::uint32_t, AsyncKeyHash> m_openAsync;
    std::vector<InstantRec> m_instants;
    std::vector<SeriesRec> m_series;
    std::unordered_map<SeriesKey, std::uint32_t, SeriesKeyHash> m_seriesIndex;
    std::vector<Sample> m_samples;
    std::int64_t m_minNs = kOpenEnd;
    std::int64_t m_maxNs = std::numeric_limits<std::int64_t>::min();
    bool m_sawViztracer = false;
    bool m_sawNode = false;
    bool m_sawInterleave = false;
};

bool Importer::Key(const char* text, rapidjson::SizeType length, bool /*copy*/) {
    if (m_skip > 0) {
        return true;
    }
    const std::string_view key(text, length);
    switch (m_ctx) {
    case Ctx::TopObject:
        m_topKeyIsEvents = key == "traceEvents";
        if (key == "viztracer_metadata") {
            m_sawViztracer = true;
        }
        break;
    case Ctx::Event:
        if (key == "ph") {
            m_field = Field::Ph;
        } else if (key == "name") {
            m_field = Field::Name;
        } else if (key == "cat") {
            m_field = Field::Cat;
        } else if (key == "pid") {
            m_field = Field::Pid;
        } else if (key == "tid") {
            m_field = Field::Tid;
        } else if (key == "ts") {
            m_field = Field::Ts;
        } else if (key == "dur") {
            m_field = Field::Dur;
        } else if (key == "id") {
            m_field = Field::Id;
        } else if (key == "id2") {
            m_field = Field::Id2;
        } else if (key == "s") {
            m_field = Field::Scope;
        } else if (key == "args") {
            m_field = Field::Args;
        } else {
            m_field = Field::Other;
        }
        break;
    case Ctx::Args: {
        Arg entry;
        entry.keyOffset = static_cast<std::uint32_t>(m_scratch.size());
        entry.keyLength = length;
        m_scratch.append(text, length);
        m_args.push_back(entry);
        break;
    }
    case Ctx::Id2:
        m_id2Key = key == "local" || key == "global";
        m_id2Global = key == "global";
        break;
    default:
        break;
    }
    return true;
}

bool Importer::scalar(const Scalar& value) {
    if (m_skip > 0) {
        return true;
    }
    switch (m_ctx) {
    case Ctx::Top:
        return fail("expected an array of trace events or an object with \"traceEvents\"", m_stream.Tell());
    case Ctx::TopObject:
        if (m_topKeyIsEvents) {
            return fail("\"traceEvents\" is not an array", m_stream.Tell());
        }
        return true;
    case Ctx::Events:
        return fail("a trace event is not an object", m_stream.Tell());
    case Ctx::Event:
        switch (m_field) {
        case Field::Ph:
            if (value.type != Scalar::Type::String) {
                return fail("\"ph\" is not a string", m_eventOffset);
            }
            m_ph = value;
            break;
        case Field::Name:
            m_name = value;
            break;
        case Field::Cat:
            m_cat = value;
            break;
        case Field::Pid:
            m_pid = value;
            break;
        case Field::Tid:
            m_tid = value;
            break;
        case Field::Ts:
            m_ts = value;
            break;
        case Field::Dur:
            m_dur = value;
            break;
        case Field::Id:
            m_id = value;
            break;
        case Field::Scope:
            m_scope = value;
            break;
        case Field::Id2:
        case Field::Args:
        case Field::Other:
            break;
        }
        return true;
    case Ctx::Args:
        if (!m_args.empty()) {
            m_args.back().value = value;
        }
        return true;
    case Ctx::Id2:
        if (m_id2Key) {
            m_id2 = value;
            m_hasId2Global = m_id2Global;
        }
        return true;
    case Ctx::Done:
        return true;
    }
    return true;
}

bool Importer::open(bool object) {
    if (m_skip > 0) {
        ++m_skip;
        return true;
    }
    switch (m_ctx) {
    case Ctx::Top:
        m_ctx = object ? Ctx::TopObject : Ctx::Events;
        m_arrayForm = !object;
        return true;
    case Ctx::TopObject:
        if (m_topKeyIsEvents) {
            if (object) {
                return fail("\"traceEvents\" is not an array", bracketOffset('{'));
            }
            m_ctx = Ctx::Events;
        } else {
            m_skip = 1;
        }
        return true;
    case Ctx::Events:
        if (!object) {
            return fail("a trace event is not an object", bracketOffset('['));
        }
        m_eventOffset = bracketOffset('{');
        beginEvent();
        m_ctx = Ctx::Event;
        return true;
    case Ctx::Event:
        if (object && m_field == Field::Args) {
            m_ctx = Ctx::Args;
        } else if (object && m_field == Field::Id2) {
            m_ctx = Ctx::Id2;
        } else {
            m_skip = 1;
        }
        return true;
    case Ctx::Args:
    case Ctx::Id2:
    case Ctx::Done:
        m_skip = 1;
        return true;
    }
    return true;
}

bool Importer::close() {
    if (m_skip > 0) {
        --m_skip;
        return true;
    }
    switch (m_ctx) {
    case Ctx::Event:
        m_ctx = Ctx::Events;
        m_lastEventEnd = bracketOffset('}') + 1;
        return finishEvent();
    case Ctx::Args:
    case Ctx::Id2:
        m_ctx = Ctx::Event;
        return true;
    case Ctx::Events:
        m_ctx = m_arrayForm ? Ctx::Done : Ctx::TopObject;
        m_topKeyIsEvents = false;
        return true;
    case Ctx::TopObject:
        m_ctx = Ctx::Done;
        return true;
    case Ctx::Top:
    case Ctx::Done:
        return true;
    }
    return true;
}

void Importer::beginEvent() {
    m_scratch.clear();
    m_args.clear();
    m_ph = m_name = m_cat = m_pid = m_tid = m_ts = m_dur = m_id = m_id2 = m_scope = Scalar{};
    m_hasId2Global = false;
    m_field = Field::Other;
}

std::uint32_t Importer::processFor(std::uint64_t pidKey) {
    auto [it, inserted] = m_processIndex.try_emplace(pidKey, static_cast<std::uint32_t>(m_processes.size()));
    if (inserted) {
        ProcessRec process;
        process.pidKey = pidKey;
        process.seq = it->second;
        m_processes.push_back(process);
    }
    return it->second;
}

std::uint32_t Importer::threadFor(std::uint64_t pidKey, std::uint64_t tidKey) {
    if (m_lastThread != kNone && pidKey == m_lastPidKey && tidKey == m_lastTidKey) {
        return m_lastThread;
    }
    auto [it, inserted] =
        m_threadIndex.try_emplace(std::make_pair(pidKey, tidKey), static_cast<std::uint32_t>(m_threads.size()));
    if (inserted) {
        ThreadRec thread;
        thread.tidKey = tidKey;
        thread.process = processFor(pidKey);
        thread.seq = it->second;
        m_threads.push_back(std::move(thread));
        m_processes[m_threads.back().process].threads.push_back(it->second);
    }
    m_lastPidKey = pidKey;
    m_lastTidKey = tidKey;
    m_lastThread = it->second;
    return it->second;
}

bool Importer::finishEvent() {
    ++m_stats.events;
    if (m_ph.type == Scalar::Type::None) {
        return fail("a trace event has no \"ph\"", m_eventOffset);
    }
    const std::string_view phaseText = text(m_ph);
    const char phase = phaseText.size() == 1 ? phaseText[0] : '?';
    const std::string_view cat = text(m_cat);
    if (!m_sawNode && (cat.substr(0, 4) == "node" || cat.substr(0, 2) == "v8")) {
        m_sawNode = true;
    }

    switch (phase) {
    case 'X':
    case 'B':
    case 'E':
    case 'b':
    case 'e':
    case 'n':
    case 'S':
    case 'F':
    case 'C':
    case 'i':
    case 'I':
        break;
    case 'M':
        metadataEvent();
        return true;
    default:
        ++m_stats.ignored;
        return true;
    }

    const std::optional<std::int64_t> ts = toNs(m_ts);
    if (!ts) {
        return fail(m_ts.type == Scalar::Type::None ? "a trace event has no \"ts\"" : "\"ts\" is not a number",
                    m_eventOffset);
    }
    const std::uint64_t pidKey = keyOf(m_pid);
    switch (phase) {
    case 'X': {
        std::int64_t dur = 0;
        if (m_dur.type != Scalar::Type::None) {
            const std::optional<std::int64_t> value = toNs(m_dur);
            if (!value) {
                return fail("\"dur\" is not a number", m_eventOffset);
            }
            if (*value < 0) {
                return fail("\"dur\" is negative", m_eventOffset);
            }
            dur = *value;
        }
        ThreadRec& thread = m_threads[threadFor(pidKey, keyOf(m_tid))];
        addSlice(thread, *ts, *ts + dur);
        break;
    }
    case 'B': {
        ThreadRec& thread = m_threads[threadFor(pidKey, keyOf(m_tid))];
        touch(thread, *ts, *ts);
        thread.open.push_back(OpenSlice{*ts, m_trace.strings.intern(text(m_name))});
        break;
    }
    case 'E': {
        ThreadRec& thread = m_threads[threadFor(pidKey, keyOf(m_tid))];
        touch(thread, *ts, *ts);
        if (thread.open.empty()) {
            ++m_stats.unmatchedEnds;
            break;
        }
        const OpenSlice begun = thread.open.back();
        thread.open.pop_back();
        Slice slice;
        slice.startNs = begun.startNs;
        slice.endNs = std::max(*ts, begun.startNs);
        slice.subject = begun.subject;
        thread.slices.push_back(slice);
        ++thread.genericSlices;
        break;
    }
    case 'b':
    case 'S':
        asyncEvent('b', *ts);
        break;
    case 'e':
    case 'F':
        asyncEvent('e', *ts);
        break;
    case 'n':
        asyncEvent('n', *ts);
        break;
    case 'C':
        counterEvent(*ts);
        break;
    case 'i':
    case 'I':
        instantEvent(*ts);
        break;
    default:
        break;
    }
    return true;
}

void Importer::addSlice(ThreadRec& thread, std::int64_t startNs, std::int64_t endNs) {
    touch(thread, startNs, endNs);
    Slice slice;
    slice.startNs = startNs;
    slice.endNs = endNs;
    const Scalar* state = arg("state");
    const std::string_view cat = text(m_cat);
    std::optional<TaskState> interleaveState;
    if (state != nullptr && (cat == "task" || cat == "lane")) {
        interleaveState = taskStateNamed(text(*state));
    }
    if (interleaveState) {
        m_sawInterleave = true;
        slice.state = *interleaveState;
        const Scalar* primitive = arg("primitive");
        slice.subject = primitive != nullptr ? m_trace.strings.intern(text(*primitive)) : 0;
        const Scalar* lane = arg("lane");
        slice.laneRef = lane != nullptr ? m_keys.intern(text(*lane)) : 0;
        const Scalar* line = arg("line");
        slice.line = line != nullptr && line->integral ? static_cast<std::int32_t>(line->integer) : 0;
        ++(cat == "task" ? thread.interleaveTaskSlices : thread.interleaveLaneSlices);
    } else {
        slice.subject = m_trace.strings.intern(text(m_name));
        ++thread.genericSlices;
    }
    thread.slices.push_back(slice);
}

void Importer::asyncEvent(char phase, std::int64_t timeNs) {
    const std::uint32_t threadIndex = threadFor(keyOf(m_pid), keyOf(m_tid));
    touch(m_threads[threadIndex], timeNs, timeNs);
    AsyncKey key;
    const Scalar& id = m_id.type != Scalar::Type::None ? m_id : m_id2;
    key.scope = m_id.type == Scalar::Type::None && m_hasId2Global ? ~std::uint64_t{0} : keyOf(m_pid);
    key.id = keyOf(id);
    key.cat = m_keys.intern(text(m_cat));
    auto found = m_openAsync.find(key);
    if (phase == 'b') {
        const std::uint32_t subject = m_trace.strings.intern(text(m_name));
        if (found == m_openAsync.end()) {
            AsyncRec record;
            record.thread = threadIndex;
            record.subject = subject;
            record.startNs = timeNs;
            found = m_openAsync.emplace(key, static_cast<std::uint32_t>(m_asyncs.size())).first;
            m_asyncs.push_back(std::move(record));
        }
        m_asyncs[found->second].open.push_back(OpenSlice{timeNs, subject});
        return;
    }
    if (phase == 'n') {
        InstantRec instant;
        instant.timeNs = timeNs;
        instant.thread = threadIndex;
        instant.subject = m_trace.strings.intern(text(m_name));
        instant.async = found != m_openAsync.end() ? found->second : kNone;
        m_instants.push_back(instant);
        return;
    }
    if (found == m_openAsync.end()) {
        ++m_stats.unmatchedEnds;
        return;
    }
    const std::uint32_t owner = found->second;
    AsyncRec& record = m_asyncs[owner];
    const OpenSlice begun = record.open.back();
    record.open.pop_back();
    Slice slice;
    slice.startNs = begun.startNs;
    slice.endNs = std::max(timeNs, begun.startNs);
    slice.subject = begun.subject;
    slice.state = TaskState::WaitingIo;
    m_asyncSlices.push_back(AsyncSlice{slice, owner});
    if (record.open.empty()) {
        m_openAsync.erase(found);
    }
}

void Importer::counterEvent(std::int64_t timeNs) {
    noteTime(timeNs, timeNs);
    const std::uint32_t process = processFor(keyOf(m_pid));
    std::uint32_t nameKey = kNone;
    for (const Arg& entry : m_args) {
        if (entry.value.type != Scalar::Type::Number) {
            continue;
        }
        if (nameKey == kNone) {
            nameKey = m_keys.intern(text(m_name));
        }
        const SeriesKey key{process, nameKey,
                            m_keys.intern(std::string_view(m_scratch).substr(entry.keyOffset, entry.keyLength))};
        auto [it, inserted] = m_seriesIndex.try_emplace(key, static_cast<std::uint32_t>(m_series.size()));
        if (inserted) {
            m_series.push_back(SeriesRec{process, key.nameKey, key.argKey, 0, false});
        }
        m_samples.push_back(Sample{timeNs, entry.value.number, it->second});
    }
}

void Importer::instantEvent(std::int64_t timeNs) {
    const std::uint32_t threadIndex = threadFor(keyOf(m_pid), keyOf(m_tid));
    InstantRec instant;
    instant.timeNs = timeNs;
    instant.thread = threadIndex;
    const std::string_view scope = text(m_scope);
    instant.scope = scope == "g" ? 'g' : (scope == "p" ? 'p' : 't');
    if (instant.scope == 't') {
        touch(m_threads[threadIndex], timeNs, timeNs);
    } else {
        noteTime(timeNs, timeNs);
    }
    // Interleave's markers: "kind: message" with the parts in args.
    const Scalar* kind = text(m_cat) == "marker" ? arg("kind") : nullptr;
    const std::optional<MarkerKind> markerKind = kind != nullptr ? markerKindNamed(text(*kind)) : std::nullopt;
    if (markerKind) {
        instant.kind = *markerKind;
        const Scalar* message = arg("message");
        instant.subject = message != nullptr ? m_trace.strings.intern(text(*message)) : 0;
        const Scalar* lane = arg("lane");
        instant.laneRef = lane != nullptr ? m_keys.intern(text(*lane)) : 0;
        const Scalar* line = arg("line");
        instant.line = line != nullptr && line->integral ? static_cast<std::int32_t>(line->integer) : 0;
    } else {
        instant.subject = m_trace.strings.intern(text(m_name));
    }
    m_instants.push_back(instant);
}

void Importer::metadataEvent() {
    const std::string_view name = text(m_name);
    const bool processLevel = name == "process_name" || name == "process_sort_index";
    const bool threadLevel = name == "thread_name" || name == "thread_sort_index";
    if (!processLevel && !threadLevel) {
        return;
    }
    const std::uint64_t pidKey = keyOf(m_pid);
    const bool isName = name == "process_name" || name == "thread_name";
    const Scalar* value = arg(isName ? "name" : "sort_index");
    if (value == nullptr) {
        return;
    }
    if (processLevel) {
        ProcessRec& process = m_processes[processFor(pidKey)];
        if (isName && value->type == Scalar::Type::String) {
            process.nameKey = m_keys.intern(text(*value));
        } else if (!isName && value->type == Scalar::Type::Number) {
            process.hasSort = true;
            process.sortIndex = value->integral ? value->integer : static_cast<std::int64_t>(value->number);
        }
        return;
    }
    ThreadRec& thread = m_threads[threadFor(pidKey, keyOf(m_tid))];
    if (isName && value->type == Scalar::Type::String) {
        thread.nameKey = m_keys.intern(text(*value));
    } else if (!isName && value->type == Scalar::Type::Number) {
        thread.hasSort = true;
        thread.sortIndex = value->integral ? value->integer : static_cast<std::int64_t>(value->number);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Build pass.

struct Change {
    std::int64_t timeNs = 0;
    std::uint32_t subject = 0;
    std::int32_t line = 0;
    std::uint16_t lane = 0;
    TaskState state = TaskState::Idle;
};

// Turns possibly nested slices into a sequence of state changes: the innermost open slice wins, `gap` fills the
// time with none open. Slices are sorted here (start, then longer first; stable for equal ones).
class Flattener {
public:
    void run(std::vector<Slice>& slices, TaskState gap, std::uint16_t gapLane, std::vector<Change>& out) {
        std::stable_sort(slices.begin(), slices.end(), [](const Slice& a, const Slice& b) {
            return a.startNs != b.startNs ? a.startNs < b.startNs : a.endNs > b.endNs;
        });
        m_stack.clear();
        m_out = &out;
        m_gap = gap;
        m_gapLane = gapLane;
        for (Slice slice : slices) {
            popUntil(slice.startNs);
            if (!m_stack.empty()) {
                slice.endNs = std::min(slice.endNs, m_stack.back().endNs);
            }
            m_stack.push_back(slice);
            emit(Change{slice.startNs, slice.subject, slice.line, static_cast<std::uint16_t>(slice.laneRef),
                        slice.state});
        }
        popUntil(kOpenEnd);
    }

    // Appends a change, merging it with the previous one at the same time or with the same content.
    static void emit(std::vector<Change>& out, const Change& change) {
        auto same = [](const Change& a, const Change& b) {
            return a.state == b.state && a.subject == b.subject && a.line == b.line && a.lane == b.lane;
        };
        if (!out.empty() && out.back().timeNs == change.timeNs) {
            out.back() = change;
            if (out.size() >= 2 && same(out[out.size() - 2], out.back())) {
                out.pop_back();
            }
            return;
        }
        if (!out.empty() && same(out.back(), change)) {
            return;
        }
        out.push_back(change);
    }

private:
    void emit(const Change& change) { emit(*m_out, change); }
    void popUntil(std::int64_t timeNs) {
        while (!m_stack.empty() && m_stack.back().endNs <= timeNs) {
            const std::int64_t endNs = m_stack.back().endNs;
            m_stack.pop_back();
            if (m_stack.empty()) {
                emit(Change{endNs, 0, 0, m_gapLane, m_gap});
            } else {
                const Slice& top = m_stack.back();
                emit(Change{endNs, top.subject, top.line, static_cast<std::uint16_t>(top.laneRef), top.state});
            }
        }
    }

    std::vector<Slice> m_stack;
    std::vector<Change>* m_out = nullptr;
    TaskState m_gap = TaskState::Idle;
    std::uint16_t m_gapLane = 0;
};

ImportResult Importer::build() {
    ImportResult result;
    Trace& trace = m_trace;
    if (m_minNs == kOpenEnd) {
        m_minNs = 0;
        m_maxNs = 0;
    } else if (m_sawInterleave && m_minNs >= 0) {
        m_minNs = 0; // Interleave's times already count from the run's start: keep them
    }
    const std::int64_t endNs = m_maxNs - m_minNs;
    auto shift = [&](std::int64_t timeNs) { return timeNs == kOpenEnd ? endNs : timeNs - m_minNs; };

    m_stats.producer = m_sawViztracer ? "VizTracer" : m_sawInterleave ? "Interleave" : m_sawNode ? "node" : "Chrome";

    // Roles: Interleave task tids are tasks without a lane; Interleave lane tids are lanes without a task.
    std::vector<SliceKind> roles(m_threads.size(), SliceKind::Generic);
    for (std::size_t index = 0; index < m_threads.size(); ++index) {
        const ThreadRec& thread = m_threads[index];
        if (thread.interleaveTaskSlices > 0) {
            roles[index] = SliceKind::InterleaveTask;
        } else if (thread.interleaveLaneSlices > 0 ||
                   (m_sawInterleave && thread.genericSlices == 0 && thread.nameKey != 0)) {
            roles[index] = SliceKind::InterleaveLane;
        }
    }
    if (m_sawInterleave) {
        // Interleave gives tasks tids above every lane's: a named tid there with no span is a task that never
        // changed state, not a lane.
        std::vector<std::uint64_t> firstTaskTid(m_processes.size(), ~std::uint64_t{0});
        for (std::size_t index = 0; index < m_threads.size(); ++index) {
            if (roles[index] == SliceKind::InterleaveTask && (m_threads[index].tidKey & kStringKeyTag) == 0) {
                auto& first = firstTaskTid[m_threads[index].process];
                first = std::min(first, m_threads[index].tidKey);
            }
        }
        for (std::size_t index = 0; index < m_threads.size(); ++index) {
            const ThreadRec& thread = m_threads[index];
            if (roles[index] == SliceKind::InterleaveLane && thread.slices.empty() &&
                (thread.tidKey & kStringKeyTag) == 0 && thread.tidKey >= firstTaskTid[thread.process]) {
                roles[index] = SliceKind::Unused;
            }
        }
    }

    // Lanes, in the order of sort indices then first appearance.
    auto bySort = [](const auto& a, const auto& b) {
        if (a.hasSort != b.hasSort) {
            return a.hasSort;
        }
        if (a.hasSort && a.sortIndex != b.sortIndex) {
            return a.sortIndex < b.sortIndex;
        }
        return a.seq < b.seq;
    };
    std::vector<std::uint32_t> processOrder(m_processes.size());
    for (std::uint32_t index = 0; index < processOrder.size(); ++index) {
        processOrder[index] = index;
    }
    std::sort(processOrder.begin(), processOrder.end(),
              [&](std::uint32_t a, std::uint32_t b) { return bySort(m_processes[a], m_processes[b]); });
    std::unordered_map<std::uint64_t, std::uint16_t> laneByName; // (process << 32 | lane name key) -> lane
    std::vector<std::uint32_t> threadOrder;                      // threads with a task, in lane order
    for (std::uint32_t processIndex : processOrder) {
        ProcessRec& process = m_processes[processIndex];
        std::vector<std::uint32_t> threads = process.threads;
        std::sort(threads.begin(), threads.end(),
                  [&](std::uint32_t a, std::uint32_t b) { return bySort(m_threads[a], m_threads[b]); });
        const std::string processLabel = processName(process);
        for (std::uint32_t threadIndex : threads) {
            ThreadRec& thread = m_threads[threadIndex];
            const SliceKind role = roles[threadIndex];
            const bool wantsLane = role == SliceKind::InterleaveLane || (role == SliceKind::Generic && thread.bound);
            if (wantsLane) {
                if (trace.lanes.size() > std::numeric_limits<std::uint16_t>::max()) {
                    throw std::runtime_error("more than 65536 threads: too many lanes");
                }
                const auto pidNumber =
                    (process.pidKey & kStringKeyTag) != 0 ? std::int64_t{0} : static_cast<std::int64_t>(process.pidKey);
                thread.lane = trace.addLane(processLabel + std::string(kArrow) + threadName(thread), LaneKind::Imported,
                                            pidNumber);
                if (process.firstLane == kNone) {
                    process.firstLane = thread.lane;
                }
                if (thread.nameKey != 0) {
                    laneByName.try_emplace(std::uint64_t{processIndex} << 32 | thread.nameKey,
                                           static_cast<std::uint16_t>(thread.lane));
                }
            }
            if ((role == SliceKind::Generic && thread.bound) || role == SliceKind::InterleaveTask) {
                threadOrder.push_back(threadIndex);
            }
        }
    }
    const bool needLane = !m_samples.empty() || !m_instants.empty() || !threadOrder.empty() || !m_asyncs.empty();
    if (trace.lanes.empty() && needLane) {
        trace.addLane(m_processes.empty() ? std::string("trace") : processName(m_processes[processOrder[0]]),
                      LaneKind::Imported);
    }
    auto laneNamed = [&](std::uint32_t processIndex, std::uint32_t nameKey, std::uint16_t fallback) {
        auto found = laneByName.find(std::uint64_t{processIndex} << 32 | nameKey);
        return found != laneByName.end() ? found->second : fallback;
    };
    auto defaultLane = [&](const ThreadRec& thread) -> std::uint16_t {
        if (thread.lane != kNone) {
            return static_cast<std::uint16_t>(thread.lane);
        }
        const std::uint32_t first = m_processes[thread.process].firstLane;
        return static_cast<std::uint16_t>(first != kNone ? first : 0);
    };

    // Tasks: threads first (lane order), then async ids by their start.
    std::uint32_t nextTask = 0;
    for (std::uint32_t threadIndex : threadOrder) {
        m_threads[threadIndex].task = nextTask++;
    }
    std::vector<std::uint32_t> asyncOrder(m_asyncs.size());
    for (std::uint32_t index = 0; index < asyncOrder.size(); ++index) {
        asyncOrder[index] = index;
    }
    std::stable_sort(asyncOrder.begin(), asyncOrder.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return m_asyncs[a].startNs < m_asyncs[b].startNs; });
    for (std::uint32_t asyncIndex : asyncOrder) {
        m_asyncs[asyncIndex].task = nextTask++;
    }

    std::size_t expected = m_samples.size() + m_instants.size() + 3 * (threadOrder.size() + m_asyncs.size());
    for (const ThreadRec& thread : m_threads) {
        expected += 2 * (thread.slices.size() + thread.open.size());
    }
    expected += 2 * m_asyncSlices.size();
    std::vector<Event> events;
    events.reserve(expected);
    auto push = [&](std::int64_t timeNs, std::uint32_t task, std::uint16_t lane, EventKind kind, std::uint8_t code,
                    std::uint32_t subject, std::int32_t value) {
        events.push_back(Event{shift(timeNs), task, lane, kind, code, subject, value});
    };

    Flattener flattener;
    std::vector<Change> changes;
    for (std::size_t threadIndex = 0; threadIndex < m_threads.size(); ++threadIndex) {
        ThreadRec& thread = m_threads[threadIndex];
        const SliceKind role = roles[threadIndex];
        for (const OpenSlice& open : thread.open) { // never ended: closed at the trace's end
            Slice slice;
            slice.startNs = open.startNs;
            slice.endNs = m_maxNs;
            slice.subject = open.subject;
            thread.slices.push_back(slice);
        }
        thread.open.clear();
        const std::uint16_t lane = defaultLane(thread);
        for (Slice& slice : thread.slices) {
            slice.laneRef = role == SliceKind::Generic ? lane : laneNamed(thread.process, slice.laneRef, lane);
        }
        changes.clear();
        if (role == SliceKind::InterleaveLane) {
            flattener.run(thread.slices, TaskState::Done, lane, changes);
            for (const Change& change : changes) {
                push(change.timeNs, 0, change.lane, EventKind::LaneState, static_cast<std::uint8_t>(change.state),
                     change.subject, change.line);
            }
        } else if (thread.task != kNone) {
            const bool interleave = role == SliceKind::InterleaveTask;
            const std::uint16_t firstLane =
                interleave && !thread.slices.empty() ? static_cast<std::uint16_t>(thread.slices.front().laneRef) : lane;
            const std::uint32_t nameId = m_trace.strings.intern(threadName(thread));
            push(thread.firstNs, thread.task, firstLane, EventKind::TaskCreated, 0, nameId, -1);
            Flattener::emit(changes, Change{thread.firstNs, 0, 0, firstLane, TaskState::Idle});
            flattener.run(thread.slices, TaskState::Idle, firstLane, changes);
            Flattener::emit(changes, Change{std::max(thread.lastNs, changes.back().timeNs), 0, 0, changes.back().lane,
                                            TaskState::Done});
            for (const Change& change : changes) {
                push(change.timeNs, thread.task, change.lane, EventKind::TaskState,
                     static_cast<std::uint8_t>(change.state), change.subject, change.line);
            }
        }
        std::vector<Slice>().swap(thread.slices);
    }

    // Async tasks: their slices grouped by owner (stable: file order within one owner).
    for (AsyncRec& record : m_asyncs) {
        for (const OpenSlice& open : record.open) { // never ended
            Slice slice;
            slice.startNs = open.startNs;
            slice.endNs = m_maxNs;
            slice.subject = open.subject;
            slice.state = TaskState::WaitingIo;
            m_asyncSlices.push_back(AsyncSlice{slice, static_cast<std::uint32_t>(&record - m_asyncs.data())});
        }
        record.open.clear();
    }
    std::stable_sort(m_asyncSlices.begin(), m_asyncSlices.end(),
                     [](const AsyncSlice& a, const AsyncSlice& b) { return a.owner < b.owner; });
    std::vector<Slice> slices;
    for (std::size_t at = 0; at < m_asyncSlices.size();) {
        const std::uint32_t owner = m_asyncSlices[at].owner;
        slices.clear();
        for (; at < m_asyncSlices.size() && m_asyncSlices[at].owner == owner; ++at) {
            slices.push_back(m_asyncSlices[at].slice);
        }
        const AsyncRec& record = m_asyncs[owner];
        const ThreadRec& thread = m_threads[record.thread];
        const std::uint16_t lane = defaultLane(thread);
        for (Slice& slice : slices) {
            slice.laneRef = lane;
        }
        push(record.startNs, record.task, lane, EventKind::TaskCreated, 0, record.subject, -1);
        if (thread.task != kNone) {
            push(record.startNs, record.task, lane, EventKind::TaskParent, 0, 0,
                 static_cast<std::int32_t>(thread.task));
        }
        changes.clear();
        flattener.run(slices, TaskState::Done, lane, changes);
        for (const Change& change : changes) {
            push(change.timeNs, record.task, change.lane, EventKind::TaskState, static_cast<std::uint8_t>(change.state),
                 change.subject, change.line);
        }
    }
    std::vector<AsyncSlice>().swap(m_asyncSlices);

    // Instants.
    for (const InstantRec& instant : m_instants) {
        const ThreadRec& thread = m_threads[instant.thread];
        std::uint32_t task = kNoTask;
        std::uint16_t lane = 0;
        if (instant.async != kNone) {
            task = m_asyncs[instant.async].task;
            lane = defaultLane(m_threads[m_asyncs[instant.async].thread]);
        } else if (instant.scope == 't') {
            task = thread.task != kNone ? thread.task : kNoTask;
            lane = defaultLane(thread);
            if (instant.laneRef != 0) {
                lane = laneNamed(thread.process, instant.laneRef, lane);
            }
        } else if (instant.scope == 'p') {
            const std::uint32_t first = m_processes[thread.process].firstLane;
            lane = static_cast<std::uint16_t>(first != kNone ? first : 0);
        }
        push(instant.timeNs, task, lane, EventKind::Marker, static_cast<std::uint8_t>(instant.kind), instant.subject,
             instant.line);
    }

    // Counters: names, then samples.
    {
        // How many keys each (process, name) has, and which final names several processes share.
        std::unordered_map<std::uint64_t, std::uint32_t> keysPerName;
        for (const SeriesRec& series : m_series) {
            ++keysPerName[std::uint64_t{series.process} << 32 | series.nameKey];
        }
        std::vector<std::string> names(m_series.size());
        std::unordered_map<std::string, std::uint32_t> processesPerName;
        for (std::size_t index = 0; index < m_series.size(); ++index) {
            SeriesRec& series = m_series[index];
            const bool single = keysPerName[std::uint64_t{series.process} << 32 | series.nameKey] == 1;
            std::string name = m_keys.at(series.nameKey);
            if (m_sawInterleave && single && name == "loop_lag_ms") {
                name = "loop_lag_us"; // Interleave exports the lag in ms; the model keeps µs
                series.loopLag = true;
            } else if (!single) {
                name += std::string(kDot) + m_keys.at(series.argKey);
            }
            names[index] = std::move(name);
        }
        std::unordered_map<std::string, std::uint32_t> firstProcess;
        for (std::size_t index = 0; index < m_series.size(); ++index) {
            auto [it, inserted] = firstProcess.try_emplace(names[index], m_series[index].process);
            if (!inserted && it->second != m_series[index].process) {
                processesPerName[names[index]] = 2;
            }
        }
        for (std::size_t index = 0; index < m_series.size(); ++index) {
            std::string name = names[index];
            if (processesPerName.count(name) != 0) {
                std::string prefixed = processName(m_processes[m_series[index].process]);
                prefixed += kArrow;
                prefixed += name;
                name = std::move(prefixed);
            }
            m_series[index].nameId = m_trace.strings.intern(name);
        }
    }
    for (const Sample& sample : m_samples) {
        const SeriesRec& series = m_series[sample.series];
        const double value = series.loopLag ? std::round(sample.value * 1000.0) : sample.value;
        const std::uint32_t first = m_processes[series.process].firstLane;
        const auto lane = static_cast<std::uint16_t>(first != kNone ? first : 0);
        constexpr double kInt32Max = std::numeric_limits<std::int32_t>::max();
        constexpr double kInt32Min = std::numeric_limits<std::int32_t>::min();
        if (std::trunc(value) == value && value >= kInt32Min && value <= kInt32Max) {
            push(sample.timeNs, 0, lane, EventKind::Counter, 0, series.nameId, static_cast<std::int32_t>(value));
        } else {
            push(sample.timeNs, 0, lane, EventKind::CounterReal, 0, series.nameId,
                 static_cast<std::int32_t>(trace.realValues.size()));
            trace.realValues.push_back(value);
        }
    }
    std::vector<Sample>().swap(m_samples);

    std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.timeNs < b.timeNs; });
    trace.events = std::move(events);
    trace.endNs = endNs;
    m_stats.bytes = m_stream.total();
    result.trace = std::move(m_trace);
    result.stats = std::move(m_stats);
    return result;
}

// ---------------------------------------------------------------------------------------------------------------
// Errors.

std::string_view describe(rapidjson::ParseErrorCode code) {
    switch (code) {
    case rapidjson::kParseErrorDocumentRootNotSingular:
        return "unexpected text after the end of the trace";
    case rapidjson::kParseErrorValueInvalid:
        return "invalid value";
    case rapidjson::kParseErrorObjectMissName:
        return "missing a member name in an object";
    case rapidjson::kParseErrorObjectMissColon:
        return "missing ':' after a member name";
    case rapidjson::kParseErrorObjectMissCommaOrCurlyBracket:
        return "missing ',' or '}' after an object member";
    case rapidjson::kParseErrorArrayMissCommaOrSquareBracket:
        return "missing ',' or ']' after an array element";
    case rapidjson::kParseErrorStringUnicodeEscapeInvalidHex:
        return "invalid \\u escape in a string";
    case rapidjson::kParseErrorStringUnicodeSurrogateInvalid:
        return "invalid surrogate pair in a string";
    case rapidjson::kParseErrorStringEscapeInvalid:
        return "invalid escape in a string";
    case rapidjson::kParseErrorStringMissQuotationMark:
        return "missing closing quotation mark";
    case rapidjson::kParseErrorStringInvalidEncoding:
        return "invalid UTF-8 in a string";
    case rapidjson::kParseErrorNumberTooBig:
        return "number too big";
    case rapidjson::kParseErrorNumberMissFraction:
        return "missing digits after the decimal point";
    case rapidjson::kParseErrorNumberMissExponent:
        return "missing digits in an exponent";
    default:
        return "syntax error";
    }
}

// Line and column (1-based) of byte `offset`, by reading the input again up to it.
template <typename ReadChunk> std::pair<std::uint64_t, std::uint64_t> lineColumn(std::uint64_t offset, ReadChunk read) {
    std::uint64_t line = 1;
    std::uint64_t lineStart = 0;
    std::uint64_t position = 0;
    while (position < offset) {
        const std::string_view chunk =
            read(position, static_cast<std::size_t>(std::min<std::uint64_t>(offset - position, kChunkBytes)));
        if (chunk.empty()) {
            break;
        }
        for (std::size_t i = 0; i < chunk.size(); ++i) {
            if (chunk[i] == '\n') {
                ++line;
                lineStart = position + i + 1;
            }
        }
        position += chunk.size();
    }
    return {line, offset - lineStart + 1};
}

// Reads the input at [offset, offset + length) (shorter at its end).
using ChunkReader = std::function<std::string_view(std::uint64_t, std::size_t)>;

[[noreturn]] void throwAt(const std::string& prefix, std::string_view what, std::uint64_t offset,
                          const ChunkReader& read) {
    const auto [line, column] = lineColumn(offset, read);
    throw ImportError(fmt::format("{}{} at byte {} (line {}, column {})", prefix, what, offset, line, column), offset,
                      line, column);
}

// True when only whitespace and at most one comma lie in [from, total).
bool onlyCommaAndSpace(std::uint64_t from, std::uint64_t total, const ChunkReader& read) {
    int commas = 0;
    for (std::uint64_t position = from; position < total;) {
        const std::string_view chunk =
            read(position, static_cast<std::size_t>(std::min<std::uint64_t>(total - position, kChunkBytes)));
        if (chunk.empty()) {
            return false;
        }
        for (char c : chunk) {
            if (c == ',') {
                ++commas;
            } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return false;
            }
        }
        position += chunk.size();
    }
    return commas <= 1;
}

ImportResult parse(ChunkStream& stream, const std::string& prefix, const ChunkReader& read) {
    auto importer = std::make_unique<Importer>(stream);
    rapidjson::Reader reader;
    stream.report(0);
    const rapidjson::ParseResult parsed =
        stream.cancelled() ? rapidjson::ParseResult() : reader.Parse<rapidjson::kParseIterativeFlag>(stream, *importer);
    if (stream.cancelled()) {
        throw ImportCancelled();
    }
    if (importer->error()) {
        throwAt(prefix, importer->error()->message, importer->error()->offset, read);
    }
    if (parsed.IsError()) {
        const std::uint64_t offset = parsed.Offset();
        const bool atEnd = offset >= stream.total();
        const bool toleratedEnd = atEnd && importer->arrayForm() && importer->betweenEvents() &&
                                  importer->eventCount() > 0 &&
                                  onlyCommaAndSpace(importer->lastEventEnd(), stream.total(), read);
        if (!toleratedEnd) {
            throwAt(prefix, atEnd ? std::string_view("unexpected end of file") : describe(parsed.Code()), offset, read);
        }
    }
    if (!stream.report(stream.total())) {
        throw ImportCancelled();
    }
    return importer->build();
}

} // namespace

ImportResult importChromeTrace(const std::filesystem::path& file, const ImportProgress& progress) {
    const std::string prefix = file.string() + ": ";
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> handle(std::fopen(file.c_str(), "rb"), &std::fclose);
    if (!handle) {
        throw ImportError(fmt::format("{}cannot open the file: {}", prefix, std::strerror(errno)), 0, 0, 0);
    }
    std::error_code error;
    const auto size = std::filesystem::file_size(file, error);
    const std::uint64_t total = error ? 0 : size;
    ChunkStream stream(handle.get(), total, &progress);
    std::vector<char> buffer;
    ChunkReader read = [&](std::uint64_t offset, std::size_t length) -> std::string_view {
        std::unique_ptr<std::FILE, int (*)(std::FILE*)> again(std::fopen(file.c_str(), "rb"), &std::fclose);
        if (!again || std::fseek(again.get(), static_cast<long>(offset), SEEK_SET) != 0) {
            return {};
        }
        buffer.resize(length);
        const std::size_t got = std::fread(buffer.data(), 1, length, again.get());
        return {buffer.data(), got};
    };
    return parse(stream, prefix, read);
}

ImportResult importChromeTraceText(std::string_view json) {
    ChunkStream stream(json);
    ChunkReader read = [&](std::uint64_t offset, std::size_t length) -> std::string_view {
        return offset < json.size() ? json.substr(static_cast<std::size_t>(offset), length) : std::string_view();
    };
    return parse(stream, std::string(), read);
}

} // namespace interleave::core
