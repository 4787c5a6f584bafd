// The broker model (L17) on the engine thread: a producer puts the plan's jobs on a Redis stream, real worker
// processes take them through a consumer group (broker_worker.h), one of them is killed mid-job, and everything the
// workers report comes back through the broker, timed on its clock, into the run's trace.
#pragma once

#include "runtime/engine_context.h"
#include "runtime/trace_growth.h"
#include "trace/trace.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <sys/types.h>
#include <unordered_map>
#include <vector>

namespace interleave::core {

class EmbeddedRedis;
class RedisConnection;

class BrokerRun {
public:
    // Interns its names and adds its lanes: call from the Engine's constructor. A worker that joins gets its lane
    // from `growth`.
    BrokerRun(EngineContext& context, StringTable& strings, std::vector<LaneInfo>& lanes, TraceGrowth& growth);
    ~BrokerRun();
    BrokerRun(const BrokerRun&) = delete;
    BrokerRun& operator=(const BrokerRun&) = delete;

    // On the engine thread, until every job is settled or lost, the run is stopped, or it fails.
    void run();
    // "interleave-worker --broker URL --run ID": what adds a worker to this run, once the broker is up; "" before.
    std::string joinCommand() const;
    std::int64_t endNs() const { return m_endNs; }

private:
    struct Worker {
        int number = 0;
        std::uint16_t lane = 0;
        pid_t pid = -1; // ours to reap; -1 for a worker that joined
        bool alive = true;
        bool killed = false;
        std::int64_t job = -1; // the job it works on, -1 when none
        std::int64_t claimedNs = 0;
    };
    struct Job {
        TaskRef task;
        bool completed = false;
        bool acked = false;
        bool settled = false;
        bool lost = false;
        bool deadLettered = false;
    };
    struct Counters {
        std::int64_t acked = 0;
        std::int64_t redelivered = 0;
        std::int64_t deadLettered = 0;
        std::int64_t settled = 0;
        std::int64_t completed = 0;
        std::int64_t doneTwice = 0;
        std::int64_t lost = 0;
        std::int64_t streamLength = -1;
        std::int64_t pending = -1;
    };

    void setUp();
    void startWorkers();
    void loop();
    void produce();
    void readEvents();
    void handleEvent(const std::unordered_map<std::string, std::string>& fields);
    void sample();
    void crashOne();
    void watchWorkers();
    void tearDown();
    Worker& workerNumbered(int number, const std::string& host);
    std::int64_t runNs(std::int64_t brokerNs) const;
    void count(std::int64_t runNs, std::uint32_t name, std::int64_t& value, std::int64_t delta);
    void settle(Job& job);
    std::size_t finishedJobs() const { return m_finishedJobs; }

    EngineContext& m_context;
    const BrokerPlan& m_plan;
    struct Names;
    std::unique_ptr<Names> m_names;
    std::uint16_t m_producerLane = 0;
    std::uint16_t m_brokerLane = 0;
    std::string m_host;
    std::string m_runId;
    std::string m_url;
    std::unique_ptr<EmbeddedRedis> m_embedded;
    std::unique_ptr<RedisConnection> m_broker;
    std::int64_t m_offsetNs = 0; // broker time − our monotonic time
    std::vector<std::unique_ptr<Worker>> m_workers;
    std::vector<Job> m_jobs;
    TaskRef m_producer;
    std::size_t m_produced = 0;
    std::size_t m_finishedJobs = 0; // settled or lost
    bool m_producerWaiting = false;
    int m_crashed = 0;
    std::string m_lastEventId = "0-0";
    std::int64_t m_nextSampleNs = 0;
    Counters m_counters;
    std::unordered_map<std::uint32_t, std::int64_t> m_lastCountNs; // per counter: the time of its last sample
    std::int64_t m_endNs = 0;
    TraceGrowth& m_growth;
    mutable std::mutex m_mutex; // the join command, read by the trace's consumer
    std::string m_joinCommand;
};

} // namespace interleave::core
