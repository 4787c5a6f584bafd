#include "broker/broker_protocol.h"

#include <algorithm>

namespace interleave::core {

BrokerKeys::BrokerKeys(std::string_view runId)
    : prefix("interleave:" + std::string(runId) + ":"), jobs(prefix + "jobs"), dead(prefix + "dead"),
      events(prefix + "events"), deliveries(prefix + "deliveries"), config(prefix + "config"),
      workers(prefix + "workers"), state(prefix + "state") {}

bool isValidRunId(std::string_view id) {
    constexpr std::size_t kMaxRunId = 64;
    return !id.empty() && id.size() <= kMaxRunId && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    });
}

} // namespace interleave::core
