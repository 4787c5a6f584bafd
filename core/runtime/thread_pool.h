// A fixed pool of real OS threads, one trace lane each, running jobs in submission order.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <stop_token>
#include <thread>
#include <vector>

namespace interleave::core {

class ThreadPool {
public:
    using Job = std::function<void(std::uint16_t lane)>;
    // Runs on a pool thread that finds no job queued, before it waits for one or leaves: what the thread kept from
    // one job to the next goes here (the GIL, as CPython's worker keeps it through queue.get() while work is queued).
    using IdleHook = std::function<void(std::uint16_t lane)>;

    // Starts one thread per lane in `lanes`. The threads leave when `stop` is requested or on shutdown(). Background
    // threads yield their core to any ordinary thread (runInBackground).
    ThreadPool(std::vector<std::uint16_t> lanes, std::stop_token stop, bool background = false, IdleHook onIdle = {});
    ~ThreadPool(); // shutdown() and join
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    void submit(Job job);
    // Lets queued jobs finish, then joins the threads.
    void shutdown();
    std::size_t size() const { return m_threads.size(); }

private:
    void workerLoop(std::uint16_t lane);

    std::stop_token m_stop;
    bool m_background = false;
    IdleHook m_onIdle; // set before the threads start, never changed
    std::mutex m_mutex;
    std::condition_variable_any m_wake;
    std::deque<Job> m_jobs;
    bool m_closing = false;
    std::vector<std::thread> m_threads;
};

} // namespace interleave::core
