// The wait-for graph of the locks (Lock, RLock): which task holds each lock, and which lock each blocked task waits
// for. A wait that closes a cycle is a deadlock: every task in the cycle waits for a lock that the next one holds,
// and none of them will ever let go. Only waits without a timeout are edges: a timed one ends on its own.
#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace interleave::core {

// A task as the engine's parts pass it around: its id, and the lane it runs on.
struct TaskRef {
    std::uint32_t id = 0;
    std::uint16_t lane = 0;
};

// One task of a cycle: it waits for `lock` (a name id), which `holder` holds.
struct DeadlockLink {
    TaskRef task;
    std::uint32_t lock = 0;
    TaskRef holder;
};

class LockGraph {
public:
    void held(std::uint32_t lock, TaskRef task);
    void released(std::uint32_t lock);
    // `task` begins to wait for `lock` with no timeout. Returns the cycle this wait closes, from `task` round to the
    // task that holds what the last one waits for (`task` itself), or nothing.
    std::vector<DeadlockLink> waits(TaskRef task, std::uint32_t lock);
    void stopsWaiting(TaskRef task);

private:
    std::mutex m_mutex;
    std::unordered_map<std::uint32_t, TaskRef> m_holderOf;       // lock: the task holding it
    std::unordered_map<std::uint32_t, std::uint32_t> m_waitsFor; // task id: the lock it waits for
};

} // namespace interleave::core
