// What a broker run and its workers agree on: the keys of a run, the stream entries, the events workers report.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace interleave::core {

// Every key of a run starts with interleave:<run id>: and is deleted when the run ends; nothing else is touched.
struct BrokerKeys {
    explicit BrokerKeys(std::string_view runId);
    std::string prefix;     // interleave:<run id>:
    std::string jobs;       // the stream of jobs; consumer group kGroup
    std::string dead;       // the dead-letter stream
    std::string events;     // what workers report, read by the run
    std::string deliveries; // hash: entry id -> deliveries so far
    std::string config;     // hash: the run's settings, for workers that join
    std::string workers;    // counter: the last worker number handed out
    std::string state;      // "running", then "done": workers leave
};
inline constexpr const char* kGroup = "workers";

// A run id: letters, digits and '-', at most 64 (it is part of key names and of a command line).
bool isValidRunId(std::string_view id);

// The run's settings as workers read them (the config hash).
struct BrokerConfig {
    std::int64_t visibilityNs = 0;  // a pending job idle this long is reclaimed
    std::int64_t pollNs = 0;        // a worker blocks this long at most waiting for a job, then looks for stale ones
    std::int64_t maxDeliveries = 3; // a job that fails on its last delivery is dead-lettered
    bool ackOnReceipt = false;      // at-most-once
};

// Events: stream entries with fields w (worker number), k (kind), t (broker time in ns), and by kind j (job index),
// d (delivery number), h (host), p (pid).
enum class BrokerEventKind : char {
    Hello = 'h', // a worker joined: h, p
    Idle = 'i',  // it waits for a job
    Claim = 'c', // it took job j, delivery d (d > 1: a redelivery)
    Ack = 'a',   // it acknowledged job j (after its work, or on receipt)
    Done = 'o',  // job j's work is done
    Fail = 'f',  // job j raised
    Dead = 'x',  // it moved job j to the dead-letter stream
};

} // namespace interleave::core
