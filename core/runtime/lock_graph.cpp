// Deadlock detection: the cycle is looked for when a task begins to wait, the only moment one can close.
#include "runtime/lock_graph.h"

namespace interleave::core {

void LockGraph::held(std::uint32_t lock, TaskRef task) {
    std::lock_guard guard(m_mutex);
    m_holderOf[lock] = task;
}

void LockGraph::released(std::uint32_t lock) {
    std::lock_guard guard(m_mutex);
    m_holderOf.erase(lock);
}

std::vector<DeadlockLink> LockGraph::waits(TaskRef task, std::uint32_t lock) {
    std::lock_guard guard(m_mutex);
    m_waitsFor[task.id] = lock;
    // Each task waits for one lock and each lock has one holder: the edges from `task` make one path, which is a
    // cycle when it comes back to `task`. (A cycle that does not pass through `task` was found when it closed.)
    std::vector<DeadlockLink> cycle;
    TaskRef waiter = task;
    std::uint32_t wanted = lock;
    while (cycle.size() <= m_waitsFor.size()) {
        const auto holder = m_holderOf.find(wanted);
        if (holder == m_holderOf.end()) {
            return {};
        }
        cycle.push_back(DeadlockLink{waiter, wanted, holder->second});
        if (holder->second.id == task.id) {
            return cycle;
        }
        const auto next = m_waitsFor.find(holder->second.id);
        if (next == m_waitsFor.end()) {
            return {};
        }
        waiter = holder->second;
        wanted = next->second;
    }
    return {};
}

void LockGraph::stopsWaiting(TaskRef task) {
    std::lock_guard guard(m_mutex);
    m_waitsFor.erase(task.id);
}

} // namespace interleave::core
