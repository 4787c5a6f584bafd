// The primitive kinds, one row each, in PrimitiveKind order.
#include "scenario/primitive_table.h"

#include <array>

namespace interleave::core {

namespace {

// clang-format off
constexpr std::array kPrimitives = {
    PrimitiveInfo{.key = "semaphore", .kind = PrimitiveKind::Semaphore, .takesCapacity = true, .defaultCapacity = 1,
                  .minimumCapacity = 1, .levelCounter = "in_use", .waitersCounter = "waiters"},
    PrimitiveInfo{.key = "lock", .kind = PrimitiveKind::Lock, .defaultCapacity = 1, .minimumCapacity = 1,
                  .levelCounter = "held", .waitersCounter = "waiters", .holderCounter = "holder"},
    PrimitiveInfo{.key = "queue", .kind = PrimitiveKind::Queue, .takesCapacity = true, .defaultCapacity = 0,
                  .minimumCapacity = 0, .levelCounter = "depth", .waitersCounter = "getters",
                  .unfinishedCounter = "unfinished", .puttersCounter = "putters"},
    PrimitiveInfo{.key = "event", .kind = PrimitiveKind::Event, .waitersCounter = "waiters"},
    PrimitiveInfo{.key = "variable", .kind = PrimitiveKind::Variable, .levelCounter = "value",
                  .writesCounter = "writes"},
    PrimitiveInfo{.key = "rlock", .kind = PrimitiveKind::RLock, .defaultCapacity = 1, .minimumCapacity = 1,
                  .levelCounter = "held", .waitersCounter = "waiters", .holderCounter = "holder"},
    // A condition is its lock (held, and the tasks waiting to take it) and the tasks in its wait, until notified.
    PrimitiveInfo{.key = "condition", .kind = PrimitiveKind::Condition, .defaultCapacity = 1, .minimumCapacity = 1,
                  .levelCounter = "held", .waitersCounter = "waiters", .sleepersCounter = "waiting",
                  .holderCounter = "holder"},
    PrimitiveInfo{.key = "buffer", .kind = PrimitiveKind::Buffer, .takesCapacity = true, .defaultCapacity = 0,
                  .minimumCapacity = 0, .levelCounter = "size", .takenCounter = "taken"},
};
// clang-format on

static_assert(kPrimitives.size() == kPrimitiveKindCount, "every PrimitiveKind needs its row in kPrimitives");
static_assert(rowsInKindOrder(kPrimitives), "kPrimitives: one row per PrimitiveKind, in PrimitiveKind order");

} // namespace

std::span<const PrimitiveInfo> allPrimitives() {
    return kPrimitives;
}

const PrimitiveInfo& primitiveInfo(PrimitiveKind kind) {
    return kPrimitives.at(static_cast<std::size_t>(kind));
}

const PrimitiveInfo* findPrimitiveKind(std::string_view key) {
    for (const PrimitiveInfo& info : kPrimitives) {
        if (info.key == key) {
            return &info;
        }
    }
    return nullptr;
}

std::vector<std::string_view> primitiveKeys() {
    std::vector<std::string_view> keys;
    for (const PrimitiveInfo& info : kPrimitives) {
        keys.push_back(info.key);
    }
    return keys;
}

std::vector<std::string_view> countersOf(const PrimitiveInfo& info) {
    std::vector<std::string_view> counters;
    for (const std::string_view counter :
         {info.levelCounter, info.waitersCounter, info.unfinishedCounter, info.puttersCounter, info.writesCounter,
          info.sleepersCounter, info.takenCounter, info.holderCounter}) {
        if (!counter.empty()) {
            counters.push_back(counter);
        }
    }
    return counters;
}

} // namespace interleave::core
