// Streams traces out as CSV (spans, counters) and Chrome trace JSON for Perfetto, without building a DOM.
#include "trace/trace_export.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ios>
#include <optional>
#include <string_view>

namespace interleave::core {

namespace {

constexpr std::string_view kLoopLagExportName = "loop_lag_ms";
constexpr std::size_t kFlushBytes = 1 << 20;

// Buffers formatted text and hands it to the stream in large blocks.
class Writer {
public:
    explicit Writer(std::ostream& out) : m_out(out) {}
    ~Writer() { flush(); }
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    fmt::memory_buffer& buffer() { return m_buffer; }
    void text(std::string_view text) { m_buffer.append(text.data(), text.data() + text.size()); }
    template <typename... Args> void format(fmt::format_string<Args...> pattern, Args&&... args) {
        fmt::format_to(std::back_inserter(m_buffer), pattern, std::forward<Args>(args)...);
    }
    // A stream that failed (a full disk, a stop) ends the export at its next block rather than after formatting the
    // rest for nothing: the caller's file is then not written (see writeFileAtomically).
    void maybeFlush() {
        if (m_buffer.size() >= kFlushBytes) {
            flush();
            if (!m_out) {
                throw std::ios_base::failure("the export's stream failed");
            }
        }
    }
    void flush() {
        m_out.write(m_buffer.data(), static_cast<std::streamsize>(m_buffer.size()));
        m_buffer.clear();
    }

private:
    std::ostream& m_out;
    fmt::memory_buffer m_buffer;
};

// Fixed-point from integer ns, so no float rounding: 1234567 ns -> "1234.567" (us) or "1.234567" (ms).
void appendScaled(Writer& writer, std::int64_t ns, std::int64_t divisor, int decimals) {
    const char* sign = ns < 0 ? "-" : "";
    const auto magnitude = static_cast<std::uint64_t>(ns < 0 ? -ns : ns);
    const auto unit = static_cast<std::uint64_t>(divisor);
    writer.format("{}{}.{:0{}}", sign, magnitude / unit, magnitude % unit, decimals);
}
void appendMicros(Writer& writer, std::int64_t ns) {
    appendScaled(writer, ns, 1000, 3);
}
void appendMillis(Writer& writer, std::int64_t ns) {
    appendScaled(writer, ns, 1'000'000, 6);
}

// Length of the valid UTF-8 sequence at `at`, or 0 when the bytes there are not valid UTF-8.
std::size_t utf8SequenceLength(std::string_view text, std::size_t at) {
    const auto lead = static_cast<unsigned char>(text[at]);
    std::size_t length = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
    } else {
        return 0;
    }
    if (at + length > text.size()) {
        return 0;
    }
    for (std::size_t i = 1; i < length; ++i) {
        if ((static_cast<unsigned char>(text[at + i]) & 0xC0U) != 0x80U) {
            return 0;
        }
    }
    return length;
}

// A JSON string literal; invalid UTF-8 becomes U+FFFD so that the document always parses.
void appendJsonString(Writer& writer, std::string_view text) {
    auto& buffer = writer.buffer();
    buffer.push_back('"');
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '"' || c == '\\') {
            buffer.push_back('\\');
            buffer.push_back(static_cast<char>(c));
        } else if (c == '\n') {
            writer.text("\\n");
        } else if (c == '\t') {
            writer.text("\\t");
        } else if (c < 0x20 || c == 0x7F) {
            writer.format("\\u{:04x}", c);
        } else if (c < 0x80) {
            buffer.push_back(static_cast<char>(c));
        } else if (const std::size_t length = utf8SequenceLength(text, i); length > 0) {
            writer.text(text.substr(i, length));
            i += length - 1;
        } else {
            writer.text("\\ufffd");
        }
    }
    buffer.push_back('"');
}

void appendCsvField(Writer& writer, std::string_view text) {
    if (text.find_first_of(",\"\n\r") == std::string_view::npos) {
        writer.text(text);
        return;
    }
    auto& buffer = writer.buffer();
    buffer.push_back('"');
    for (char c : text) {
        if (c == '"') {
            buffer.push_back('"');
        }
        buffer.push_back(c);
    }
    buffer.push_back('"');
}

// The analysis to use for one labelled trace: the caller's, or one computed here when none was given.
class ResolvedTrace {
public:
    explicit ResolvedTrace(const LabelledTrace& labelled) : m_trace(*labelled.trace) {
        if (labelled.analysis == nullptr) {
            m_owned = analyze(m_trace);
        }
        m_analysis = labelled.analysis != nullptr ? labelled.analysis : &*m_owned;
        m_taskNames.reserve(m_analysis->tasks.size());
        for (const TaskRecord& task : m_analysis->tasks) {
            m_taskNames.push_back(taskDisplayName(m_trace, task));
        }
    }
    ResolvedTrace(const ResolvedTrace&) = delete; // m_analysis may point into m_owned
    ResolvedTrace& operator=(const ResolvedTrace&) = delete;
    const Trace& trace() const { return m_trace; }
    const TraceAnalysis& analysis() const { return *m_analysis; }

    std::string laneName(std::uint16_t lane) const {
        return lane < m_trace.lanes.size() ? m_trace.lanes[lane].name : fmt::format("lane {}", lane);
    }
    std::string_view taskName(std::uint32_t id) const {
        const auto& tasks = m_analysis->tasks;
        auto found =
            std::lower_bound(tasks.begin(), tasks.end(), id,
                             [](const TaskRecord& record, std::uint32_t wanted) { return record.id < wanted; });
        if (found == tasks.end() || found->id != id) {
            return {};
        }
        return m_taskNames[static_cast<std::size_t>(found - tasks.begin())];
    }
    std::string_view string(std::uint32_t id) const {
        return id != 0 && id < m_trace.strings.size() ? std::string_view(m_trace.strings.at(id)) : std::string_view();
    }

private:
    const Trace& m_trace;
    std::optional<TraceAnalysis> m_owned;
    const TraceAnalysis* m_analysis = nullptr;
    std::vector<std::string> m_taskNames; // parallel to analysis().tasks
};

// Task spans and lane spans merged by start time.
template <typename Visit> void forEachSpanByStart(const TraceAnalysis& analysis, Visit visit) {
    auto task = analysis.spans.begin();
    auto lane = analysis.laneSpans.begin();
    while (task != analysis.spans.end() || lane != analysis.laneSpans.end()) {
        const bool takeLane =
            task == analysis.spans.end() || (lane != analysis.laneSpans.end() && lane->startNs < task->startNs);
        visit(takeLane ? *lane++ : *task++);
    }
}

std::string_view exportedCounterName(std::string_view name) {
    return isLoopLagCounter(name) ? kLoopLagExportName : name;
}

// Whole numbers (every live counter) print exactly as integers; fractional imported values print in the shortest
// form that reads back to the same double. JSON has no NaN or infinity: those print as 0.
void appendCounterValue(Writer& writer, std::string_view name, double value) {
    constexpr double kExactIntegers = 9007199254740992.0; // 2^53
    if (!std::isfinite(value)) {
        writer.text("0");
        return;
    }
    const bool integral = std::trunc(value) == value && std::abs(value) < kExactIntegers;
    if (isLoopLagCounter(name)) {
        if (integral) {
            appendScaled(writer, static_cast<std::int64_t>(value), 1000, 3); // us -> ms
        } else {
            writer.format("{}", value / 1000.0);
        }
    } else if (integral) {
        writer.format("{}", static_cast<std::int64_t>(value));
    } else {
        writer.format("{}", value);
    }
}

} // namespace

bool isLoopLagCounter(std::string_view name) {
    return name == "loop_lag_us" || name == "loop_lag_ms";
}

std::uint32_t taskTidOffset(const Trace& trace) {
    const auto lanes = static_cast<std::uint32_t>(trace.lanes.size());
    return lanes < 1000 ? 1000 : (lanes / 1000 + 1) * 1000;
}

void writeSpansCsv(std::ostream& out, const std::vector<LabelledTrace>& traces) {
    Writer writer(out);
    writer.text("variant,lane,task,state,start_ms,end_ms,primitive,line\n");
    for (const LabelledTrace& labelled : traces) {
        if (labelled.trace == nullptr) {
            continue;
        }
        const ResolvedTrace resolved(labelled);
        forEachSpanByStart(resolved.analysis(), [&](const Span& span) {
            appendCsvField(writer, labelled.variant);
            writer.text(",");
            appendCsvField(writer, resolved.laneName(span.lane));
            writer.text(",");
            if (span.task != kNoTask) {
                appendCsvField(writer, resolved.taskName(span.task));
            }
            writer.format(",{},", toString(span.state));
            appendMillis(writer, span.startNs);
            writer.text(",");
            appendMillis(writer, span.endNs);
            writer.text(",");
            appendCsvField(writer, resolved.string(span.subject));
            writer.format(",{}\n", span.line);
            writer.maybeFlush();
        });
    }
}

void writeCountersCsv(std::ostream& out, const std::vector<LabelledTrace>& traces) {
    Writer writer(out);
    writer.text("variant,name,t_ms,value\n");
    for (const LabelledTrace& labelled : traces) {
        if (labelled.trace == nullptr) {
            continue;
        }
        const ResolvedTrace resolved(labelled);
        for (const CounterSeries& series : resolved.analysis().counters) {
            for (const CounterPoint& point : series.points) {
                appendCsvField(writer, labelled.variant);
                writer.text(",");
                appendCsvField(writer, exportedCounterName(series.name));
                writer.text(",");
                appendMillis(writer, point.timeNs);
                writer.text(",");
                appendCounterValue(writer, series.name, point.value);
                writer.text("\n");
                writer.maybeFlush();
            }
        }
    }
}

namespace {

class ChromeWriter {
public:
    explicit ChromeWriter(std::ostream& out) : m_writer(out) { m_writer.text("{\"traceEvents\":[\n"); }
    ~ChromeWriter() {
        m_writer.text("\n],\"displayTimeUnit\":\"ms\"}\n");
        m_writer.flush();
    }
    ChromeWriter(const ChromeWriter&) = delete;
    ChromeWriter& operator=(const ChromeWriter&) = delete;

    void writeVariant(const LabelledTrace& labelled, int pid) {
        const ResolvedTrace resolved(labelled);
        const Trace& trace = resolved.trace();
        const TraceAnalysis& analysis = resolved.analysis();
        const std::uint32_t offset = taskTidOffset(trace);

        const std::string processName =
            labelled.lesson.empty() ? labelled.variant : labelled.lesson + " · " + labelled.variant;
        metadata(pid, 0, "process_name", processName);
        sortIndex(pid, 0, "process_sort_index", pid);
        for (std::size_t lane = 0; lane < trace.lanes.size(); ++lane) {
            const auto tid = static_cast<std::uint32_t>(lane);
            metadata(pid, tid, "thread_name", trace.lanes[lane].name);
            sortIndex(pid, tid, "thread_sort_index", tid);
        }
        for (const TaskRecord& task : analysis.tasks) {
            metadata(pid, task.id + offset, "thread_name", resolved.taskName(task.id));
            sortIndex(pid, task.id + offset, "thread_sort_index", task.id + offset);
        }

        forEachSpanByStart(analysis, [&](const Span& span) {
            const bool laneLevel = span.task == kNoTask;
            begin("X", laneLevel ? "lane" : "task");
            m_writer.text(",\"name\":");
            const std::string_view subject = resolved.string(span.subject);
            appendJsonString(m_writer, subject.empty() ? std::string(toString(span.state))
                                                       : fmt::format("{}: {}", toString(span.state), subject));
            m_writer.format(",\"pid\":{},\"tid\":{},\"ts\":", pid, laneLevel ? span.lane : span.task + offset);
            appendMicros(m_writer, span.startNs);
            m_writer.text(",\"dur\":");
            appendMicros(m_writer, std::max<std::int64_t>(span.endNs - span.startNs, 0));
            m_writer.text(",\"args\":{");
            if (!laneLevel) {
                m_writer.text("\"task\":");
                appendJsonString(m_writer, resolved.taskName(span.task));
                m_writer.text(",");
            }
            m_writer.format("\"state\":\"{}\",\"lane\":", toString(span.state));
            appendJsonString(m_writer, resolved.laneName(span.lane));
            if (!subject.empty()) {
                m_writer.text(",\"primitive\":");
                appendJsonString(m_writer, subject);
            }
            if (span.line > 0) {
                m_writer.format(",\"line\":{}", span.line);
            }
            m_writer.text("}}");
        });

        for (const CounterSeries& series : analysis.counters) {
            for (const CounterPoint& point : series.points) {
                begin("C", "counter");
                m_writer.text(",\"name\":");
                appendJsonString(m_writer, exportedCounterName(series.name));
                m_writer.format(",\"pid\":{},\"tid\":0,\"ts\":", pid);
                appendMicros(m_writer, point.timeNs);
                m_writer.text(",\"args\":{\"value\":");
                appendCounterValue(m_writer, series.name, point.value);
                m_writer.text("}}");
            }
        }

        for (const MarkerRecord& marker : analysis.markers) {
            const std::string_view message = resolved.string(marker.subject);
            begin("i", "marker");
            m_writer.text(",\"s\":\"t\",\"name\":");
            appendJsonString(m_writer, message.empty() ? std::string(toString(marker.kind))
                                                       : fmt::format("{}: {}", toString(marker.kind), message));
            const std::uint32_t tid = marker.task == kNoTask ? marker.lane : marker.task + offset;
            m_writer.format(",\"pid\":{},\"tid\":{},\"ts\":", pid, tid);
            appendMicros(m_writer, marker.timeNs);
            m_writer.format(",\"args\":{{\"kind\":\"{}\",\"lane\":", toString(marker.kind));
            appendJsonString(m_writer, resolved.laneName(marker.lane));
            if (marker.task != kNoTask) {
                m_writer.text(",\"task\":");
                appendJsonString(m_writer, resolved.taskName(marker.task));
            }
            if (!message.empty()) {
                m_writer.text(",\"message\":");
                appendJsonString(m_writer, message);
            }
            if (marker.line > 0) {
                m_writer.format(",\"line\":{}", marker.line);
            }
            m_writer.text("}}");
        }
    }

private:
    // Opens an event object: separator, phase and category; the caller appends the rest and closes it.
    void begin(std::string_view phase, std::string_view category) {
        m_writer.maybeFlush();
        m_writer.text(m_first ? "" : ",\n");
        m_first = false;
        m_writer.format("{{\"ph\":\"{}\",\"cat\":\"{}\"", phase, category);
    }
    void metadata(int pid, std::uint32_t tid, std::string_view name, std::string_view value) {
        begin("M", "__metadata");
        m_writer.format(",\"name\":\"{}\",\"pid\":{},\"tid\":{},\"args\":{{\"name\":", name, pid, tid);
        appendJsonString(m_writer, value);
        m_writer.text("}}");
    }
    void sortIndex(int pid, std::uint32_t tid, std::string_view name, std::uint32_t index) {
        begin("M", "__metadata");
        m_writer.format(",\"name\":\"{}\",\"pid\":{},\"tid\":{},\"args\":{{\"sort_index\":{}}}}}", name, pid, tid,
                        index);
    }

    Writer m_writer;
    bool m_first = true;
};

} // namespace

void writeChromeTrace(std::ostream& out, const std::vector<LabelledTrace>& traces) {
    ChromeWriter writer(out);
    for (std::size_t index = 0; index < traces.size(); ++index) {
        if (traces[index].trace != nullptr) {
            writer.writeVariant(traces[index], static_cast<int>(index) + 1);
        }
    }
}

} // namespace interleave::core
