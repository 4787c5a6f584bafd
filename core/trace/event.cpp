// Names of the trace enumerations, as they appear in exports and the CLI.
#include "trace/event.h"

namespace interleave::core {

std::string_view toString(TaskState state) {
    switch (state) {
    case TaskState::Ready:
        return "ready";
    case TaskState::Running:
        return "running";
    case TaskState::WaitingIo:
        return "waiting-io";
    case TaskState::Blocked:
        return "blocked";
    case TaskState::WaitingGil:
        return "waiting-gil";
    case TaskState::Done:
        return "done";
    case TaskState::Failed:
        return "failed";
    case TaskState::Cancelled:
        return "cancelled";
    case TaskState::Starting:
        return "starting";
    case TaskState::Idle:
        return "idle";
    }
    return "unknown";
}

std::string_view toString(MarkerKind kind) {
    switch (kind) {
    case MarkerKind::Timeout:
        return "timeout";
    case MarkerKind::Retry:
        return "retry";
    case MarkerKind::Cancel:
        return "cancel";
    case MarkerKind::Exception:
        return "exception";
    case MarkerKind::Deadlock:
        return "deadlock";
    case MarkerKind::BrokenPool:
        return "broken-pool";
    case MarkerKind::Cleanup:
        return "cleanup";
    case MarkerKind::Instant:
        return "instant";
    case MarkerKind::Stalled:
        return "stalled";
    case MarkerKind::Redelivery:
        return "redelivery";
    case MarkerKind::DeadLetter:
        return "dead-letter";
    }
    return "unknown";
}

std::string_view toString(EventKind kind) {
    switch (kind) {
    case EventKind::TaskCreated:
        return "task-created";
    case EventKind::TaskParent:
        return "task-parent";
    case EventKind::TaskState:
        return "task-state";
    case EventKind::Counter:
        return "counter";
    case EventKind::Marker:
        return "marker";
    case EventKind::LaneState:
        return "lane-state";
    case EventKind::CounterReal:
        return "counter-real";
    }
    return "unknown";
}

} // namespace interleave::core
