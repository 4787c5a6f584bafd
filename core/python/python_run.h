// A CPython program run under resources/python/interleave_trace.py, on the engine thread in place of the
// interpreter: what it does streams over a pipe into the run's trace, live, like an engine run's events.
#pragma once

#include "python/python_trace.h"
#include "runtime/engine_context.h"
#include "runtime/trace_growth.h"

#include <cstdint>
#include <filesystem>
#include <string>

namespace interleave::core {

// Where interleave_trace.py is: $INTERLEAVE_PYTHON_TRACER, else beside the lessons (resources/python in the source
// tree, share/interleave/python when installed).
std::filesystem::path locatePythonTracer();

class PythonRun {
public:
    PythonRun(EngineContext& context, TraceGrowth& growth);
    // Until the program ends, the run is stopped (its whole process group is killed) or its time limit passes.
    void run();
    std::int64_t endNs() const { return m_endNs; }

private:
    EngineContext& m_context;
    TraceGrowth& m_growth;
    std::int64_t m_endNs = 0;
};

} // namespace interleave::core
