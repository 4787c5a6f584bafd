// Parameter sweeps: one variant run once per value of one of its parameters, for its makespan and throughput against
// that parameter, beside the lesson's theory for them (the pool size over 1, 2, 4, ... in L15).
#pragma once

#include "metrics/lesson_report.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace interleave::core {

// "1,2,4,8" (a list), "1..8" (every whole number from 1 to 8) or "1..64x2" (from 1, times 2 until past 64); at most
// kMaxSweepValues values. Throws UsageError saying what is wrong. Each value is checked against its parameter's
// range by resolveParameters, as a --set is.
std::vector<double> parseSweepValues(std::string_view text);

struct SweepPoint {
    double value = 0;
    RunOutcome outcome;
    double makespanMs = 0;
    std::size_t tasksDone = 0;      // the run's tasks that ended done, main aside
    double throughputPerS = 0;      // tasksDone per second of makespan (lesson time)
    std::optional<double> theoryMs; // the sweep's theory at this value, when it has one and it is a number
};

struct SweepResult {
    std::string variant;
    std::string parameter;
    std::vector<SweepPoint> points; // in the order they ran; fewer than the values when the sweep was stopped
};

// The point of one run of the sweep at `value`.
SweepPoint sweepPoint(const VariantRun& run, double value, std::optional<double> theoryMs);

// The sweep's theory with `values` (the swept parameter set to the point's value), in ms; nullopt without one, or
// when it is no finite number there.
std::optional<double> sweepTheoryMs(const SweepDecl& sweep, const ParameterValues& values);

// The lesson's sweep of `variant` (the first one when `variant` is empty); nullptr when it has none.
const SweepDecl* findSweep(const Scenario& scenario, std::string_view variant);

} // namespace interleave::core
