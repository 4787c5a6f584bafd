// The loop's coroutine types, bound to the io_context's own executor rather than the type-erased any_io_executor:
// every switch on the loop copies and compares executors, and the erased ones cost a third of a switch.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

namespace interleave::core {

using LoopExecutor = asio::io_context::executor_type;
template <typename T = void> using LoopAwaitable = asio::awaitable<T, LoopExecutor>;
using LoopTimer =
    asio::basic_waitable_timer<std::chrono::steady_clock, asio::wait_traits<std::chrono::steady_clock>, LoopExecutor>;
inline constexpr asio::use_awaitable_t<LoopExecutor> kOnLoop;
// What resumes a loop coroutine suspended on an operation that completes with nothing (Asio's handler for kOnLoop).
using LoopResumer = asio::async_result<asio::use_awaitable_t<LoopExecutor>, void()>::handler_type;

} // namespace interleave::core
