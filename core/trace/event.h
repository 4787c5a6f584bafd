// The fixed-size trace record and the enumerations it carries.
#pragma once

#include <cstdint>
#include <string_view>

namespace interleave::core {

enum class EventKind : std::uint8_t {
    TaskCreated, // task = new task, subject = name id, value = index within its fan-out, code unused
    TaskParent,  // task = child, value = parent task id (a separate record keeps Event small)
    TaskState,   // task changes to `code` (TaskState); subject = primitive name id or 0; value = listing line
    Counter,     // subject = counter name id, value = sample (counters are integers; lag is in microseconds)
    Marker,      // code = MarkerKind, subject = message id or 0, value = listing line
    LaneState,   // lane-level span such as a worker process starting: code = TaskState, task unused
    CounterReal, // subject = counter name id, value = index into Trace::realValues (imports: doubles beyond int32)
};

enum class TaskState : std::uint8_t {
    Ready,
    Running,
    WaitingIo,  // an awaitable wait (timer) or a blocking I/O call that releases the GIL
    Blocked,    // blocked on a named primitive or inside a blocking call; subject names which
    WaitingGil, // runnable, but another thread holds the simulated GIL
    Done,
    Failed,
    Cancelled,
    Starting, // lane-level: a worker process between spawn and its first "ready" message
    Idle,     // lane-level: a worker process or pool thread with nothing to do
};
inline constexpr int kTaskStateCount = 10;

// Instant: a named point in time from an imported trace (subject = its name id).
enum class MarkerKind : std::uint8_t {
    Timeout,
    Retry,
    Cancel,
    Exception,
    Deadlock,
    BrokenPool,
    Cleanup,
    Instant,
    Stalled,    // the watchdog ended a run in which no task could make progress
    Redelivery, // a broker handed a job again to a worker, after its first worker died or it failed
    DeadLetter, // a broker moved a job that failed on every delivery to its dead-letter list
};
inline constexpr int kMarkerKindCount = 11;

// 24 bytes: the recorder's memory cost per stored event.
struct Event {
    std::int64_t timeNs = 0; // ns since the run started (raw clock ticks while still inside a recorder buffer)
    std::uint32_t task = 0;
    std::uint16_t lane = 0;
    EventKind kind = EventKind::TaskState;
    std::uint8_t code = 0;
    std::uint32_t subject = 0;
    std::int32_t value = 0;
};
static_assert(sizeof(Event) == 24, "Event must stay 24 bytes");

constexpr bool isTerminal(TaskState state) {
    return state == TaskState::Done || state == TaskState::Failed || state == TaskState::Cancelled;
}

std::string_view toString(TaskState state);
std::string_view toString(MarkerKind kind);
std::string_view toString(EventKind kind);

} // namespace interleave::core
