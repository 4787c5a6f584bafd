// End-to-end tests of `interleave-cli import`: real files in, summary and exit code out, and the round trip
// run -> Chrome JSON -> import -> the same spans.
#include "cli_process.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

namespace interleave::e2e {
namespace {

std::string describe(const CliResult& result) {
    return "exit " + std::to_string(result.exitCode) + "\n--- stdout\n" + result.out + "\n--- stderr\n" + result.err;
}

// The spans CSV's rows without the variant and lane columns (their labels differ after an import) and without
// zero-length spans (an import keeps no empty span), sorted.
std::vector<std::string> comparableSpans(const std::string& csv) {
    std::vector<std::string> rows;
    std::istringstream lines(csv);
    std::string line;
    std::getline(lines, line); // header
    while (std::getline(lines, line)) {
        std::vector<std::string> fields;
        std::string field;
        std::istringstream cells(line);
        while (std::getline(cells, field, ',')) {
            fields.push_back(field);
        }
        if (fields.size() < 8 || fields[4] == fields[5]) {
            continue;
        }
        rows.push_back(fields[2] + "," + fields[3] + "," + fields[4] + "," + fields[5] + "," + fields[6] + "," +
                       fields[7]);
    }
    std::sort(rows.begin(), rows.end());
    return rows;
}

TEST(CliImport, SummarizesAVizTracerTrace) {
    const CliResult result =
        runCli({"import", std::string(INTERLEAVE_TEST_DATA_DIR) + "/viztracer_asyncio.json", "--json"});
    ASSERT_EQ(result.exitCode, 0) << describe(result);
    const auto summary = nlohmann::json::parse(result.out);
    EXPECT_EQ(summary.at("producer"), "VizTracer");
    EXPECT_EQ(summary.at("lanes"), 4);
    EXPECT_EQ(summary.at("tasks"), 4);
    EXPECT_EQ(summary.at("markers"), 1);
    EXPECT_GT(summary.at("spans").get<int>(), 20);

    const CliResult text = runCli({"import", std::string(INTERLEAVE_TEST_DATA_DIR) + "/viztracer_asyncio.json"});
    ASSERT_EQ(text.exitCode, 0) << describe(text);
    EXPECT_NE(text.out.find("VizTracer trace"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("lanes      4"), std::string::npos) << text.out;
}

TEST(CliImport, AMalformedFileExitsWithTwoAndItsLocation) {
    TempDir directory;
    const std::string bad = directory.file("bad.json");
    writeFile(bad, "[\n{\"ph\":\"X\" \"ts\":1}]");
    const CliResult result = runCli({"import", bad});
    EXPECT_EQ(result.exitCode, 2) << describe(result);
    EXPECT_EQ(result.err, "interleave-cli: " + bad +
                              ": missing ',' or '}' after an object member at byte 12 (line 2, column 11)\n");
    EXPECT_TRUE(result.out.empty()) << result.out;

    const CliResult missing = runCli({"import", directory.file("missing.json")});
    EXPECT_EQ(missing.exitCode, 2) << describe(missing);
    EXPECT_NE(missing.err.find("cannot open"), std::string::npos) << missing.err;
}

TEST(CliImport, RunThenImportGivesBackTheSameSpans) {
    TempDir directory;
    const std::string trace = directory.file("gather.json");
    const std::string runCsv = directory.file("run.csv");
    const CliResult run = runCli({"run", "L2", "--variant", "gather", "--set", "latency_ms=10", "--set", "requests=5",
                                  "--trace", trace, "--csv", runCsv});
    ASSERT_EQ(run.exitCode, 0) << describe(run);

    const std::string importCsv = directory.file("import.csv");
    const std::string again = directory.file("again.json");
    const CliResult imported = runCli({"import", trace, "--csv", importCsv, "--trace", again, "--json"});
    ASSERT_EQ(imported.exitCode, 0) << describe(imported);
    const auto summary = nlohmann::json::parse(imported.out);
    EXPECT_EQ(summary.at("producer"), "Interleave");
    EXPECT_EQ(summary.at("tasks"), 6); // main + 5 requests
    EXPECT_EQ(summary.at("written").size(), 3U);

    const std::vector<std::string> before = comparableSpans(readFile(runCsv));
    const std::vector<std::string> after = comparableSpans(readFile(importCsv));
    EXPECT_GT(before.size(), 10U);
    EXPECT_EQ(before, after);
    EXPECT_EQ(readFile(directory.file("run-counters.csv")).size() > 30, true);
    // The counters come back with the same values (the variant column is the file's stem: "gather").
    EXPECT_EQ(readFile(directory.file("run-counters.csv")), readFile(directory.file("import-counters.csv")));
    EXPECT_TRUE(nlohmann::json::accept(readFile(again)));
}

} // namespace
} // namespace interleave::e2e
