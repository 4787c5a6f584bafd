// Run file writer and reader: a JSON header for what a person might want to read, binary sections for the traces.
#include "io/run_file.h"
#include "runtime/cores.h"

#include "io/atomic_file.h"
#include "runtime/plan.h"
#include "scenario/lesson_reader.h"
#include "scenario/utf8.h"
#include "scenario/yaml_fields.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <array>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <fstream>
#include <ios>
#include <iterator>

#include <unistd.h>

namespace interleave::core {

static_assert(std::endian::native == std::endian::little, "run files are written little-endian");

namespace {

constexpr std::array<char, 16> kMagic = {'I', 'N', 'T', 'E', 'R', 'L', 'E',  'A',
                                         'V', 'E', ' ', 'R', 'U', 'N', '\n', '\0'};
// A run file is untrusted (students send them): every count and text is checked against these before it is used.
constexpr std::size_t kEventBytes = 24;                   // time, task, lane, kind, code, subject, value
constexpr std::size_t kMaxNameBytes = 4096;               // a name in the string table, a lane, a variant
constexpr std::size_t kMaxHeaderTextBytes = 64 * 1024;    // a title, a path, an error message
constexpr std::size_t kMaxHeaderBytes = 16 * 1024 * 1024; // the JSON header, with the lesson's source in it
constexpr std::size_t kMaxVariants = 256;
constexpr std::uint64_t kMaxLanes = 65'535; // a lane number is 16 bits
// A run lasts at most an hour at up to ×100 slow motion; an imported trace may be longer. About 11.6 days.
constexpr std::int64_t kMaxTraceNs = 1'000'000'000'000'000;
constexpr double kMinTimeScale = Limits{}.minTimeScale;
constexpr double kMaxTimeScale = Limits{}.maxTimeScale;

constexpr std::uint64_t kFnvOffset = 14695981039346656037ULL;
constexpr std::uint64_t kFnvPrime = 1099511628211ULL;

std::uint64_t fnv1a(std::uint64_t hash, const char* data, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) {
        hash = (hash ^ static_cast<unsigned char>(data[i])) * kFnvPrime;
    }
    return hash;
}

// Appends to a stream and hashes what it appends.
class Writer {
public:
    explicit Writer(std::ostream& out) : m_out(out) {}
    void bytes(const void* data, std::size_t size) {
        const auto* chars = static_cast<const char*>(data);
        m_hash = fnv1a(m_hash, chars, size);
        m_out.write(chars, static_cast<std::streamsize>(size));
        if (!m_out) {
            // A full disk or a stop: the rest of a million events would go nowhere (writeFileAtomically reports it).
            throw std::ios_base::failure("the run file's stream failed");
        }
    }
    template <typename T> void value(T v) { bytes(&v, sizeof v); }
    void string(std::string_view text) {
        value(static_cast<std::uint32_t>(text.size()));
        bytes(text.data(), text.size());
    }
    std::uint64_t hash() const { return m_hash; }

private:
    std::ostream& m_out;
    std::uint64_t m_hash = kFnvOffset;
};

// Reads from the file's bytes with bounds checks; running off the end means the file is damaged.
class Reader {
public:
    Reader(const std::string& data, std::string fileName) : m_data(data), m_fileName(std::move(fileName)) {}
    void bytes(void* out, std::size_t size) {
        need(size);
        std::memcpy(out, m_data.data() + m_pos, size);
        m_pos += size;
    }
    template <typename T> T value() {
        T v{};
        bytes(&v, sizeof v);
        return v;
    }
    // `limit`: the longest text this field can hold; a longer one is damage (or malice), refused before it is
    // copied.
    std::string string(std::size_t limit = kMaxNameBytes) {
        const auto size = value<std::uint32_t>();
        if (size > limit) {
            throw RunFileError(fmt::format("'{}' is damaged: a text of {} bytes where at most {} fit (at byte {})",
                                           m_fileName, size, limit, m_pos));
        }
        need(size);
        std::string text(m_data.data() + m_pos, size);
        m_pos += size;
        return text;
    }
    // Room for `count` records of `size` bytes each, without the product overflowing.
    void needRecords(std::uint64_t count, std::size_t size) const {
        if (count > (m_data.size() - m_pos) / size) {
            throw RunFileError(fmt::format("'{}' is damaged: it says {} records of {} bytes follow, but {} bytes are "
                                           "left",
                                           m_fileName, count, size, m_data.size() - m_pos));
        }
    }
    void need(std::size_t size) const {
        if (size > m_data.size() - m_pos) {
            throw RunFileError(fmt::format("'{}' is damaged: it ends early (at byte {} of {})", m_fileName,
                                           m_data.size(), m_pos + size));
        }
    }
    std::size_t position() const { return m_pos; }

private:
    const std::string& m_data;
    std::string m_fileName;
    std::size_t m_pos = 0;
};

std::string_view statusName(RunStatus status) {
    return toString(status);
}

RunStatus statusFrom(const std::string& name, const std::string& fileName) {
    for (RunStatus status : {RunStatus::NotStarted, RunStatus::Running, RunStatus::Completed, RunStatus::Stopped,
                             RunStatus::Failed, RunStatus::Stalled, RunStatus::Deadlocked}) {
        if (toString(status) == name) {
            return status;
        }
    }
    throw RunFileError(fmt::format("'{}' is damaged: unknown run status '{}'", fileName, name));
}

void checkText(const std::string& text, std::size_t limit, std::string_view what, const std::string& fileName) {
    if (text.size() > limit) {
        throw RunFileError(
            fmt::format("'{}' is damaged: {} of {} bytes; at most {} fit", fileName, what, text.size(), limit));
    }
    if (firstInvalidUtf8(text)) {
        throw RunFileError(fmt::format("'{}' is damaged: {} is not valid UTF-8", fileName, what));
    }
}

void writeTrace(Writer& writer, const Trace& trace) {
    for (const Event& event : trace.events) {
        writer.value(event.timeNs);
        writer.value(event.task);
        writer.value(event.lane);
        writer.value(static_cast<std::uint8_t>(event.kind));
        writer.value(event.code);
        writer.value(event.subject);
        writer.value(event.value);
    }
    for (std::uint32_t id = 0; id < trace.strings.size(); ++id) {
        writer.string(trace.strings.at(id));
    }
    for (const LaneInfo& lane : trace.lanes) {
        writer.string(lane.name);
        writer.value(static_cast<std::uint8_t>(lane.kind));
        writer.value(lane.processId);
    }
    for (const double value : trace.realValues) {
        writer.value(value);
    }
}

void readTrace(Reader& reader, const nlohmann::json& sizes, Trace& trace, const std::string& fileName) {
    const auto eventCount = sizes.at("events").get<std::uint64_t>();
    const auto stringCount = sizes.at("strings").get<std::uint64_t>();
    const auto laneCount = sizes.at("lanes").get<std::uint64_t>();
    const auto realCount = sizes.value("real_values", std::uint64_t{0});
    reader.needRecords(eventCount, kEventBytes); // refuse a damaged count before reserving memory for it
    if (laneCount > kMaxLanes) {
        throw RunFileError(
            fmt::format("'{}' is damaged: {} lanes; a trace has at most {}", fileName, laneCount, kMaxLanes));
    }
    trace.events.resize(eventCount);
    std::int64_t previous = 0;
    for (Event& event : trace.events) {
        event.timeNs = reader.value<std::int64_t>();
        event.task = reader.value<std::uint32_t>();
        event.lane = reader.value<std::uint16_t>();
        const auto kind = reader.value<std::uint8_t>();
        if (kind > static_cast<std::uint8_t>(EventKind::CounterReal)) {
            throw RunFileError(fmt::format("'{}' is damaged: unknown event kind {}", fileName, kind));
        }
        event.kind = static_cast<EventKind>(kind);
        event.code = reader.value<std::uint8_t>();
        event.subject = reader.value<std::uint32_t>();
        event.value = reader.value<std::int32_t>();
        if (event.timeNs < previous) {
            throw RunFileError(fmt::format("'{}' is damaged: its events are out of order", fileName));
        }
        if (event.timeNs > kMaxTraceNs) {
            throw RunFileError(fmt::format("'{}' is damaged: an event at {} ns, past the longest run a file can hold",
                                           fileName, event.timeNs));
        }
        previous = event.timeNs;
    }
    for (std::uint64_t id = 0; id < stringCount; ++id) {
        const std::string text = reader.string();
        checkText(text, kMaxNameBytes, "a name in its string table", fileName);
        if (id > 0 && trace.strings.intern(text) != id) {
            throw RunFileError(fmt::format("'{}' is damaged: its string table repeats '{}'", fileName, text));
        }
    }
    for (std::uint64_t i = 0; i < laneCount; ++i) {
        std::string name = reader.string();
        checkText(name, kMaxNameBytes, "a lane's name", fileName);
        const auto kind = reader.value<std::uint8_t>();
        const auto pid = reader.value<std::int64_t>();
        if (kind > static_cast<std::uint8_t>(LaneKind::Imported)) {
            throw RunFileError(fmt::format("'{}' is damaged: unknown lane kind {}", fileName, kind));
        }
        trace.addLane(std::move(name), static_cast<LaneKind>(kind), pid);
    }
    reader.needRecords(realCount, sizeof(double));
    trace.realValues.resize(realCount);
    for (double& value : trace.realValues) {
        value = reader.value<double>();
        if (!std::isfinite(value)) {
            throw RunFileError(fmt::format("'{}' is damaged: a counter sample is not a finite number", fileName));
        }
    }
    for (const Event& event : trace.events) {
        if (event.kind == EventKind::CounterReal &&
            (event.value < 0 || static_cast<std::uint64_t>(event.value) >= trace.realValues.size())) {
            throw RunFileError(fmt::format("'{}' is damaged: a counter sample has no value", fileName));
        }
        if (event.subject >= trace.strings.size() || (event.lane >= trace.lanes.size() && !trace.lanes.empty())) {
            throw RunFileError(
                fmt::format("'{}' is damaged: an event names a string or lane it does not have", fileName));
        }
    }
}

nlohmann::json headerOf(const RunFile& file) {
    nlohmann::json header;
    header["app"] = file.app;
    header["saved_at"] = file.savedAt;
    header["cores"] = file.cores;
    header["machine"] = file.machine;
    header["lesson"] = {
        {"id", file.lessonId}, {"title", file.lessonTitle}, {"path", file.lessonPath}, {"source", file.lessonSource}};
    header["parameters"] = file.parameters;
    header["view"] = {{"lane_mode", file.view.laneMode},
                      {"range_start_ns", file.view.rangeStartNs},
                      {"range_end_ns", file.view.rangeEndNs},
                      {"playhead_ns", file.view.playheadNs},
                      {"selected_variant", file.view.selectedVariant},
                      {"selected_task", file.view.selectedTask}};
    nlohmann::json variants = nlohmann::json::array();
    for (const VariantRun& variant : file.variants) {
        variants.push_back({{"name", variant.variant},
                            {"status", statusName(variant.outcome.status)},
                            {"error", variant.outcome.error},
                            {"time_scale", variant.timeScale},
                            {"end_ns", variant.trace.endNs},
                            {"events", variant.trace.events.size()},
                            {"strings", variant.trace.strings.size()},
                            {"lanes", variant.trace.lanes.size()},
                            {"real_values", variant.trace.realValues.size()}});
    }
    header["variants"] = std::move(variants);
    if (file.sweep) {
        header["sweep"] = {
            {"variant", file.sweep->variant}, {"parameter", file.sweep->parameter}, {"values", file.sweep->values}};
    }
    return header;
}

// The header's own fields: what the app shows of the file (texts it lays out, parameters it sets).
void checkHeader(const RunFile& file, const std::string& fileName) {
    checkText(file.app, kMaxNameBytes, "the app's name", fileName);
    checkText(file.savedAt, kMaxNameBytes, "the time it was saved", fileName);
    checkText(file.machine, kMaxNameBytes, "the machine's name", fileName);
    checkText(file.lessonId, kMaxNameBytes, "the lesson's id", fileName);
    checkText(file.lessonTitle, kMaxHeaderTextBytes, "the lesson's title", fileName);
    checkText(file.lessonPath, kMaxHeaderTextBytes, "the lesson's path", fileName);
    if (file.lessonSource.size() > kMaxLessonBytes) {
        throw RunFileError(fmt::format("'{}' is damaged: its lesson is {} bytes; a lesson has at most {}", fileName,
                                       file.lessonSource.size(), kMaxLessonBytes));
    }
    if (file.parameters.size() > kMaxMappingKeys) {
        throw RunFileError(fmt::format("'{}' is damaged: {} parameters", fileName, file.parameters.size()));
    }
    for (const auto& [name, value] : file.parameters) {
        checkText(name, kMaxNameBytes, "a parameter's name", fileName);
        if (!std::isfinite(value)) {
            throw RunFileError(fmt::format("'{}' is damaged: parameter '{}' is not a finite number", fileName, name));
        }
    }
}

// What the view was: a range and a playhead within the longest run a file can hold, a variant that is there.
void checkView(RunFile& file, const std::string& fileName) {
    const SavedView& view = file.view;
    auto within = [](std::int64_t ns) { return ns >= -kMaxTraceNs && ns <= kMaxTraceNs; };
    if (!within(view.rangeStartNs) || !within(view.rangeEndNs) || !within(view.playheadNs)) {
        throw RunFileError(fmt::format("'{}' is damaged: its view's range or playhead is outside the run", fileName));
    }
    if (view.laneMode != "task" && view.laneMode != "worker") {
        throw RunFileError(
            fmt::format("'{}' is damaged: unknown lane mode '{}'", fileName, view.laneMode.substr(0, 40)));
    }
    if (view.selectedVariant < 0 ||
        (!file.variants.empty() && static_cast<std::size_t>(view.selectedVariant) >= file.variants.size())) {
        file.view.selectedVariant = 0; // a selection is not worth refusing the file for
    }
}

std::string readWholeFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw RunFileError(fmt::format("cannot open '{}': {}", path.string(), std::strerror(errno)));
    }
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) {
        throw RunFileError(fmt::format("cannot read '{}'", path.string()));
    }
    return data;
}

} // namespace

void writeRunFile(std::ostream& out, const RunFile& file) {
    out.write(kMagic.data(), kMagic.size());
    Writer writer(out);
    writer.value(kRunFileFormat);
    writer.string(headerOf(file).dump());
    for (const VariantRun& variant : file.variants) {
        writeTrace(writer, variant.trace);
    }
    const std::uint64_t hash = writer.hash();
    out.write(reinterpret_cast<const char*>(&hash), sizeof hash);
}

void saveRunFile(const std::filesystem::path& path, const RunFile& file) {
    writeFileAtomically(path, [&](std::ostream& out) { writeRunFile(out, file); });
}

RunFile loadRunFile(const std::filesystem::path& path) {
    return parseRunFile(readWholeFile(path), path.filename().string());
}

RunFile parseRunFile(const std::string& data, const std::string& fileName) {
    if (data.size() < kMagic.size() || std::memcmp(data.data(), kMagic.data(), kMagic.size()) != 0) {
        throw RunFileError(fmt::format("'{}' is not an Interleave run file", fileName));
    }
    const std::string body = data.substr(kMagic.size());
    Reader reader(body, fileName);
    RunFile file;
    file.format = reader.value<std::uint32_t>();
    if (file.format > kRunFileFormat) {
        throw RunFileError(fmt::format("'{}' was saved by a newer version of Interleave (run file format {}); this "
                                       "version reads formats {} to {}. Update Interleave to open it.",
                                       fileName, file.format, kOldestRunFileFormat, kRunFileFormat));
    }
    if (file.format < kOldestRunFileFormat) {
        throw RunFileError(fmt::format("'{}' uses run file format {}, which this version of Interleave no longer "
                                       "reads (it reads formats {} to {}). Open it with an older version and "
                                       "export its trace as Chrome JSON instead.",
                                       fileName, file.format, kOldestRunFileFormat, kRunFileFormat));
    }
    if (body.size() < sizeof(std::uint64_t) + sizeof(std::uint32_t)) {
        throw RunFileError(fmt::format("'{}' is damaged: it ends early", fileName));
    }
    std::uint64_t storedHash = 0;
    std::memcpy(&storedHash, body.data() + body.size() - sizeof storedHash, sizeof storedHash);
    if (fnv1a(kFnvOffset, body.data(), body.size() - sizeof storedHash) != storedHash) {
        throw RunFileError(fmt::format("'{}' is damaged (its checksum does not match): it was cut short or changed "
                                       "after it was saved",
                                       fileName));
    }
    try {
        const nlohmann::json header = nlohmann::json::parse(reader.string(kMaxHeaderBytes));
        file.app = header.value("app", "");
        file.savedAt = header.value("saved_at", "");
        file.cores = header.value("cores", 0U);
        file.machine = header.value("machine", "");
        const nlohmann::json& lesson = header.at("lesson");
        file.lessonId = lesson.at("id").get<std::string>();
        file.lessonTitle = lesson.value("title", "");
        file.lessonPath = lesson.value("path", "");
        file.lessonSource = lesson.value("source", "");
        file.parameters = header.at("parameters").get<ParameterValues>();
        if (const auto view = header.find("view"); view != header.end()) {
            file.view.laneMode = view->value("lane_mode", "task");
            file.view.rangeStartNs = view->value("range_start_ns", std::int64_t{0});
            file.view.rangeEndNs = view->value("range_end_ns", std::int64_t{0});
            file.view.playheadNs = view->value("playhead_ns", std::int64_t{-1});
            file.view.selectedVariant = view->value("selected_variant", 0);
            file.view.selectedTask = view->value("selected_task", 0U);
        }
        checkHeader(file, fileName);
        const nlohmann::json& variants = header.at("variants");
        if (variants.size() > kMaxVariants) {
            throw RunFileError(fmt::format("'{}' is damaged: {} variants; a run has at most {}", fileName,
                                           variants.size(), kMaxVariants));
        }
        for (const nlohmann::json& entry : variants) {
            VariantRun variant;
            variant.variant = entry.at("name").get<std::string>();
            variant.outcome.status = statusFrom(entry.at("status").get<std::string>(), fileName);
            variant.outcome.error = entry.value("error", "");
            variant.timeScale = entry.value("time_scale", 1.0);
            checkText(variant.variant, kMaxNameBytes, "a variant name", fileName);
            checkText(variant.outcome.error, kMaxHeaderTextBytes, "an error message", fileName);
            if (!(variant.timeScale >= kMinTimeScale && variant.timeScale <= kMaxTimeScale)) {
                throw RunFileError(fmt::format("'{}' is damaged: variant '{}' has time scale {}, outside {} to {}",
                                               fileName, variant.variant, variant.timeScale, kMinTimeScale,
                                               kMaxTimeScale));
            }
            readTrace(reader, entry, variant.trace, fileName);
            variant.trace.endNs = entry.at("end_ns").get<std::int64_t>();
            if (variant.trace.endNs < 0 || variant.trace.endNs > kMaxTraceNs) {
                throw RunFileError(fmt::format("'{}' is damaged: variant '{}' ends at {} ns, outside 0 to {} ns",
                                               fileName, variant.variant, variant.trace.endNs, kMaxTraceNs));
            }
            file.variants.push_back(std::move(variant));
        }
        if (const auto sweep = header.find("sweep"); sweep != header.end()) {
            SavedSweep saved;
            saved.variant = sweep->at("variant").get<std::string>();
            saved.parameter = sweep->at("parameter").get<std::string>();
            saved.values = sweep->at("values").get<std::vector<double>>();
            checkText(saved.variant, kMaxNameBytes, "the sweep's variant", fileName);
            checkText(saved.parameter, kMaxNameBytes, "the sweep's parameter", fileName);
            if (saved.values.size() != file.variants.size()) {
                throw RunFileError(fmt::format("'{}' is damaged: its sweep has {} values for {} runs", fileName,
                                               saved.values.size(), file.variants.size()));
            }
            for (const double value : saved.values) {
                if (!std::isfinite(value)) {
                    throw RunFileError(fmt::format("'{}' is damaged: a sweep value is not a number", fileName));
                }
            }
            file.sweep = std::move(saved);
        }
        checkView(file, fileName);
    } catch (const nlohmann::json::exception& error) {
        throw RunFileError(
            fmt::format("'{}' is damaged: its header is not what this version expects ({})", fileName, error.what()));
    }
    if (reader.position() != body.size() - sizeof(std::uint64_t)) {
        throw RunFileError(fmt::format("'{}' is damaged: it has {} unexpected bytes after the last trace", fileName,
                                       body.size() - sizeof(std::uint64_t) - reader.position()));
    }
    return file;
}

RunFile makeRunFile(const Scenario* scenario, const ParameterValues& parameters,
                    const std::vector<const VariantRun*>& runs) {
    RunFile file;
    file.app = "Interleave 0.1.0";
    file.savedAt = nowIso8601();
    file.cores = machineCoreCount();
    file.machine = machineName();
    if (scenario != nullptr) {
        file.lessonId = scenario->id;
        file.lessonTitle = scenario->title;
        file.lessonPath = scenario->sourcePath;
        std::ifstream in(scenario->sourcePath, std::ios::binary);
        if (in) {
            file.lessonSource.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        }
        file.parameters = parameters;
    }
    for (const VariantRun* run : runs) {
        VariantRun saved;
        saved.variant = run->variant;
        saved.outcome = run->outcome;
        saved.timeScale = run->timeScale;
        saved.trace = run->trace;
        file.variants.push_back(std::move(saved));
    }
    return file;
}

unsigned machineCoreCount() {
    return usableCores();
}

std::string machineName() {
    std::array<char, 256> name{};
    if (::gethostname(name.data(), name.size() - 1) != 0) {
        return {};
    }
    return std::string(name.data());
}

std::string nowIso8601() {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm utc{};
    ::gmtime_r(&now, &utc);
    std::array<char, 32> text{};
    std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &utc);
    return std::string(text.data());
}

} // namespace interleave::core
