// Chrome trace import: the SAX handler, a small state machine that collects one event's fields, then records it.
#include "io/chrome_import_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace interleave::core::chrome_import {

namespace {

constexpr std::size_t kMaxImportedThreads = 65'535; // one lane each, numbered in 16 bits

std::optional<TaskState> taskStateNamed(std::string_view name) {
    for (int index = 0; index < kTaskStateCount; ++index) {
        const auto state = static_cast<TaskState>(index);
        if (toString(state) == name) {
            return state;
        }
    }
    return std::nullopt;
}

std::optional<MarkerKind> markerKindNamed(std::string_view name) {
    for (int index = 0; index < kMarkerKindCount; ++index) {
        const auto kind = static_cast<MarkerKind>(index);
        if (toString(kind) == name) {
            return kind;
        }
    }
    return std::nullopt;
}

} // namespace

bool EventReader::Key(const char* text, rapidjson::SizeType length, bool /*copy*/) {
    if (m_skip > 0) {
        return true;
    }
    const std::string_view key(text, length);
    switch (m_ctx) {
    case Ctx::TopObject:
        m_topKeyIsEvents = key == "traceEvents";
        if (key == "viztracer_metadata") {
            m_records.sawViztracer = true;
        }
        break;
    case Ctx::Event:
        if (key == "ph") {
            m_field = Field::Ph;
        } else if (key == "name") {
            m_field = Field::Name;
        } else if (key == "cat") {
            m_field = Field::Cat;
        } else if (key == "pid") {
            m_field = Field::Pid;
        } else if (key == "tid") {
            m_field = Field::Tid;
        } else if (key == "ts") {
            m_field = Field::Ts;
        } else if (key == "dur") {
            m_field = Field::Dur;
        } else if (key == "id") {
            m_field = Field::Id;
        } else if (key == "id2") {
            m_field = Field::Id2;
        } else if (key == "s") {
            m_field = Field::Scope;
        } else if (key == "args") {
            m_field = Field::Args;
        } else {
            m_field = Field::Other;
        }
        break;
    case Ctx::Args: {
        Arg entry;
        entry.keyOffset = static_cast<std::uint32_t>(m_scratch.size());
        entry.keyLength = length;
        m_scratch.append(text, length);
        m_args.push_back(entry);
        break;
    }
    case Ctx::Id2:
        m_id2Key = key == "local" || key == "global";
        m_id2Global = key == "global";
        break;
    default:
        break;
    }
    return true;
}

bool EventReader::scalar(const Scalar& value) {
    if (m_skip > 0) {
        return true;
    }
    switch (m_ctx) {
    case Ctx::Top:
        return fail("expected an array of trace events or an object with \"traceEvents\"", m_stream.Tell());
    case Ctx::TopObject:
        if (m_topKeyIsEvents) {
            return fail("\"traceEvents\" is not an array", m_stream.Tell());
        }
        return true;
    case Ctx::Events:
        return fail("a trace event is not an object", m_stream.Tell());
    case Ctx::Event:
        switch (m_field) {
        case Field::Ph:
            if (value.type != Scalar::Type::String) {
                return fail("\"ph\" is not a string", m_eventOffset);
            }
            m_ph = value;
            break;
        case Field::Name:
            m_name = value;
            break;
        case Field::Cat:
            m_cat = value;
            break;
        case Field::Pid:
            m_pid = value;
            break;
        case Field::Tid:
            m_tid = value;
            break;
        case Field::Ts:
            m_ts = value;
            break;
        case Field::Dur:
            m_dur = value;
            break;
        case Field::Id:
            m_id = value;
            break;
        case Field::Scope:
            m_scope = value;
            break;
        case Field::Id2:
        case Field::Args:
        case Field::Other:
            break;
        }
        return true;
    case Ctx::Args:
        if (!m_args.empty()) {
            m_args.back().value = value;
        }
        return true;
    case Ctx::Id2:
        if (m_id2Key) {
            m_id2 = value;
            m_hasId2Global = m_id2Global;
        }
        return true;
    case Ctx::Done:
        return true;
    }
    return true;
}

bool EventReader::open(bool object) {
    if (m_skip > 0) {
        ++m_skip;
        return true;
    }
    switch (m_ctx) {
    case Ctx::Top:
        m_ctx = object ? Ctx::TopObject : Ctx::Events;
        m_arrayForm = !object;
        return true;
    case Ctx::TopObject:
        if (m_topKeyIsEvents) {
            if (object) {
                return fail("\"traceEvents\" is not an array", bracketOffset('{'));
            }
            m_ctx = Ctx::Events;
        } else {
            m_skip = 1;
        }
        return true;
    case Ctx::Events:
        if (!object) {
            return fail("a trace event is not an object", bracketOffset('['));
        }
        m_eventOffset = bracketOffset('{');
        beginEvent();
        m_ctx = Ctx::Event;
        return true;
    case Ctx::Event:
        if (object && m_field == Field::Args) {
            m_ctx = Ctx::Args;
        } else if (object && m_field == Field::Id2) {
            m_ctx = Ctx::Id2;
        } else {
            m_skip = 1;
        }
        return true;
    case Ctx::Args:
    case Ctx::Id2:
    case Ctx::Done:
        m_skip = 1;
        return true;
    }
    return true;
}

bool EventReader::close() {
    if (m_skip > 0) {
        --m_skip;
        return true;
    }
    switch (m_ctx) {
    case Ctx::Event:
        m_ctx = Ctx::Events;
        m_lastEventEnd = bracketOffset('}') + 1;
        if (!finishEvent()) {
            return false;
        }
        // Each thread (pid, tid) becomes a lane, and a lane number is 16 bits: refused at the event that makes one
        // too many.
        if (m_records.threads.size() > kMaxImportedThreads) {
            return fail(fmt::format("more than {} threads (distinct pid and tid): a trace has at most that many lanes",
                                    kMaxImportedThreads),
                        m_eventOffset);
        }
        return true;
    case Ctx::Args:
    case Ctx::Id2:
        m_ctx = Ctx::Event;
        return true;
    case Ctx::Events:
        m_ctx = m_arrayForm ? Ctx::Done : Ctx::TopObject;
        m_topKeyIsEvents = false;
        return true;
    case Ctx::TopObject:
        m_ctx = Ctx::Done;
        return true;
    case Ctx::Top:
    case Ctx::Done:
        return true;
    }
    return true;
}

void EventReader::beginEvent() {
    m_scratch.clear();
    m_args.clear();
    m_ph = m_name = m_cat = m_pid = m_tid = m_ts = m_dur = m_id = m_id2 = m_scope = Scalar{};
    m_hasId2Global = false;
    m_field = Field::Other;
}

std::uint32_t EventReader::processFor(std::uint64_t pidKey) {
    auto [it, inserted] = m_processIndex.try_emplace(pidKey, static_cast<std::uint32_t>(m_records.processes.size()));
    if (inserted) {
        ProcessRec process;
        process.pidKey = pidKey;
        process.seq = it->second;
        m_records.processes.push_back(process);
    }
    return it->second;
}

std::uint32_t EventReader::threadFor(std::uint64_t pidKey, std::uint64_t tidKey) {
    if (m_lastThread != kNone && pidKey == m_lastPidKey && tidKey == m_lastTidKey) {
        return m_lastThread;
    }
    auto [it, inserted] =
        m_threadIndex.try_emplace(std::make_pair(pidKey, tidKey), static_cast<std::uint32_t>(m_records.threads.size()));
    if (inserted) {
        ThreadRec thread;
        thread.tidKey = tidKey;
        thread.process = processFor(pidKey);
        thread.seq = it->second;
        m_records.threads.push_back(std::move(thread));
        m_records.processes[m_records.threads.back().process].threads.push_back(it->second);
    }
    m_lastPidKey = pidKey;
    m_lastTidKey = tidKey;
    m_lastThread = it->second;
    return it->second;
}

bool EventReader::finishEvent() {
    ++m_records.stats.events;
    if (m_ph.type == Scalar::Type::None) {
        return fail("a trace event has no \"ph\"", m_eventOffset);
    }
    const std::string_view phaseText = text(m_ph);
    const char phase = phaseText.size() == 1 ? phaseText[0] : '?';
    const std::string_view cat = text(m_cat);
    if (!m_records.sawNode && (cat.substr(0, 4) == "node" || cat.substr(0, 2) == "v8")) {
        m_records.sawNode = true;
    }

    switch (phase) {
    case 'X':
    case 'B':
    case 'E':
    case 'b':
    case 'e':
    case 'n':
    case 'S':
    case 'F':
    case 'C':
    case 'i':
    case 'I':
        break;
    case 'M':
        metadataEvent();
        return true;
    default:
        ++m_records.stats.ignored;
        return true;
    }

    const std::optional<std::int64_t> ts = toNs(m_ts);
    if (!ts) {
        return fail(m_ts.type == Scalar::Type::None ? "a trace event has no \"ts\"" : "\"ts\" is not a number",
                    m_eventOffset);
    }
    const std::uint64_t pidKey = keyOf(m_pid);
    switch (phase) {
    case 'X': {
        std::int64_t dur = 0;
        if (m_dur.type != Scalar::Type::None) {
            const std::optional<std::int64_t> value = toNs(m_dur);
            if (!value) {
                return fail("\"dur\" is not a number", m_eventOffset);
            }
            if (*value < 0) {
                return fail("\"dur\" is negative", m_eventOffset);
            }
            dur = *value;
        }
        ThreadRec& thread = m_records.threads[threadFor(pidKey, keyOf(m_tid))];
        addSlice(thread, *ts, *ts + dur);
        break;
    }
    case 'B': {
        ThreadRec& thread = m_records.threads[threadFor(pidKey, keyOf(m_tid))];
        touch(thread, *ts, *ts);
        thread.open.push_back(OpenSlice{*ts, m_records.trace.strings.intern(text(m_name))});
        break;
    }
    case 'E': {
        ThreadRec& thread = m_records.threads[threadFor(pidKey, keyOf(m_tid))];
        touch(thread, *ts, *ts);
        if (thread.open.empty()) {
            ++m_records.stats.unmatchedEnds;
            break;
        }
        const OpenSlice begun = thread.open.back();
        thread.open.pop_back();
        Slice slice;
        slice.startNs = begun.startNs;
        slice.endNs = std::max(*ts, begun.startNs);
        slice.subject = begun.subject;
        thread.slices.push_back(slice);
        ++thread.genericSlices;
        break;
    }
    case 'b':
    case 'S':
        asyncEvent('b', *ts);
        break;
    case 'e':
    case 'F':
        asyncEvent('e', *ts);
        break;
    case 'n':
        asyncEvent('n', *ts);
        break;
    case 'C':
        counterEvent(*ts);
        break;
    case 'i':
    case 'I':
        instantEvent(*ts);
        break;
    default:
        break;
    }
    return true;
}

void EventReader::addSlice(ThreadRec& thread, std::int64_t startNs, std::int64_t endNs) {
    touch(thread, startNs, endNs);
    Slice slice;
    slice.startNs = startNs;
    slice.endNs = endNs;
    const Scalar* state = arg("state");
    const std::string_view cat = text(m_cat);
    std::optional<TaskState> interleaveState;
    if (state != nullptr && (cat == "task" || cat == "lane")) {
        interleaveState = taskStateNamed(text(*state));
    }
    if (interleaveState) {
        m_records.sawInterleave = true;
        slice.state = *interleaveState;
        const Scalar* primitive = arg("primitive");
        slice.subject = primitive != nullptr ? m_records.trace.strings.intern(text(*primitive)) : 0;
        const Scalar* lane = arg("lane");
        slice.laneRef = lane != nullptr ? m_records.keys.intern(text(*lane)) : 0;
        const Scalar* line = arg("line");
        slice.line = line != nullptr && line->integral ? static_cast<std::int32_t>(line->integer) : 0;
        ++(cat == "task" ? thread.interleaveTaskSlices : thread.interleaveLaneSlices);
    } else {
        slice.subject = m_records.trace.strings.intern(text(m_name));
        ++thread.genericSlices;
    }
    thread.slices.push_back(slice);
}

void EventReader::asyncEvent(char phase, std::int64_t timeNs) {
    const std::uint32_t threadIndex = threadFor(keyOf(m_pid), keyOf(m_tid));
    touch(m_records.threads[threadIndex], timeNs, timeNs);
    AsyncKey key;
    const Scalar& id = m_id.type != Scalar::Type::None ? m_id : m_id2;
    key.scope = m_id.type == Scalar::Type::None && m_hasId2Global ? ~std::uint64_t{0} : keyOf(m_pid);
    key.id = keyOf(id);
    key.cat = m_records.keys.intern(text(m_cat));
    auto found = m_openAsync.find(key);
    if (phase == 'b') {
        const std::uint32_t subject = m_records.trace.strings.intern(text(m_name));
        if (found == m_openAsync.end()) {
            AsyncRec record;
            record.thread = threadIndex;
            record.subject = subject;
            record.startNs = timeNs;
            found = m_openAsync.emplace(key, static_cast<std::uint32_t>(m_records.asyncs.size())).first;
            m_records.asyncs.push_back(std::move(record));
        }
        m_records.asyncs[found->second].open.push_back(OpenSlice{timeNs, subject});
        return;
    }
    if (phase == 'n') {
        InstantRec instant;
        instant.timeNs = timeNs;
        instant.thread = threadIndex;
        instant.subject = m_records.trace.strings.intern(text(m_name));
        instant.async = found != m_openAsync.end() ? found->second : kNone;
        m_records.instants.push_back(instant);
        return;
    }
    if (found == m_openAsync.end()) {
        ++m_records.stats.unmatchedEnds;
        return;
    }
    const std::uint32_t owner = found->second;
    AsyncRec& record = m_records.asyncs[owner];
    const OpenSlice begun = record.open.back();
    record.open.pop_back();
    Slice slice;
    slice.startNs = begun.startNs;
    slice.endNs = std::max(timeNs, begun.startNs);
    slice.subject = begun.subject;
    slice.state = TaskState::WaitingIo;
    m_records.asyncSlices.push_back(AsyncSlice{slice, owner});
    if (record.open.empty()) {
        m_openAsync.erase(found);
    }
}

void EventReader::counterEvent(std::int64_t timeNs) {
    noteTime(timeNs, timeNs);
    const std::uint32_t process = processFor(keyOf(m_pid));
    std::uint32_t nameKey = kNone;
    for (const Arg& entry : m_args) {
        if (entry.value.type != Scalar::Type::Number) {
            continue;
        }
        if (nameKey == kNone) {
            nameKey = m_records.keys.intern(text(m_name));
        }
        const SeriesKey key{
            process, nameKey,
            m_records.keys.intern(std::string_view(m_scratch).substr(entry.keyOffset, entry.keyLength))};
        auto [it, inserted] = m_seriesIndex.try_emplace(key, static_cast<std::uint32_t>(m_records.series.size()));
        if (inserted) {
            m_records.series.push_back(SeriesRec{process, key.nameKey, key.argKey, 0, false});
        }
        m_records.samples.push_back(Sample{timeNs, entry.value.number, it->second});
    }
}

void EventReader::instantEvent(std::int64_t timeNs) {
    const std::uint32_t threadIndex = threadFor(keyOf(m_pid), keyOf(m_tid));
    InstantRec instant;
    instant.timeNs = timeNs;
    instant.thread = threadIndex;
    const std::string_view scope = text(m_scope);
    instant.scope = scope == "g" ? 'g' : (scope == "p" ? 'p' : 't');
    if (instant.scope == 't') {
        touch(m_records.threads[threadIndex], timeNs, timeNs);
    } else {
        noteTime(timeNs, timeNs);
    }
    // Interleave's markers: "kind: message" with the parts in args.
    const Scalar* kind = text(m_cat) == "marker" ? arg("kind") : nullptr;
    const std::optional<MarkerKind> markerKind = kind != nullptr ? markerKindNamed(text(*kind)) : std::nullopt;
    if (markerKind) {
        instant.kind = *markerKind;
        const Scalar* message = arg("message");
        instant.subject = message != nullptr ? m_records.trace.strings.intern(text(*message)) : 0;
        const Scalar* lane = arg("lane");
        instant.laneRef = lane != nullptr ? m_records.keys.intern(text(*lane)) : 0;
        const Scalar* line = arg("line");
        instant.line = line != nullptr && line->integral ? static_cast<std::int32_t>(line->integer) : 0;
    } else {
        instant.subject = m_records.trace.strings.intern(text(m_name));
    }
    m_records.instants.push_back(instant);
}

void EventReader::metadataEvent() {
    const std::string_view name = text(m_name);
    const bool processLevel = name == "process_name" || name == "process_sort_index";
    const bool threadLevel = name == "thread_name" || name == "thread_sort_index";
    if (!processLevel && !threadLevel) {
        return;
    }
    const std::uint64_t pidKey = keyOf(m_pid);
    const bool isName = name == "process_name" || name == "thread_name";
    const Scalar* value = arg(isName ? "name" : "sort_index");
    if (value == nullptr) {
        return;
    }
    if (processLevel) {
        ProcessRec& process = m_records.processes[processFor(pidKey)];
        if (isName && value->type == Scalar::Type::String) {
            process.nameKey = m_records.keys.intern(text(*value));
        } else if (!isName && value->type == Scalar::Type::Number) {
            process.hasSort = true;
            process.sortIndex = value->integral ? value->integer : static_cast<std::int64_t>(value->number);
        }
        return;
    }
    ThreadRec& thread = m_records.threads[threadFor(pidKey, keyOf(m_tid))];
    if (isName && value->type == Scalar::Type::String) {
        thread.nameKey = m_records.keys.intern(text(*value));
    } else if (!isName && value->type == Scalar::Type::Number) {
        thread.hasSort = true;
        thread.sortIndex = value->integral ? value->integer : static_cast<std::int64_t>(value->number);
    }
}

} // namespace interleave::core::chrome_import
