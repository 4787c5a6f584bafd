// The one-line progress display on stderr while a run is going (only when stderr is a terminal).
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace interleave::cli {

class ProgressLine {
public:
    ProgressLine(); // enabled when stderr is a terminal
    ~ProgressLine();
    ProgressLine(const ProgressLine&) = delete;
    ProgressLine& operator=(const ProgressLine&) = delete;

    bool enabled() const { return m_enabled; }
    // Redraws at most ten times a second; `force` redraws now.
    void show(std::string_view lesson, std::string_view variant, std::int64_t elapsedNs, std::uint64_t finished,
              std::uint64_t created, bool force = false);
    void message(std::string_view text); // a transient status, e.g. "measuring coroutine switches"
    void clear();

private:
    void draw(std::string_view text);

    bool m_enabled = false;
    bool m_visible = false;
    std::chrono::steady_clock::time_point m_lastDraw;
};

} // namespace interleave::cli
