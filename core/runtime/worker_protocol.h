// The framed binary messages between the engine and an interleave-worker process, over a pair of pipes.
#pragma once

#include "runtime/plan.h"
#include "trace/event.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace interleave::core {

// Frame: u32 payload size, u8 type, payload. Host byte order: both ends are on the same machine.
enum class WorkerMessage : std::uint8_t { Ready = 1, Job = 2, Events = 3, JobDone = 4 };

inline constexpr std::size_t kFrameHeaderSize = 5;
inline constexpr std::uint32_t kMaxFramePayload = 64U * 1024U * 1024U;

// One message to a worker: the same steps for each of `tasks`, run one after another in the order given (a chunk of
// executor.map(chunksize=n) when there are several; the worker answers once, after the last).
struct WorkerJob {
    std::uint64_t jobId = 0;
    std::int64_t queuedNs = 0;        // run time at which the engine queued it: a free worker's wait since is messaging
    std::vector<std::uint32_t> tasks; // at least one
    std::vector<PlanStep> steps;      // only io, block, cpu, repeat and fail
};

// The answer to a job. When a task of it fails, the rest of its chunk is not run (as in CPython, whose chunk is one
// call that raises): tasks before `failedItem` ended well, the one at it failed with `error`, the later ones never ran.
struct WorkerJobDone {
    std::uint64_t jobId = 0;
    bool ok = true;
    std::uint32_t failedItem = 0;
    std::string error;
};

inline constexpr std::uint32_t kMaxTasksPerJob = 1'000'000;

std::string encodeFrame(WorkerMessage type, std::string_view payload);
std::string encodeJob(const WorkerJob& job);
std::string encodeEvents(std::span<const Event> events);
std::string encodeJobDone(const WorkerJobDone& done);
std::string encodeReady(std::int64_t processId);

// Decoders take the payload (after the header) and throw std::runtime_error on malformed input.
WorkerJob decodeJob(std::string_view payload);
std::vector<Event> decodeEvents(std::string_view payload);
WorkerJobDone decodeJobDone(std::string_view payload);
std::int64_t decodeReady(std::string_view payload);

struct FrameHeader {
    std::uint32_t size = 0;
    WorkerMessage type = WorkerMessage::Ready;
};
FrameHeader decodeFrameHeader(const unsigned char* header);

// Whether a step can run inside a worker process.
bool runsInWorker(const PlanStep& step);

} // namespace interleave::core
