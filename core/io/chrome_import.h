// Imports a Chrome trace JSON file (Perfetto / chrome://tracing format) into one core::Trace, streaming.
//
// Accepted: the array form `[ev, ev, ...]` (its closing `]` may be missing, as Chrome's spec allows, when the text
// ends right after a complete event, optionally followed by a comma) and the object form `{"traceEvents": [...]}`,
// whose other keys (displayTimeUnit, metadata, viztracer_metadata, systemTraceEvents, ...) are skipped whatever
// their type. The file is read in 1 MB chunks with a SAX parser: never whole in memory.
//
// Mapping onto the Trace model:
// - Times: `ts` and `dur` are µs (integers or decimals) -> ns, shifted so that the earliest timed event is at 0;
//   Trace::endNs is the latest end. Events end up sorted by time.
// - Lanes: each (pid, tid) with thread-bound events (slices, thread instants, async events) is one lane
//   (LaneKind::Imported, processId = pid) named "<process name> › <thread name>" (fallbacks "pid N", "tid N"), from
//   M process_name / thread_name. process_sort_index / thread_sort_index order lanes when present, otherwise the
//   order of first appearance. pid and tid may be numbers or strings.
// - Threads: each such thread is also one task named after the thread, created at its first event. Its X and B/E
//   slices become TaskState::Running spans whose subject is the innermost open slice's name (nesting is flattened:
//   when a child ends the parent's name resumes); time with no open slice is TaskState::Idle; the task is Done at
//   the thread's last event. X events may come in any order and overlap (a child sticking out of its parent is cut
//   at the parent's end). An E with no open B is counted in ImportStats::unmatchedEnds; slices still open at the end
//   are closed at the trace's end. Zero-length slices leave no span.
// - Async events b/e/n (and the older S/F as b/e) are matched by (pid, cat, id) (id2.local likewise; id2.global
//   ignores the pid). Each async id, from its first b to the e closing it, is its own task: named after that
//   outermost b, TaskParent = the task of the thread of its first event, on that thread's lane, in
//   TaskState::WaitingIo with the innermost open name as subject, Done at the outermost e. n -> an Instant marker
//   on that task.
// - C counters: one series per args key, named after the event when it has one key, else "<name> · <key>". When
//   several processes have a series of the same name, the process name is put in front: "<process> › <name>".
//   Samples are Counter events when they are int32 integers, CounterReal (Trace::realValues) otherwise.
// - i / I instants: MarkerKind::Instant markers, subject = the name. Scope "t" (default): on the thread's task and
//   lane; "p": no task, the process's first lane; "g": no task, lane 0.
// - M: process_name, thread_name, process_sort_index, thread_sort_index; other M events are accepted and unused.
// - Interleave's own export (writeChromeTrace): X events with cat "task"/"lane" carrying args.state keep that state
//   (tasks are the per-task tids, lanes the lane tids, spans go to the lane named by args.lane), i markers keep
//   their args.kind, and loop_lag_ms is read back into loop_lag_us, so that run -> export -> import gives the same
//   tasks, spans and counters.
// - Any other phase (O, N, D, s/t/f flows, R, T, p, ...) is counted in ImportStats::ignored.
//
// Errors: malformed JSON, a truncated file, or an event that makes no sense (not an object, "ph" not a string,
// "ts" missing or not a number on a timed event, a negative "dur") throw ImportError with the byte offset
// (0-based), line and column (1-based, in bytes) of the problem. Nothing is half-loaded: the functions return a
// complete trace or throw.
#pragma once

#include "trace/trace.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace interleave::core {

struct ImportStats {
    std::uint64_t bytes = 0;         // size of the input
    std::uint64_t events = 0;        // trace events read (every element of the events array)
    std::uint64_t ignored = 0;       // events of phases the model has no place for
    std::uint64_t unmatchedEnds = 0; // E (or e/F) events with nothing open to end
    std::string producer;            // "node", "VizTracer", "Interleave" or "Chrome" (any other producer)
};

struct ImportResult {
    Trace trace;
    ImportStats stats;
};

class ImportError : public std::runtime_error {
public:
    // `message` already ends with "at byte N (line L, column C)".
    ImportError(const std::string& message, std::uint64_t offset, std::uint64_t line, std::uint64_t column)
        : std::runtime_error(message), m_offset(offset), m_line(line), m_column(column) {}
    std::uint64_t offset() const { return m_offset; }
    std::uint64_t line() const { return m_line; }
    std::uint64_t column() const { return m_column; }

private:
    std::uint64_t m_offset = 0;
    std::uint64_t m_line = 0;
    std::uint64_t m_column = 0;
};

class ImportCancelled : public std::runtime_error {
public:
    ImportCancelled() : std::runtime_error("import cancelled") {}
};

// progress(bytesRead, totalBytes): called from the importing thread at the start, about every 1 MB and at the end
// of reading; returning false cancels the import (ImportCancelled is thrown).
using ImportProgress = std::function<bool(std::uint64_t, std::uint64_t)>;

// Reads `file` in chunks. Throws ImportError (messages start with the file's path) or ImportCancelled; a file
// that cannot be opened is an ImportError at byte 0.
ImportResult importChromeTrace(const std::filesystem::path& file, const ImportProgress& progress = {});

// The same from text in memory (tests); error messages have no file prefix.
ImportResult importChromeTraceText(std::string_view json);

// Interleave's own export of several variants (`run --trace`, Export Data) has one process per variant, each on the
// time axis of its own run. Such an import splits back into one trace per variant, named after the variant (the
// process name "L6 semaphore · unbounded" gives "unbounded"), with the process prefix taken off its lane and counter
// names. Any other import, or a single process, gives an empty list: show the trace as it is.
struct ImportedVariant {
    std::string name;
    Trace trace;
};
std::vector<ImportedVariant> splitInterleaveVariants(const ImportResult& result);

} // namespace interleave::core
