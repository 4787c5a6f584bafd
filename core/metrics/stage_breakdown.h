// Where a variant's time went, stage by stage (`stage:` on its steps): its makespan divided among its stages.
#pragma once

#include "trace/trace_analysis.h"

#include <string>
#include <vector>

namespace interleave::core {

struct StageShare {
    std::string stage;
    double ms = 0;
};

// Each moment of the run goes to the stages running then, in equal parts when several overlap (three stages at once
// for 30 ms: 10 ms each), or to `outsideMs` when none runs. So the stages' times and `outsideMs` add up to the
// makespan, and the stages alone to the makespan minus the time outside every stage.
struct StageBreakdown {
    std::vector<StageShare> stages; // in the order they first began
    double outsideMs = 0;
    bool empty() const { return stages.empty(); }
    double stagedMs() const;
};

// Read from the run's stage counters (trace.h: "stage:<name>"); `timeScale` turns a slowed run's wall time back into
// lesson time. Empty when the variant names no stage.
StageBreakdown stageBreakdown(const TraceAnalysis& analysis, double timeScale = 1.0);

} // namespace interleave::core
