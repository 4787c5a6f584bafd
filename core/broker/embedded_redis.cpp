// A private redis-server per run.
#include "broker/embedded_redis.h"

#include "broker/child_process.h"
#include "broker/redis_client.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fmt/format.h>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace interleave::core {

namespace {

std::filesystem::path temporaryRoot() {
    const char* configured = std::getenv("TMPDIR");
    return configured != nullptr && *configured != '\0' ? std::filesystem::path(configured)
                                                        : std::filesystem::path("/tmp");
}

} // namespace

void EmbeddedRedis::removeStaleFolders() {
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(temporaryRoot(), error)) {
        const std::string name = entry.path().filename().string();
        if (!name.starts_with(kFolderPrefix)) {
            continue;
        }
        const std::string rest = name.substr(std::string_view(kFolderPrefix).size());
        std::int64_t owner = 0;
        if (!parseInteger(rest.substr(0, rest.find('-')), owner) || owner <= 0) {
            continue;
        }
        if (::kill(static_cast<pid_t>(owner), 0) != 0 && errno == ESRCH) {
            std::filesystem::remove_all(entry.path(), error);
        }
    }
}

EmbeddedRedis::EmbeddedRedis() {
    // $INTERLEAVE_REDIS_SERVER names another server binary (a test points it nowhere to see the message below).
    const char* configured = std::getenv("INTERLEAVE_REDIS_SERVER");
    const auto server =
        configured != nullptr && *configured != '\0'
            ? (::access(configured, X_OK) == 0 ? std::optional<std::filesystem::path>(configured) : std::nullopt)
            : findExecutable("redis-server");
    if (!server) {
        throw BrokerError(kRedisMissing);
    }
    removeStaleFolders();
    std::string pattern = (temporaryRoot() / fmt::format("{}{}-XXXXXX", kFolderPrefix, getpid())).string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw BrokerError(fmt::format("cannot make a folder for the private Redis in {}: {}", temporaryRoot().string(),
                                      std::strerror(errno)));
    }
    m_folder = pattern;
    const auto socket = m_folder / "redis.sock";
    const auto log = m_folder / "redis.log";
    try {
        m_pid = startOwnedChild({server->string(), "--port", "0", "--unixsocket", socket.string(), "--unixsocketperm",
                                 "700", "--save", "", "--appendonly", "no", "--dir", m_folder.string(), "--daemonize",
                                 "no", "--pidfile", (m_folder / "redis.pid").string(), "--loglevel", "warning"},
                                log);
    } catch (const std::exception& problem) {
        std::error_code ignored;
        std::filesystem::remove_all(m_folder, ignored);
        throw BrokerError(fmt::format("cannot start the private Redis: {}", problem.what()));
    }
    const BrokerAddress address = parseBrokerUrl(url());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (true) {
        if (const auto status = reapIfEnded(m_pid)) {
            m_pid = -1;
            const std::string why = tailOfFile(log, 1);
            stop();
            throw BrokerError(fmt::format("the private Redis ({}) {}{}", server->string(), describeWaitStatus(*status),
                                          why.empty() ? "" : ": " + why));
        }
        if (std::filesystem::exists(socket)) {
            try {
                RedisConnection probe(address, std::chrono::milliseconds(500));
                return;
            } catch (const BrokerError&) {
                // not listening yet
            }
        }
        if (std::chrono::steady_clock::now() > deadline) {
            stop();
            throw BrokerError("the private Redis did not answer within 10 s");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

EmbeddedRedis::~EmbeddedRedis() {
    stop();
}

void EmbeddedRedis::stop() {
    if (m_pid > 0) {
        stopAndReap(m_pid, std::chrono::milliseconds(1000));
        m_pid = -1;
    }
    if (!m_folder.empty()) {
        std::error_code ignored;
        std::filesystem::remove_all(m_folder, ignored);
        m_folder.clear();
    }
}

} // namespace interleave::core
