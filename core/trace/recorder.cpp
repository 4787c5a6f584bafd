// Lock-free per-thread event recording with a single bulk consumer.
#include "trace/recorder.h"

#include <algorithm>
#include <limits>
#include <new>

namespace interleave::core {

namespace {

std::atomic<std::uint64_t> g_nextGeneration{1};

// The calling thread's buffer in the most recently used recorder. The generation guards against a new recorder
// reusing a destroyed one's address.
struct ThreadSlot {
    std::uint64_t generation = 0;
    void* buffer = nullptr;
};
thread_local ThreadSlot t_slot;
thread_local const char t_threadIdentity = 0;

} // namespace

Recorder::Recorder()
    : m_generation(g_nextGeneration.fetch_add(1, std::memory_order_relaxed)), m_runStartNs(monotonicNs()) {}

Recorder::~Recorder() {
    for (Chunk* spare : m_spareChunks) {
        delete spare;
    }
    for (auto& buffer : m_buffers) {
        Chunk* chunk = buffer->head;
        while (chunk != nullptr) {
            Chunk* next = chunk->next.load(std::memory_order_acquire);
            delete chunk;
            chunk = next;
        }
    }
}

Recorder::ThreadBuffer& Recorder::registerThisThread() {
    std::lock_guard lock(m_registryMutex);
    ThreadBuffer* buffer = nullptr;
    for (auto& existing : m_buffers) {
        if (existing->ownerThread == &t_threadIdentity) {
            buffer = existing.get();
        }
    }
    if (buffer == nullptr) {
        auto fresh = std::make_unique<ThreadBuffer>();
        fresh->ownerThread = &t_threadIdentity;
        fresh->tail = fresh->head = new Chunk;
        buffer = fresh.get();
        m_buffers.push_back(std::move(fresh));
    }
    t_slot.generation = m_generation;
    t_slot.buffer = buffer;
    return *buffer;
}

void Recorder::record(std::uint32_t task, std::uint16_t lane, EventKind kind, std::uint8_t code, std::uint32_t subject,
                      std::int32_t value) noexcept {
    ThreadBuffer& buffer =
        t_slot.generation == m_generation ? *static_cast<ThreadBuffer*>(t_slot.buffer) : registerThisThread();
    Chunk* chunk = buffer.tail;
    std::uint32_t used = buffer.used;
    if (used == kChunkCapacity) [[unlikely]] {
        Chunk* fresh = takeChunk();
        chunk->next.store(fresh, std::memory_order_release);
        buffer.tail = chunk = fresh;
        used = 0;
    }
    new (&chunk->events[used]) Event{TickClock::now(), task, lane, kind, code, subject, value};
    buffer.used = used + 1;
    chunk->published.store(used + 1, std::memory_order_release);
}

Recorder::Chunk* Recorder::takeChunk() {
    {
        std::lock_guard lock(m_spareMutex);
        if (!m_spareChunks.empty()) {
            Chunk* chunk = m_spareChunks.back();
            m_spareChunks.pop_back();
            return chunk;
        }
    }
    return new Chunk;
}

void Recorder::recycle(Chunk* chunk) {
    chunk->published.store(0, std::memory_order_relaxed);
    chunk->next.store(nullptr, std::memory_order_relaxed);
    std::lock_guard lock(m_spareMutex);
    if (m_spareChunks.size() < kMaxSpareChunks) {
        m_spareChunks.push_back(chunk);
        return;
    }
    delete chunk;
}

void Recorder::appendForeign(std::span<const Event> events) {
    std::lock_guard lock(m_foreignMutex);
    m_foreign.insert(m_foreign.end(), events.begin(), events.end());
}

namespace {

// Calls `visit(events, count)` for each published stretch of a thread's events, oldest first, from its consumer's
// position; stops early when `visit` returns false.
template <typename Buffer, typename Visit> void forEachPublished(const Buffer& buffer, Visit&& visit) {
    auto* chunk = buffer.head;
    std::uint32_t from = buffer.consumed;
    while (chunk != nullptr) {
        const std::uint32_t available = chunk->published.load(std::memory_order_acquire);
        if (available > from && !visit(chunk->events + from, available - from)) {
            return;
        }
        if (available < Recorder::kChunkCapacity) {
            return;
        }
        chunk = chunk->next.load(std::memory_order_acquire);
        from = 0;
    }
}

} // namespace

std::optional<std::int64_t> Recorder::cutoffFor(const std::vector<ThreadBuffer*>& buffers, std::size_t limit) const {
    std::size_t total = 0;
    std::int64_t low = std::numeric_limits<std::int64_t>::max();
    std::int64_t high = std::numeric_limits<std::int64_t>::min();
    for (const ThreadBuffer* buffer : buffers) {
        forEachPublished(*buffer, [&](const Event* events, std::uint32_t count) {
            total += count;
            low = std::min(low, events[0].timeNs);
            high = std::max(high, events[count - 1].timeNs);
            return true;
        });
    }
    if (total <= limit) {
        return std::nullopt;
    }
    auto countUpTo = [&](std::int64_t tick) {
        std::size_t count = 0;
        for (const ThreadBuffer* buffer : buffers) {
            forEachPublished(*buffer, [&](const Event* events, std::uint32_t size) {
                if (events[size - 1].timeNs <= tick) {
                    count += size;
                    return true;
                }
                count += static_cast<std::size_t>(
                    std::upper_bound(events, events + size, tick,
                                     [](std::int64_t value, const Event& event) { return value < event.timeNs; }) -
                    events);
                return false;
            });
        }
        return count;
    };
    // The last tick whose count is within the limit (at least the first tick, so that a drain always moves on).
    while (low < high) {
        const std::int64_t middle = low + (high - low + 1) / 2;
        if (countUpTo(middle) <= limit) {
            low = middle;
        } else {
            high = middle - 1;
        }
    }
    return low;
}

bool Recorder::hasPending() const {
    {
        std::lock_guard lock(m_registryMutex);
        for (const auto& buffer : m_buffers) {
            bool any = false;
            forEachPublished(*buffer, [&any](const Event*, std::uint32_t) {
                any = true;
                return false;
            });
            if (any) {
                return true;
            }
        }
    }
    std::lock_guard lock(m_foreignMutex);
    return !m_foreign.empty();
}

std::size_t Recorder::drain(std::vector<Event>& out, std::size_t limit) {
    const std::size_t firstNew = out.size();
    m_converter.refresh();
    const std::int64_t runStart = runStartNs();
    std::vector<ThreadBuffer*> buffers;
    {
        std::lock_guard lock(m_registryMutex);
        buffers.reserve(m_buffers.size());
        for (auto& buffer : m_buffers) {
            buffers.push_back(buffer.get());
        }
    }
    const std::optional<std::int64_t> cutoff = limit == kNoLimit ? std::nullopt : cutoffFor(buffers, limit);
    // Each thread's events are in time order already: drain them as sorted runs and merge those, rather than sort the
    // whole batch (a sort's temporary buffer is a fresh block of megabytes per drain, its pages faulted each time).
    m_runEnds.clear();
    const std::int64_t previousTicks = m_drainedToTicks;
    const std::int64_t previousNs = m_drainedToNs;
    for (ThreadBuffer* buffer : buffers) {
        for (;;) {
            Chunk* chunk = buffer->head;
            const std::uint32_t available = chunk->published.load(std::memory_order_acquire);
            std::uint32_t i = buffer->consumed;
            for (; i < available && (!cutoff || chunk->events[i].timeNs <= *cutoff); ++i) {
                Event event = chunk->events[i];
                const std::int64_t ticks = event.timeNs;
                // The tick rate is refined at every drain, so a thread's next event, converted at a slightly lower
                // rate than its previous one, could come out before it (and be sorted ahead of it). A thread's clock
                // never goes back: neither do its events' times, nor those ticked after the last drain's latest.
                event.timeNs = std::max(m_converter.toMonotonicNs(ticks) - runStart, buffer->lastNs);
                if (ticks > previousTicks) {
                    event.timeNs = std::max(event.timeNs, previousNs);
                }
                buffer->lastNs = event.timeNs;
                if (ticks > m_drainedToTicks) {
                    m_drainedToTicks = ticks;
                    m_drainedToNs = event.timeNs;
                }
                out.push_back(event);
            }
            buffer->consumed = i;
            if (i < kChunkCapacity) {
                break; // the chunk is not full yet, or the cutoff came first
            }
            Chunk* next = chunk->next.load(std::memory_order_acquire);
            if (next == nullptr) {
                break; // the producer has not moved on yet; it may still own this chunk
            }
            recycle(chunk);
            buffer->head = next;
            buffer->consumed = 0;
        }
        if (m_runEnds.empty() ? out.size() > firstNew : out.size() > m_runEnds.back()) {
            m_runEnds.push_back(out.size());
        }
    }
    {
        std::lock_guard lock(m_foreignMutex);
        out.insert(out.end(), m_foreign.begin(), m_foreign.end());
        m_foreign.clear();
    }
    if (m_runEnds.empty() || out.size() > m_runEnds.back()) {
        m_runEnds.push_back(out.size()); // the workers' events: in order of arrival, sorted below when they are not
    }
    mergeRuns(out, firstNew);
    return out.size() - firstNew;
}

void Recorder::mergeRuns(std::vector<Event>& out, std::size_t firstNew) {
    auto byTime = [](const Event& a, const Event& b) { return a.timeNs < b.timeNs; };
    std::size_t begin = firstNew;
    for (const std::size_t end : m_runEnds) {
        const auto first = out.begin() + static_cast<std::ptrdiff_t>(begin);
        const auto last = out.begin() + static_cast<std::ptrdiff_t>(end);
        if (!std::is_sorted(first, last, byTime)) {
            std::stable_sort(first, last, byTime); // a clock step back on one thread, or several workers' events
        }
        begin = end;
    }
    if (m_runEnds.size() < 2) {
        return;
    }
    // A k-way merge into a scratch buffer kept from drain to drain; equal times keep the runs' order.
    struct Head {
        std::int64_t timeNs;
        std::size_t run;
        std::size_t at;
    };
    auto later = [](const Head& a, const Head& b) {
        return a.timeNs != b.timeNs ? a.timeNs > b.timeNs : a.run > b.run;
    };
    std::vector<Head> heads;
    heads.reserve(m_runEnds.size());
    begin = firstNew;
    for (std::size_t run = 0; run < m_runEnds.size(); ++run) {
        heads.push_back(Head{out[begin].timeNs, run, begin});
        begin = m_runEnds[run];
    }
    std::make_heap(heads.begin(), heads.end(), later);
    m_mergeScratch.clear();
    m_mergeScratch.reserve(out.size() - firstNew);
    while (!heads.empty()) {
        std::pop_heap(heads.begin(), heads.end(), later);
        Head& head = heads.back();
        m_mergeScratch.push_back(out[head.at]);
        if (++head.at < m_runEnds[head.run]) {
            head.timeNs = out[head.at].timeNs;
            std::push_heap(heads.begin(), heads.end(), later);
        } else {
            heads.pop_back();
        }
    }
    std::copy(m_mergeScratch.begin(), m_mergeScratch.end(), out.begin() + static_cast<std::ptrdiff_t>(firstNew));
}

} // namespace interleave::core
