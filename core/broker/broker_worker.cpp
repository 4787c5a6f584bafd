// A worker of a broker run.
#include "broker/broker_worker.h"

#include "broker/broker_protocol.h"
#include "broker/redis_client.h"
#include "trace/clock.h"

#include <array>
#include <cstdio>
#include <fmt/format.h>
#include <optional>
#include <string_view>
#include <thread>
#include <unistd.h>
#include <vector>

namespace interleave::core {

namespace {

struct Job {
    std::string entryId;
    std::int64_t index = 0;
    std::int64_t durationNs = 0;
    bool poison = false;
    bool reclaimed = false; // taken over from a consumer that left it pending (XAUTOCLAIM), not delivered new
};

// An entry of XREADGROUP or XAUTOCLAIM: [id, [field, value, ...]]; nullopt when it was deleted meanwhile.
std::optional<Job> readEntry(const RedisReply& entry) {
    if (entry.size() < 2 || !entry.at(1).isArray()) {
        return std::nullopt;
    }
    Job job;
    job.entryId = entry.at(0).text();
    const RedisReply fields = entry.at(1);
    for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
        const std::string name = fields.at(i).text();
        const std::int64_t value = fields.at(i + 1).integer();
        if (name == "job") {
            job.index = value;
        } else if (name == "ns") {
            job.durationNs = value;
        } else if (name == "poison") {
            job.poison = value != 0;
        }
    }
    return job;
}

class Worker {
public:
    Worker(const BrokerWorkerSettings& settings, const BrokerAddress& address)
        : m_settings(settings), m_keys(settings.runId), m_broker(address, std::chrono::milliseconds(2000)) {}

    int run() {
        if (!waitForRun()) {
            return 0;
        }
        m_number = m_settings.number > 0 ? m_settings.number : m_broker.command({"INCR", m_keys.workers}).integer();
        std::array<char, 256> host{};
        ::gethostname(host.data(), host.size() - 1);
        m_consumer = fmt::format("worker-{}-{}-{}", m_number, host.data(), getpid());
        m_offsetNs = m_broker.brokerClockOffsetNs();
        report(BrokerEventKind::Hello, {{"h", host.data()}, {"p", std::to_string(getpid())}});
        // Three round trips a job: take it, say so, and report and acknowledge it in one pipeline. Stale jobs are
        // looked for every poll interval, and whether the run is over only while there is nothing to do.
        bool idle = false;
        auto nextReclaim = std::chrono::steady_clock::now();
        while (true) {
            if (m_settings.parentPid != 0 && getppid() != m_settings.parentPid) {
                return 0; // the run that started us is gone
            }
            try {
                std::optional<Job> job;
                if (std::chrono::steady_clock::now() >= nextReclaim) {
                    nextReclaim = std::chrono::steady_clock::now() + std::chrono::nanoseconds(m_config.pollNs);
                    job = reclaim();
                }
                if (!job) {
                    job = next(0); // one at once, without waiting
                }
                if (!job) {
                    if (!idle) {
                        report(BrokerEventKind::Idle, {});
                        idle = true;
                    }
                    job = next(m_config.pollNs);
                }
                if (job) {
                    idle = false;
                    work(*job);
                } else if (runEnded()) {
                    return 0;
                }
            } catch (const BrokerError&) {
                if (runEnded()) {
                    return 0; // its keys were deleted under us (NOGROUP): the run is over
                }
                throw;
            }
        }
    }

private:
    // The config appears when the run has set up its keys; false when the run ended or never came.
    bool waitForRun() {
        const auto deadline = std::chrono::steady_clock::now() + m_settings.waitForRun;
        while (true) {
            const RedisReply config = m_broker.command({"HGETALL", m_keys.config});
            if (config.size() >= 2) {
                for (std::size_t i = 0; i + 1 < config.size(); i += 2) {
                    const std::string name = config.at(i).text();
                    const std::int64_t value = config.at(i + 1).integer();
                    if (name == "visibility_ns") {
                        m_config.visibilityNs = value;
                    } else if (name == "poll_ns") {
                        m_config.pollNs = value;
                    } else if (name == "max_deliveries") {
                        m_config.maxDeliveries = value;
                    } else if (name == "ack_on_receipt") {
                        m_config.ackOnReceipt = value != 0;
                    }
                }
                return !runEnded();
            }
            if (std::chrono::steady_clock::now() > deadline) {
                std::fprintf(stderr, "interleave-worker: no run '%s' at %s\n", m_settings.runId.c_str(),
                             m_settings.url.c_str());
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }

    bool runEnded() { return m_broker.command({"GET", m_keys.state}).text() != "running"; }

    std::vector<std::string> event(BrokerEventKind kind,
                                   std::initializer_list<std::pair<std::string, std::string>> more) {
        // NOMKSTREAM: once the run has deleted its keys, a late report makes none.
        std::vector<std::string> command{"XADD",       m_keys.events,
                                         "NOMKSTREAM", "*",
                                         "w",          std::to_string(m_number),
                                         "k",          std::string(1, static_cast<char>(kind)),
                                         "t",          std::to_string(monotonicNs() + m_offsetNs)};
        for (const auto& [name, value] : more) {
            command.push_back(name);
            command.push_back(value);
        }
        return command;
    }
    void report(BrokerEventKind kind, std::initializer_list<std::pair<std::string, std::string>> more) {
        m_broker.command(event(kind, more));
    }

    // A job some consumer took and left unacknowledged for longer than the visibility timeout (its worker died).
    std::optional<Job> reclaim() {
        const RedisReply reply = m_broker.command(
            {"XAUTOCLAIM", m_keys.jobs, kGroup, m_consumer,
             std::to_string(std::max<std::int64_t>(1, m_config.visibilityNs / 1'000'000)), "0-0", "COUNT", "1"});
        const RedisReply entries = reply.at(1);
        std::optional<Job> job = entries.size() > 0 ? readEntry(entries.at(0)) : std::nullopt;
        if (job) {
            job->reclaimed = true;
        }
        return job;
    }

    // A new job, waiting up to `waitNs` for one (0: not at all).
    std::optional<Job> next(std::int64_t waitNs) {
        std::vector<std::string> command{"XREADGROUP", "GROUP", kGroup, m_consumer, "COUNT", "1"};
        if (waitNs > 0) {
            command.insert(command.end(), {"BLOCK", std::to_string(std::max<std::int64_t>(1, waitNs / 1'000'000))});
        }
        command.insert(command.end(), {"STREAMS", m_keys.jobs, ">"});
        const RedisReply reply = m_broker.command(command);
        if (reply.isNil() || reply.size() == 0) {
            return std::nullopt;
        }
        const RedisReply entries = reply.at(0).at(1);
        return entries.size() > 0 ? readEntry(entries.at(0)) : std::nullopt;
    }

    void work(const Job& job) {
        const std::string index = std::to_string(job.index);
        // A new job's first delivery; the hash counts the redeliveries of those taken over.
        const std::int64_t delivery =
            job.reclaimed ? m_broker.command({"HINCRBY", m_keys.deliveries, job.entryId, "1"}).integer() + 1 : 1;
        const std::string deliveryText = std::to_string(delivery);
        std::vector<std::vector<std::string>> commands{
            event(BrokerEventKind::Claim, {{"j", index}, {"d", deliveryText}})};
        if (delivery > m_config.maxDeliveries) {
            // Delivered once more than allowed (its worker died on the last one): not run again.
            deadLetter(commands, job, index, deliveryText);
            m_broker.pipeline(commands);
            return;
        }
        if (m_config.ackOnReceipt) {
            acknowledge(commands, job, index, deliveryText);
        }
        m_broker.pipeline(commands);
        std::this_thread::sleep_for(std::chrono::nanoseconds(job.durationNs));
        commands.clear();
        if (job.poison) {
            commands.push_back(event(BrokerEventKind::Fail, {{"j", index}, {"d", deliveryText}}));
            if (!m_config.ackOnReceipt && delivery >= m_config.maxDeliveries) {
                deadLetter(commands, job, index, deliveryText);
            }
            // Otherwise it stays pending, unacknowledged, until it is reclaimed after the visibility timeout.
        } else {
            commands.push_back(event(BrokerEventKind::Done, {{"j", index}, {"d", deliveryText}}));
            if (!m_config.ackOnReceipt) {
                acknowledge(commands, job, index, deliveryText);
            }
        }
        m_broker.pipeline(commands);
    }

    // XACK, and XDEL so that the stream's length is the work not yet acknowledged; sent with the rest of `commands`.
    void acknowledge(std::vector<std::vector<std::string>>& commands, const Job& job, const std::string& index,
                     const std::string& delivery) {
        commands.push_back({"XACK", m_keys.jobs, kGroup, job.entryId});
        commands.push_back({"XDEL", m_keys.jobs, job.entryId});
        commands.push_back(event(BrokerEventKind::Ack, {{"j", index}, {"d", delivery}}));
    }

    void deadLetter(std::vector<std::vector<std::string>>& commands, const Job& job, const std::string& index,
                    const std::string& delivery) {
        commands.push_back(
            {"XADD", m_keys.dead, "NOMKSTREAM", "*", "job", index, "entry", job.entryId, "deliveries", delivery});
        commands.push_back({"XACK", m_keys.jobs, kGroup, job.entryId});
        commands.push_back({"XDEL", m_keys.jobs, job.entryId});
        commands.push_back(event(BrokerEventKind::Dead, {{"j", index}, {"d", delivery}}));
    }

    const BrokerWorkerSettings& m_settings;
    BrokerKeys m_keys;
    RedisConnection m_broker;
    BrokerConfig m_config;
    std::int64_t m_number = 0;
    std::string m_consumer;
    std::int64_t m_offsetNs = 0;
};

} // namespace

bool parseBrokerWorkerArguments(int argc, const char* const* argv, BrokerWorkerSettings& settings,
                                std::string& message) {
    bool broker = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view name = argv[i];
        if (i + 1 >= argc) {
            message = fmt::format("{} needs a value", name);
            return false;
        }
        const std::string_view value = argv[++i];
        std::int64_t number = 0;
        if (name == "--broker") {
            settings.url = value;
            broker = true;
        } else if (name == "--run") {
            settings.runId = value;
        } else if (name == "--worker" && parseInteger(value, number) && number > 0 && number < 100'000) {
            settings.number = static_cast<int>(number);
        } else if (name == "--parent" && parseInteger(value, number) && number > 0) {
            settings.parentPid = number;
        } else if (name == "--wait-s" && parseInteger(value, number) && number >= 0 && number <= 86'400) {
            settings.waitForRun = std::chrono::seconds(number);
        } else {
            message = fmt::format("unknown option or bad value: {} {}", name, value);
            return false;
        }
    }
    if (!broker) {
        message = "no --broker URL";
        return false;
    }
    if (!isValidRunId(settings.runId)) {
        message = "--run ID is needed: the run's id, as the app or interleave-cli prints it (letters, digits, '-')";
        return false;
    }
    return true;
}

int runBrokerWorker(const BrokerWorkerSettings& settings) {
    try {
        const BrokerAddress address = parseBrokerUrl(settings.url);
        Worker worker(settings, address);
        return worker.run();
    } catch (const BrokerError& error) {
        std::fprintf(stderr, "interleave-worker: %s\n", error.what());
        return 69;
    }
}

} // namespace interleave::core
