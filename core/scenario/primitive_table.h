// Every primitive kind described once: its word in a lesson file, whether it takes a capacity, the counters it
// records, and its default and least capacity. The lesson reader, the expectation reader, the plan compiler and
// the runtime's counters read this table. What a primitive does is one state machine (runtime/primitive_state.h)
// with its two ways of waiting (runtime/async_primitives on the loop, runtime/blocking_primitives in a thread), made
// in Engine's constructor. Adding a primitive: its PrimitiveKind, its row here, its state machine and waits, the ops
// that take it (op_table), its tests and its docs.
#pragma once

#include "scenario/scenario.h"

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace interleave::core {

struct PrimitiveInfo {
    std::string_view key; // in a lesson file ("semaphore"), and in messages
    PrimitiveKind kind;
    bool takesCapacity = false;     // `capacity:` may be given
    std::int64_t defaultCapacity{}; // without one (0 for a queue: unbounded)
    std::int64_t minimumCapacity{}; // the least accepted
    // The counters it records, "<name>.<suffix>"; empty when it has none of that role.
    std::string_view levelCounter{};      // how much of it is taken: permits in use, held, items in the queue
    std::string_view waitersCounter{};    // tasks waiting on it (getters, for a queue)
    std::string_view unfinishedCounter{}; // items put and not yet marked done (a queue)
    std::string_view puttersCounter{};    // producers waiting for room (a queue)
    std::string_view writesCounter{};     // updates written to it (a shared variable: with its value, the lost ones)
    std::string_view sleepersCounter{};   // tasks in a condition's wait, until notified
    std::string_view takenCounter{};      // items taken out of it over the run (a buffer)
    std::string_view holderCounter{};     // the id of the task that holds it, -1 when free (a lock: its lane)
};

std::span<const PrimitiveInfo> allPrimitives();
const PrimitiveInfo& primitiveInfo(PrimitiveKind kind);
const PrimitiveInfo* findPrimitiveKind(std::string_view key); // nullptr when no kind has that word
std::vector<std::string_view> primitiveKeys();                // in PrimitiveKind order
// The suffixes of the counters a primitive of this kind records, in the order above.
std::vector<std::string_view> countersOf(const PrimitiveInfo& info);

} // namespace interleave::core
