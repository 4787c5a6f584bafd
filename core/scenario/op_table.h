// Every op described once: its key in a lesson file, what it takes, what it works on, where it may run and how it
// counts towards a plan's size and time. The parser, the checks, the plan compiler and the worker protocol read this
// table; the engine executes the op (runtime/engine_ops.cpp: its way on the loop beside its way on a thread, and
// worker_process.cpp for the ops a worker process runs). Adding an op: its OpKind, its row here, its executors, its
// tests and its line in docs/lesson-format.md (a test checks that every key is there).
#pragma once

#include "scenario/scenario.h"

#include <cstdint>
#include <span>
#include <string_view>

namespace interleave::core {

// What the op's own value is.
enum class OpArgument : std::uint8_t {
    Duration,    // milliseconds (io: 100)
    Count,       // a whole number (repeat: 3)
    Probability, // between 0 and 1 (fail: 0.2)
    Target,      // a declared primitive's name (acquire: sem)
    Children,    // a child task or a list of them (gather: {name, count, do})
    Pool,        // threads or processes (offload: threads)
    None,        // nothing: the op is its `do:` (shield:)
};

// How the op adds to the plan's lower bound on time (no contention beyond the pools, the semaphores and the queues).
enum class OpTime : std::uint8_t {
    Nothing,        // instant, or a wait whose length depends on others (acquire, get)
    Duration,       // its own duration (io, block, cpu)
    Body,           // its body once (offload, shield, cleanup; retry when the first attempt succeeds)
    BodyTimesCount, // its body `count` times (repeat)
    ShorterOfBoth,  // its body, cut at its duration (timeout)
    BodyPerItem,    // its body once per item its queue will get, shared with the queue's other consumers (consume)
    Children,       // its children, as many at once as their placement allows (gather, group, spawn)
};

// How many times the op's body may run, for sizing a plan (tasks, steps, puts) before it runs.
enum class OpBodyRuns : std::uint8_t {
    Once,
    UpToCount, // `count` times at most (repeat; retry until one attempt succeeds)
    PerItem,   // once per item put on its queue over the run (consume)
};

// A bit per PrimitiveKind, for OpInfo::targets.
constexpr std::uint8_t primitiveBit(PrimitiveKind kind) {
    return static_cast<std::uint8_t>(1U << static_cast<unsigned>(kind));
}

struct OpInfo {
    std::string_view key; // in a lesson file, and in messages
    OpKind kind;
    OpArgument argument;
    bool hasBody = false;           // takes a `do:` list
    std::string_view extraKey{};    // one more key it takes (retry: backoff), or none
    std::uint8_t targets = 0;       // Target: the primitive kinds it works on (primitiveBit)
    std::string_view targetsText{}; // the same, for messages: "a semaphore or a lock"
    std::string_view countText{};   // Count: what the number counts, for messages
    std::int64_t minimumCount = 0;  // Count: the least accepted
    OpTime time = OpTime::Nothing;
    OpBodyRuns bodyRuns = OpBodyRuns::Once;
    bool loopOnly = false; // needs the event loop: only a task on it can be cancelled (timeout)
    bool inWorker = false; // a worker process can run it: work sent to the process pool is made of these
};

std::span<const OpInfo> allOps();
const OpInfo& opInfo(OpKind kind);
const OpInfo* findOp(std::string_view key); // nullptr when no op has that key

} // namespace interleave::core
