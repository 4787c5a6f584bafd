// Every shipped listing runs, unmodified and with its lesson's defaults, in CPython under the tracer.
#include "runtime/run.h"
#include "scenario/lesson_loader.h"
#include "trace/trace_analysis.h"

#include <gtest/gtest.h>

#include <fstream>
#include <unistd.h>

namespace interleave::core {
namespace {

namespace fs = std::filesystem;

// Listings that end on purpose with a non-zero status: L13's deadlocks leave their stuck threads with os._exit(1).
bool endsWithStatusOne(const Scenario& lesson, const std::string& variant) {
    return lesson.number == 13 && (variant == "opposite-order" || variant == "lock-twice");
}

TEST(ListingsInCPython, EveryShippedListingRuns) {
    const bool haveRedis = std::system("python3 -c 'import redis' > /dev/null 2>&1") == 0;
    const fs::path folder = fs::temp_directory_path() / ("interleave-listings-test-" + std::to_string(getpid()));
    fs::create_directories(folder);
    int ran = 0;
    for (const Scenario& lesson : loadLessonDirectory(builtinLessonDirectory())) {
        if (lesson.number == 17 && !haveRedis) {
            continue; // L17's listing needs redis-py, which is not one of our dependencies
        }
        for (const VariantDecl& variant : lesson.variants) {
            const fs::path script = folder / (lesson.id + "-" + variant.name + ".py");
            std::ofstream(script) << lesson.renderListing(variant, lesson.defaults());
            Plan plan;
            plan.lessonId = lesson.id;
            plan.variant = variant.name;
            plan.model = Model::Python;
            plan.python.script = script;
            plan.python.outputFile = folder / "output.txt";
            plan.python.timeLimitNs = 120'000'000'000;
            const RunResult result = runToCompletion(std::move(plan));
            if (endsWithStatusOne(lesson, variant.name)) {
                EXPECT_EQ(result.outcome.status, RunStatus::Failed) << lesson.alias() << " " << variant.name;
                EXPECT_NE(result.outcome.error.find("status 1"), std::string::npos) << result.outcome.error;
            } else {
                EXPECT_EQ(result.outcome.status, RunStatus::Completed)
                    << lesson.alias() << " " << variant.name << ": " << result.outcome.error;
            }
            const TraceAnalysis analysis = analyze(result.trace);
            EXPECT_GE(analysis.tasks.size(), 1U) << lesson.alias() << " " << variant.name << ": nothing traced";
            ++ran;
        }
    }
    EXPECT_GE(ran, 40);
    std::error_code ignored;
    fs::remove_all(folder, ignored);
}

} // namespace
} // namespace interleave::core
