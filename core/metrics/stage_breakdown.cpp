// A variant's makespan divided among its stages.
#include "metrics/stage_breakdown.h"

#include <algorithm>

namespace interleave::core {

double StageBreakdown::stagedMs() const {
    double total = 0;
    for (const StageShare& share : stages) {
        total += share.ms;
    }
    return total;
}

StageBreakdown stageBreakdown(const TraceAnalysis& analysis, double timeScale) {
    struct Change {
        std::int64_t timeNs;
        std::size_t stage;
        double value;
    };
    std::vector<const CounterSeries*> series;
    for (const CounterSeries& counter : analysis.counters) {
        if (isStageCounter(counter.name) && !counter.points.empty()) {
            series.push_back(&counter);
        }
    }
    StageBreakdown breakdown;
    if (series.empty()) {
        return breakdown;
    }
    std::stable_sort(series.begin(), series.end(), [](const CounterSeries* left, const CounterSeries* right) {
        return left->points.front().timeNs < right->points.front().timeNs;
    });
    std::vector<Change> changes;
    for (std::size_t stage = 0; stage < series.size(); ++stage) {
        breakdown.stages.push_back(StageShare{series[stage]->name.substr(kStageCounterPrefix.size()), 0});
        for (const CounterPoint& point : series[stage]->points) {
            changes.push_back(
                Change{std::clamp<std::int64_t>(point.timeNs, 0, analysis.makespanNs), stage, point.value});
        }
    }
    std::stable_sort(changes.begin(), changes.end(),
                     [](const Change& left, const Change& right) { return left.timeNs < right.timeNs; });

    const double scale = timeScale > 0 ? timeScale : 1.0;
    auto toMs = [scale](std::int64_t ns) { return static_cast<double>(ns) / 1e6 / scale; };
    std::vector<double> running(series.size(), 0);
    std::size_t active = 0;
    std::int64_t from = 0;
    auto account = [&](std::int64_t until) {
        if (until <= from) {
            return;
        }
        const double ms = toMs(until - from);
        if (active == 0) {
            breakdown.outsideMs += ms;
        } else {
            for (std::size_t stage = 0; stage < running.size(); ++stage) {
                if (running[stage] > 0) {
                    breakdown.stages[stage].ms += ms / static_cast<double>(active);
                }
            }
        }
        from = until;
    };
    for (const Change& change : changes) {
        account(change.timeNs);
        const bool was = running[change.stage] > 0;
        running[change.stage] = change.value;
        const bool is = running[change.stage] > 0;
        active = active + (is ? 1 : 0) - (was ? 1 : 0);
    }
    account(analysis.makespanNs);
    return breakdown;
}

} // namespace interleave::core
