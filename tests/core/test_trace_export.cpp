// CSV and Chrome trace exports of a hand-built trace, the JSON parsed back and checked.
#include "trace/trace_export.h"
#include "trace_builder.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>
#include <sstream>

namespace interleave::core {
namespace {

using testing::ms;
using testing::TraceBuilder;

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> result;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        result.push_back(line);
    }
    return result;
}

// A loop lane and a worker-process lane: two requests, one blocked on a semaphore, a worker start-up, counters and
// a timeout marker. The second request's name needs quoting in CSV and escaping in JSON.
Trace sampleTrace() {
    TraceBuilder builder;
    builder.lane("loop").lane("worker 1", LaneKind::WorkerProcess);
    builder.task(0, 0, "main").state(0, 0, TaskState::Running).state(ms(0.5), 0, TaskState::WaitingIo);
    builder.task(ms(0.5), 1, "request", 3).state(ms(0.5), 1, TaskState::WaitingIo, 0, {}, 5);
    builder.state(ms(2), 1, TaskState::Done);
    builder.task(ms(0.5), 2, "say \"hi\", twice").state(ms(0.5), 2, TaskState::Blocked, 0, "sem", 7);
    builder.state(ms(1.5), 2, TaskState::Running, 0).state(ms(3), 2, TaskState::Done);
    builder.state(ms(3), 0, TaskState::Done);
    builder.laneState(0, 1, TaskState::Starting).laneState(ms(1.25), 1, TaskState::Idle);
    builder.counter(ms(0.5), "sem.in_use", 1).counter(ms(1.5), "sem.in_use", 0);
    builder.counter(ms(1), "loop_lag_us", 1234); // exported as loop_lag_ms, in ms
    builder.marker(ms(2.5), 2, MarkerKind::Timeout, "took too long");
    return builder.finish(ms(3));
}

TEST(TraceExport, SpansCsvHasOneRowPerSpan) {
    const Trace trace = sampleTrace();
    const TraceAnalysis analysis = analyze(trace);
    std::ostringstream out;
    writeSpansCsv(out, {LabelledTrace{"gather", &trace, &analysis}});
    const auto rows = lines(out.str());
    ASSERT_FALSE(rows.empty());
    EXPECT_EQ(rows[0], "variant,lane,task,state,start_ms,end_ms,primitive,line");
    EXPECT_EQ(rows.size(), 1 + analysis.spans.size() + analysis.laneSpans.size());
    auto contains = [&](const std::string& row) { return std::find(rows.begin(), rows.end(), row) != rows.end(); };
    EXPECT_TRUE(contains("gather,loop,request #3,waiting-io,0.500000,2.000000,,5")) << out.str();
    EXPECT_TRUE(contains("gather,loop,\"say \"\"hi\"\", twice\",blocked,0.500000,1.500000,sem,7")) << out.str();
    EXPECT_TRUE(contains("gather,worker 1,,starting,0.000000,1.250000,,0")) << out.str();
    EXPECT_TRUE(contains("gather,worker 1,,idle,1.250000,3.000000,,0")) << out.str();
}

TEST(TraceExport, CountersCsvConvertsLagToMs) {
    const Trace trace = sampleTrace();
    std::ostringstream out;
    writeCountersCsv(out, {LabelledTrace{"gather", &trace, nullptr}});
    const auto rows = lines(out.str());
    ASSERT_EQ(rows.size(), 4U);
    EXPECT_EQ(rows[0], "variant,name,t_ms,value");
    std::multiset<std::string> body(rows.begin() + 1, rows.end());
    EXPECT_EQ(body.count("gather,sem.in_use,0.500000,1"), 1U);
    EXPECT_EQ(body.count("gather,sem.in_use,1.500000,0"), 1U);
    EXPECT_EQ(body.count("gather,loop_lag_ms,1.000000,1.234"), 1U);
}

TEST(TraceExport, ChromeTraceParsesAndCarriesEveryKind) {
    const Trace trace = sampleTrace();
    const TraceAnalysis analysis = analyze(trace);
    const Trace other = sampleTrace();
    std::ostringstream out;
    writeChromeTrace(out,
                     {LabelledTrace{"loop", &other, nullptr, "L2"}, LabelledTrace{"gather", &trace, &analysis, "L2"}});
    const auto document = nlohmann::json::parse(out.str());
    EXPECT_EQ(document.at("displayTimeUnit"), "ms");
    const auto& events = document.at("traceEvents");
    ASSERT_TRUE(events.is_array());

    std::map<std::string, int> phases;
    std::map<std::pair<int, int>, std::string> threadNames;
    std::set<std::string> processNames;
    for (const auto& event : events) {
        phases[event.at("ph").get<std::string>()]++;
        if (event.at("ph") == "M" && event.at("name") == "thread_name") {
            threadNames[{event.at("pid").get<int>(), event.at("tid").get<int>()}] = event.at("args").at("name");
        }
        if (event.at("ph") == "M" && event.at("name") == "process_name") {
            processNames.insert(event.at("args").at("name").get<std::string>());
        }
    }
    const std::size_t perVariantSpans = analysis.spans.size() + analysis.laneSpans.size();
    EXPECT_EQ(phases["X"], static_cast<int>(2 * perVariantSpans));
    EXPECT_EQ(phases["C"], 6);
    EXPECT_EQ(phases["i"], 2);
    EXPECT_GT(phases["M"], 0);
    EXPECT_EQ(processNames, (std::set<std::string>{"L2 · loop", "L2 · gather"}));
    EXPECT_EQ(threadNames[std::make_pair(2, 0)], "loop");
    EXPECT_EQ(threadNames[std::make_pair(2, 1)], "worker 1");
    EXPECT_EQ(threadNames[std::make_pair(2, 1001)], "request #3");
    EXPECT_EQ(threadNames[std::make_pair(2, 1002)], "say \"hi\", twice");

    bool sawBlocked = false;
    bool sawStartUp = false;
    bool sawLag = false;
    bool sawMarker = false;
    for (const auto& event : events) {
        if (event.at("pid") != 2) {
            continue;
        }
        if (event.at("ph") == "X" && event.at("name") == "blocked: sem") {
            sawBlocked = true;
            EXPECT_EQ(event.at("tid"), 1002);
            EXPECT_DOUBLE_EQ(event.at("ts").get<double>(), 500.0); // microseconds
            EXPECT_DOUBLE_EQ(event.at("dur").get<double>(), 1000.0);
            EXPECT_EQ(event.at("args").at("task"), "say \"hi\", twice");
            EXPECT_EQ(event.at("args").at("state"), "blocked");
            EXPECT_EQ(event.at("args").at("primitive"), "sem");
            EXPECT_EQ(event.at("args").at("line"), 7);
        }
        if (event.at("ph") == "X" && event.at("name") == "starting") {
            sawStartUp = true;
            EXPECT_EQ(event.at("tid"), 1);
            EXPECT_DOUBLE_EQ(event.at("dur").get<double>(), 1250.0);
        }
        if (event.at("ph") == "C" && event.at("name") == "loop_lag_ms") {
            sawLag = true;
            EXPECT_DOUBLE_EQ(event.at("ts").get<double>(), 1000.0);
            EXPECT_DOUBLE_EQ(event.at("args").at("value").get<double>(), 1.234);
        }
        if (event.at("ph") == "i") {
            sawMarker = true;
            EXPECT_EQ(event.at("s"), "t");
            EXPECT_EQ(event.at("name"), "timeout: took too long");
            EXPECT_EQ(event.at("tid"), 1002);
            EXPECT_DOUBLE_EQ(event.at("ts").get<double>(), 2500.0);
        }
    }
    EXPECT_TRUE(sawBlocked && sawStartUp && sawLag && sawMarker);
}

TEST(TraceExport, ChromeTraceKeepsNanosecondsAndSurvivesOddNames) {
    TraceBuilder builder;
    builder.lane("tab\there").task(0, 0, std::string("bad \xff utf8 \x01")).state(1, 0, TaskState::Running);
    builder.state(1'234'567, 0, TaskState::Done);
    const Trace trace = builder.finish(1'234'567);
    std::ostringstream out;
    writeChromeTrace(out, {LabelledTrace{"v", &trace, nullptr}});
    const std::string text = out.str();
    EXPECT_NE(text.find("\"ts\":0.001"), std::string::npos);
    EXPECT_NE(text.find("\"dur\":1234.566"), std::string::npos);
    const auto document = nlohmann::json::parse(text);
    bool sawTask = false;
    for (const auto& event : document.at("traceEvents")) {
        if (event.at("ph") == "M" && event.at("tid") == 1000 && event.at("name") == "thread_name") {
            sawTask = true;
            EXPECT_EQ(event.at("args").at("name"), "bad \xEF\xBF\xBD utf8 \x01");
        }
    }
    EXPECT_TRUE(sawTask);
}

TEST(TraceExport, TaskTidsStayClearOfLaneTids) {
    Trace trace;
    EXPECT_EQ(taskTidOffset(trace), 1000U);
    for (int i = 0; i < 1500; ++i) {
        trace.addLane("pool", LaneKind::PoolThread);
    }
    EXPECT_EQ(taskTidOffset(trace), 2000U);
}

} // namespace
} // namespace interleave::core
