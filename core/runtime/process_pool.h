// A pool of real interleave-worker processes started with posix_spawn, talking over pipes read on an io_context.
#pragma once

#include "runtime/engine_context.h"
#include "runtime/worker_protocol.h"

#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/steady_timer.hpp>

#include <array>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <sys/types.h>
#include <unordered_map>
#include <vector>

namespace interleave::core {

// Where interleave-worker is: `configured` if set, else $INTERLEAVE_WORKER, else beside the running executable.
std::filesystem::path locateWorkerExecutable(const std::filesystem::path& configured);

class ProcessPool {
public:
    // Called on the io thread with the result and the lane of the worker that ran the job.
    using Completion = std::function<void(const WorkerJobDone&, std::uint16_t lane)>;

    // Every member function but killAndReap() must run on `io`'s thread.
    ProcessPool(EngineContext& context, asio::io_context& io, std::vector<std::uint16_t> lanes,
                std::filesystem::path workerExecutable);
    ~ProcessPool();
    ProcessPool(const ProcessPool&) = delete;
    ProcessPool& operator=(const ProcessPool&) = delete;

    // Spawns every worker (each start-up is recorded as a lane span) and starts reading their pipes.
    // Throws std::runtime_error when a worker cannot be spawned.
    void start();
    // Queues a job; it runs on the first idle worker. `done` is called on the io thread.
    void submit(WorkerJob job, Completion done);
    // Closes the workers' input once no job is left; they exit and are reaped as their pipes close.
    void shutdown();
    // From any thread once `io` no longer runs: kills whatever is left and reaps every child. Idempotent.
    void killAndReap();

    std::size_t size() const { return m_workers.size(); }
    std::vector<std::int64_t> processIds() const;

private:
    struct Worker {
        int index = 0;
        std::uint16_t lane = 0;
        pid_t pid = -1;
        int input = -1;
        std::unique_ptr<asio::posix::stream_descriptor> output;
        std::array<unsigned char, kFrameHeaderSize> header{};
        std::string payload;
        bool ready = false;
        bool busy = false;
        bool reaped = false;
        std::unique_ptr<asio::steady_timer> reapTimer; // while waiting for it to become reapable (reap)
        std::uint64_t currentJob = 0;
        std::uint32_t currentTask = 0;
    };

    void spawn(Worker& worker);
    void readHeader(Worker& worker);
    void readPayload(Worker& worker, WorkerMessage type);
    void handleMessage(Worker& worker, WorkerMessage type);
    void onPipeClosed(Worker& worker);
    // Reaps a worker whose pipe closed, without blocking the loop; a failure is reported unless `expected`.
    void reap(Worker& worker, bool expected, int attempt);
    static constexpr int kReapAttempts = 50;
    void dispatch();
    void payForMessage();
    static constexpr std::int64_t kMessageSliceNs = 20'000;
    void closeInputs();
    std::string describeExit(Worker& worker, int status) const;

    EngineContext& m_context;
    asio::io_context& m_io;
    std::filesystem::path m_executable;
    std::vector<std::unique_ptr<Worker>> m_workers;
    std::deque<std::pair<WorkerJob, Completion>> m_pending;
    std::unordered_map<std::uint64_t, Completion> m_running;
    bool m_shuttingDown = false;
    bool m_broken = false;
};

} // namespace interleave::core
