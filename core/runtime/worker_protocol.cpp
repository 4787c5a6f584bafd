// The framed binary messages between the engine and a worker process.
#include "runtime/worker_protocol.h"

#include "scenario/op_table.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace interleave::core {

namespace {

class ByteWriter {
public:
    template <typename T> void put(const T& value) {
        static_assert(std::is_trivially_copyable_v<T>);
        m_bytes.append(reinterpret_cast<const char*>(&value), sizeof(T));
    }
    void putString(std::string_view text) {
        put(static_cast<std::uint32_t>(text.size()));
        m_bytes.append(text);
    }
    std::string take() { return std::move(m_bytes); }

private:
    std::string m_bytes;
};

class ByteReader {
public:
    explicit ByteReader(std::string_view bytes) : m_bytes(bytes) {}
    template <typename T> T get() {
        static_assert(std::is_trivially_copyable_v<T>);
        need(sizeof(T));
        T value;
        std::memcpy(&value, m_bytes.data() + m_offset, sizeof(T));
        m_offset += sizeof(T);
        return value;
    }
    std::string getString() {
        const auto size = get<std::uint32_t>();
        need(size);
        std::string text(m_bytes.substr(m_offset, size));
        m_offset += size;
        return text;
    }
    void need(std::size_t size) const {
        if (m_offset + size > m_bytes.size()) {
            throw std::runtime_error("truncated worker message");
        }
    }

private:
    std::string_view m_bytes;
    std::size_t m_offset = 0;
};

void writeSteps(ByteWriter& out, const std::vector<PlanStep>& steps) {
    out.put(static_cast<std::uint32_t>(steps.size()));
    for (const PlanStep& step : steps) {
        out.put(step.kind);
        out.put(step.line);
        out.put(step.durationNs);
        out.put(step.count);
        out.put(step.probability);
        out.put(step.labelId);
        writeSteps(out, step.body);
    }
}

std::vector<PlanStep> readSteps(ByteReader& in, int depth) {
    if (depth > 64) {
        throw std::runtime_error("worker job nested too deeply");
    }
    const auto count = in.get<std::uint32_t>();
    in.need(count); // each step takes more than a byte: rejects absurd counts before allocating
    std::vector<PlanStep> steps(count);
    for (PlanStep& step : steps) {
        const auto kind = in.get<std::uint8_t>();
        if (kind >= allOps().size() || !allOps()[kind].inWorker) {
            throw std::runtime_error("worker job has a step a worker process cannot run");
        }
        step.kind = static_cast<OpKind>(kind);
        step.line = in.get<std::int32_t>();
        step.durationNs = in.get<std::int64_t>();
        step.count = in.get<std::int64_t>();
        step.probability = in.get<double>();
        step.labelId = in.get<std::uint32_t>();
        step.body = readSteps(in, depth + 1);
    }
    return steps;
}

} // namespace

std::string encodeFrame(WorkerMessage type, std::string_view payload) {
    ByteWriter out;
    out.put(static_cast<std::uint32_t>(payload.size()));
    out.put(type);
    std::string frame = out.take();
    frame.append(payload);
    return frame;
}

FrameHeader decodeFrameHeader(const unsigned char* header) {
    FrameHeader result;
    std::memcpy(&result.size, header, sizeof(result.size));
    result.type = static_cast<WorkerMessage>(header[4]);
    if (result.size > kMaxFramePayload) {
        throw std::runtime_error("worker message too large");
    }
    return result;
}

std::string encodeJob(const WorkerJob& job) {
    ByteWriter out;
    out.put(job.jobId);
    out.put(job.queuedNs);
    out.put(static_cast<std::uint32_t>(job.tasks.size()));
    for (const std::uint32_t task : job.tasks) {
        out.put(task);
    }
    writeSteps(out, job.steps);
    return encodeFrame(WorkerMessage::Job, out.take());
}

WorkerJob decodeJob(std::string_view payload) {
    ByteReader in(payload);
    WorkerJob job;
    job.jobId = in.get<std::uint64_t>();
    job.queuedNs = in.get<std::int64_t>();
    const auto count = in.get<std::uint32_t>();
    if (count == 0 || count > kMaxTasksPerJob) {
        throw std::runtime_error("worker job with no task or too many");
    }
    in.need(static_cast<std::size_t>(count) * sizeof(std::uint32_t));
    job.tasks.resize(count);
    for (std::uint32_t& task : job.tasks) {
        task = in.get<std::uint32_t>();
    }
    job.steps = readSteps(in, 0);
    return job;
}

std::string encodeEvents(std::span<const Event> events) {
    std::string payload(events.size() * sizeof(Event), '\0');
    if (!events.empty()) {
        std::memcpy(payload.data(), events.data(), payload.size());
    }
    return encodeFrame(WorkerMessage::Events, payload);
}

std::vector<Event> decodeEvents(std::string_view payload) {
    if (payload.size() % sizeof(Event) != 0) {
        throw std::runtime_error("malformed event batch from worker");
    }
    std::vector<Event> events(payload.size() / sizeof(Event));
    if (!events.empty()) {
        std::memcpy(events.data(), payload.data(), payload.size());
    }
    return events;
}

std::string encodeJobDone(const WorkerJobDone& done) {
    ByteWriter out;
    out.put(done.jobId);
    out.put(static_cast<std::uint8_t>(done.ok ? 1 : 0));
    out.put(done.failedItem);
    out.putString(done.error);
    return encodeFrame(WorkerMessage::JobDone, out.take());
}

WorkerJobDone decodeJobDone(std::string_view payload) {
    ByteReader in(payload);
    WorkerJobDone done;
    done.jobId = in.get<std::uint64_t>();
    done.ok = in.get<std::uint8_t>() != 0;
    done.failedItem = in.get<std::uint32_t>();
    done.error = in.getString();
    return done;
}

std::string encodeReady(std::int64_t processId) {
    ByteWriter out;
    out.put(processId);
    return encodeFrame(WorkerMessage::Ready, out.take());
}

std::int64_t decodeReady(std::string_view payload) {
    ByteReader in(payload);
    return in.get<std::int64_t>();
}

bool runsInWorker(const PlanStep& step) {
    return opInfo(step.kind).inWorker && std::all_of(step.body.begin(), step.body.end(), runsInWorker);
}

} // namespace interleave::core
