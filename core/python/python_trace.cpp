// Reads the CPython tracer's lines.
#include "python/python_trace.h"

#include <algorithm>
#include <charconv>
#include <fmt/format.h>
#include <stdexcept>
#include <vector>

namespace interleave::core {

namespace {

constexpr std::size_t kMaxLine = std::size_t{64} * 1024;
constexpr std::size_t kMaxFields = 8;

int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

std::int64_t number(std::string_view text, std::string_view line) {
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) {
        throw std::runtime_error(fmt::format("the tracer wrote '{}', which has '{}' where a number belongs",
                                             line.substr(0, 80), text.substr(0, 40)));
    }
    return value;
}

TaskState stateOf(std::string_view code, std::string_view line) {
    if (code.size() == 1) {
        switch (code.front()) {
        case 'r':
            return TaskState::Running;
        case 'i':
            return TaskState::WaitingIo;
        case 'b':
            return TaskState::Blocked;
        case 'y':
            return TaskState::Ready;
        case 'd':
            return TaskState::Done;
        case 'f':
            return TaskState::Failed;
        case 'c':
            return TaskState::Cancelled;
        default:
            break;
        }
    }
    throw std::runtime_error(fmt::format("the tracer wrote '{}': no state '{}'", line.substr(0, 80), code));
}

} // namespace

std::string percentDecode(std::string_view text) {
    std::string decoded;
    decoded.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            const int high = hexDigit(text[i + 1]);
            const int low = hexDigit(text[i + 2]);
            if (high >= 0 && low >= 0) {
                decoded.push_back(static_cast<char>(high * 16 + low));
                i += 2;
                continue;
            }
        }
        decoded.push_back(text[i]);
    }
    return decoded;
}

PythonTraceReader::PythonTraceReader(EngineContext& context, TraceGrowth& growth)
    : m_context(context), m_growth(growth) {
    m_lanes[0] = 0; // the program's main thread: the run's first lane
}

void PythonTraceReader::feed(std::string_view bytes) {
    while (!bytes.empty()) {
        const auto newline = bytes.find('\n');
        if (newline == std::string_view::npos) {
            if (m_partial.size() + bytes.size() > kMaxLine) {
                throw std::runtime_error("the tracer wrote a line longer than 64 KB");
            }
            m_partial.append(bytes);
            return;
        }
        if (m_partial.empty()) {
            line(bytes.substr(0, newline));
        } else {
            m_partial.append(bytes.substr(0, newline));
            const std::string whole = std::move(m_partial);
            m_partial.clear();
            line(whole);
        }
        bytes.remove_prefix(newline + 1);
    }
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

TaskRef PythonTraceReader::task(std::int64_t id, std::uint16_t laneIndex) const {
    const auto found = m_tasks.find(id);
    if (found == m_tasks.end()) {
        throw std::runtime_error(fmt::format("the tracer named task {} before creating it", id));
    }
    return TaskRef{found->second, laneIndex};
}

void PythonTraceReader::line(std::string_view text) {
    ++m_lines;
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    while (start <= text.size() && fields.size() < kMaxFields) {
        const auto space = text.find(' ', start);
        fields.push_back(text.substr(start, space == std::string_view::npos ? std::string_view::npos : space - start));
        if (space == std::string_view::npos) {
            break;
        }
        start = space + 1;
    }
    if (fields.empty() || fields.front().size() != 1) {
        throw std::runtime_error(
            fmt::format("the tracer wrote '{}', which is not one of its lines", text.substr(0, 80)));
    }
    auto need = [&](std::size_t count) {
        if (fields.size() < count) {
            throw std::runtime_error(fmt::format("the tracer wrote '{}', which lacks a field", text.substr(0, 80)));
        }
    };
    switch (fields.front().front()) {
    case 'L': { // L <lane> <kind> <name>
        need(4);
        const std::int64_t id = number(fields[1], text);
        const LaneKind kind = fields[2] == "p"   ? LaneKind::WorkerProcess
                              : fields[2] == "m" ? LaneKind::Main
                                                 : LaneKind::PoolThread;
        if (m_lanes.count(id) == 0) {
            m_lanes[id] = m_growth.addLane(LaneInfo{percentDecode(fields[3]), kind, 0});
        }
        break;
    }
    case 'T': { // T <ns> <task> <parent> <lane> <index> <name>
        need(7);
        const std::int64_t at = runNs(number(fields[1], text));
        const std::int64_t id = number(fields[2], text);
        const std::int64_t parent = number(fields[3], text);
        const std::uint16_t onLane = lane(number(fields[4], text));
        const std::int64_t index = number(fields[5], text);
        const auto parentTask = m_tasks.find(parent);
        const TaskRef created = m_context.createTaskAt(
            at, m_growth.intern(percentDecode(fields[6])),
            static_cast<std::int32_t>(std::clamp<std::int64_t>(index, -1, 1 << 30)),
            parentTask != m_tasks.end() ? parentTask->second : 0xFFFFFFFFU, onLane, false); // in_flight is the tracer's
        m_tasks[id] = created.id;
        break;
    }
    case 'S': { // S <ns> <task> <lane> <state> [<what>]
        need(5);
        const std::int64_t at = runNs(number(fields[1], text));
        const std::int64_t id = number(fields[2], text);
        const TaskRef ref = task(id, lane(number(fields[3], text)));
        const TaskState state = stateOf(fields[4], text);
        if (m_terminal.count(id) != 0) {
            break; // a task ends once
        }
        if (isTerminal(state)) {
            m_terminal[id] = true;
        }
        m_context.setStateAt(at, ref, state, fields.size() > 5 ? m_growth.intern(percentDecode(fields[5])) : 0);
        break;
    }
    case 'C': { // C <ns> <lane> <name> <value>
        need(5);
        const std::int64_t at = runNs(number(fields[1], text));
        m_context.counterAt(at, m_growth.intern(percentDecode(fields[3])), number(fields[4], text),
                            lane(number(fields[2], text)));
        break;
    }
    case 'M': { // M <ns> <task> <lane> <kind> <text>
        need(6);
        const std::int64_t at = runNs(number(fields[1], text));
        const TaskRef ref = task(number(fields[2], text), lane(number(fields[3], text)));
        m_context.markerAt(at, ref, MarkerKind::Exception, m_growth.intern(percentDecode(fields[5])));
        break;
    }
    case 'E': { // E <ns> <status> <text>
        need(3);
        runNs(number(fields[1], text));
        m_status = static_cast<int>(std::clamp<std::int64_t>(number(fields[2], text), -255, 255));
        m_failure = fields.size() > 3 ? percentDecode(fields[3]) : std::string();
        m_ended = true;
        break;
    }
    default:
        throw std::runtime_error(
            fmt::format("the tracer wrote '{}', which is not one of its lines", text.substr(0, 80)));
    }
}

} // namespace interleave::core
