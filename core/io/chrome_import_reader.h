// Chrome trace import, internal: the input stream (a file read in chunks, or text) and the RapidJSON SAX handler
// that reads trace events into ImportRecords.
#pragma once

#include "io/chrome_import_records.h"

#include <rapidjson/reader.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace interleave::core::chrome_import {

constexpr std::size_t kChunkBytes = std::size_t{1} << 20;

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

struct SemanticError {
    std::string message;
    std::uint64_t offset = 0;
};

// ---------------------------------------------------------------------------------------------------------------
// The SAX handler: a small state machine that collects one event's fields, then records the event.

class EventReader {
public:
    explicit EventReader(ChunkStream& stream) : m_stream(stream) {
        m_scratch.reserve(4096);
        m_args.reserve(16);
        m_records.threads.reserve(64);
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
    std::uint64_t eventCount() const { return m_records.stats.events; }

    // What was read, for buildTrace.
    ImportRecords& records() { return m_records; }

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
            return kStringKeyTag | m_records.keys.intern(text(value));
        }
        if (value.type == Scalar::Type::Number) {
            // Numbers never carry the string tag, which a negative pid's sign bit is (a crash found by fuzzing).
            if (value.integral) {
                return static_cast<std::uint64_t>(value.integer) & ~kStringKeyTag;
            }
            // A pid or tid written as a fraction, or too large for an integer (4.3e73, also found by fuzzing): keyed
            // by its bits, since converting it would be undefined.
            if (std::isfinite(value.number) && std::abs(value.number) < 9.0e18) {
                return static_cast<std::uint64_t>(static_cast<std::int64_t>(value.number)) & ~kStringKeyTag;
            }
            return std::bit_cast<std::uint64_t>(value.number) & ~kStringKeyTag;
        }
        return 0;
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
        m_records.minNs = std::min(m_records.minNs, startNs);
        m_records.maxNs = std::max(m_records.maxNs, endNs);
    }
    void addSlice(ThreadRec& thread, std::int64_t startNs, std::int64_t endNs);
    void asyncEvent(char phase, std::int64_t timeNs);
    void counterEvent(std::int64_t timeNs);
    void instantEvent(std::int64_t timeNs);
    void metadataEvent();

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

    // Collected: what buildTrace turns into the trace, and the lookups that only reading needs.
    ImportRecords m_records;
    std::unordered_map<std::uint64_t, std::uint32_t> m_processIndex;
    std::unordered_map<std::pair<std::uint64_t, std::uint64_t>, std::uint32_t, PairHash> m_threadIndex;
    std::uint64_t m_lastPidKey = 0, m_lastTidKey = 0;
    std::uint32_t m_lastThread = kNone;
    std::unordered_map<AsyncKey, std::uint32_t, AsyncKeyHash> m_openAsync;
    std::unordered_map<SeriesKey, std::uint32_t, SeriesKeyHash> m_seriesIndex;
};

} // namespace interleave::core::chrome_import
