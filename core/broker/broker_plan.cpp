#include "broker/broker_plan.h"

#include "runtime/seeded_failure.h"

#include <cmath>
#include <vector>

namespace interleave::core {

void drawBrokerJobs(BrokerPlan& broker, std::int64_t jobs, std::int64_t poison, std::int64_t meanNs,
                    std::uint64_t seed) {
    std::uint64_t random = seed * 0x2545F4914F6CDD1DULL + 17;
    auto draw = [&random] { return static_cast<double>(splitmix(random) >> 11U) * 0x1.0p-53; };
    std::vector<double> weights(static_cast<std::size_t>(jobs));
    double total = 0;
    for (double& weight : weights) {
        weight = 0.4 + 1.2 * draw();
        total += weight;
    }
    const double sumNs = static_cast<double>(meanNs) * static_cast<double>(jobs);
    broker.jobNs.clear();
    for (const double weight : weights) {
        broker.jobNs.push_back(std::llround(sumNs * weight / total));
    }
    broker.poison.assign(static_cast<std::size_t>(jobs), false);
    for (std::int64_t marked = 0; marked < poison;) {
        // In the first half when there is room: its redeliveries then happen while the others still run.
        const auto index = static_cast<std::size_t>(draw() * static_cast<double>(poison * 2 <= jobs ? jobs / 2 : jobs));
        if (!broker.poison[index]) {
            broker.poison[index] = true;
            ++marked;
        }
    }
    broker.crashAtNs = std::llround(sumNs / broker.workers * (0.2 + 0.25 * draw()));
}

} // namespace interleave::core
