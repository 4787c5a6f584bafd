// Run files (.interleave): a finished session saved whole (the lesson as it was, its parameters, the machine's core
// count and every variant's complete trace) so that opening it shows exactly what was shown when it was saved.
//
// Layout, little-endian:
//   16 bytes  magic "INTERLEAVE RUN\n\0"
//   u32       format version (kRunFileFormat)
//   u32, ...  length and text of a JSON header: app, saved_at, cores, machine, lesson {id, title, path, source},
//             parameters, view, and per variant {name, status, error, time_scale, end_ns} plus section sizes
//   per variant: events (24 bytes each: i64 time, u32 task, u16 lane, u8 kind, u8 code, u32 subject, i32 value),
//             strings (u32 length + bytes, id order, id 0 = ""), lanes (u32 length + name, u8 kind, i64 pid),
//             real counter values (f64, for CounterReal events)
//   u64       FNV-1a hash of everything after the magic, so a damaged file is refused rather than half shown
#pragma once

#include "metrics/lesson_report.h"
#include "runtime/run.h"
#include "scenario/scenario.h"
#include "trace/trace.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace interleave::core {

inline constexpr std::uint32_t kRunFileFormat = 1;       // what this build writes
inline constexpr std::uint32_t kOldestRunFileFormat = 1; // the oldest format this build still reads

// A file that is not a run file, is damaged, or has a format this build does not read. The message says which,
// in words for the user ("... was saved by a newer version of Interleave (run file format 3) ...").
class RunFileError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// What the window showed, so the file reopens the same way.
struct SavedView {
    std::string laneMode = "task"; // "task" or "worker"
    std::int64_t rangeStartNs = 0; // visible time range; start == end means the whole run
    std::int64_t rangeEndNs = 0;
    std::int64_t playheadNs = -1; // replay playhead, -1 when none
    int selectedVariant = 0;
    std::uint32_t selectedTask = 0;
};

// A saved sweep: which variant and parameter, and the value of each saved run (one per variant entry, in order).
struct SavedSweep {
    std::string variant;
    std::string parameter;
    std::vector<double> values;
};

struct RunFile {
    std::uint32_t format = kRunFileFormat; // of the file it was read from
    std::string app;                       // "Interleave 0.1.0"
    std::string savedAt;                   // ISO 8601, UTC
    unsigned cores = 0;                    // the saving machine's core count
    std::string machine;                   // its host name
    std::string lessonId;
    std::string lessonTitle;
    std::string lessonPath;   // where the lesson was loaded from (informative)
    std::string lessonSource; // the lesson file's text, so the run reopens even if the lesson changed since
    ParameterValues parameters;
    SavedView view;
    std::vector<VariantRun> variants; // as saved: variant, outcome, time scale and trace (the analysis is not kept)
    std::optional<SavedSweep> sweep;  // a sweep's session: its runs are the variant at each value
};

// A run file for finished runs of `scenario` (null for an imported trace), stamped with this machine and the time;
// the lesson's source is read from its file. The view is left at its defaults.
RunFile makeRunFile(const Scenario* scenario, const ParameterValues& parameters,
                    const std::vector<const VariantRun*>& runs);

// Writes atomically (temp file + rename); throws FileWriteError.
void saveRunFile(const std::filesystem::path& path, const RunFile& file);
// The file's bytes, into any stream (saveRunFile writes them atomically; the CLI with a stop check).
void writeRunFile(std::ostream& out, const RunFile& file);
// Throws RunFileError (not a run file, damaged or truncated, unsupported format) with a message for the user.
RunFile loadRunFile(const std::filesystem::path& path);
// The same for a file's bytes already read (`fileName` is for the messages): what loadRunFile does after reading.
RunFile parseRunFile(const std::string& data, const std::string& fileName);

// The machine facts a new run file records.
unsigned machineCoreCount();
std::string machineName();
std::string nowIso8601();

} // namespace interleave::core
