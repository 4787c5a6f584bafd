// Exports of a trace for spreadsheets and Perfetto: spans and counters as CSV, Chrome trace JSON.
#pragma once

#include "trace/trace.h"
#include "trace/trace_analysis.h"

#include <ostream>
#include <string>
#include <vector>

namespace interleave::core {

// A variant's trace to export, labelled.
struct LabelledTrace {
    std::string variant;
    const Trace* trace = nullptr;
    const TraceAnalysis* analysis = nullptr;
};

// Columns: variant,lane,task,state,start_ms,end_ms,primitive,line
void writeSpansCsv(std::ostream& out, const std::vector<LabelledTrace>& traces);
// Columns: variant,name,t_ms,value
void writeCountersCsv(std::ostream& out, const std::vector<LabelledTrace>& traces);
// {"traceEvents":[...], "displayTimeUnit":"ms"}: one pid per variant, one tid per lane; X spans, C counters,
// i markers, M process_name/thread_name metadata; ts and dur in microseconds.
void writeChromeTrace(std::ostream& out, const std::vector<LabelledTrace>& traces);

} // namespace interleave::core
