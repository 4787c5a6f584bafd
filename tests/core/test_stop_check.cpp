// Long work over a trace stops when asked (StopCheck): the analysis of a large trace throws WorkStopped at the next
// check once a stop is asked for, and goes to the end, the same as without a check, when none is.
#include "trace/trace_analysis.h"
#include "trace_builder.h"

#include <gtest/gtest.h>

namespace interleave::core {
namespace {

using testing::TraceBuilder;

Trace manyTasks(std::uint32_t tasks) {
    TraceBuilder builder;
    builder.lane("loop");
    for (std::uint32_t task = 0; task < tasks; ++task) {
        builder.task(task, task, "request", static_cast<std::int32_t>(task)).state(task, task, TaskState::Running);
        builder.state(task + 10, task, TaskState::Done);
    }
    return builder.finish(tasks + 10);
}

TEST(StopCheck, AnAnalysisStopsAtTheNextCheckOnceAStopIsAsked) {
    const Trace trace = manyTasks(100'000); // 300,000 events: checked every 65,536
    int asked = 0;
    const StopCheck stopAtTheSecondCheck([&asked] { return ++asked == 2; });
    EXPECT_THROW(analyze(trace, stopAtTheSecondCheck), WorkStopped);
    EXPECT_EQ(asked, 2); // not asked again after it said stop

    int never = 0;
    const TraceAnalysis checked = analyze(trace, StopCheck([&never] { return ++never < 0; }));
    EXPECT_GE(never, 300'000 / 65'536); // asked all along
    const TraceAnalysis unchecked = analyze(trace);
    EXPECT_EQ(checked.spans.size(), unchecked.spans.size());
    EXPECT_EQ(checked.tasks.size(), 100'000U);
}

// The analysis places each span when it opens (no sort after): the spans come in order of start, each with the end
// its task's next state gave it, and tasks whose ids are far apart (a file's) analyse as dense ones do.
TEST(StopCheck, AnalysedSpansComeInOrderOfStartWithDenseOrSparseTaskIds) {
    auto build = [](std::uint32_t idStep) {
        TraceBuilder builder;
        builder.lane("loop");
        for (std::uint32_t task = 0; task < 50; ++task) {
            const std::uint32_t id = task * idStep;
            // Later tasks start later and end sooner: closing order is the reverse of opening order.
            builder.task(task, id, "request", static_cast<std::int32_t>(task)).state(task, id, TaskState::Running);
            builder.state(1'000 - task, id, TaskState::Done);
        }
        return builder.finish(2'000);
    };
    const TraceAnalysis dense = analyze(build(1));
    const TraceAnalysis sparse = analyze(build(80'000'000));
    ASSERT_EQ(dense.spans.size(), 50U);
    ASSERT_EQ(sparse.spans.size(), 50U);
    ASSERT_EQ(sparse.tasks.size(), 50U);
    for (std::size_t at = 0; at < dense.spans.size(); ++at) {
        EXPECT_EQ(dense.spans[at].startNs, static_cast<std::int64_t>(at));
        EXPECT_EQ(dense.spans[at].endNs, 1'000 - static_cast<std::int64_t>(at));
        EXPECT_EQ(sparse.spans[at].startNs, dense.spans[at].startNs);
        EXPECT_EQ(sparse.spans[at].endNs, dense.spans[at].endNs);
        EXPECT_EQ(sparse.tasks[at].id, static_cast<std::uint32_t>(at) * 80'000'000U);
        EXPECT_EQ(sparse.tasks[at].endedNs, dense.tasks[at].endedNs);
    }
}

// The stoppable sort gives what std::stable_sort gives (equal keys keep their order) over several runs of 65,536, and
// stops between two of its steps when asked.
TEST(StopCheck, AStoppableSortIsStableAndStops) {
    struct Item {
        int key;
        int order;
    };
    std::vector<Item> items;
    for (int index = 0; index < 300'000; ++index) {
        items.push_back(Item{static_cast<int>((static_cast<long long>(index) * 7919) % 1000), index});
    }
    auto byKey = [](const Item& a, const Item& b) { return a.key < b.key; };
    std::vector<Item> expected = items;
    std::stable_sort(expected.begin(), expected.end(), byKey);
    std::vector<Item> sorted = items;
    stableSortStoppably(sorted, byKey, StopCheck());
    ASSERT_EQ(sorted.size(), expected.size());
    for (std::size_t at = 0; at < sorted.size(); ++at) {
        ASSERT_EQ(sorted[at].order, expected[at].order) << at;
    }
    int asked = 0;
    EXPECT_THROW(stableSortStoppably(items, byKey, StopCheck([&asked] { return ++asked == 3; })), WorkStopped);
    EXPECT_EQ(asked, 3);
}

TEST(StopCheck, AnEmptyCheckNeverStops) {
    const StopCheck none;
    EXPECT_NO_THROW(none.now());
    EXPECT_NO_THROW(none.at(0));
}

} // namespace
} // namespace interleave::core
