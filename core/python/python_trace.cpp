// Reads the CPython tracer's records.
#include "python/python_trace.h"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>
#include <stdexcept>
#include <vector>

namespace interleave::core {

namespace {

constexpr std::size_t kWord = sizeof(std::int64_t);
constexpr std::size_t kHeader = 2 * kWord;           // the writer's pid, the payload's length
constexpr std::int64_t kMaxPayload = 4096 - kHeader; // PIPE_BUF: a chunk is written at once
constexpr std::int64_t kMaxString = std::int64_t{64} * 1024;
constexpr std::size_t kMaxNameBytes = std::size_t{256} << 20;
constexpr std::size_t kMaxStreams = 4096;

// A record's first word: its kind in the low 4 bits. The short state records (a task's step) carry the task and
// the state above them: task << 8 | state << 4 | kind.
enum Kind : std::int64_t {
    String = 1,
    Lane = 2,
    Task = 3,
    State = 4,
    Counter = 5,
    Marker = 6,
    End = 7,
    Step = 8,   // <head> <ns>
    StepOn = 9, // <head> <ns> <what>
    Start = 10  // <ns>: time zero
};

std::int64_t wordAt(const char* bytes) {
    std::int64_t word = 0;
    std::memcpy(&word, bytes, kWord);
    return word;
}

TaskState stateOf(std::int64_t code) {
    switch (code) {
    case 1:
        return TaskState::Running;
    case 2:
        return TaskState::WaitingIo;
    case 3:
        return TaskState::Blocked;
    case 4:
        return TaskState::Ready;
    case 5:
        return TaskState::Done;
    case 6:
        return TaskState::Failed;
    case 7:
        return TaskState::Cancelled;
    default:
        throw std::runtime_error(fmt::format("the tracer wrote a task state {}, which it has not", code));
    }
}

} // namespace

PythonTraceReader::PythonTraceReader(EngineContext& context, TraceGrowth& growth)
    : m_context(context), m_growth(growth) {
    m_lanes[0] = 0; // the program's main thread: the run's first lane
}

void PythonTraceReader::feed(std::string_view bytes) {
    std::string joined;
    if (!m_partial.empty()) {
        m_partial.append(bytes);
        joined.swap(m_partial);
        bytes = joined;
    }
    while (bytes.size() >= kHeader) {
        const std::int64_t pid = wordAt(bytes.data());
        const std::int64_t length = wordAt(bytes.data() + kWord);
        if (length <= 0 || length > kMaxPayload || length % static_cast<std::int64_t>(kWord) != 0) {
            throw std::runtime_error(fmt::format(
                "the tracer's stream is broken: a chunk of {} bytes from process {} (something else wrote to its "
                "pipe?)",
                length, pid));
        }
        if (bytes.size() < kHeader + static_cast<std::size_t>(length)) {
            break;
        }
        auto found = m_streams.find(pid);
        if (found == m_streams.end()) {
            if (m_streams.size() >= kMaxStreams) {
                throw std::runtime_error("the tracer's stream is broken: more than 4096 processes wrote to it");
            }
            found = m_streams.emplace(pid, Stream{}).first;
        }
        found->second.pending.append(bytes.substr(kHeader, static_cast<std::size_t>(length)));
        readRecords(found->second);
        bytes.remove_prefix(kHeader + static_cast<std::size_t>(length));
    }
    m_partial.assign(bytes);
}

void PythonTraceReader::readRecords(Stream& stream) {
    // The words are copied out of the byte buffer: it is not aligned for them.
    const std::size_t count = stream.pending.size() / kWord;
    std::vector<std::int64_t> words(count);
    std::memcpy(words.data(), stream.pending.data(), count * kWord);
    std::size_t at = 0;
    while (at < count) {
        const std::size_t taken = record(stream, words.data() + at, count - at);
        if (taken == 0) {
            break;
        }
        at += taken;
        ++m_records;
    }
    stream.pending.erase(0, at * kWord);
}

const PythonTraceReader::Name& PythonTraceReader::name(const Stream& stream, std::int64_t id) const {
    static const Name none;
    if (id == 0) {
        return none;
    }
    const auto found = stream.names.find(id);
    if (found == stream.names.end()) {
        throw std::runtime_error(fmt::format("the tracer named string {} before writing it", id));
    }
    return found->second;
}

std::int64_t PythonTraceReader::runNs(std::int64_t monotonicNs) {
    // Time zero is the program's first traced moment: the interpreter's start-up is not the program's time, and a
    // run set beside an engine run on one axis starts where that one does.
    if (m_baseNs < 0) {
        m_baseNs = monotonicNs;
    }
    const std::int64_t at = monotonicNs - m_baseNs;
    m_lastNs = std::max(m_lastNs, at);
    return at;
}

std::uint16_t PythonTraceReader::lane(std::int64_t id) const {
    const auto found = m_lanes.find(id);
    if (found == m_lanes.end()) {
        throw std::runtime_error(fmt::format("the tracer named lane {} before declaring it", id));
    }
    return found->second;
}

TaskRef PythonTraceReader::task(std::int64_t id) const {
    const auto found = m_tasks.find(id);
    if (found == m_tasks.end()) {
        throw std::runtime_error(fmt::format("the tracer named task {} before creating it", id));
    }
    return found->second;
}

TaskRef PythonTraceReader::task(std::int64_t id, std::uint16_t laneIndex) const {
    return TaskRef{task(id).id, laneIndex};
}

void PythonTraceReader::setState(std::int64_t atNs, std::int64_t id, TaskRef ref, std::int64_t state,
                                 std::uint32_t what) {
    const TaskState to = stateOf(state);
    if (m_terminal.count(id) != 0) {
        return; // a task ends once
    }
    if (isTerminal(to)) {
        m_terminal.insert(id);
    }
    m_context.setStateAt(atNs, ref, to, what);
}

std::size_t PythonTraceReader::record(Stream& stream, const std::int64_t* words, std::size_t count) {
    const std::int64_t kind = words[0] & 0xF;
    if ((kind < Step || kind > StepOn) && (words[0] >> 4) != 0) {
        throw std::runtime_error(fmt::format("the tracer's stream is broken: a record that starts {}", words[0]));
    }
    auto whole = [&](std::size_t size) { return count >= size; };
    switch (kind) {
    case Start: // 10 <ns>
        if (!whole(2)) {
            return 0;
        }
        runNs(words[1]);
        return 2;
    case Step:     // <task << 8 | state << 4 | 8> <ns>
    case StepOn: { // <task << 8 | state << 4 | 9> <ns> <what>
        const std::size_t size = kind == Step ? 2 : 3;
        if (!whole(size)) {
            return 0;
        }
        const std::int64_t id = words[0] >> 8;
        setState(runNs(words[1]), id, task(id), (words[0] >> 4) & 0xF, kind == Step ? 0 : name(stream, words[2]).id);
        return size;
    }
    case String: { // 1 <id> <bytes> <words...>
        if (!whole(3)) {
            return 0;
        }
        const std::int64_t length = words[2];
        if (length < 0 || length > kMaxString) {
            throw std::runtime_error(fmt::format("the tracer wrote a string of {} bytes (64 KB at most)", length));
        }
        const std::size_t size = 3 + (static_cast<std::size_t>(length) + kWord - 1) / kWord;
        if (!whole(size)) {
            return 0;
        }
        m_nameBytes += static_cast<std::size_t>(length);
        if (m_nameBytes > kMaxNameBytes) {
            throw std::runtime_error("the tracer wrote more than 256 MB of names");
        }
        Name& named = stream.names[words[1]];
        named.text.assign(reinterpret_cast<const char*>(words + 3), static_cast<std::size_t>(length));
        named.id = m_growth.intern(named.text);
        return size;
    }
    case Lane: { // 2 <lane> <kind> <name>
        if (!whole(4)) {
            return 0;
        }
        const LaneKind laneKind = words[2] == 2   ? LaneKind::WorkerProcess
                                  : words[2] == 0 ? LaneKind::Main
                                                  : LaneKind::PoolThread;
        if (m_lanes.count(words[1]) == 0) {
            m_lanes[words[1]] = m_growth.addLane(LaneInfo{name(stream, words[3]).text, laneKind, 0});
        }
        return 4;
    }
    case Task: { // 3 <ns> <task> <parent> <lane> <index> <name>
        if (!whole(7)) {
            return 0;
        }
        const std::int64_t at = runNs(words[1]);
        const std::uint16_t onLane = lane(words[4]);
        const auto parent = m_tasks.find(words[3]);
        const TaskRef created = m_context.createTaskAt(
            at, name(stream, words[6]).id, static_cast<std::int32_t>(std::clamp<std::int64_t>(words[5], -1, 1 << 30)),
            parent != m_tasks.end() ? parent->second.id : 0xFFFFFFFFU, onLane, false); // in_flight is the tracer's
        m_tasks[words[2]] = TaskRef{created.id, onLane};
        return 7;
    }
    case State: { // 4 <ns> <task> <lane> <state> <what>
        if (!whole(6)) {
            return 0;
        }
        setState(runNs(words[1]), words[2], task(words[2], lane(words[3])), words[4], name(stream, words[5]).id);
        return 6;
    }
    case Counter: { // 5 <ns> <lane> <name> <value>
        if (!whole(5)) {
            return 0;
        }
        const std::int64_t at = runNs(words[1]);
        m_context.counterAt(at, name(stream, words[3]).id, words[4], lane(words[2]));
        return 5;
    }
    case Marker: { // 6 <ns> <task> <lane> <kind> <text>
        if (!whole(6)) {
            return 0;
        }
        const std::int64_t at = runNs(words[1]);
        const TaskRef ref = task(words[2], lane(words[3]));
        m_context.markerAt(at, ref, MarkerKind::Exception, name(stream, words[5]).id);
        return 6;
    }
    case End: { // 7 <ns> <status> <text>
        if (!whole(4)) {
            return 0;
        }
        runNs(words[1]);
        m_status = static_cast<int>(std::clamp<std::int64_t>(words[2], -255, 255));
        m_failure = name(stream, words[3]).text;
        m_ended = true;
        return 4;
    }
    default:
        throw std::runtime_error(fmt::format("the tracer's stream is broken: a record of kind {}", kind));
    }
}

} // namespace interleave::core
