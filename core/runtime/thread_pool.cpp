// A fixed pool of real OS threads.
#include "runtime/thread_pool.h"

#include "runtime/stop_wait.h"

namespace interleave::core {

ThreadPool::ThreadPool(std::vector<std::uint16_t> lanes, std::stop_token stop, bool background, IdleHook onIdle)
    : m_stop(std::move(stop)), m_background(background), m_onIdle(std::move(onIdle)) {
    m_threads.reserve(lanes.size());
    try {
        for (std::uint16_t lane : lanes) {
            m_threads.emplace_back([this, lane] { workerLoop(lane); });
        }
    } catch (...) {
        // Out of threads (a memory or process limit): the ones started stop and are joined before the error goes
        // on, or their destructors would end the program.
        shutdown();
        throw;
    }
}

ThreadPool::~ThreadPool() {
    shutdown();
}

void ThreadPool::submit(Job job) {
    {
        std::lock_guard lock(m_mutex);
        m_jobs.push_back(std::move(job));
    }
    m_wake.notify_one();
}

void ThreadPool::shutdown() {
    {
        std::lock_guard lock(m_mutex);
        m_closing = true;
    }
    m_wake.notify_all();
    for (auto& thread : m_threads) {
        if (thread.joinable()) {
            thread.join();
        }
    }
}

void ThreadPool::workerLoop(std::uint16_t lane) {
    tightenTimerSlack();
    if (m_background) {
        runInBackground();
    }
    auto idle = [this, lane] {
        if (m_onIdle) {
            m_onIdle(lane);
        }
    };
    for (;;) {
        Job job;
        {
            std::unique_lock lock(m_mutex);
            if (m_jobs.empty()) {
                // Nothing queued: let go of what the last job kept before waiting (outside the pool's lock).
                lock.unlock();
                idle();
                lock.lock();
            }
            m_wake.wait(lock, m_stop, [this] { return m_closing || !m_jobs.empty(); });
            if (m_stop.stop_requested() || m_jobs.empty()) {
                lock.unlock();
                idle();
                return; // stopping, or closing with nothing left to do
            }
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
        }
        job(lane); // jobs catch their own errors; RunStopped ends only the job
    }
}

} // namespace interleave::core
