// Writes a file so that readers only ever see the old content or the complete new one: the data goes to a
// temporary file beside the target, is flushed to disk, and is then renamed over it.
#pragma once

#include <filesystem>
#include <functional>
#include <ostream>
#include <stdexcept>

namespace interleave::core {

// A write that did not happen; the message names the file and the system's reason ("No space left on device").
class FileWriteError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Calls `write` with a stream on a temporary file in the target's directory, then replaces `path` with it.
// On any failure (cannot create, a write error such as a full disk, `write` throwing, the rename) the temporary
// file is removed, `path` is left exactly as it was, and FileWriteError is thrown (an exception from `write`
// itself is rethrown unchanged, except the std::ios_base::failure of a stream that failed, which is the write
// error). `stopRequested`, when given, is asked before every 64 KB block: true fails the write there
// ("Operation canceled"), so that a stop does not wait for a large file.
void writeFileAtomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write,
                         const std::function<bool()>& stopRequested = {});

} // namespace interleave::core
