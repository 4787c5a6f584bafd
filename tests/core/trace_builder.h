// Builds small hand-made Traces for the metrics and export tests.
#pragma once

#include "trace/trace.h"

#include <algorithm>
#include <cstdint>
#include <string_view>

namespace interleave::core::testing {

constexpr std::int64_t ms(double value) {
    return static_cast<std::int64_t>(value * 1'000'000.0);
}

class TraceBuilder {
public:
    TraceBuilder& lane(std::string name, LaneKind kind = LaneKind::Loop) {
        m_trace.addLane(std::move(name), kind);
        return *this;
    }
    TraceBuilder& task(std::int64_t timeNs, std::uint32_t id, std::string_view name, std::int32_t index = -1,
                       std::uint16_t lane = 0) {
        return add({timeNs, id, lane, EventKind::TaskCreated, 0, m_trace.strings.intern(name), index});
    }
    TraceBuilder& state(std::int64_t timeNs, std::uint32_t id, TaskState state, std::uint16_t lane = 0,
                        std::string_view subject = {}, std::int32_t line = 0) {
        const std::uint32_t subjectId = subject.empty() ? 0 : m_trace.strings.intern(subject);
        return add({timeNs, id, lane, EventKind::TaskState, static_cast<std::uint8_t>(state), subjectId, line});
    }
    TraceBuilder& laneState(std::int64_t timeNs, std::uint16_t lane, TaskState state) {
        return add({timeNs, 0, lane, EventKind::LaneState, static_cast<std::uint8_t>(state), 0, 0});
    }
    TraceBuilder& counter(std::int64_t timeNs, std::string_view name, std::int32_t value) {
        return add({timeNs, 0, 0, EventKind::Counter, 0, m_trace.strings.intern(name), value});
    }
    TraceBuilder& marker(std::int64_t timeNs, std::uint32_t task, MarkerKind kind, std::string_view message = {},
                         std::uint16_t lane = 0) {
        const std::uint32_t subjectId = message.empty() ? 0 : m_trace.strings.intern(message);
        return add({timeNs, task, lane, EventKind::Marker, static_cast<std::uint8_t>(kind), subjectId, 0});
    }
    TraceBuilder& intern(std::string_view name) {
        m_trace.strings.intern(name);
        return *this;
    }
    Trace finish(std::int64_t endNs) {
        std::stable_sort(m_trace.events.begin(), m_trace.events.end(),
                         [](const Event& a, const Event& b) { return a.timeNs < b.timeNs; });
        m_trace.endNs = endNs;
        return m_trace;
    }

private:
    TraceBuilder& add(const Event& event) {
        m_trace.events.push_back(event);
        return *this;
    }
    Trace m_trace;
};

} // namespace interleave::core::testing
