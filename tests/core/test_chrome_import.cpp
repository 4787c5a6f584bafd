// The Chrome trace importer: every event kind, both top-level forms, malformed and truncated input, cancellation,
// real producers (a hand-written VizTracer trace, node when installed) and the round trip through Interleave's
// own Chrome export.
#include "io/chrome_import.h"
#include "plan_builder.h"
#include "runtime/run.h"
#include "trace/trace_analysis.h"
#include "trace/trace_export.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace interleave::test {
namespace {

namespace fs = std::filesystem;

struct Loaded {
    ImportResult result;
    TraceAnalysis analysis;

    explicit Loaded(ImportResult imported) : result(std::move(imported)), analysis(analyze(result.trace)) {}

    const Trace& trace() const { return result.trace; }
    std::vector<std::string> laneNames() const {
        std::vector<std::string> names;
        for (const LaneInfo& lane : result.trace.lanes) {
            names.push_back(lane.name);
        }
        return names;
    }
    std::vector<std::string> taskNames() const {
        std::vector<std::string> names;
        for (const TaskRecord& task : analysis.tasks) {
            names.push_back(taskDisplayName(result.trace, task));
        }
        return names;
    }
    const TaskRecord& task(const std::string& name) const {
        for (const TaskRecord& task : analysis.tasks) {
            if (taskDisplayName(result.trace, task) == name) {
                return task;
            }
        }
        throw std::runtime_error("no task " + name);
    }
    // "state subject start-end" per span of the task, times in µs.
    std::vector<std::string> spans(const std::string& name) const {
        const std::uint32_t id = task(name).id;
        std::vector<std::string> out;
        for (const Span& span : analysis.spans) {
            if (span.task == id) {
                out.push_back(fmt::format("{} {} {}-{}", toString(span.state), result.trace.strings.at(span.subject),
                                          static_cast<double>(span.startNs) / 1000.0,
                                          static_cast<double>(span.endNs) / 1000.0));
            }
        }
        return out;
    }
};

Loaded load(std::string_view json) {
    return Loaded(importChromeTraceText(json));
}

ImportError errorOf(std::string_view json) {
    try {
        importChromeTraceText(json);
    } catch (const ImportError& error) {
        return error;
    }
    ADD_FAILURE() << "no ImportError for: " << json;
    return ImportError("none", 0, 0, 0);
}

class TempDir {
public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "interleave-import-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        m_path = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(m_path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return m_path; }

private:
    fs::path m_path;
};

void writeText(const fs::path& path, std::string_view text) {
    std::ofstream out(path, std::ios::binary);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

// ---------------------------------------------------------------------------------------------------------------
// Event kinds.

TEST(ChromeImport, CompleteAndBeginEndSlicesFlattenIntoRunningSpans) {
    const Loaded loaded = load(R"([
{"ph":"M","pid":1,"tid":7,"name":"thread_name","args":{"name":"worker"}},
{"ph":"M","pid":1,"name":"process_name","args":{"name":"app"}},
{"ph":"X","pid":1,"tid":7,"ts":100,"dur":50,"name":"outer"},
{"ph":"X","pid":1,"tid":7,"ts":110,"dur":10,"name":"inner"},
{"ph":"B","pid":1,"tid":7,"ts":200,"name":"b-outer"},
{"ph":"B","pid":1,"tid":7,"ts":210,"name":"b-inner"},
{"ph":"E","pid":1,"tid":7,"ts":220},
{"ph":"E","pid":1,"tid":7,"ts":230},
{"ph":"E","pid":1,"tid":7,"ts":240}
])");
    EXPECT_EQ(loaded.laneNames(), std::vector<std::string>{"app › worker"});
    EXPECT_EQ(loaded.trace().lanes[0].kind, LaneKind::Imported);
    EXPECT_EQ(loaded.trace().lanes[0].processId, 1);
    EXPECT_EQ(loaded.taskNames(), std::vector<std::string>{"worker"});
    EXPECT_EQ(loaded.spans("worker"),
              (std::vector<std::string>{"running outer 0-10", "running inner 10-20", "running outer 20-50",
                                        "idle  50-100", "running b-outer 100-110", "running b-inner 110-120",
                                        "running b-outer 120-130", "idle  130-140"}));
    EXPECT_EQ(loaded.task("worker").finalState, TaskState::Done);
    EXPECT_EQ(loaded.result.stats.unmatchedEnds, 1U);
    EXPECT_EQ(loaded.result.stats.events, 9U);
    EXPECT_EQ(loaded.result.stats.producer, "Chrome");
    EXPECT_EQ(loaded.trace().endNs, 140'000);
    EXPECT_TRUE(std::is_sorted(loaded.trace().events.begin(), loaded.trace().events.end(),
                               [](const Event& a, const Event& b) { return a.timeNs < b.timeNs; }));
}

TEST(ChromeImport, ObjectFormWithStringIdsAndOutOfOrderSlices) {
    const Loaded loaded = load(R"({"displayTimeUnit":"ns","metadata":{"a":[1,2,{"b":null}],"c":"d"},
"traceEvents":[
{"ph":"X","pid":"main","tid":"t1","ts":20.5,"dur":5,"name":"late","args":{"deep":{"x":[1,{"y":2}]}}},
{"ph":"X","pid":"main","tid":"t1","ts":10.25,"dur":20,"name":"early"},
{"ph":"B","pid":"main","tid":"t1","ts":40,"name":"open at the end"},
{"ph":"i","pid":"main","tid":"t1","ts":50,"name":"tick"}
],"systemTraceEvents":"SYSTEM TRACE","otherData":{"version":"x"}})");
    EXPECT_EQ(loaded.laneNames(), std::vector<std::string>{"pid main › tid t1"});
    EXPECT_EQ(loaded.trace().lanes[0].processId, 0); // not a number
    EXPECT_EQ(loaded.spans("tid t1"),
              (std::vector<std::string>{"running early 0-10.25", "running late 10.25-15.25", "running early 15.25-20",
                                        "idle  20-29.75", "running open at the end 29.75-39.75"}));
    // The B never ended: closed at the trace's end (the instant at 50 µs), where the task is done.
    EXPECT_EQ(loaded.trace().endNs, 39'750);
}

TEST(ChromeImport, AsyncEventsBecomeTaskLanesOfTheirThread) {
    const Loaded loaded = load(R"([
{"ph":"M","pid":1,"tid":1,"name":"thread_name","args":{"name":"main"}},
{"ph":"X","pid":1,"tid":1,"ts":0,"dur":5,"name":"setup"},
{"ph":"b","cat":"net","pid":1,"tid":1,"ts":10,"id":"0x1","name":"request"},
{"ph":"b","cat":"net","pid":1,"tid":2,"ts":20,"id":"0x1","name":"dns"},
{"ph":"n","cat":"net","pid":1,"tid":2,"ts":25,"id":"0x1","name":"resolved"},
{"ph":"e","cat":"net","pid":1,"tid":2,"ts":30,"id":"0x1","name":"dns"},
{"ph":"e","cat":"net","pid":1,"tid":1,"ts":60,"id":"0x1","name":"request"},
{"ph":"b","cat":"other","pid":1,"tid":1,"ts":15,"id":"0x1","name":"same id, other category"},
{"ph":"e","cat":"other","pid":1,"tid":1,"ts":16,"id":"0x1"},
{"ph":"S","cat":"old","pid":1,"tid":1,"ts":40,"id":5,"name":"legacy"},
{"ph":"F","cat":"old","pid":1,"tid":1,"ts":45,"id":5},
{"ph":"b","cat":"scoped","pid":1,"tid":1,"ts":50,"id2":{"local":"0xA"},"name":"local id"},
{"ph":"e","cat":"scoped","pid":1,"tid":1,"ts":55,"id2":{"local":"0xA"}},
{"ph":"e","cat":"net","pid":1,"tid":1,"ts":70,"id":"0x9"}
])");
    EXPECT_EQ(loaded.taskNames(),
              (std::vector<std::string>{"main", "tid 2", "request", "same id, other category", "legacy", "local id"}));
    const TaskRecord& request = loaded.task("request");
    EXPECT_EQ(request.parent, loaded.task("main").id);
    EXPECT_EQ(request.firstLane, 0);
    EXPECT_EQ(request.finalState, TaskState::Done);
    EXPECT_EQ(request.endedNs, 60'000);
    EXPECT_EQ(loaded.spans("request"), (std::vector<std::string>{"waiting-io request 10-20", "waiting-io dns 20-30",
                                                                 "waiting-io request 30-60"}));
    EXPECT_EQ(loaded.spans("legacy"), std::vector<std::string>{"waiting-io legacy 40-45"});
    EXPECT_EQ(loaded.spans("local id"), std::vector<std::string>{"waiting-io local id 50-55"});
    EXPECT_EQ(loaded.result.stats.unmatchedEnds, 1U);
    ASSERT_EQ(loaded.analysis.markers.size(), 1U);
    const MarkerRecord& marker = loaded.analysis.markers[0];
    EXPECT_EQ(marker.kind, MarkerKind::Instant);
    EXPECT_EQ(marker.task, request.id);
    EXPECT_EQ(loaded.trace().strings.at(marker.subject), "resolved");
    EXPECT_EQ(marker.timeNs, 25'000);
}

TEST(ChromeImport, CountersMakeOneSeriesPerKeyWithRealValues) {
    const Loaded loaded = load(R"([
{"ph":"M","pid":1,"name":"process_name","args":{"name":"alpha"}},
{"ph":"M","pid":2,"name":"process_name","args":{"name":"beta"}},
{"ph":"C","pid":1,"ts":0,"name":"queue","args":{"depth":3}},
{"ph":"C","pid":1,"ts":10,"name":"queue","args":{"depth":5}},
{"ph":"C","pid":1,"ts":0,"name":"mem","args":{"heap":1.5,"rss":3e9,"label":"text is not a value"}},
{"ph":"C","pid":1,"ts":20,"name":"mem","args":{"heap":0.25,"rss":-7}},
{"ph":"C","pid":1,"ts":5,"name":"shared","args":{"value":1}},
{"ph":"C","pid":2,"ts":5,"name":"shared","args":{"value":2}}
])");
    const CounterSeries* queue = loaded.analysis.counter("queue");
    ASSERT_NE(queue, nullptr);
    ASSERT_EQ(queue->points.size(), 2U);
    EXPECT_EQ(queue->points[1].timeNs, 10'000);
    EXPECT_EQ(queue->points[1].value, 5.0);
    EXPECT_EQ(queue->peak, 5.0);
    const CounterSeries* heap = loaded.analysis.counter("mem · heap");
    const CounterSeries* rss = loaded.analysis.counter("mem · rss");
    ASSERT_NE(heap, nullptr);
    ASSERT_NE(rss, nullptr);
    EXPECT_EQ(heap->points[0].value, 1.5);
    EXPECT_EQ(heap->points[1].value, 0.25);
    EXPECT_EQ(rss->points[0].value, 3e9);
    EXPECT_EQ(rss->points[1].value, -7.0);
    EXPECT_NE(loaded.analysis.counter("alpha › shared"), nullptr);
    EXPECT_NE(loaded.analysis.counter("beta › shared"), nullptr);
    EXPECT_EQ(loaded.analysis.counters.size(), 5U);
    EXPECT_FALSE(loaded.trace().realValues.empty());
    EXPECT_EQ(loaded.trace().lanes.size(), 1U); // counters are not thread-bound: one lane to carry them

    // Exports keep integers as integers and fractions exact.
    std::ostringstream csv;
    writeCountersCsv(csv, {LabelledTrace{"v", &loaded.trace(), &loaded.analysis}});
    EXPECT_NE(csv.str().find("v,queue,0.010000,5\n"), std::string::npos) << csv.str();
    EXPECT_NE(csv.str().find("v,mem · heap,0.020000,0.25\n"), std::string::npos) << csv.str();
    EXPECT_NE(csv.str().find("v,mem · rss,0.000000,3000000000\n"), std::string::npos) << csv.str();
}

TEST(ChromeImport, InstantsInEachScope) {
    const Loaded loaded = load(R"([
{"ph":"M","pid":1,"name":"process_name","args":{"name":"first"}},
{"ph":"M","pid":2,"name":"process_name","args":{"name":"second"}},
{"ph":"X","pid":1,"tid":1,"ts":0,"dur":100,"name":"work"},
{"ph":"X","pid":2,"tid":3,"ts":0,"dur":100,"name":"work"},
{"ph":"i","pid":2,"tid":3,"ts":10,"name":"thread default"},
{"ph":"I","pid":2,"tid":3,"ts":20,"name":"thread explicit","s":"t"},
{"ph":"i","pid":2,"tid":4,"ts":30,"name":"process wide","s":"p"},
{"ph":"i","pid":2,"tid":4,"ts":40,"name":"global","s":"g"}
])");
    EXPECT_EQ(loaded.laneNames(), (std::vector<std::string>{"first › tid 1", "second › tid 3"}));
    ASSERT_EQ(loaded.analysis.markers.size(), 4U);
    const std::uint32_t secondTask = loaded.task("tid 3").id;
    const auto& markers = loaded.analysis.markers;
    for (const MarkerRecord& marker : markers) {
        EXPECT_EQ(marker.kind, MarkerKind::Instant);
    }
    EXPECT_EQ(loaded.trace().strings.at(markers[0].subject), "thread default");
    EXPECT_EQ(markers[0].task, secondTask);
    EXPECT_EQ(markers[0].lane, 1);
    EXPECT_EQ(markers[1].task, secondTask);
    EXPECT_EQ(loaded.trace().strings.at(markers[2].subject), "process wide");
    EXPECT_EQ(markers[2].task, kNoTask);
    EXPECT_EQ(markers[2].lane, 1); // the process's first lane
    EXPECT_EQ(markers[3].task, kNoTask);
    EXPECT_EQ(markers[3].lane, 0);
    EXPECT_EQ(toString(MarkerKind::Instant), "instant");
}

TEST(ChromeImport, SortIndicesOrderLanesOtherwiseFirstAppearance) {
    const Loaded loaded = load(R"([
{"ph":"X","pid":1,"tid":1,"ts":0,"dur":1,"name":"a"},
{"ph":"X","pid":1,"tid":2,"ts":0,"dur":1,"name":"a"},
{"ph":"X","pid":1,"tid":3,"ts":0,"dur":1,"name":"a"},
{"ph":"X","pid":2,"tid":9,"ts":0,"dur":1,"name":"a"},
{"ph":"M","pid":1,"tid":3,"name":"thread_sort_index","args":{"sort_index":-1}},
{"ph":"M","pid":2,"name":"process_sort_index","args":{"sort_index":0}},
{"ph":"M","pid":1,"name":"process_sort_index","args":{"sort_index":5}}
])");
    EXPECT_EQ(loaded.laneNames(),
              (std::vector<std::string>{"pid 2 › tid 9", "pid 1 › tid 3", "pid 1 › tid 1", "pid 1 › tid 2"}));
    EXPECT_EQ(loaded.taskNames(), (std::vector<std::string>{"tid 9", "tid 3", "tid 1", "tid 2"}));
}

TEST(ChromeImport, UnknownPhasesAreCountedNotFatal) {
    const Loaded loaded = load(R"([
{"ph":"O","pid":1,"tid":1,"ts":0,"id":"1","name":"snapshot","args":{"snapshot":{}}},
{"ph":"N","pid":1,"tid":1,"ts":0,"id":"1","name":"obj"},
{"ph":"D","pid":1,"tid":1,"ts":0,"id":"1","name":"obj"},
{"ph":"s","pid":1,"tid":1,"ts":0,"id":"1","name":"flow"},
{"ph":"f","pid":1,"tid":1,"ts":0,"id":"1","name":"flow","bp":"e"},
{"ph":"R","pid":1,"tid":1,"ts":0,"name":"mark"},
{"ph":"X","pid":1,"tid":1,"ts":1,"dur":1,"name":"work"}
])");
    EXPECT_EQ(loaded.result.stats.ignored, 6U);
    EXPECT_EQ(loaded.result.stats.events, 7U);
    EXPECT_EQ(loaded.analysis.spans.size(), 1U);
}

TEST(ChromeImport, EmptyArraysGiveAnEmptyTrace) {
    EXPECT_TRUE(load("[]").trace().events.empty());
    EXPECT_TRUE(load(R"({"traceEvents":[]})").trace().lanes.empty());
    EXPECT_TRUE(load(R"({"other":1})").trace().events.empty());
}

// ---------------------------------------------------------------------------------------------------------------
// Malformed and truncated input.

TEST(ChromeImport, MissingCommaGivesItsByteLineAndColumn) {
    const ImportError error = errorOf("[\n  {\"ph\":\"i\",\"ts\":1}\n  {\"ph\":\"i\",\"ts\":2}\n]");
    EXPECT_EQ(error.offset(), 24U);
    EXPECT_EQ(error.line(), 3U);
    EXPECT_EQ(error.column(), 3U);
    EXPECT_STREQ(error.what(), "missing ',' or ']' after an array element at byte 24 (line 3, column 3)");
}

TEST(ChromeImport, AByteOrderMarkIsSkipped) {
    // Some Windows editors start a saved file with one; JSON itself has none.
    EXPECT_EQ(load("\xEF\xBB\xBF[{\"ph\":\"X\",\"ts\":1,\"dur\":2,\"pid\":1,\"tid\":1}]").trace().lanes.size(), 1U);
    const ImportError half = errorOf("\xEF\xBB[]");
    EXPECT_EQ(half.offset(), 0U);
}

TEST(ChromeImport, MoreThreadsThanLanesIsRefusedAtTheEventThatAddsOneTooMany) {
    // 70,000 pids: a lane number is 16 bits. It was "unexpected error: more than 65536 threads", with no place.
    std::string json = "[";
    for (int pid = 0; pid < 70'000; ++pid) {
        json += (pid == 0 ? "" : ",") + std::string("{\"ph\":\"X\",\"ts\":") + std::to_string(pid) +
                ",\"dur\":1,\"pid\":" + std::to_string(pid) + ",\"tid\":1}";
    }
    json += "]";
    const ImportError error = errorOf(json);
    EXPECT_NE(std::string(error.what()).find("more than 65535 threads"), std::string::npos) << error.what();
    EXPECT_EQ(error.line(), 1U);
    EXPECT_GT(error.offset(), 65'535U * 40);
}

TEST(ChromeImport, NegativeAndHugeThreadIdsAreNumbersNotNames) {
    // Found by fuzzing: a negative tid set the bit that marks a name (an out_of_range abort), and a pid of 4.3e73
    // was converted to an integer (undefined behaviour).
    const Loaded loaded = load(R"([{"ph":"M","pid":1,"tid":-7,"name":"thread_name","args":{"name":"main"}},)"
                               R"({"ph":"X","ts":1,"dur":2,"pid":1,"tid":-7},)"
                               R"({"ph":"X","ts":1,"dur":2,"pid":4.3e73,"tid":1.5}])");
    EXPECT_EQ(loaded.trace().lanes.size(), 2U);
}

TEST(ChromeImport, BadLiteralIsInvalid) {
    const ImportError error = errorOf("[{\"ph\":\"i\",\"ts\":1,\"s\":tru}]");
    EXPECT_EQ(error.offset(), 25U); // the '}' where "true" should go on
    EXPECT_EQ(error.line(), 1U);
    EXPECT_EQ(error.column(), 26U);
    EXPECT_STREQ(error.what(), "invalid value at byte 25 (line 1, column 26)");
}

TEST(ChromeImport, WrongTypesAreReportedAtTheEvent) {
    const ImportError ph = errorOf("[{\"ph\":\"i\",\"ts\":1},\n {\"ph\":1,\"ts\":0}]");
    EXPECT_EQ(ph.offset(), 21U);
    EXPECT_EQ(ph.line(), 2U);
    EXPECT_EQ(ph.column(), 2U);
    EXPECT_STREQ(ph.what(), "\"ph\" is not a string at byte 21 (line 2, column 2)");

    const ImportError ts = errorOf("[\n{\"ph\":\"X\",\"ts\":\"12\",\"dur\":1}\n]");
    EXPECT_EQ(ts.offset(), 2U);
    EXPECT_EQ(ts.line(), 2U);
    EXPECT_EQ(ts.column(), 1U);
    EXPECT_STREQ(ts.what(), "\"ts\" is not a number at byte 2 (line 2, column 1)");

    EXPECT_STREQ(errorOf("[{\"ph\":\"B\"}]").what(), "a trace event has no \"ts\" at byte 1 (line 1, column 2)");
    EXPECT_STREQ(errorOf("[{\"ts\":1}]").what(), "a trace event has no \"ph\" at byte 1 (line 1, column 2)");
    EXPECT_STREQ(errorOf("[{\"ph\":\"X\",\"ts\":1,\"dur\":-2}]").what(),
                 "\"dur\" is negative at byte 1 (line 1, column 2)");
    EXPECT_NE(std::string(errorOf("[1]").what()).find("not an object"), std::string::npos);
    EXPECT_NE(std::string(errorOf("[[]]").what()).find("not an object at byte 1"), std::string::npos);
    EXPECT_NE(std::string(errorOf("{\"traceEvents\":{}}").what()).find("not an array"), std::string::npos);
    EXPECT_NE(std::string(errorOf("\"text\"").what()).find("expected an array"), std::string::npos);
    EXPECT_NE(std::string(errorOf("[{\"ph\":\"i\",\"ts\":1}] x").what()).find("after the end"), std::string::npos);
}

TEST(ChromeImport, TruncatedFilesAreUnexpectedEnds) {
    const std::string whole = R"({"traceEvents":[{"ph":"X","name":"some work","pid":1,"tid":1,"ts":12345,"dur":10}]})";
    const std::vector<std::size_t> cuts = {
        whole.find("some") + 2,  // mid-string
        whole.find("12345") + 3, // mid-number
        whole.find("\"pid\""),   // mid-object
        whole.size() - 1,        // object form without its final }
        0,                       // empty file
    };
    for (std::size_t cut : cuts) {
        const std::string text = whole.substr(0, cut);
        const ImportError error = errorOf(text);
        EXPECT_EQ(error.offset(), cut) << text;
        EXPECT_EQ(std::string(error.what()),
                  fmt::format("unexpected end of file at byte {} (line 1, column {})", cut, cut + 1))
            << text;
    }
}

TEST(ChromeImport, ArrayFormMayLackItsClosingBracket) {
    const std::string events = R"([{"ph":"X","pid":1,"tid":1,"ts":0,"dur":5,"name":"a"},
{"ph":"X","pid":1,"tid":1,"ts":10,"dur":5,"name":"b"})";
    EXPECT_EQ(load(events).analysis.spans.size(), 3U); // a, idle, b
    EXPECT_EQ(load(events + ",\n").analysis.spans.size(), 3U);
    EXPECT_EQ(load(events + "  \n\n").analysis.spans.size(), 3U);
    EXPECT_NE(std::string(errorOf(events + ",,").what()).find("at byte"), std::string::npos);
    EXPECT_NE(std::string(errorOf(events + ",{").what()).find("unexpected end"), std::string::npos);
    EXPECT_NE(std::string(errorOf(events.substr(0, events.size() - 1)).what()).find("unexpected end"),
              std::string::npos);
    EXPECT_NE(std::string(errorOf("[").what()).find("unexpected end of file at byte 1"), std::string::npos);
    EXPECT_NE(std::string(errorOf(R"({"traceEvents":[{"ph":"i","ts":1})").what()).find("unexpected end"),
              std::string::npos);
}

TEST(ChromeImport, FileErrorsNameTheFile) {
    const TempDir directory;
    const fs::path bad = directory.path() / "bad.json";
    writeText(bad, "[\n{\"ph\":\"X\" \"ts\":1}]");
    try {
        importChromeTrace(bad);
        FAIL() << "no error";
    } catch (const ImportError& error) {
        EXPECT_EQ(std::string(error.what()),
                  bad.string() + ": missing ',' or '}' after an object member at byte 12 (line 2, column 11)");
    }
    EXPECT_THROW(importChromeTrace(directory.path() / "missing.json"), ImportError);
}

// ---------------------------------------------------------------------------------------------------------------
// Streaming and cancellation.

std::string syntheticTrace(int events) {
    std::string text = "[";
    for (int index = 0; index < events; ++index) {
        text +=
            fmt::format(R"({{"ph":"X","pid":1,"tid":{},"ts":{},"dur":3,"name":"slice {}","cat":"padding padding"}},)"
                        "\n",
                        index % 4, index * 5, index % 50);
    }
    text += "{\"ph\":\"i\",\"pid\":1,\"tid\":0,\"ts\":0,\"name\":\"end\"}]";
    return text;
}

TEST(ChromeImport, ProgressReportsGrowingOffsetsAndTheTotal) {
    const TempDir directory;
    const fs::path file = directory.path() / "big.json";
    const std::string text = syntheticTrace(40'000); // about 4 MB
    writeText(file, text);
    std::vector<std::uint64_t> seen;
    std::uint64_t total = 0;
    const ImportResult result = importChromeTrace(file, [&](std::uint64_t bytes, std::uint64_t of) {
        seen.push_back(bytes);
        total = of;
        return true;
    });
    EXPECT_EQ(total, text.size());
    EXPECT_EQ(result.stats.bytes, text.size());
    EXPECT_EQ(result.stats.events, 40'001U);
    ASSERT_GE(seen.size(), 4U);
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
    EXPECT_EQ(seen.front(), 0U);
    EXPECT_EQ(seen.back(), text.size());
    EXPECT_EQ(result.trace.lanes.size(), 4U);
}

TEST(ChromeImport, ProgressReturningFalseCancels) {
    const TempDir directory;
    const fs::path file = directory.path() / "big.json";
    writeText(file, syntheticTrace(40'000));
    int calls = 0;
    EXPECT_THROW(importChromeTrace(file,
                                   [&](std::uint64_t bytes, std::uint64_t) {
                                       ++calls;
                                       return bytes < 2'000'000;
                                   }),
                 ImportCancelled);
    EXPECT_GE(calls, 2);
    EXPECT_THROW(importChromeTrace(file, [](std::uint64_t, std::uint64_t) { return false; }), ImportCancelled);
}

// ---------------------------------------------------------------------------------------------------------------
// Real producers.

TEST(ChromeImport, VizTracerAsyncioTrace) {
    const Loaded loaded(importChromeTrace(fs::path(INTERLEAVE_TEST_DATA_DIR) / "viztracer_asyncio.json"));
    EXPECT_EQ(loaded.result.stats.producer, "VizTracer");
    EXPECT_EQ(loaded.laneNames(), (std::vector<std::string>{"MainProcess › MainThread", "MainProcess › Task-1",
                                                            "MainProcess › fetch-a", "MainProcess › fetch-b"}));
    EXPECT_EQ(loaded.taskNames(), (std::vector<std::string>{"MainThread", "Task-1", "fetch-a", "fetch-b"}));
    const std::string fetch = "running fetch (/home/demo/demo.py:3)";
    const std::string sleep = "running sleep (/usr/lib/python3.11/asyncio/tasks.py:627)";
    EXPECT_EQ(
        loaded.spans("fetch-a"),
        (std::vector<std::string>{fetch + " 149.875-151.875", sleep + " 151.875-159.875", fetch + " 159.875-161.875",
                                  "idle  161.875-20159.875", fetch + " 20159.875-20160.875",
                                  sleep + " 20160.875-20163.875", fetch + " 20163.875-20165.875"}));
    EXPECT_EQ(loaded.task("fetch-b").endedNs, 30'174'875);
    // Task-1 awaits gather(): it runs, then idles ~30 ms until both fetches are done.
    const std::vector<std::string> main = loaded.spans("Task-1");
    ASSERT_EQ(main.size(), 9U);
    EXPECT_EQ(main[1], "running create_task (/usr/lib/python3.11/asyncio/tasks.py:374) 99.875-110.375");
    EXPECT_EQ(main[7], "idle  137.875-30189.875");
    ASSERT_EQ(loaded.analysis.markers.size(), 1U);
    EXPECT_EQ(loaded.analysis.markers[0].lane, 0);
    EXPECT_EQ(loaded.trace().strings.at(loaded.analysis.markers[0].subject), "all fetched");
}

TEST(ChromeImport, NodeTraceEventsWhenNodeIsInstalled) {
    if (std::system("command -v node >/dev/null 2>&1") != 0) {
        GTEST_SKIP() << "node is not installed";
    }
    const TempDir directory;
    writeText(directory.path() / "script.js", R"(
const fs = require('fs');
setTimeout(() => {
  fs.readFile(__filename, () => {
    Promise.resolve(1).then(() => setTimeout(() => {}, 2));
  });
}, 5);
)");
    const std::string command =
        fmt::format("cd '{}' && node --trace-events-enabled --trace-event-categories node,node.async_hooks,v8 "
                    "script.js >/dev/null 2>&1",
                    directory.path().string());
    ASSERT_EQ(std::system(command.c_str()), 0);
    const Loaded loaded(importChromeTrace(directory.path() / "node_trace.1.log"));
    EXPECT_EQ(loaded.result.stats.producer, "node");
    EXPECT_GE(loaded.trace().lanes.size(), 1U);
    std::size_t asyncTasks = 0;
    for (const TaskRecord& task : loaded.analysis.tasks) {
        asyncTasks += task.parent != kNoTask ? 1U : 0U;
    }
    EXPECT_GE(asyncTasks, 2U); // Timeout, FSREQCALLBACK, ...
    EXPECT_TRUE(std::any_of(loaded.analysis.spans.begin(), loaded.analysis.spans.end(),
                            [](const Span& span) { return span.state == TaskState::WaitingIo; }));
    EXPECT_TRUE(std::any_of(loaded.analysis.spans.begin(), loaded.analysis.spans.end(),
                            [](const Span& span) { return span.state == TaskState::Running; }));
    const std::vector<std::string> names = loaded.taskNames();
    EXPECT_NE(std::find(names.begin(), names.end(), "Timeout"), names.end());
}

// ---------------------------------------------------------------------------------------------------------------
// Round trip: a real run -> Chrome JSON -> import gives back the same spans and counters.

TEST(ChromeImport, RoundTripOfAnInterleaveRun) {
    PlanBuilder builder(Model::Async);
    const int sem = builder.primitive("sem", PrimitiveKind::Semaphore, 2);
    builder.heartbeatMs(2).program({builder.fanOut(
        OpKind::Gather, "request", 5, {onPrimitive(OpKind::Acquire, sem), io(4), onPrimitive(OpKind::Release, sem)})});
    const RunResult run = runToCompletion(builder.build());
    const TraceAnalysis original = analyze(run.trace);

    std::ostringstream json;
    writeChromeTrace(json, {LabelledTrace{"async", &run.trace, &original, "round trip"}});
    const Loaded loaded = load(json.str());
    EXPECT_EQ(loaded.result.stats.producer, "Interleave");

    auto names = [](const Trace& trace, const TraceAnalysis& analysis) {
        std::vector<std::string> out;
        for (const TaskRecord& task : analysis.tasks) {
            out.push_back(taskDisplayName(trace, task));
        }
        return out;
    };
    ASSERT_EQ(names(loaded.trace(), loaded.analysis), names(run.trace, original));

    // Spans per task, in order, without zero-length ones (an export carries them, the model has no use for them).
    auto spansOf = [](const Trace& trace, const TraceAnalysis& analysis, std::size_t index) {
        std::vector<Span> out;
        for (const Span& span : analysis.spans) {
            if (span.task == analysis.tasks[index].id && span.endNs > span.startNs) {
                out.push_back(span);
            }
        }
        (void)trace;
        return out;
    };
    std::size_t compared = 0;
    for (std::size_t index = 0; index < original.tasks.size(); ++index) {
        const std::vector<Span> before = spansOf(run.trace, original, index);
        const std::vector<Span> after = spansOf(loaded.trace(), loaded.analysis, index);
        ASSERT_EQ(before.size(), after.size()) << "task " << index;
        for (std::size_t at = 0; at < before.size(); ++at) {
            EXPECT_EQ(before[at].state, after[at].state) << "task " << index << " span " << at;
            EXPECT_NEAR(static_cast<double>(before[at].startNs), static_cast<double>(after[at].startNs), 1000.0);
            EXPECT_NEAR(static_cast<double>(before[at].endNs), static_cast<double>(after[at].endNs), 1000.0);
            const std::string subjectBefore = run.trace.strings.at(before[at].subject);
            EXPECT_EQ(subjectBefore, loaded.trace().strings.at(after[at].subject));
            EXPECT_EQ(before[at].line, after[at].line);
            ++compared;
        }
    }
    EXPECT_GT(compared, 10U);

    ASSERT_EQ(loaded.analysis.counters.size(), original.counters.size());
    for (const CounterSeries& series : original.counters) {
        const CounterSeries* imported = loaded.analysis.counter(series.name);
        ASSERT_NE(imported, nullptr) << series.name;
        ASSERT_EQ(imported->points.size(), series.points.size()) << series.name;
        for (std::size_t at = 0; at < series.points.size(); ++at) {
            EXPECT_EQ(imported->points[at].value, series.points[at].value) << series.name << " " << at;
            EXPECT_NEAR(static_cast<double>(imported->points[at].timeNs), static_cast<double>(series.points[at].timeNs),
                        1000.0);
        }
    }
    EXPECT_NE(loaded.analysis.counter("loop_lag_us"), nullptr);
}

// Interleave's own export of two variants imports back as two variants, each with its own tasks, lanes, counters
// and time axis, not as one run with every variant overlaid from t = 0.
TEST(ChromeImport, AnInterleaveExportOfTwoVariantsSplitsBackIntoThem) {
    auto variant = [](int requests, int limit) {
        PlanBuilder builder(Model::Async);
        const int sem = builder.primitive("sem", PrimitiveKind::Semaphore, limit);
        builder.heartbeatMs(2).program(
            {builder.fanOut(OpKind::Gather, "request", requests,
                            {onPrimitive(OpKind::Acquire, sem), io(3), onPrimitive(OpKind::Release, sem)})});
        return runToCompletion(builder.build());
    };
    const RunResult wide = variant(6, 6);
    const RunResult narrow = variant(4, 1);
    const TraceAnalysis wideAnalysis = analyze(wide.trace);
    const TraceAnalysis narrowAnalysis = analyze(narrow.trace);
    std::ostringstream json;
    writeChromeTrace(json, {LabelledTrace{"unbounded", &wide.trace, &wideAnalysis, "L6 semaphore"},
                            LabelledTrace{"semaphore", &narrow.trace, &narrowAnalysis, "L6 semaphore"}});
    const ImportResult imported = importChromeTraceText(json.str());
    const std::vector<ImportedVariant> variants = splitInterleaveVariants(imported);
    ASSERT_EQ(variants.size(), 2U);
    EXPECT_EQ(variants[0].name, "unbounded");
    EXPECT_EQ(variants[1].name, "semaphore");
    const RunResult* originals[] = {&wide, &narrow};
    for (std::size_t index = 0; index < 2; ++index) {
        const Trace& trace = variants[index].trace;
        const TraceAnalysis split = analyze(trace);
        const TraceAnalysis original = analyze(originals[index]->trace);
        EXPECT_EQ(split.tasks.size(), original.tasks.size()) << variants[index].name;
        EXPECT_EQ(trace.lanes.size(), originals[index]->trace.lanes.size()) << variants[index].name;
        for (const LaneInfo& lane : trace.lanes) {
            EXPECT_EQ(lane.name.find("L6 semaphore"), std::string::npos) << lane.name; // no process prefix left
        }
        // Its own counters under their plain names, with the peak of its own run.
        const auto peakOf = [](const TraceAnalysis& analysis, std::string_view name) {
            for (const CounterSeries& series : analysis.counters) {
                if (series.name == name) {
                    double peak = 0;
                    for (const CounterPoint& point : series.points) {
                        peak = std::max(peak, point.value);
                    }
                    return peak;
                }
            }
            return -1.0;
        };
        EXPECT_EQ(peakOf(split, "sem.in_use"), peakOf(original, "sem.in_use")) << variants[index].name;
        EXPECT_NEAR(static_cast<double>(split.makespanNs), static_cast<double>(original.makespanNs), 2e6);
    }
    // One process only: nothing to split.
    std::ostringstream single;
    writeChromeTrace(single, {LabelledTrace{"unbounded", &wide.trace, &wideAnalysis, "L6 semaphore"}});
    EXPECT_TRUE(splitInterleaveVariants(importChromeTraceText(single.str())).empty());
}

} // namespace
} // namespace interleave::test
