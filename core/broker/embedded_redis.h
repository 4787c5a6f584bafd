// The private redis-server a broker run starts when it is given no broker: on a Unix socket in its own temporary
// folder, persistence off, owned by the run.
#pragma once

#include <filesystem>
#include <string>
#include <sys/types.h>

namespace interleave::core {

// What a user reads when redis-server is not installed.
inline constexpr const char* kRedisMissing =
    "this lesson runs a real Redis broker, and redis-server is not installed: install it with "
    "'sudo apt install redis-server' (scripts/install-deps does), or give a running Redis with "
    "--broker redis://HOST:PORT/DB (in the app: Settings, Broker)";

class EmbeddedRedis {
public:
    // Starts it and waits until it answers. Throws BrokerError (kRedisMissing when there is no redis-server).
    EmbeddedRedis();
    ~EmbeddedRedis(); // stops it and removes its folder
    EmbeddedRedis(const EmbeddedRedis&) = delete;
    EmbeddedRedis& operator=(const EmbeddedRedis&) = delete;

    std::string url() const { return "unix://" + (m_folder / "redis.sock").string(); }
    pid_t processId() const { return m_pid; }
    const std::filesystem::path& folder() const { return m_folder; }

    // Folders of earlier private servers whose owner is gone (the app was killed: the kernel killed the server with
    // it, but nobody removed its folder). Called before each start.
    static void removeStaleFolders();
    // The folders are named kFolderPrefix<owner pid>-XXXXXX in the temporary folder ($TMPDIR or /tmp).
    static constexpr const char* kFolderPrefix = "interleave-redis-";

private:
    void stop();
    std::filesystem::path m_folder;
    pid_t m_pid = -1;
};

} // namespace interleave::core
