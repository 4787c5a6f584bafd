// The recorder: lock-free per-thread buffers drained in bulk, in time order, across chunk boundaries.
#include "trace/recorder.h"
#include "trace/trace.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

namespace interleave::core {
namespace {

TEST(Recorder, EventsAre24Bytes) {
    EXPECT_EQ(sizeof(Event), 24U);
}

TEST(Recorder, DrainsInTimeOrderWithRelativeTimes) {
    Recorder recorder;
    for (std::uint32_t i = 0; i < 10; ++i) {
        recorder.record(i, 3, EventKind::Counter, 0, 7, static_cast<std::int32_t>(i * 10));
    }
    std::vector<Event> events;
    EXPECT_EQ(recorder.drain(events), 10U);
    ASSERT_EQ(events.size(), 10U);
    for (std::size_t i = 0; i < events.size(); ++i) {
        EXPECT_EQ(events[i].task, i);
        EXPECT_EQ(events[i].lane, 3);
        EXPECT_EQ(events[i].value, static_cast<std::int32_t>(i * 10));
        EXPECT_GE(events[i].timeNs, 0);
        EXPECT_LT(events[i].timeNs, 5'000'000'000);
    }
    EXPECT_TRUE(std::is_sorted(events.begin(), events.end(),
                               [](const Event& a, const Event& b) { return a.timeNs < b.timeNs; }));
    EXPECT_EQ(recorder.drain(events), 0U); // nothing new
}

TEST(Recorder, ConcurrentProducersLoseNothingWhileDraining) {
    Recorder recorder;
    constexpr std::uint32_t kPerThread = 3 * Recorder::kChunkCapacity + 17; // crosses chunk boundaries
    std::atomic<bool> producing{true};
    Trace trace;
    std::thread consumer([&] {
        std::vector<Event> batch;
        while (producing.load()) {
            batch.clear();
            recorder.drain(batch);
            trace.appendSorted(batch);
        }
    });
    std::vector<std::thread> producers;
    for (std::uint16_t lane = 0; lane < 3; ++lane) {
        producers.emplace_back([&recorder, lane] {
            for (std::uint32_t i = 0; i < kPerThread; ++i) {
                recorder.record(i, lane, EventKind::TaskState, 1, 0, 0);
            }
        });
    }
    for (auto& producer : producers) {
        producer.join();
    }
    producing.store(false);
    consumer.join();
    std::vector<Event> rest;
    recorder.drain(rest);
    trace.appendSorted(rest);
    ASSERT_EQ(trace.events.size(), 3U * kPerThread);
    EXPECT_TRUE(std::is_sorted(trace.events.begin(), trace.events.end(),
                               [](const Event& a, const Event& b) { return a.timeNs < b.timeNs; }));
    // Per lane, the tasks come out in the order each thread recorded them.
    std::vector<std::uint32_t> next(3, 0);
    for (const Event& event : trace.events) {
        EXPECT_EQ(event.task, next[event.lane]++);
    }
}

TEST(Recorder, ALimitedDrainTakesTheEarliestEventsOfEveryThreadAndLeavesTheRestInOrder) {
    Recorder recorder;
    // Three threads, each past two chunk boundaries, all published before any drain.
    constexpr std::uint32_t kPerThread = 2 * Recorder::kChunkCapacity + 500;
    std::vector<std::thread> producers;
    for (std::uint32_t thread = 0; thread < 3; ++thread) {
        producers.emplace_back([&recorder, thread] {
            for (std::uint32_t i = 0; i < kPerThread; ++i) {
                recorder.record(i, static_cast<std::uint16_t>(thread), EventKind::Counter, 0, 0, 0);
            }
        });
    }
    for (std::thread& producer : producers) {
        producer.join();
    }
    const auto byTime = [](const Event& a, const Event& b) { return a.timeNs < b.timeNs; };
    std::vector<Event> all;
    std::size_t drains = 0;
    constexpr std::size_t kLimit = 5000;
    while (true) {
        std::vector<Event> batch;
        const std::size_t count = recorder.drain(batch, kLimit);
        if (count == 0) {
            break;
        }
        ++drains;
        EXPECT_LE(count, kLimit + 2); // the cutoff's own tick may hold a couple more
        EXPECT_TRUE(std::is_sorted(batch.begin(), batch.end(), byTime));
        if (!all.empty()) {
            EXPECT_GE(batch.front().timeNs, all.back().timeNs); // nothing left behind is earlier
        }
        all.insert(all.end(), batch.begin(), batch.end());
    }
    EXPECT_EQ(all.size(), 3U * kPerThread); // nothing lost or taken twice
    EXPECT_GE(drains, 3U * kPerThread / (kLimit + 2));
    // Each thread's events arrive in the order it recorded them.
    std::vector<std::uint32_t> next(3, 0);
    for (const Event& event : all) {
        EXPECT_EQ(event.task, next[event.lane]++);
    }
}

TEST(Recorder, ForeignEventsAreMergedByTime) {
    Recorder recorder;
    recorder.record(1, 0, EventKind::TaskState, 1, 0, 0);
    const Event foreign{0, 2, 5, EventKind::TaskState, 1, 0, 0}; // at time zero: before the local one
    recorder.appendForeign(std::span<const Event>(&foreign, 1));
    std::vector<Event> events;
    recorder.drain(events);
    ASSERT_EQ(events.size(), 2U);
    EXPECT_EQ(events[0].task, 2U);
    EXPECT_EQ(events[1].task, 1U);
}

TEST(Recorder, ManyThreadsAndUnorderedWorkerEventsDrainSortedAfterWhatIsThere) {
    Recorder recorder;
    std::vector<std::thread> producers;
    for (std::uint16_t lane = 0; lane < 6; ++lane) {
        producers.emplace_back([&recorder, lane] {
            for (std::uint32_t i = 0; i < 1000; ++i) {
                recorder.record(i, lane, EventKind::TaskState, 1, 0, 0);
            }
        });
    }
    for (auto& producer : producers) {
        producer.join();
    }
    // Two workers' batches arrive interleaved: the foreign events are not in time order.
    const std::vector<Event> foreign = {Event{300, 7, 9}, Event{100, 8, 9}, Event{200, 9, 9}, Event{50, 10, 9}};
    recorder.appendForeign(foreign);
    std::vector<Event> out = {Event{-5, 99, 42}}; // an earlier drain's, kept as it is
    EXPECT_EQ(recorder.drain(out), 6000U + foreign.size());
    ASSERT_EQ(out.size(), 1 + 6000U + foreign.size());
    EXPECT_EQ(out.front().task, 99U);
    const auto byTime = [](const Event& a, const Event& b) { return a.timeNs < b.timeNs; };
    EXPECT_TRUE(std::is_sorted(out.begin() + 1, out.end(), byTime));
    std::vector<std::uint32_t> next(6, 0);
    std::vector<std::uint32_t> foreignTasks;
    for (auto event = out.begin() + 1; event != out.end(); ++event) {
        if (event->lane < 6) {
            EXPECT_EQ(event->task, next[event->lane]++); // each thread's own order is kept
        } else {
            foreignTasks.push_back(event->task);
        }
    }
    EXPECT_EQ(next, std::vector<std::uint32_t>(6, 1000));
    EXPECT_EQ(foreignTasks, std::vector<std::uint32_t>({10, 8, 9, 7}));
}

TEST(Trace, AppendSortedMergesLateEvents) {
    Trace trace;
    trace.appendSorted({Event{10, 1}, Event{30, 2}});
    trace.appendSorted({Event{20, 3}, Event{40, 4}}); // 20 was published late
    ASSERT_EQ(trace.events.size(), 4U);
    EXPECT_EQ(trace.events[1].task, 3U);
    EXPECT_EQ(trace.events[3].task, 4U);
}

} // namespace
} // namespace interleave::core
