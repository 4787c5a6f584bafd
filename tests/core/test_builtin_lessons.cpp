// The shipped lessons: every file loads, numbers are unique, and every variant compiles with its defaults.
#include "runtime/plan.h"
#include "scenario/lesson_loader.h"

#include <gtest/gtest.h>

#include <set>

namespace interleave::core {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> lessonFiles() {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(INTERLEAVE_TEST_LESSON_DIR)) {
        const auto extension = entry.path().extension();
        if (extension == ".yaml" || extension == ".yml" || extension == ".json") {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

TEST(BuiltinLessons, EveryFileLoads) {
    const auto files = lessonFiles();
    ASSERT_GE(files.size(), 9u);
    for (const auto& file : files) {
        EXPECT_NO_THROW(loadLessonFile(file)) << file;
    }
}

TEST(BuiltinLessons, NumbersOneToNineAreEachUsedOnce) {
    const auto lessons = loadLessonDirectory(INTERLEAVE_TEST_LESSON_DIR);
    std::set<int> numbers;
    for (const auto& lesson : lessons) {
        EXPECT_TRUE(numbers.insert(lesson.number).second) << lesson.id;
    }
    for (int number = 1; number <= 9; ++number) {
        EXPECT_EQ(numbers.count(number), 1u) << "L" << number;
    }
}

TEST(BuiltinLessons, EveryVariantCompilesWithDefaults) {
    for (const auto& lesson : loadLessonDirectory(INTERLEAVE_TEST_LESSON_DIR)) {
        EXPECT_FALSE(lesson.notes.empty()) << lesson.id;
        EXPECT_GE(lesson.expectations.size(), 1u) << lesson.id;
        for (const auto& variant : lesson.variants) {
            SCOPED_TRACE(lesson.id + "/" + variant.name);
            EXPECT_FALSE(lesson.listingFor(variant).empty());
            EXPECT_FALSE(variant.description.empty());
            // On a 2-core machine as on a big one.
            for (double cores : {2.0, 16.0}) {
                ParameterValues values = lesson.defaults();
                values["cores"] = cores;
                Plan plan;
                ASSERT_NO_THROW(plan = compilePlan(lesson, variant, values, RunOptions{})) << cores;
                EXPECT_GE(plan.taskCount, 1);
            }
        }
        for (const auto& expectation : lesson.expectations) {
            ParameterValues values = lesson.defaults();
            EXPECT_NO_THROW(expectation.value.evaluate(values)) << lesson.id << ": " << expectation.text;
        }
    }
}

TEST(BuiltinLessons, ExtremeParameterValuesCompileOrAreRefusedCleanly) {
    for (const auto& lesson : loadLessonDirectory(INTERLEAVE_TEST_LESSON_DIR)) {
        for (const bool useMaximum : {false, true}) {
            ParameterValues values = lesson.defaults();
            for (const auto& parameter : lesson.parameters) {
                values[parameter.name] = useMaximum ? parameter.maximum : parameter.minimum;
            }
            for (const auto& variant : lesson.variants) {
                try {
                    compilePlan(lesson, variant, values, RunOptions{});
                } catch (const UsageError& error) {
                    EXPECT_EQ(std::string(error.what()).rfind("refused: ", 0), 0u) << error.what();
                } catch (const std::exception& error) {
                    ADD_FAILURE() << lesson.id << "/" << variant.name << ": " << error.what();
                }
            }
        }
    }
}

} // namespace
} // namespace interleave::core
