// The primitive table (scenario/primitive_table.h): one row per kind, read by the readers, the plan, the runtime's
// counters and the docs.
#include "runtime/async_primitives.h"
#include "scenario/primitive_table.h"

#include "lesson_text.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace interleave::core {
namespace {

TEST(PrimitiveTable, EveryKindIsFoundByItsKeyAndNamedByIt) {
    ASSERT_EQ(allPrimitives().size(), kPrimitiveKindCount);
    for (const PrimitiveInfo& info : allPrimitives()) {
        const PrimitiveInfo* found = findPrimitiveKind(info.key);
        ASSERT_NE(found, nullptr) << info.key;
        EXPECT_EQ(found->kind, info.kind);
        EXPECT_EQ(&primitiveInfo(info.kind), found);
        EXPECT_EQ(toString(info.kind), info.key);
        EXPECT_LE(info.minimumCapacity, info.defaultCapacity) << info.key;
    }
    EXPECT_EQ(findPrimitiveKind("mutex"), nullptr);
}

// The counters a run records for a primitive are the ones its row names, "<name>.<suffix>", and no others.
TEST(PrimitiveTable, TheRuntimeRecordsTheCountersOfTheRow) {
    for (const PrimitiveInfo& info : allPrimitives()) {
        SCOPED_TRACE(std::string(info.key));
        StringTable strings;
        PlanPrimitive primitive;
        primitive.name = "p";
        primitive.kind = info.kind;
        const PrimitiveCounters counters = internPrimitiveCounters(primitive, strings);
        std::vector<std::string> recorded;
        for (const std::uint32_t id : {counters.level, counters.waiters, counters.unfinished, counters.putters,
                                       counters.writes, counters.sleepers, counters.taken, counters.holder}) {
            if (id != 0) {
                recorded.push_back(strings.at(id));
            }
        }
        std::vector<std::string> expected;
        for (const std::string_view suffix : countersOf(info)) {
            expected.push_back("p." + std::string(suffix));
        }
        EXPECT_EQ(recorded, expected);
    }
}

std::string docsText() {
    std::ifstream file(std::string(INTERLEAVE_DOCS_DIR) + "/lesson-format.md");
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

TEST(PrimitiveTable, EveryKindAndItsCountersAreInTheLessonFormatDocs) {
    const std::string docs = docsText();
    ASSERT_FALSE(docs.empty()) << "docs/lesson-format.md";
    const std::size_t kinds = docs.find("The kinds are");
    ASSERT_NE(kinds, std::string::npos);
    const std::string sentence = docs.substr(kinds, docs.find('.', kinds) - kinds);
    for (const PrimitiveInfo& info : allPrimitives()) {
        EXPECT_NE(sentence.find("`" + std::string(info.key) + "`"), std::string::npos) << info.key;
        // Its row of the counters table lists each counter it records.
        const std::size_t row = docs.find("| " + std::string(info.key) + " `");
        ASSERT_NE(row, std::string::npos) << info.key << " has no row in the counters table";
        const std::string line = docs.substr(row, docs.find('\n', row) - row);
        for (const std::string_view suffix : countersOf(info)) {
            EXPECT_NE(line.find("." + std::string(suffix) + "`"), std::string::npos) << info.key << "." << suffix;
        }
    }
}

// An expectation may read any counter of the kind's row, a queue's getters included, and nothing else.
TEST(PrimitiveTable, ExpectationsTakeTheCountersOfTheRow) {
    const auto lessonReading = [](const std::string& metric) {
        return testing::lessonWith("      - io: 1\nexpectations:\n  - text: t\n    variant: one\n    metric: " +
                                   metric + "\n    at_least: 0\n");
    };
    EXPECT_NO_THROW(parseLesson(lessonReading("peak(q.getters)"), "q.yaml"));
    EXPECT_NO_THROW(parseLesson(lessonReading("peak(q.putters)"), "q.yaml"));
    EXPECT_NO_THROW(parseLesson(lessonReading("peak(ev.waiters)"), "q.yaml"));
    EXPECT_THROW(parseLesson(lessonReading("peak(q.in_use)"), "q.yaml"), LessonError);
}

} // namespace
} // namespace interleave::core
