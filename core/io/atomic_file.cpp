// Temp file + fsync + rename, with the temp file removed on every failure path.
#include "io/atomic_file.h"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <streambuf>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace interleave::core {

namespace {

std::string reason(int error) {
    return error != 0 ? std::string(std::strerror(error)) : std::string("unknown error");
}

// A stream buffer over a file descriptor that remembers the first failed write's errno.
class FdBuffer : public std::streambuf {
public:
    FdBuffer(int fd, const std::function<bool()>& stopRequested) : m_fd(fd), m_stopRequested(stopRequested) {
        setp(m_buffer.data(), m_buffer.data() + m_buffer.size());
    }
    FdBuffer(const FdBuffer&) = delete;
    FdBuffer& operator=(const FdBuffer&) = delete;
    ~FdBuffer() override = default;

    int error() const { return m_error; }

    bool flushAll() { return drain(); }

protected:
    int_type overflow(int_type ch) override {
        if (!drain()) {
            return traits_type::eof();
        }
        if (!traits_type::eq_int_type(ch, traits_type::eof())) {
            *pptr() = traits_type::to_char_type(ch);
            pbump(1);
        }
        return traits_type::not_eof(ch);
    }

    int sync() override { return drain() ? 0 : -1; }

    std::streamsize xsputn(const char* data, std::streamsize count) override {
        if (count >= static_cast<std::streamsize>(m_buffer.size())) {
            if (!drain() || !writeAll(data, static_cast<std::size_t>(count))) {
                return 0;
            }
            return count;
        }
        return std::streambuf::xsputn(data, count);
    }

private:
    bool drain() {
        const auto pending = static_cast<std::size_t>(pptr() - pbase());
        const bool ok = pending == 0 || writeAll(pbase(), pending);
        setp(m_buffer.data(), m_buffer.data() + m_buffer.size());
        return ok;
    }

    bool writeAll(const char* data, std::size_t size) {
        if (m_error != 0) {
            return false;
        }
        if (m_stopRequested && m_stopRequested()) {
            m_error = ECANCELED;
            return false;
        }
        while (size > 0) {
            const ssize_t written = ::write(m_fd, data, size);
            if (written < 0) {
                if (errno == EINTR) {
                    continue;
                }
                m_error = errno;
                return false;
            }
            data += written;
            size -= static_cast<std::size_t>(written);
        }
        return true;
    }

    int m_fd;
    const std::function<bool()>& m_stopRequested;
    int m_error = 0;
    std::array<char, 1 << 16> m_buffer{};
};

// Removes the temporary file unless it was renamed into place.
struct TempFile {
    std::string path;
    int fd = -1;
    bool committed = false;
    TempFile() = default;
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile() {
        if (fd >= 0) {
            ::close(fd);
        }
        if (!committed && !path.empty()) {
            ::unlink(path.c_str());
        }
    }
};

} // namespace

void writeFileAtomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write,
                         const std::function<bool()>& stopRequested) {
    const std::filesystem::path directory = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    TempFile temp;
    // Created here rather than by mkstemp: close-on-exec from the start (a worker spawned meanwhile must not inherit
    // it), and mode 0666 less the umask as any saved file, with no process-wide umask(0) window to read the umask.
    std::random_device entropy;
    for (int attempt = 0; attempt < 100 && temp.fd < 0; ++attempt) {
        const std::string candidate =
            (directory / fmt::format(".{}.{:08x}", path.filename().string(), entropy())).string();
        temp.fd = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (temp.fd >= 0) {
            temp.path = candidate;
        } else if (errno != EEXIST) {
            break;
        }
    }
    if (temp.fd < 0) {
        throw FileWriteError(fmt::format("cannot write '{}': {}", path.string(), reason(errno)));
    }

    FdBuffer buffer(temp.fd, stopRequested);
    std::ostream stream(&buffer);
    try {
        write(stream);
    } catch (const std::ios_base::failure&) {
        stream.setstate(std::ios::badbit); // a writer that gave up on a failed stream: the buffer's error says why
    }
    stream.flush();
    if (!stream || !buffer.flushAll() || buffer.error() != 0) {
        throw FileWriteError(fmt::format("writing '{}' failed: {}", path.string(), reason(buffer.error())));
    }
    if (::fsync(temp.fd) != 0) {
        throw FileWriteError(fmt::format("writing '{}' failed: {}", path.string(), reason(errno)));
    }
    const int fd = temp.fd;
    temp.fd = -1;
    if (::close(fd) != 0) {
        throw FileWriteError(fmt::format("writing '{}' failed: {}", path.string(), reason(errno)));
    }
    if (std::rename(temp.path.c_str(), path.c_str()) != 0) {
        throw FileWriteError(fmt::format("cannot replace '{}': {}", path.string(), reason(errno)));
    }
    temp.committed = true;
    // The rename is durable once the directory is: without this, a power cut can bring back the old file, or none.
    const int directoryFd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (directoryFd < 0) {
        throw FileWriteError(fmt::format("cannot make '{}' durable: {}", path.string(), reason(errno)));
    }
    const bool synced = ::fsync(directoryFd) == 0;
    const int syncError = errno;
    ::close(directoryFd);
    if (!synced) {
        throw FileWriteError(fmt::format("cannot make '{}' durable: {}", path.string(), reason(syncError)));
    }
}

} // namespace interleave::core
