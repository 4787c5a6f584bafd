// Whole-buffer reads and writes on a pipe, retried across signals and short transfers.
#pragma once

#include <cstddef>
#include <string_view>

namespace interleave::core {

// False when the other end is gone (EOF or EPIPE) or on another error.
bool writeAll(int fd, std::string_view data);
bool readExactly(int fd, void* buffer, std::size_t size);

} // namespace interleave::core
