// What the primitives do, whichever way their waiters wait: one state machine each for the loop's (asyncio) and the
// threads' (threading, queue) versions, so that the two cannot drift apart. The callers record the counters and do
// the waiting.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace interleave::core {

// The error a put after close raises, as Python 3.13's Queue.shutdown() makes put raise QueueShutDown.
inline constexpr std::string_view kQueueShutDown = "QueueShutDown: put on a queue that was shut down";

class QueueState {
public:
    explicit QueueState(std::int64_t capacity) : m_capacity(capacity) {}

    enum class Put : std::uint8_t { Done, Wait, ShutDown };
    // Done: the item is in (depth and unfinished count it); Wait: the queue is full; ShutDown: it was closed, before
    // or while the putter waited, and nothing was put.
    Put tryPut() {
        if (m_closed) {
            return Put::ShutDown;
        }
        if (m_capacity > 0 && m_depth >= m_capacity) {
            return Put::Wait;
        }
        ++m_depth;
        ++m_unfinished;
        return Put::Done;
    }

    enum class Get : std::uint8_t { Took, Wait, Drained };
    // Took: one item out; Wait: empty and open; Drained: closed and empty (a getter stops, as QueueShutDown does).
    Get tryGet() {
        if (m_depth > 0) {
            --m_depth;
            return Get::Took;
        }
        return m_closed ? Get::Drained : Get::Wait;
    }

    void taskDone() {
        if (m_unfinished > 0) {
            --m_unfinished;
        }
    }
    void close() { m_closed = true; } // then wake every putter and getter: they all see the change
    std::int64_t depth() const { return m_depth; }
    std::int64_t unfinished() const { return m_unfinished; }

private:
    std::int64_t m_capacity; // 0 = unbounded
    std::int64_t m_depth = 0;
    std::int64_t m_unfinished = 0;
    bool m_closed = false;
};

// A semaphore, or a lock (one permit). Permits go to waiters in arrival order: a release with a waiter hands its
// permit straight over (the count stays), so a newcomer cannot take it first.
class SemaphoreState {
public:
    explicit SemaphoreState(std::int64_t capacity) : m_capacity(std::max<std::int64_t>(capacity, 1)) {}

    // True: a permit is taken at once. False: the caller waits (none is free, or others are waiting already).
    bool tryAcquire(std::size_t waiting) {
        if (m_inUse < m_capacity && waiting == 0) {
            ++m_inUse;
            return true;
        }
        return false;
    }
    // A release that found nobody waiting to hand its permit to.
    void releaseUnclaimed() {
        if (m_inUse > 0) {
            --m_inUse;
        }
    }
    std::int64_t inUse() const { return m_inUse; }

private:
    std::int64_t m_capacity;
    std::int64_t m_inUse = 0;
};

} // namespace interleave::core
