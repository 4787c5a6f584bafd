// The broker model's producer, its workers' supervisor and the reader of what they report.
#include "broker/broker_run.h"

#include "broker/broker_protocol.h"
#include "broker/child_process.h"
#include "broker/embedded_redis.h"
#include "broker/redis_client.h"
#include "runtime/process_pool.h"

#include <algorithm>
#include <array>
#include <csignal>
#include <fmt/format.h>
#include <fstream>
#include <random>
#include <sys/wait.h>
#include <unistd.h>

namespace interleave::core {

namespace {

constexpr int kMaxJoinedWorkers = 64;
constexpr std::size_t kProduceBatch = 64;
constexpr std::int64_t kSampleEveryNs = 5'000'000;

std::string hostName() {
    std::array<char, 256> host{};
    ::gethostname(host.data(), host.size() - 1);
    return host.data();
}

std::string freshRunId() {
    std::random_device device;
    std::uniform_int_distribution<std::uint32_t> any;
    return fmt::format("{:08x}{:08x}", any(device), any(device));
}

// Whether stream entry id `a` ("<ms>-<seq>") comes before `b`.
bool streamIdBefore(const std::string& a, const std::string& b) {
    auto parts = [](const std::string& id) {
        const auto dash = id.find('-');
        std::int64_t ms = 0;
        std::int64_t sequence = 0;
        parseInteger(std::string_view(id).substr(0, dash), ms);
        if (dash != std::string::npos) {
            parseInteger(std::string_view(id).substr(dash + 1), sequence);
        }
        return std::pair{ms, sequence};
    };
    return parts(a) < parts(b);
}

std::int64_t field(const std::unordered_map<std::string, std::string>& fields, const char* name,
                   std::int64_t fallback = -1) {
    const auto found = fields.find(name);
    std::int64_t value = 0;
    return found != fields.end() && parseInteger(found->second, value) ? value : fallback;
}

} // namespace

struct BrokerRun::Names {
    std::uint32_t producer = 0;
    std::uint32_t job = 0;
    std::uint32_t queued = 0;
    std::uint32_t streamFull = 0;
    std::uint32_t settling = 0;
    std::uint32_t visibility = 0;
    std::uint32_t waitingForJob = 0;
    std::uint32_t workerStart = 0;
    std::uint32_t killed = 0;
    std::uint32_t poisonRaised = 0;
    std::uint32_t lost = 0;
    std::uint32_t deadLettered = 0;
    std::uint32_t streamLength = 0;
    std::uint32_t pending = 0;
    std::uint32_t acked = 0;
    std::uint32_t redelivered = 0;
    std::uint32_t deadLetteredCount = 0;
    std::uint32_t settled = 0;
    std::uint32_t completed = 0;
    std::uint32_t doneTwice = 0;
    std::uint32_t lostCount = 0;
    std::vector<std::uint32_t> deliveries; // [d]: "delivery d"
};

BrokerRun::BrokerRun(EngineContext& context, StringTable& strings, std::vector<LaneInfo>& lanes, TraceGrowth& growth)
    : m_context(context), m_plan(context.plan.broker), m_names(std::make_unique<Names>()), m_host(hostName()),
      m_growth(growth) {
    Names& names = *m_names;
    names.producer = strings.intern("producer");
    names.job = strings.intern("job");
    names.queued = strings.intern("queued on the stream");
    names.streamFull = strings.intern("stream full: waiting for the workers");
    names.settling = strings.intern("waiting for every job to settle");
    names.visibility = strings.intern("pending: unacknowledged until the visibility timeout");
    names.waitingForJob = strings.intern("waiting for a job");
    names.workerStart = context.names.workerStart;
    names.killed = strings.intern("worker killed with SIGKILL");
    names.poisonRaised = strings.intern("poison job raised");
    names.lost = strings.intern("lost: acknowledged on receipt, never done");
    names.deadLettered = strings.intern(fmt::format("dead-lettered after {} deliveries", m_plan.maxDeliveries));
    names.streamLength = strings.intern(kStreamLengthCounter);
    names.pending = strings.intern(kPendingCounter);
    names.acked = strings.intern(kAckedCounter);
    names.redelivered = strings.intern(kRedeliveredCounter);
    names.deadLetteredCount = strings.intern(kDeadLetteredCounter);
    names.settled = strings.intern(kSettledCounter);
    names.completed = strings.intern(kCompletedCounter);
    names.doneTwice = strings.intern(kDoneTwiceCounter);
    names.lostCount = strings.intern(kLostCounter);
    names.deliveries.push_back(0);
    for (std::int64_t delivery = 1; delivery <= m_plan.maxDeliveries + 1; ++delivery) {
        names.deliveries.push_back(strings.intern(fmt::format("delivery {}", delivery)));
    }
    auto addLane = [&lanes](std::string name, LaneKind kind) {
        lanes.push_back(LaneInfo{std::move(name), kind, 0});
        return static_cast<std::uint16_t>(lanes.size() - 1);
    };
    m_producerLane = addLane("producer", LaneKind::Main);
    m_brokerLane = addLane("broker · Redis stream", LaneKind::Main);
    for (int number = 1; number <= m_plan.workers; ++number) {
        auto worker = std::make_unique<Worker>();
        worker->number = number;
        worker->lane = addLane(fmt::format("worker {} · {}", number, m_host), LaneKind::WorkerProcess);
        m_workers.push_back(std::move(worker));
    }
    m_jobs.resize(m_plan.jobNs.size());
}

BrokerRun::~BrokerRun() {
    tearDown();
}

std::string BrokerRun::joinCommand() const {
    std::lock_guard lock(m_mutex);
    return m_joinCommand;
}

void BrokerRun::run() {
    try {
        setUp();
        startWorkers();
        loop();
    } catch (const std::exception& problem) {
        m_context.failRun(problem.what(), m_brokerLane);
    }
    m_endNs = m_context.recorder.nowNs();
    tearDown();
}

std::int64_t BrokerRun::runNs(std::int64_t brokerNs) const {
    return brokerNs - m_offsetNs - m_context.recorder.runStartNs();
}

void BrokerRun::setUp() {
    m_url = m_context.plan.options.brokerUrl;
    if (m_url.empty()) {
        m_embedded = std::make_unique<EmbeddedRedis>();
        m_url = m_embedded->url();
    }
    m_broker = std::make_unique<RedisConnection>(parseBrokerUrl(m_url), std::chrono::milliseconds(2000));
    m_runId = m_context.plan.options.brokerRunId.empty() ? freshRunId() : m_context.plan.options.brokerRunId;
    if (!isValidRunId(m_runId)) {
        throw BrokerError(fmt::format("'{}' is not a run id: letters, digits and '-', at most 64", m_runId));
    }
    const BrokerKeys keys(m_runId);
    if (m_broker->command({"EXISTS", keys.config, keys.state, keys.jobs}).integer() != 0) {
        throw BrokerError(fmt::format("run id '{}' is already in use on the broker at {}", m_runId, m_url));
    }
    m_broker->pipeline({
        {"XGROUP", "CREATE", keys.jobs, kGroup, "0", "MKSTREAM"},
        // Created empty, so that a worker's report (XADD NOMKSTREAM) never makes a key once the run has ended.
        {"XGROUP", "CREATE", keys.events, "run", "0", "MKSTREAM"},
        {"XGROUP", "CREATE", keys.dead, "run", "0", "MKSTREAM"},
        {"HSET", keys.config, "visibility_ns", std::to_string(m_plan.visibilityNs), "poll_ns",
         std::to_string(m_plan.pollNs), "max_deliveries", std::to_string(m_plan.maxDeliveries), "ack_on_receipt",
         m_plan.ackOnReceipt ? "1" : "0"},
        {"SET", keys.workers, std::to_string(m_plan.workers)},
        {"SET", keys.state, "running"},
    });
    m_offsetNs = m_broker->brokerClockOffsetNs();
    {
        std::lock_guard lock(m_mutex);
        m_joinCommand = fmt::format("interleave-worker --broker {} --run {}", m_url, m_runId);
    }
    m_producer = m_context.createTask(m_names->producer, -1, 0xFFFFFFFFU, m_producerLane);
    m_context.setState(m_producer, TaskState::Running);
}

void BrokerRun::startWorkers() {
    const std::string program = locateWorkerExecutable(m_context.plan.options.workerExecutable).string();
    const std::string parent = std::to_string(getpid());
    for (auto& worker : m_workers) {
        m_context.laneState(worker->lane, TaskState::Starting, m_names->workerStart);
        const std::filesystem::path log =
            m_embedded ? m_embedded->folder() / fmt::format("worker-{}.log", worker->number) : std::filesystem::path();
        worker->pid = startOwnedChild({program, "--broker", m_url, "--run", m_runId, "--worker",
                                       std::to_string(worker->number), "--parent", parent},
                                      log);
    }
}

void BrokerRun::loop() {
    while (!m_context.stopRequested() && m_finishedJobs < m_jobs.size()) {
        produce();
        readEvents();
        sample();
        crashOne();
        watchWorkers();
    }
    if (!m_context.stopRequested()) {
        m_nextSampleNs = 0;
        sample();
        m_context.setState(m_producer, TaskState::Done);
    }
}

void BrokerRun::produce() {
    if (m_produced == m_jobs.size()) {
        return;
    }
    const BrokerKeys keys(m_runId);
    std::size_t room = m_jobs.size() - m_produced;
    if (m_plan.streamLimit > 0) {
        // Acknowledged jobs leave the stream (XDEL): its length is the work not yet done.
        const std::int64_t length = m_broker->command({"XLEN", keys.jobs}).integer();
        room = std::min<std::size_t>(room,
                                     static_cast<std::size_t>(std::max<std::int64_t>(0, m_plan.streamLimit - length)));
    }
    if (room == 0) {
        if (!m_producerWaiting) {
            m_context.setState(m_producer, TaskState::Blocked, m_names->streamFull);
            m_producerWaiting = true;
        }
        return;
    }
    if (m_producerWaiting) {
        m_context.setState(m_producer, TaskState::Running);
        m_producerWaiting = false;
    }
    std::vector<std::vector<std::string>> commands;
    const std::size_t end = m_produced + std::min(room, kProduceBatch);
    for (std::size_t index = m_produced; index < end; ++index) {
        Job& job = m_jobs[index];
        job.task = m_context.createTask(m_names->job, static_cast<std::int32_t>(index), m_producer.id, m_brokerLane);
        m_context.setState(job.task, TaskState::Ready, m_names->queued);
        commands.push_back({"XADD", keys.jobs, "*", "job", std::to_string(index), "ns",
                            std::to_string(m_plan.jobNs[index]), "poison", m_plan.poison[index] ? "1" : "0"});
    }
    m_broker->pipeline(commands);
    m_produced = end;
    if (m_produced == m_jobs.size()) {
        m_context.setState(m_producer, TaskState::Blocked, m_names->settling);
    }
}

void BrokerRun::readEvents() {
    const BrokerKeys keys(m_runId);
    // Blocks for at most a millisecond: the loop's pace when nothing happens.
    const RedisReply reply =
        m_broker->command({"XREAD", "COUNT", "512", "BLOCK", "1", "STREAMS", keys.events, m_lastEventId});
    if (reply.isNil() || reply.size() == 0) {
        return;
    }
    const RedisReply entries = reply.at(0).at(1);
    std::vector<std::unordered_map<std::string, std::string>> events;
    events.reserve(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const RedisReply entry = entries.at(i);
        m_lastEventId = entry.at(0).text();
        std::unordered_map<std::string, std::string> fields;
        const RedisReply values = entry.at(1);
        for (std::size_t f = 0; f + 1 < values.size(); f += 2) {
            fields[values.at(f).text()] = values.at(f + 1).text();
        }
        events.push_back(std::move(fields));
    }
    // The replies live until the next command: handling an event may send one.
    for (const auto& fields : events) {
        handleEvent(fields);
    }
}

BrokerRun::Worker& BrokerRun::workerNumbered(int number, const std::string& host) {
    for (auto& worker : m_workers) {
        if (worker->number == number) {
            return *worker;
        }
    }
    if (static_cast<int>(m_workers.size()) >= m_plan.workers + kMaxJoinedWorkers) {
        throw BrokerError(fmt::format("more than {} workers joined the run", kMaxJoinedWorkers));
    }
    auto worker = std::make_unique<Worker>();
    worker->number = number;
    worker->lane = m_growth.addLane(
        LaneInfo{fmt::format("worker {} · {} (joined)", number, host.empty() ? std::string("?") : host),
                 LaneKind::WorkerProcess, 0});
    m_workers.push_back(std::move(worker));
    return *m_workers.back();
}

void BrokerRun::count(std::int64_t runNs, std::uint32_t name, std::int64_t& value, std::int64_t delta) {
    value += delta;
    // The events come in the order the workers sent them, timed on their clocks, and a kill is judged after the
    // events that followed it: a count never goes back in time, or a later, smaller value would end the series.
    std::int64_t& last = m_lastCountNs[name];
    last = std::max(last, runNs);
    m_context.counterAt(last, name, value, m_brokerLane);
}

void BrokerRun::settle(Job& job) {
    if (job.settled || job.lost) {
        return;
    }
    job.settled = true;
    ++m_finishedJobs;
}

void BrokerRun::handleEvent(const std::unordered_map<std::string, std::string>& fields) {
    const std::int64_t number = field(fields, "w");
    const std::int64_t brokerNs = field(fields, "t");
    const auto kindField = fields.find("k");
    if (number < 1 || number > 1'000'000 || brokerNs < 0 || kindField == fields.end() ||
        kindField->second.size() != 1) {
        return; // not one of ours
    }
    const auto host = fields.find("h");
    Worker& worker = workerNumbered(static_cast<int>(number), host != fields.end() ? host->second : std::string());
    const std::int64_t at = runNs(brokerNs);
    const auto kind = static_cast<BrokerEventKind>(kindField->second.front());
    if (kind == BrokerEventKind::Hello) {
        const std::int64_t pid = field(fields, "p", 0);
        m_context.laneStateAt(at, worker.lane, TaskState::Done, m_names->workerStart,
                              static_cast<std::int32_t>(std::clamp<std::int64_t>(pid, 0, 1 << 30)));
        return;
    }
    if (kind == BrokerEventKind::Idle) {
        m_context.laneStateAt(at, worker.lane, TaskState::Idle, m_names->waitingForJob);
        return;
    }
    const std::int64_t index = field(fields, "j");
    if (index < 0 || static_cast<std::size_t>(index) >= m_produced) {
        return;
    }
    Job& job = m_jobs[static_cast<std::size_t>(index)];
    const std::int64_t delivery = std::clamp<std::int64_t>(field(fields, "d", 1), 1, m_plan.maxDeliveries + 1);
    const TaskRef onWorker{job.task.id, worker.lane};
    const bool ended = job.completed || job.deadLettered || job.lost;
    switch (kind) {
    case BrokerEventKind::Claim:
        worker.job = index;
        worker.claimedNs = at;
        m_context.laneStateAt(at, worker.lane, TaskState::Done);
        if (delivery > 1) {
            m_context.markerAt(at, onWorker, MarkerKind::Redelivery,
                               m_names->deliveries[static_cast<std::size_t>(delivery)]);
            count(at, m_names->redelivered, m_counters.redelivered, 1);
        }
        if (!ended) {
            m_context.setStateAt(at, onWorker, TaskState::Running,
                                 m_names->deliveries[static_cast<std::size_t>(delivery)]);
        }
        break;
    case BrokerEventKind::Ack:
        if (!job.acked) {
            job.acked = true;
            count(at, m_names->acked, m_counters.acked, 1);
        }
        if (job.completed && !job.settled) {
            settle(job);
            count(at, m_names->settled, m_counters.settled, 1);
        }
        break;
    case BrokerEventKind::Done:
        worker.job = -1;
        if (job.completed) {
            count(at, m_names->doneTwice, m_counters.doneTwice, 1);
            break;
        }
        job.completed = true;
        count(at, m_names->completed, m_counters.completed, 1);
        if (!ended) {
            m_context.setStateAt(at, onWorker, TaskState::Done);
        }
        if (job.acked && !job.settled) { // acknowledged on receipt
            settle(job);
            count(at, m_names->settled, m_counters.settled, 1);
        }
        break;
    case BrokerEventKind::Fail:
        worker.job = -1;
        // On its last delivery the dead-letter marker that follows at once says it (two markers would be one).
        if (job.acked || delivery < m_plan.maxDeliveries) {
            m_context.markerAt(at, onWorker, MarkerKind::Exception, m_names->poisonRaised);
        }
        if (ended) {
            break;
        }
        if (job.acked) { // at-most-once: nobody will run it again
            job.lost = true;
            ++m_finishedJobs;
            count(at, m_names->lostCount, m_counters.lost, 1);
            m_context.setStateAt(at, onWorker, TaskState::Failed, m_names->lost);
        } else if (delivery < m_plan.maxDeliveries) {
            m_context.setStateAt(at, TaskRef{job.task.id, m_brokerLane}, TaskState::Blocked, m_names->visibility);
        }
        break;
    case BrokerEventKind::Dead:
        worker.job = -1;
        if (job.deadLettered) {
            break;
        }
        m_context.markerAt(at, onWorker, MarkerKind::DeadLetter, m_names->deadLettered);
        job.deadLettered = true;
        count(at, m_names->deadLetteredCount, m_counters.deadLettered, 1);
        if (!ended) {
            settle(job);
            count(at, m_names->settled, m_counters.settled, 1);
            m_context.setStateAt(at, onWorker, TaskState::Failed, m_names->deadLettered);
        }
        break;
    default:
        break;
    }
}

void BrokerRun::sample() {
    const std::int64_t now = m_context.recorder.nowNs();
    if (now < m_nextSampleNs) {
        return;
    }
    m_nextSampleNs = now + kSampleEveryNs;
    const BrokerKeys keys(m_runId);
    const auto replies = m_broker->pipeline({{"XLEN", keys.jobs}, {"XPENDING", keys.jobs, kGroup}});
    const std::int64_t length = replies[0].integer();
    const std::int64_t pending = replies[1].at(0).integer();
    if (length != m_counters.streamLength) {
        m_counters.streamLength = length;
        m_context.counter(m_names->streamLength, length, m_brokerLane);
    }
    if (pending != m_counters.pending) {
        m_counters.pending = pending;
        m_context.counter(m_names->pending, pending, m_brokerLane);
    }
}

void BrokerRun::crashOne() {
    if (m_crashed >= m_plan.crashes) {
        return;
    }
    const std::int64_t now = m_context.recorder.nowNs();
    // Later crashes follow the first at half its time again each.
    if (now < m_plan.crashAtNs + m_plan.crashAtNs * m_crashed / 2) {
        return;
    }
    // The worker of ours with the most of its job still to do (at least 5 ms of it, or it would not be mid-job).
    Worker* victim = nullptr;
    std::int64_t mostLeft = 5'000'000;
    for (auto& worker : m_workers) {
        if (worker->pid <= 0 || !worker->alive || worker->job < 0) {
            continue;
        }
        const std::int64_t left = m_plan.jobNs[static_cast<std::size_t>(worker->job)] - (now - worker->claimedNs);
        if (left > mostLeft) {
            mostLeft = left;
            victim = worker.get();
        }
    }
    if (victim == nullptr) {
        return;
    }
    ::kill(victim->pid, SIGKILL);
    int status = 0;
    while (::waitpid(victim->pid, &status, 0) < 0 && errno == EINTR) {
    }
    const std::int64_t killedNs = m_context.recorder.nowNs();
    victim->alive = false;
    victim->killed = true;
    ++m_crashed;
    // Everything it reported before it died is on the event stream, up to the stream's last entry now: read that far
    // (and no further: the others go on reporting, and the producer must not wait) before judging its job.
    const RedisReply last = m_broker->command({"XREVRANGE", BrokerKeys(m_runId).events, "+", "-", "COUNT", "1"});
    const std::string upTo = last.size() > 0 ? last.at(0).at(0).text() : std::string("0-0");
    while (streamIdBefore(m_lastEventId, upTo)) {
        readEvents();
    }
    m_context.laneStateAt(killedNs, victim->lane, TaskState::Done, m_names->killed);
    if (victim->job < 0) {
        return; // it had just finished its job
    }
    Job& job = m_jobs[static_cast<std::size_t>(victim->job)];
    m_context.markerAt(killedNs, TaskRef{job.task.id, victim->lane}, MarkerKind::Cancel, m_names->killed);
    victim->job = -1;
    if (job.completed || job.deadLettered || job.lost) {
        return;
    }
    if (job.acked) {
        job.lost = true;
        ++m_finishedJobs;
        count(killedNs, m_names->lostCount, m_counters.lost, 1);
        m_context.setStateAt(killedNs, TaskRef{job.task.id, victim->lane}, TaskState::Failed, m_names->lost);
    } else {
        m_context.setStateAt(killedNs, TaskRef{job.task.id, m_brokerLane}, TaskState::Blocked, m_names->visibility);
    }
}

void BrokerRun::watchWorkers() {
    for (auto& worker : m_workers) {
        if (worker->pid <= 0 || !worker->alive) {
            continue;
        }
        if (const auto status = reapIfEnded(worker->pid)) {
            worker->alive = false;
            std::string why;
            if (m_embedded) {
                why = tailOfFile(m_embedded->folder() / fmt::format("worker-{}.log", worker->number), 1);
            }
            throw BrokerError(fmt::format("worker {} (pid {}) {}{}", worker->number, worker->pid,
                                          describeWaitStatus(*status), why.empty() ? "" : ": " + why));
        }
    }
}

void BrokerRun::tearDown() {
    if (m_broker && !m_runId.empty()) {
        try {
            m_broker->command({"SET", BrokerKeys(m_runId).state, "done"});
        } catch (const BrokerError&) {
            // lost: its keys went with it
        }
    }
    for (auto& worker : m_workers) {
        if (worker->pid > 0 && worker->alive) {
            stopAndReap(worker->pid, std::chrono::milliseconds(500));
            worker->alive = false;
        }
    }
    if (m_broker && !m_runId.empty()) {
        // Every key of the run, and nothing else: SCAN for the prefix, DEL what it finds.
        try {
            const std::string pattern = BrokerKeys(m_runId).prefix + "*";
            std::string cursor = "0";
            do {
                const RedisReply reply = m_broker->command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
                cursor = reply.at(0).text();
                std::vector<std::string> del{"DEL"};
                for (std::size_t i = 0; i < reply.at(1).size(); ++i) {
                    del.push_back(reply.at(1).at(i).text());
                }
                if (del.size() > 1) {
                    m_broker->command(del);
                }
            } while (cursor != "0");
        } catch (const BrokerError&) {
            // lost
        }
    }
    m_broker.reset();
    m_embedded.reset();
    m_runId.clear();
}

} // namespace interleave::core
