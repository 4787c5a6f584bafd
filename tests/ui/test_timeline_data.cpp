// TimelineData: lanes, counters and the GIL lane from a real run, and live batches giving what a rebuild gives.
#include "../core/plan_builder.h"
#include "runtime/run.h"
#include "timeline/timeline_data.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>

namespace interleave::ui {
namespace {

using namespace interleave::test;

Plan asyncPlan() {
    PlanBuilder builder(Model::Async);
    const int sem = builder.primitive("sem", PrimitiveKind::Semaphore, 2);
    builder.heartbeatMs(5).threads(1);
    builder.program({builder.fanOut(OpKind::Gather, "request", 6,
                                    {onPrimitive(OpKind::Acquire, sem), io(10), onPrimitive(OpKind::Release, sem)}),
                     block(30), builder.offload(Placement::Threads, {block(20)}), io(5)});
    return builder.build();
}

// Two threads that each take lock "a" twice, working 5 ms under it: four tenures, taking turns.
Plan lockPlan() {
    PlanBuilder builder(Model::Threads);
    builder.threads(2, true);
    const int lock = builder.primitive("a", PrimitiveKind::Lock, 1);
    builder.program({builder.fanOut(
        OpKind::Gather, "worker", 2,
        {withBody(OpKind::Repeat, {onPrimitive(OpKind::Acquire, lock), io(5), onPrimitive(OpKind::Release, lock)},
                  2)})});
    return builder.build();
}

Plan gilPlan() {
    PlanBuilder builder(Model::Threads);
    builder.threads(2, true);
    builder.program({builder.fanOut(OpKind::Gather, "cpu", 2, {cpu(30)})});
    return builder.build();
}

void expectSameSpans(const std::vector<TimelineSpan>& live, const std::vector<TimelineSpan>& whole,
                     const QString& lane) {
    ASSERT_EQ(live.size(), whole.size()) << lane.toStdString();
    for (std::size_t index = 0; index < live.size(); ++index) {
        SCOPED_TRACE(lane.toStdString() + " span " + std::to_string(index));
        EXPECT_EQ(live[index].startNs, whole[index].startNs);
        if (!live[index].open) {
            EXPECT_EQ(live[index].endNs, whole[index].endNs);
        }
        EXPECT_EQ(live[index].task, whole[index].task);
        EXPECT_EQ(live[index].state, whole[index].state);
        EXPECT_EQ(live[index].subject, whole[index].subject);
        EXPECT_EQ(live[index].line, whole[index].line);
        EXPECT_EQ(live[index].lane, whole[index].lane);
    }
}

void expectSameData(const TimelineData& live, const TimelineData& whole) {
    for (const LaneMode mode : {LaneMode::ByTask, LaneMode::ByWorker}) {
        const auto& liveLanes = live.lanes(mode);
        const auto& wholeLanes = whole.lanes(mode);
        ASSERT_EQ(liveLanes.size(), wholeLanes.size());
        for (std::size_t index = 0; index < liveLanes.size(); ++index) {
            EXPECT_EQ(liveLanes[index].name, wholeLanes[index].name);
            EXPECT_EQ(liveLanes[index].task, wholeLanes[index].task);
            EXPECT_EQ(liveLanes[index].parent, wholeLanes[index].parent);
            EXPECT_EQ(liveLanes[index].markers.size(), wholeLanes[index].markers.size());
            expectSameSpans(liveLanes[index].spans, wholeLanes[index].spans, liveLanes[index].name);
        }
    }
    expectSameSpans(live.gilLane().spans, whole.gilLane().spans, QStringLiteral("GIL"));
    ASSERT_EQ(live.lockLanes().size(), whole.lockLanes().size());
    for (std::size_t index = 0; index < whole.lockLanes().size(); ++index) {
        EXPECT_EQ(live.lockLanes()[index].name, whole.lockLanes()[index].name);
        expectSameSpans(live.lockLanes()[index].spans, whole.lockLanes()[index].spans, whole.lockLanes()[index].name);
    }
    ASSERT_EQ(live.counters().size(), whole.counters().size());
    for (const CounterTrack& track : whole.counters()) {
        const CounterTrack* other = live.counter(track.name);
        ASSERT_NE(other, nullptr) << track.name.toStdString();
        EXPECT_EQ(other->points, track.points);
        EXPECT_EQ(other->peak, track.peak);
    }
    EXPECT_EQ(live.endNs(), whole.endNs());
    EXPECT_EQ(live.spanCount(), whole.spanCount());
    // Group lanes: the same groups with the same per-state counts over the run.
    ASSERT_EQ(live.groups().size(), whole.groups().size());
    for (std::size_t group = 0; group < whole.groups().size(); ++group) {
        const TaskGroup& a = live.groups()[group];
        const TaskGroup& b = whole.groups()[group];
        EXPECT_EQ(a.name, b.name);
        EXPECT_EQ(a.size, b.size);
        EXPECT_EQ(a.parent, b.parent);
        for (int state = 0; state < core::kTaskStateCount; ++state) {
            for (std::int64_t time = 0; time < whole.endNs(); time += std::max<std::int64_t>(whole.endNs() / 97, 1)) {
                EXPECT_EQ(a.states[static_cast<std::size_t>(state)].countAt(time),
                          b.states[static_cast<std::size_t>(state)].countAt(time))
                    << a.name.toStdString() << " state " << state << " at " << time;
            }
        }
    }
}

TEST(TimelineData, RebuildMakesTaskAndWorkerLanes) {
    const RunResult result = runToCompletion(asyncPlan());
    ASSERT_EQ(result.outcome.status, RunStatus::Completed);
    TimelineData data;
    data.rebuild(result.trace);
    const auto& tasks = data.lanes(LaneMode::ByTask);
    ASSERT_EQ(tasks.size(), 8U); // main, 6 requests, the offloaded job
    EXPECT_EQ(tasks[0].name, QStringLiteral("main"));
    EXPECT_EQ(tasks[1].name, QStringLiteral("request #0"));
    EXPECT_EQ(tasks[1].parent, tasks[0].task);
    // The six requests are one group (same parent, same name, a fan-out index each).
    ASSERT_EQ(data.groups().size(), 1U);
    EXPECT_EQ(data.groups().front().name, QStringLiteral("request"));
    EXPECT_EQ(data.groups().front().size, 6U);
    EXPECT_EQ(tasks[1].group, 0);
    EXPECT_EQ(tasks[0].group, -1);
    EXPECT_TRUE(std::is_sorted(tasks.begin(), tasks.end(),
                               [](const TimelineLane& a, const TimelineLane& b) { return a.task < b.task; }));
    EXPECT_EQ(data.lanes(LaneMode::ByWorker).size(), result.trace.lanes.size());
    EXPECT_TRUE(data.hasLoopLag());
    EXPECT_GE(data.counter(QStringLiteral("loop_lag_ms"))->peak, 20.0); // the 30-ms blocking call on the loop
    EXPECT_NE(data.counter(QStringLiteral("sem.in_use")), nullptr);
    EXPECT_FALSE(data.hasGil());
    // The run ends when its last task does; the loop's heartbeat may still log one sample just after that.
    EXPECT_GE(data.endNs(), result.trace.endNs);
    EXPECT_LE(data.endNs(), result.trace.endNs + 20 * kMs);
    for (const auto& lane : data.lanes(LaneMode::ByWorker)) {
        for (std::size_t index = 1; index < lane.spans.size(); ++index) {
            // The engine may publish a parent's state change a few µs after its child started: tiny overlaps only.
            EXPECT_LE(lane.spans[index - 1].endNs, lane.spans[index].startNs + kMs) << lane.name.toStdString();
        }
    }
    // The loop lane keeps the blocking call (it froze the loop) and drops the semaphore waits (it did not).
    const auto& loop = data.lanes(LaneMode::ByWorker)[0];
    const bool hasBlockingCall = std::any_of(loop.spans.begin(), loop.spans.end(), [&](const TimelineSpan& span) {
        return span.state == TaskState::Blocked && data.subjectName(span.subject) == QStringLiteral("blocking call");
    });
    const bool hasSemWait = std::any_of(loop.spans.begin(), loop.spans.end(), [&](const TimelineSpan& span) {
        return span.state == TaskState::Blocked && data.subjectName(span.subject) == QStringLiteral("sem");
    });
    EXPECT_TRUE(hasBlockingCall);
    EXPECT_FALSE(hasSemWait);
}

TEST(TimelineData, GilHolderBecomesTheGilLane) {
    const RunResult result = runToCompletion(gilPlan());
    TimelineData data;
    data.rebuild(result.trace);
    ASSERT_TRUE(data.hasGil());
    EXPECT_EQ(data.counter(QStringLiteral("gil.holder")), nullptr);
    std::set<std::uint16_t> holders;
    for (const TimelineSpan& span : data.gilLane().spans) {
        holders.insert(span.lane);
        EXPECT_EQ(span.state, TaskState::Running);
        EXPECT_GE(span.endNs, span.startNs);
    }
    EXPECT_EQ(holders.size(), 3U); // main (which holds it until it waits for its children) and the two threads
}

TEST(TimelineData, ALocksHolderBecomesItsLaneAndItsWaitersStayACounter) {
    const RunResult result = runToCompletion(lockPlan());
    ASSERT_EQ(result.outcome.status, RunStatus::Completed) << result.outcome.error;
    TimelineData data;
    data.rebuild(result.trace);
    ASSERT_EQ(data.lockLanes().size(), 1U);
    const TimelineLane& lane = data.lockLanes().front();
    EXPECT_EQ(lane.name, QStringLiteral("lock a"));
    EXPECT_EQ(data.counter(QStringLiteral("a.holder")), nullptr); // a lane, not a chart
    ASSERT_NE(data.counter(QStringLiteral("a.waiters")), nullptr);
    // Four tenures of about 5 ms, one after the other, by both workers; none still open at the end.
    ASSERT_EQ(lane.spans.size(), 4U);
    std::set<std::uint32_t> holders;
    for (std::size_t index = 0; index < lane.spans.size(); ++index) {
        const TimelineSpan& span = lane.spans[index];
        EXPECT_FALSE(span.open);
        EXPECT_GE(span.endNs - span.startNs, 4 * kMs);
        if (index > 0) {
            EXPECT_GE(span.startNs, lane.spans[index - 1].endNs);
        }
        EXPECT_EQ(data.taskName(span.task).left(6), QStringLiteral("worker"));
        holders.insert(span.task);
    }
    EXPECT_EQ(holders.size(), 2U);
}

TEST(TimelineData, BatchesGiveWhatARebuildGives) {
    for (const Plan& plan : {asyncPlan(), gilPlan(), lockPlan()}) {
        const RunResult result = runToCompletion(plan);
        TimelineData whole;
        whole.rebuild(result.trace);
        TimelineData live;
        const auto& events = result.trace.events;
        for (std::size_t at = 0; at < events.size(); at += 7) {
            const std::size_t count = std::min<std::size_t>(7, events.size() - at);
            live.appendLive(result.trace, std::span<const Event>(events.data() + at, count));
        }
        expectSameData(live, whole);
    }
}

TEST(TimelineData, ALiveRunGivesWhatARebuildGives) {
    core::Run run(asyncPlan());
    run.start();
    TimelineData live;
    std::size_t polls = 0;
    while (!run.finished()) {
        run.pollTrace();
        live.appendLive(run.trace(), run.lastBatch());
        ++polls;
        std::this_thread::sleep_for(std::chrono::milliseconds(3));
    }
    run.pollTrace();
    live.appendLive(run.trace(), run.lastBatch());
    EXPECT_GT(polls, 3U);
    TimelineData whole;
    whole.rebuild(run.trace());
    expectSameData(live, whole);
}

TEST(TimelineData, ALiveTimelineIsFreedInSlices) {
    const RunResult result = runToCompletion(asyncPlan());
    TimelineData live;
    live.appendLive(result.trace, result.trace.events);
    const std::size_t taskLanes = live.lanes(LaneMode::ByTask).size();
    const std::size_t workerLanes = live.lanes(LaneMode::ByWorker).size();
    ASSERT_EQ(taskLanes, 8U);
    // Three lanes a slice: the task lanes go first, from the end, then the worker lanes and the task index.
    ASSERT_TRUE(live.shed(3));
    EXPECT_EQ(live.lanes(LaneMode::ByTask).size(), taskLanes - 3);
    EXPECT_EQ(live.lanes(LaneMode::ByTask).front().name, QStringLiteral("main"));
    std::size_t slices = 1;
    while (live.shed(3)) {
        ++slices;
        ASSERT_LT(slices, 100U);
    }
    EXPECT_TRUE(live.lanes(LaneMode::ByTask).empty());
    EXPECT_TRUE(live.lanes(LaneMode::ByWorker).empty());
    // No slice freed more than three lanes.
    EXPECT_GE(slices, (taskLanes + workerLanes) / 3);
    EXPECT_FALSE(live.shed(3)); // nothing more
}

TEST(TimelineData, ARebuildStopsWhenAsked) {
    const RunResult result = runToCompletion(asyncPlan());
    TimelineData data;
    EXPECT_THROW(data.rebuild(result.trace, 1.0, core::StopCheck([] { return true; })), core::WorkStopped);
    data.rebuild(result.trace, 1.0, core::StopCheck([] { return false; }));
    EXPECT_EQ(data.lanes(LaneMode::ByTask).size(), 8U);
}

} // namespace
} // namespace interleave::ui
