// The records resources/python/interleave_trace.py writes about a CPython program (see its docstring), read into a
// run's trace: its asyncio tasks, threads and worker processes as tasks and lanes, its counters and exceptions.
#pragma once

#include "runtime/engine_context.h"
#include "runtime/trace_growth.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace interleave::core {

class PythonTraceReader {
public:
    PythonTraceReader(EngineContext& context, TraceGrowth& growth);

    // Takes the next bytes of the pipe: whole chunks are read, a partial one is kept for the next call. Throws
    // std::runtime_error saying what is wrong when the stream is not the tracer's.
    void feed(std::string_view bytes);

    bool ended() const { return m_ended; }
    int exitStatus() const { return m_status; }
    const std::string& failure() const { return m_failure; } // the exception's last line when the program raised
    std::int64_t lastNs() const { return m_lastNs; }
    std::size_t records() const { return m_records; }

private:
    struct Name {
        std::string text;
        std::uint32_t id = 0; // interned
    };
    // One process's stream (the program's, or a forked worker's): its records and the strings they name.
    struct Stream {
        std::string pending; // bytes of a record not yet whole
        std::unordered_map<std::int64_t, Name> names;
    };

    void readRecords(Stream& stream);
    // Reads the record at `words` (of `count` words); returns how many words it takes, or 0 when it is not whole.
    std::size_t record(Stream& stream, const std::int64_t* words, std::size_t count);
    const Name& name(const Stream& stream, std::int64_t id) const;
    std::uint16_t lane(std::int64_t id) const;
    TaskRef task(std::int64_t id, std::uint16_t lane) const;
    TaskRef task(std::int64_t id) const; // on the lane it was made on
    void setState(std::int64_t atNs, std::int64_t id, TaskRef ref, std::int64_t state, std::uint32_t what);
    std::int64_t runNs(std::int64_t monotonicNs);

    EngineContext& m_context;
    TraceGrowth& m_growth;
    std::string m_partial;                              // a chunk not yet whole
    std::unordered_map<std::int64_t, Stream> m_streams; // by the writer's pid
    std::size_t m_nameBytes = 0;
    std::unordered_map<std::int64_t, std::uint16_t> m_lanes; // the tracer's lane ids
    std::unordered_map<std::int64_t, TaskRef> m_tasks;       // the tracer's task ids, with the lane each was made on
    std::unordered_set<std::int64_t> m_terminal;             // tasks that ended
    bool m_ended = false;
    int m_status = 0;
    std::string m_failure;
    std::int64_t m_lastNs = 0;
    std::int64_t m_baseNs = -1; // CLOCK_MONOTONIC of the first event
    std::size_t m_records = 0;
};

} // namespace interleave::core
