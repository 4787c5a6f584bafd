// The one-line progress display on stderr, redrawn in place with a carriage return.
#include "progress.h"

#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <sys/ioctl.h>
#include <unistd.h>

namespace interleave::cli {

namespace {

constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

std::size_t terminalColumns() {
    winsize size = {};
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
        return size.ws_col;
    }
    return 80;
}

// Cuts `text` to `columns` characters without splitting a UTF-8 sequence.
std::string_view fitToColumns(std::string_view text, std::size_t columns) {
    std::size_t characters = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0U) != 0x80U && ++characters > columns) {
            return text.substr(0, i);
        }
    }
    return text;
}

} // namespace

ProgressLine::ProgressLine() : m_enabled(isatty(STDERR_FILENO) == 1) {}

ProgressLine::~ProgressLine() {
    clear();
}

void ProgressLine::show(std::string_view lesson, std::string_view variant, std::int64_t elapsedNs,
                        std::uint64_t finished, std::uint64_t created, bool force) {
    if (!m_enabled) {
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (!force && m_visible && now - m_lastDraw < kRedrawInterval) {
        return;
    }
    m_lastDraw = now;
    draw(fmt::format("{} · {}  {:.1f} s  tasks {}/{} finished  (Ctrl-C stops)", lesson, variant,
                     static_cast<double>(elapsedNs) / 1e9, finished, created));
}

void ProgressLine::message(std::string_view text) {
    if (m_enabled) {
        draw(text);
    }
}

void ProgressLine::clear() {
    if (m_enabled && m_visible) {
        std::fputs("\r\x1b[2K", stderr);
        std::fflush(stderr);
        m_visible = false;
    }
}

void ProgressLine::draw(std::string_view text) {
    const std::string_view fitted = fitToColumns(text, terminalColumns() - 1);
    std::fprintf(stderr, "\r\x1b[2K%.*s", static_cast<int>(fitted.size()), fitted.data());
    std::fflush(stderr);
    m_visible = true;
}

} // namespace interleave::cli
