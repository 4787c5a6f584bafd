// The op table (scenario/op_table.h): one row per op, read by the parser, the plan, the worker protocol and the docs.
#include "runtime/worker_process.h"
#include "runtime/worker_protocol.h"
#include "scenario/op_table.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace interleave::core {
namespace {

TEST(OpTable, EveryOpIsFoundByItsKeyAndNamedByIt) {
    for (const OpInfo& op : allOps()) {
        const OpInfo* found = findOp(op.key);
        ASSERT_NE(found, nullptr) << op.key;
        EXPECT_EQ(found->kind, op.kind) << op.key;
        EXPECT_EQ(&opInfo(op.kind), found) << op.key;
        EXPECT_EQ(toString(op.kind), op.key);
    }
    EXPECT_EQ(findOp("sleep"), nullptr);
}

TEST(OpTable, EveryRowSaysWhatItsArgumentNeeds) {
    for (const OpInfo& op : allOps()) {
        SCOPED_TRACE(std::string(op.key));
        // A target names the primitives it takes, for the parser's message; a count says what it counts.
        EXPECT_EQ(op.argument == OpArgument::Target, op.targets != 0);
        EXPECT_EQ(op.argument == OpArgument::Target, !op.targetsText.empty());
        EXPECT_EQ(op.argument == OpArgument::Count, !op.countText.empty());
        // Only a body can run once per item or a number of times, and only a duration or a body takes time.
        if (op.bodyRuns != OpBodyRuns::Once || op.time == OpTime::Body || op.time == OpTime::BodyTimesCount ||
            op.time == OpTime::ShorterOfBoth) {
            EXPECT_TRUE(op.hasBody);
        }
        if (op.time == OpTime::Children) {
            EXPECT_EQ(op.argument, OpArgument::Children);
        }
    }
}

TEST(OpTable, EveryOpIsInTheLessonFormatDocs) {
    std::ifstream file(std::string(INTERLEAVE_DOCS_DIR) + "/lesson-format.md");
    ASSERT_TRUE(file) << "docs/lesson-format.md";
    std::stringstream text;
    text << file.rdbuf();
    const std::string docs = text.str();
    const std::size_t steps = docs.find("## Steps");
    ASSERT_NE(steps, std::string::npos);
    const std::string section = docs.substr(steps, docs.find("\n## ", steps + 1) - steps);
    for (const OpInfo& op : allOps()) {
        // A row of the ops table starts with the key, alone or beside its partner ("`acquire` / `release`").
        const std::string key = "`" + std::string(op.key) + "`";
        EXPECT_TRUE(section.find("| " + key) != std::string::npos || section.find("/ " + key) != std::string::npos)
            << op.key << " has no row in the ops table of docs/lesson-format.md";
    }
}

TEST(OpTable, AWorkerTakesOnlyTheOpsItRuns) {
    for (const OpInfo& op : allOps()) {
        SCOPED_TRACE(std::string(op.key));
        WorkerJob job;
        job.jobId = 7;
        job.tasks = {3};
        PlanStep step;
        step.kind = op.kind;
        step.durationNs = 1'000'000;
        job.steps.push_back(step);
        EXPECT_EQ(runsInWorker(step), op.inWorker);
        EXPECT_EQ(workerRuns(op.kind), op.inWorker); // the worker has an executor for exactly these
        const std::string frame = encodeJob(job);
        const std::string_view payload = std::string_view(frame).substr(kFrameHeaderSize);
        if (op.inWorker) {
            const WorkerJob decoded = decodeJob(payload);
            ASSERT_EQ(decoded.steps.size(), 1U);
            EXPECT_EQ(decoded.steps.front().kind, op.kind);
        } else {
            EXPECT_THROW(decodeJob(payload), std::runtime_error);
        }
    }
    // A repeat runs in a worker when its body does.
    PlanStep repeat;
    repeat.kind = OpKind::Repeat;
    repeat.body.push_back(PlanStep{});
    EXPECT_TRUE(runsInWorker(repeat));
    repeat.body.back().kind = OpKind::Acquire;
    EXPECT_FALSE(runsInWorker(repeat));
}

} // namespace
} // namespace interleave::core
