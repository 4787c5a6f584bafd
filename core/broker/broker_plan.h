// The broker model's seeded draws (compilePlan's part for Model::Broker): the jobs' lengths, the poison jobs and
// the crash's moment, the same for one seed wherever the plan is compiled.
#pragma once

#include "runtime/plan.h"

#include <cstdint>

namespace interleave::core {

// Fills broker.jobNs (drawn around `meanNs`, 0.4 to 1.6 times it, scaled to add up to jobs × mean), broker.poison
// (`poison` jobs, in the first half when there is room) and broker.crashAtNs (20–45% into the ideal makespan for
// broker.workers, which must be set).
void drawBrokerJobs(BrokerPlan& broker, std::int64_t jobs, std::int64_t poison, std::int64_t meanNs,
                    std::uint64_t seed);

} // namespace interleave::core
