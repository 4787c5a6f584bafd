// A loop task's cancellation (asyncio's Task.cancel and CancelledError), shared by the engine and the loop's
// primitives.
#pragma once

#include <cstdint>
#include <functional>

namespace interleave::core {

// What CancelledError is in a task's failure text (a join's error, a gather's result).
inline constexpr const char* kCancelledError = "CancelledError";

// Thrown at a loop task's await when it is cancelled (asyncio's CancelledError).
struct TaskCancelled {};

// A loop task's cancellation, as asyncio's Task.cancel(): asked for by a timeout, a failing group, a cancelled parent
// or the end of the run, and delivered as TaskCancelled at the task's await in progress, or at its next one. Loop
// thread only.
struct LoopControl {
    bool cancelRequested = false;
    std::uint64_t cancelSource = 0;  // the timeout that asked (see Engine::timeoutOnLoop); 0 for anything else
    std::function<void()> interrupt; // wakes the await in progress, if it can be woken; empty otherwise
    bool ended = false;
    int timeoutsArmed = 0; // timeouts around the await in progress: a lock wait under one is no deadlock's edge

    void cancel(std::uint64_t source = 0) {
        if (ended || cancelRequested) {
            return;
        }
        cancelRequested = true;
        cancelSource = source;
        if (interrupt) {
            const std::function<void()> wake = std::move(interrupt);
            interrupt = nullptr;
            wake();
        }
    }
    // At an await: throws TaskCancelled when a cancellation is pending. The request is then spent, as in asyncio, so
    // that cleanup steps can await.
    void deliver() {
        if (cancelRequested) {
            cancelRequested = false;
            throw TaskCancelled{};
        }
    }
};

} // namespace interleave::core
