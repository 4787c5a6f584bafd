// Lock-free per-thread event recording with a single bulk consumer (the Tracy model).
#pragma once

#include "trace/clock.h"
#include "trace/event.h"

#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

namespace interleave::core {

class Recorder {
public:
    Recorder();
    ~Recorder();
    Recorder(const Recorder&) = delete;
    Recorder& operator=(const Recorder&) = delete;

    // CLOCK_MONOTONIC ns at the run's start; event times are relative to it once drained.
    std::int64_t runStartNs() const { return m_runStartNs.load(std::memory_order_acquire); }
    // Moves the run's time zero to now. Only before anything has been recorded.
    void restartClock() { m_runStartNs.store(monotonicNs(), std::memory_order_release); }

    // Hot path: stamps the event and appends it to the calling thread's buffer. No lock after the thread's first
    // event, no allocation except once per chunk of events.
    void record(std::uint32_t task, std::uint16_t lane, EventKind kind, std::uint8_t code, std::uint32_t subject,
                std::int32_t value) noexcept;

    // Events whose timeNs is already relative to the run start, e.g. from a worker process. Bulk and locked.
    void appendForeign(std::span<const Event> events);

    // Single consumer: moves the events published so far into `out`, times converted to ns since the run start,
    // sorted by time. Returns how many events were appended. With a `limit`, about that many of them: the earliest,
    // every thread's events up to one cutoff time, so that what stays behind is later than what was taken (as
    // always, but for events stamped before a drain and published after it). Foreign events all go every time.
    std::size_t drain(std::vector<Event>& out, std::size_t limit = kNoLimit);

    static constexpr std::size_t kNoLimit = static_cast<std::size_t>(-1);

    // Single consumer: whether events are published and not drained yet (exact once every producer is done).
    bool hasPending() const;

    // ns since run start, on the same scale as drained events.
    std::int64_t nowNs() const { return monotonicNs() - runStartNs(); }

    static constexpr std::size_t kChunkCapacity = 8192;

private:
    struct Chunk {
        // The events are not zeroed: each is written before it is published. Zeroing a new chunk (196 KB) faulted in
        // all its pages at once, inside whatever lock the thread's first event was recorded under: 32 pool threads
        // starting under the simulated GIL held it 10-20 ms that way (L15).
        Chunk() {} // NOLINT(modernize-use-equals-default): = default would zero the events
        std::atomic<std::uint32_t> published{0};
        std::atomic<Chunk*> next{nullptr};
        union {
            alignas(64) Event events[kChunkCapacity];
        };
    };
    // Producer and consumer fields sit on separate cache lines, so that draining never slows the recording thread.
    struct alignas(64) ThreadBuffer {
        // Producer side, touched only by the owning thread.
        Chunk* tail = nullptr;
        std::uint32_t used = 0;
        const void* ownerThread = nullptr;
        // Consumer side, touched only by drain().
        alignas(64) Chunk* head = nullptr;
        std::uint32_t consumed = 0;
        std::int64_t lastNs = std::numeric_limits<std::int64_t>::min(); // the time its last drained event was given
    };

    ThreadBuffer& registerThisThread();
    Chunk* takeChunk();         // a recycled chunk when one is spare: its pages are already mapped
    void recycle(Chunk* chunk); // from drain(); keeps a bounded number of spares
    // The raw tick at or before which about `limit` of `buffers`' published events lie (a binary search over the
    // ticks, counting each thread's sorted events); nullopt when all of them fit.
    std::optional<std::int64_t> cutoffFor(const std::vector<ThreadBuffer*>& buffers, std::size_t limit) const;
    // Sorts out[firstNew..] by time, given that it is made of the runs m_runEnds marks, each nearly always sorted.
    void mergeRuns(std::vector<Event>& out, std::size_t firstNew);

    static constexpr std::size_t kMaxSpareChunks = 32;

    const std::uint64_t m_generation;
    std::atomic<std::int64_t> m_runStartNs;
    TickConverter m_converter;
    mutable std::mutex m_registryMutex;
    std::vector<std::unique_ptr<ThreadBuffer>> m_buffers;
    std::mutex m_spareMutex;
    std::vector<Chunk*> m_spareChunks;
    mutable std::mutex m_foreignMutex;
    std::vector<Event> m_foreign;
    // drain()'s own (one consumer): where each thread's events end in its output, and the merge's buffer.
    std::vector<std::size_t> m_runEnds;
    // The latest tick the last drain took from the threads, and the time it gave the latest of them: an event ticked
    // after it is given a time no earlier, so that the next batch starts where this one ended even when the tick
    // rate was refined in between (events published late, ticked before it, still merge back into place).
    std::int64_t m_drainedToTicks = std::numeric_limits<std::int64_t>::min();
    std::int64_t m_drainedToNs = std::numeric_limits<std::int64_t>::min();
    std::vector<Event> m_mergeScratch;
};

} // namespace interleave::core
