// Exports of a trace for spreadsheets and Perfetto: spans and counters as CSV, Chrome trace JSON.
#pragma once

#include "trace/trace.h"
#include "trace/trace_analysis.h"

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace interleave::core {

// A variant's trace to export, labelled.
struct LabelledTrace {
    std::string variant;
    const Trace* trace = nullptr;
    const TraceAnalysis* analysis = nullptr; // may be null: the exporter then analyzes the trace itself
    std::string lesson{};                    // optional; Chrome process names read "<lesson> · <variant>"
};

// Columns: variant,lane,task,state,start_ms,end_ms,primitive,line. Task spans and lane-level spans (task empty),
// merged by start time; times in ms with ns precision; lane is the lane's name.
void writeSpansCsv(std::ostream& out, const std::vector<LabelledTrace>& traces);
// Columns: variant,name,t_ms,value. The loop-lag counter is written as loop_lag_ms, converted to ms.
void writeCountersCsv(std::ostream& out, const std::vector<LabelledTrace>& traces);
// {"traceEvents":[...], "displayTimeUnit":"ms"}: one pid per variant (index + 1). Lane-level spans sit on
// tid = lane; each task gets its own tid = task id + taskTidOffset(trace) named after the task, so overlapping
// coroutines draw as separate tracks in Perfetto. X spans, C counters, i markers, M process_name/thread_name
// metadata; ts and dur in microseconds with ns precision. Streams its output: fine for millions of spans.
void writeChromeTrace(std::ostream& out, const std::vector<LabelledTrace>& traces);

// The event-loop lag counter, sampled in microseconds: "loop_lag_us" (the runtime's name) or "loop_lag_ms" (the
// older name, also in microseconds). Exports show it as "loop_lag_ms" in milliseconds.
bool isLoopLagCounter(std::string_view name);

// 1000, or the next multiple of 1000 above the lane count, so task tids never collide with lane tids.
std::uint32_t taskTidOffset(const Trace& trace);

} // namespace interleave::core
