#include "scenario/op_table.h"

#include <algorithm>
#include <array>
#include <cstdlib>

namespace interleave::core {

namespace {

constexpr std::uint8_t kLockable = primitiveBit(PrimitiveKind::Semaphore) | primitiveBit(PrimitiveKind::Lock) |
                                   primitiveBit(PrimitiveKind::RLock) | primitiveBit(PrimitiveKind::Condition);
constexpr std::uint8_t kQueue = primitiveBit(PrimitiveKind::Queue);
constexpr std::uint8_t kEventOrCondition = primitiveBit(PrimitiveKind::Event) | primitiveBit(PrimitiveKind::Condition);
constexpr std::uint8_t kEvent = primitiveBit(PrimitiveKind::Event);
constexpr std::uint8_t kVariable = primitiveBit(PrimitiveKind::Variable);
constexpr std::uint8_t kCondition = primitiveBit(PrimitiveKind::Condition);
constexpr std::uint8_t kBuffer = primitiveBit(PrimitiveKind::Buffer);

// In OpKind's order (checked below), so that opInfo is an index. One row per op, kept one-per-line for reading.
// clang-format off
constexpr std::array kOps = {
    OpInfo{.key = "io", .kind = OpKind::Io, .argument = OpArgument::Duration, .time = OpTime::Duration,
           .inWorker = true},
    OpInfo{.key = "block", .kind = OpKind::Block, .argument = OpArgument::Duration, .time = OpTime::Duration,
           .inWorker = true},
    OpInfo{.key = "cpu", .kind = OpKind::Cpu, .argument = OpArgument::Duration, .time = OpTime::Duration,
           .inWorker = true},
    OpInfo{.key = "acquire", .kind = OpKind::Acquire, .argument = OpArgument::Target, .extraKey = "timeout",
           .targets = kLockable, .targetsText = "a semaphore, a lock or a condition"},
    OpInfo{.key = "release", .kind = OpKind::Release, .argument = OpArgument::Target, .targets = kLockable,
           .targetsText = "a semaphore, a lock or a condition"},
    OpInfo{.key = "put", .kind = OpKind::Put, .argument = OpArgument::Target, .targets = kQueue,
           .targetsText = "a queue"},
    OpInfo{.key = "get", .kind = OpKind::Get, .argument = OpArgument::Target, .targets = kQueue,
           .targetsText = "a queue"},
    OpInfo{.key = "task_done", .kind = OpKind::TaskDone, .argument = OpArgument::Target, .targets = kQueue,
           .targetsText = "a queue"},
    OpInfo{.key = "close", .kind = OpKind::Close, .argument = OpArgument::Target, .targets = kQueue,
           .targetsText = "a queue"},
    OpInfo{.key = "consume", .kind = OpKind::Consume, .argument = OpArgument::Target, .hasBody = true,
           .targets = kQueue, .targetsText = "a queue", .time = OpTime::BodyPerItem, .bodyRuns = OpBodyRuns::PerItem},
    OpInfo{.key = "wait", .kind = OpKind::Wait, .argument = OpArgument::Target, .targets = kEventOrCondition,
           .targetsText = "an event or a condition"},
    OpInfo{.key = "set", .kind = OpKind::Set, .argument = OpArgument::Target, .targets = kEvent,
           .targetsText = "an event"},
    OpInfo{.key = "gather", .kind = OpKind::Gather, .argument = OpArgument::Children, .extraKey = "return_exceptions",
           .time = OpTime::Children},
    OpInfo{.key = "group", .kind = OpKind::Group, .argument = OpArgument::Children, .time = OpTime::Children},
    OpInfo{.key = "spawn", .kind = OpKind::Spawn, .argument = OpArgument::Children, .time = OpTime::Children},
    OpInfo{.key = "offload", .kind = OpKind::Offload, .argument = OpArgument::Pool, .hasBody = true,
           .time = OpTime::Body},
    OpInfo{.key = "repeat", .kind = OpKind::Repeat, .argument = OpArgument::Count, .hasBody = true,
           .countText = "the repeat count", .time = OpTime::BodyTimesCount, .bodyRuns = OpBodyRuns::UpToCount,
           .inWorker = true},
    OpInfo{.key = "timeout", .kind = OpKind::Timeout, .argument = OpArgument::Duration, .hasBody = true,
           .time = OpTime::ShorterOfBoth, .loopOnly = true},
    OpInfo{.key = "retry", .kind = OpKind::Retry, .argument = OpArgument::Count, .hasBody = true,
           .extraKey = "backoff", .countText = "the number of attempts", .minimumCount = 1, .time = OpTime::Body,
           .bodyRuns = OpBodyRuns::UpToCount},
    OpInfo{.key = "shield", .kind = OpKind::Shield, .argument = OpArgument::None, .hasBody = true,
           .time = OpTime::Body},
    OpInfo{.key = "fail", .kind = OpKind::Fail, .argument = OpArgument::Probability, .inWorker = true},
    OpInfo{.key = "cleanup", .kind = OpKind::Cleanup, .argument = OpArgument::None, .hasBody = true,
           .time = OpTime::Body},
    OpInfo{.key = "read", .kind = OpKind::Read, .argument = OpArgument::Target, .targets = kVariable,
           .targetsText = "a shared variable"},
    OpInfo{.key = "write", .kind = OpKind::Write, .argument = OpArgument::Target, .targets = kVariable,
           .targetsText = "a shared variable"},
    OpInfo{.key = "increment", .kind = OpKind::Increment, .argument = OpArgument::Target, .targets = kVariable,
           .targetsText = "a shared variable"},
    OpInfo{.key = "yield", .kind = OpKind::Yield, .argument = OpArgument::None},
    OpInfo{.key = "wait_for", .kind = OpKind::WaitFor, .argument = OpArgument::Target, .extraKey = "until",
           .targets = kCondition, .targetsText = "a condition"},
    OpInfo{.key = "notify", .kind = OpKind::Notify, .argument = OpArgument::Target, .targets = kCondition,
           .targetsText = "a condition"},
    OpInfo{.key = "notify_all", .kind = OpKind::NotifyAll, .argument = OpArgument::Target, .targets = kCondition,
           .targetsText = "a condition"},
    OpInfo{.key = "append", .kind = OpKind::Append, .argument = OpArgument::Target, .targets = kBuffer,
           .targetsText = "a buffer"},
    OpInfo{.key = "popleft", .kind = OpKind::PopLeft, .argument = OpArgument::Target, .targets = kBuffer,
           .targetsText = "a buffer"},
};
// clang-format on

static_assert(rowsInKindOrder(kOps), "kOps must list the ops in OpKind's order");
static_assert(kOps.size() == kOpKindCount, "every OpKind needs its row in kOps");

} // namespace

std::span<const OpInfo> allOps() {
    return kOps;
}

const OpInfo& opInfo(OpKind kind) {
    const auto index = static_cast<std::size_t>(kind);
    if (index >= kOps.size()) {
        std::abort(); // an OpKind made from a number that is none (a worker message is checked before this)
    }
    return kOps[index];
}

const OpInfo* findOp(std::string_view key) {
    const auto* found = std::find_if(kOps.begin(), kOps.end(), [key](const OpInfo& op) { return op.key == key; });
    return found == kOps.end() ? nullptr : found;
}

} // namespace interleave::core
