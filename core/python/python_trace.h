// The lines resources/python/interleave_trace.py writes about a CPython program (see its docstring), read into a
// run's trace: its asyncio tasks, threads and worker processes as tasks and lanes, its counters and exceptions.
#pragma once

#include "runtime/engine_context.h"
#include "runtime/trace_growth.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace interleave::core {

class PythonTraceReader {
public:
    PythonTraceReader(EngineContext& context, TraceGrowth& growth);

    // Takes the next bytes of the stream; whole lines are read, a partial one is kept for the next call. Throws
    // std::runtime_error naming the line when one is malformed.
    void feed(std::string_view bytes);

    bool ended() const { return m_ended; }
    int exitStatus() const { return m_status; }
    const std::string& failure() const { return m_failure; } // the exception's last line when the program raised
    std::int64_t lastNs() const { return m_lastNs; }
    std::size_t lines() const { return m_lines; }

private:
    void line(std::string_view text);
    std::uint16_t lane(std::int64_t id) const;
    TaskRef task(std::int64_t id, std::uint16_t lane) const;
    std::int64_t runNs(std::int64_t monotonicNs);

    EngineContext& m_context;
    TraceGrowth& m_growth;
    std::string m_partial;
    std::unordered_map<std::int64_t, std::uint16_t> m_lanes; // the tracer's lane ids
    std::unordered_map<std::int64_t, std::uint32_t> m_tasks; // the tracer's task ids
    std::unordered_map<std::int64_t, bool> m_terminal;       // tasks that ended
    bool m_ended = false;
    int m_status = 0;
    std::string m_failure;
    std::int64_t m_lastNs = 0;
    std::int64_t m_baseNs = -1; // CLOCK_MONOTONIC of the first event
    std::size_t m_lines = 0;
};

// %XX decoding of the tracer's names.
std::string percentDecode(std::string_view text);

} // namespace interleave::core
