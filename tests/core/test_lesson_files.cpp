// Lesson folders, finding a lesson by id, alias or path, and parameter overrides.
#include "lesson_text.h"
#include "scenario/lesson_loader.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <unistd.h>

namespace interleave::core {
namespace {

namespace fs = std::filesystem;

std::string miniLesson(const std::string& id, int number) {
    return "id: " + id + "\nnumber: " + std::to_string(number) +
           "\ntitle: T\ntopic: t\nvariants:\n  v:\n    program:\n      - io: 1\n";
}

// A fresh folder of lesson files, removed at the end; INTERLEAVE_LESSONS points at it while the test runs.
class LessonLoaderFolder : public ::testing::Test {
protected:
    void SetUp() override {
        m_folder = fs::temp_directory_path() / ("interleave-lessons-" + std::to_string(::getpid()) + "-" +
                                                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(m_folder);
        fs::create_directories(m_folder);
        const char* previous = std::getenv("INTERLEAVE_LESSONS");
        m_previous = previous ? std::optional<std::string>(previous) : std::nullopt;
        ::setenv("INTERLEAVE_LESSONS", m_folder.c_str(), 1);
    }
    void TearDown() override {
        if (m_previous) {
            ::setenv("INTERLEAVE_LESSONS", m_previous->c_str(), 1);
        } else {
            ::unsetenv("INTERLEAVE_LESSONS");
        }
        fs::remove_all(m_folder);
    }
    fs::path write(const std::string& name, const std::string& text) {
        std::ofstream(m_folder / name) << text;
        return m_folder / name;
    }

    fs::path m_folder;
    std::optional<std::string> m_previous;
};

TEST_F(LessonLoaderFolder, LoadsSortedByNumberAndIgnoresOtherFiles) {
    write("a.yaml", miniLesson("third", 3));
    write("b.yml", miniLesson("first", 1));
    write("c.json", R"({"id": "second", "number": 2, "title": "T", "topic": "t",
                        "variants": {"v": {"program": [{"io": 1}]}}})");
    write("notes.txt", "not a lesson");
    const auto lessons = loadLessonDirectory(m_folder);
    ASSERT_EQ(lessons.size(), 3u);
    EXPECT_EQ(lessons[0].id, "first");
    EXPECT_EQ(lessons[1].id, "second");
    EXPECT_EQ(lessons[2].id, "third");
    EXPECT_EQ(lessons[2].sourcePath, (m_folder / "a.yaml").string());
}

TEST_F(LessonLoaderFolder, RejectsDuplicateIdsAndNumbers) {
    write("a.yaml", miniLesson("same", 1));
    write("b.yaml", miniLesson("same", 2));
    try {
        loadLessonDirectory(m_folder);
        FAIL() << "expected a LessonError";
    } catch (const LessonError& error) {
        EXPECT_EQ(error.location().toString(), (m_folder / "b.yaml").string() + ":1:5");
        EXPECT_NE(error.message().find("lesson id 'same' is already used by"), std::string::npos);
    }
    write("b.yaml", miniLesson("other", 1));
    try {
        loadLessonDirectory(m_folder);
        FAIL() << "expected a LessonError";
    } catch (const LessonError& error) {
        EXPECT_EQ(error.location().toString(), (m_folder / "b.yaml").string() + ":2:9");
        EXPECT_NE(error.message().find("lesson number 1 is already used by"), std::string::npos);
    }
}

TEST_F(LessonLoaderFolder, ABadFileStopsTheFolderWithItsLocation) {
    write("a.yaml", miniLesson("fine", 1));
    write("b.yaml", "id: broken\nnumber: 2\ntitle: T\ntopic: t\nvariants:\n  v:\n    program:\n      - nap: 1\n");
    try {
        loadLessonDirectory(m_folder);
        FAIL() << "expected a LessonError";
    } catch (const LessonError& error) {
        EXPECT_EQ(error.location().toString(), (m_folder / "b.yaml").string() + ":8:9");
    }
}

TEST_F(LessonLoaderFolder, MissingFolderIsAUsageError) {
    EXPECT_THROW(loadLessonDirectory(m_folder / "nowhere"), UsageError);
}

TEST_F(LessonLoaderFolder, BuiltinDirectoryFollowsTheEnvironment) {
    EXPECT_EQ(builtinLessonDirectory(), m_folder);
    ::unsetenv("INTERLEAVE_LESSONS");
    EXPECT_FALSE(builtinLessonDirectory().empty());
}

TEST_F(LessonLoaderFolder, FindsByIdAliasOrPath) {
    write("01.yaml", miniLesson("first", 1));
    write("12.yaml", miniLesson("twelfth", 12));
    EXPECT_EQ(findLesson("first").number, 1);
    EXPECT_EQ(findLesson("L12").id, "twelfth");
    EXPECT_EQ(findLesson("l12").id, "twelfth");
    const fs::path outside = m_folder / "sub" / "mine.yaml";
    fs::create_directories(outside.parent_path());
    std::ofstream(outside) << miniLesson("mine", 40);
    EXPECT_EQ(findLesson(outside.string()).id, "mine");
    try {
        findLesson("L7");
        FAIL() << "expected a UsageError";
    } catch (const UsageError& error) {
        EXPECT_STREQ(error.what(), "no lesson 'L7'; available: first (L1), twelfth (L12)");
    }
    EXPECT_THROW(findLesson("missing/file.yaml"), UsageError);
}

TEST_F(LessonLoaderFolder, LoadLessonFileReportsItsPath) {
    const fs::path file = write("bad.yaml", "id: x\nnumber: 1\ntitle: T\ntopic: t\nvariants: {}\n");
    try {
        loadLessonFile(file);
        FAIL() << "expected a LessonError";
    } catch (const LessonError& error) {
        EXPECT_EQ(std::string(error.what()), file.string() + ":5:11: the lesson needs at least one variant");
    }
    EXPECT_THROW(loadLessonFile(m_folder / "absent.yaml"), UsageError);
}

TEST(LessonLoaderParameters, ResolvesOverrides) {
    const Scenario lesson = parseLesson(testing::lessonWith("      - io: $ms\n"), "demo.yaml");
    const ParameterValues values = resolveParameters(lesson, {{"n", "5"}});
    EXPECT_EQ(values.at("n"), 5);
    EXPECT_EQ(values.at("ms"), 100);
    EXPECT_EQ(resolveParameters(lesson, {}).at("n"), 3);
}

TEST(LessonLoaderParameters, RefusesBadOverridesWithClearMessages) {
    const Scenario lesson = parseLesson(testing::lessonWith("      - io: $ms\n"), "demo.yaml");
    auto messageFor = [&](const std::string& name, const std::string& value) -> std::string {
        try {
            resolveParameters(lesson, {{name, value}});
        } catch (const UsageError& error) {
            return error.what();
        }
        return "no error";
    };
    EXPECT_EQ(messageFor("n", "20"), "parameter 'n' must be between 1 and 10 (got 20)");
    EXPECT_EQ(messageFor("n", "0"), "parameter 'n' must be between 1 and 10 (got 0)");
    EXPECT_EQ(messageFor("foo", "1"), "unknown parameter 'foo' (lesson 'demo' has: n, ms)");
    EXPECT_EQ(messageFor("n", "2.5"), "parameter 'n' takes a whole number (got 2.5)");
    EXPECT_EQ(messageFor("n", "abc"), "parameter 'n' takes a number (got 'abc')");
    EXPECT_EQ(messageFor("n", ""), "parameter 'n' takes a number (got '')");
    EXPECT_EQ(messageFor("ms", "1e3"), "no error");
}

} // namespace
} // namespace interleave::core
