// Generates a large Chrome trace and measures importing it in a forked child.
#include "import_bench.h"

#include "io/chrome_import.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <stdexcept>

namespace interleave::bench {

namespace {

constexpr int kProcesses = 4;
constexpr int kThreadsPerProcess = 16;
constexpr double kMegabyte = 1000.0 * 1000.0;

struct ChildReport {
    double seconds = 0;
    std::uint64_t events = 0;
    std::uint64_t traceEvents = 0;
    char error[200] = {};
};

} // namespace

std::uint64_t writeSyntheticChromeTrace(const std::filesystem::path& file, std::uint64_t targetBytes,
                                        const std::function<bool()>& stopRequested) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> stream(std::fopen(file.c_str(), "wbe"), &std::fclose);
    if (!stream) {
        throw std::runtime_error(fmt::format("cannot write {}", file.string()));
    }
    fmt::memory_buffer buffer;
    std::uint64_t written = 0;
    auto flush = [&] {
        if (stopRequested && stopRequested()) {
            throw BenchInterrupted();
        }
        if (std::fwrite(buffer.data(), 1, buffer.size(), stream.get()) != buffer.size()) {
            throw std::runtime_error(fmt::format("writing {} failed", file.string()));
        }
        written += buffer.size();
        buffer.clear();
    };
    auto out = std::back_inserter(buffer);

    fmt::format_to(out, "{{\"traceEvents\":[\n");
    for (int process = 1; process <= kProcesses; ++process) {
        fmt::format_to(out,
                       R"j({{"ph":"M","pid":{},"tid":0,"name":"process_name","args":{{"name":"service-{}"}}}},)j"
                       "\n",
                       process, process);
        for (int thread = 1; thread <= kThreadsPerProcess; ++thread) {
            fmt::format_to(out,
                           R"j({{"ph":"M","pid":{},"tid":{},"name":"thread_name","args":{{"name":"worker-{}"}}}},)j"
                           "\n",
                           process, process * 100 + thread, thread);
        }
    }
    constexpr int kThreads = kProcesses * kThreadsPerProcess;
    for (std::uint64_t unit = 0; written + buffer.size() < targetBytes; ++unit) {
        const auto thread = static_cast<int>(unit % kThreads);
        const int pid = thread / kThreadsPerProcess + 1;
        const int tid = pid * 100 + thread % kThreadsPerProcess + 1;
        const std::uint64_t round = unit / kThreads; // every thread gets one unit per round, 100 µs apart
        const double t = 1'000'000.0 + static_cast<double>(round) * 100.0 + thread * 0.125;
        fmt::format_to(
            out,
            R"j({{"ph":"X","cat":"fee","name":"leaf_{} (/srv/app/mod{}.py:{})","pid":{},"tid":{},"ts":{:.3f},"dur":5.5}},)j"
            "\n",
            unit % 97, thread % 7, unit % 400, pid, tid, t + 12.125);
        fmt::format_to(
            out,
            R"j({{"ph":"X","cat":"fee","name":"child_{} (/srv/app/mod{}.py:{})","pid":{},"tid":{},"ts":{:.3f},"dur":20.25}},)j"
            "\n",
            unit % 31, thread % 5, unit % 300, pid, tid, t + 10.0);
        fmt::format_to(
            out,
            R"j({{"ph":"X","cat":"fee","name":"handler_{} (/srv/app/api.py:{})","pid":{},"tid":{},"ts":{:.3f},"dur":50.5,"args":{{"request":{},"path":"/api/items"}}}},)j"
            "\n",
            unit % 13, unit % 200, pid, tid, t, unit);
        fmt::format_to(out,
                       R"j({{"ph":"B","cat":"io","name":"read","pid":{},"tid":{},"ts":{:.3f}}},)j"
                       "\n"
                       R"j({{"ph":"E","cat":"io","pid":{},"tid":{},"ts":{:.3f}}},)j"
                       "\n",
                       pid, tid, t + 60.0, pid, tid, t + 70.5);
        if (unit % 4 == 0) {
            fmt::format_to(
                out,
                R"j({{"ph":"b","cat":"async","name":"request","id":"0x{:x}","pid":{},"tid":{},"ts":{:.3f}}},)j"
                "\n"
                R"j({{"ph":"n","cat":"async","name":"headers","id":"0x{:x}","pid":{},"tid":{},"ts":{:.3f}}},)j"
                "\n"
                R"j({{"ph":"e","cat":"async","name":"request","id":"0x{:x}","pid":{},"tid":{},"ts":{:.3f}}},)j"
                "\n",
                unit, pid, tid, t + 1.0, unit, pid, tid, t + 30.0, unit, pid, tid, t + 75.0);
        }
        if (unit % 8 == 0) {
            fmt::format_to(
                out,
                R"j({{"ph":"C","name":"memory","pid":{},"ts":{:.3f},"args":{{"heap_mb":{:.2f},"rss_kb":{}}}}},)j"
                "\n",
                pid, t + 2.0, 100.0 + static_cast<double>(unit % 1000) / 4.0, 40'000 + unit % 5000);
        }
        if (unit % 16 == 0) {
            fmt::format_to(out,
                           R"j({{"ph":"i","name":"gc","s":"t","pid":{},"tid":{},"ts":{:.3f}}},)j"
                           "\n",
                           pid, tid, t + 40.0);
        }
        if (buffer.size() >= (1U << 20)) {
            flush();
        }
    }
    fmt::format_to(out, R"j({{"ph":"i","name":"end","s":"g","pid":1,"tid":101,"ts":1000000}}],)j"
                        "\n"
                        R"j("displayTimeUnit":"ms","metadata":{{"generator":"interleave-cli bench --import"}}}})j"
                        "\n");
    flush();
    return written;
}

std::vector<BenchFigure> runImportBenchmark(const ImportBenchOptions& options) {
    const std::filesystem::path directory =
        options.directory.empty() ? std::filesystem::temp_directory_path() : options.directory;
    const std::filesystem::path file = directory / fmt::format("interleave-import-bench-{}.json", getpid());
    struct Remove {
        std::filesystem::path path;
        ~Remove() {
            std::error_code ignored;
            std::filesystem::remove(path, ignored);
        }
    } remove{file};

    if (options.progress) {
        options.progress(
            fmt::format("writing a {:.0f} MB Chrome trace", static_cast<double>(options.targetBytes) / kMegabyte));
    }
    const std::uint64_t bytes = writeSyntheticChromeTrace(file, options.targetBytes, options.stopRequested);
    if (options.progress) {
        options.progress(fmt::format("importing {:.0f} MB in a child process", static_cast<double>(bytes) / kMegabyte));
    }

    int fds[2] = {-1, -1};
    if (pipe2(fds, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe failed");
    }
    const pid_t parent = getpid();
    const pid_t child = fork();
    if (child < 0) {
        throw std::runtime_error("fork failed");
    }
    if (child == 0) {
        // The child stops with a Ctrl-C at the terminal, and dies with the parent: it never outlives the benchmark.
        std::signal(SIGINT, SIG_DFL);
        std::signal(SIGTERM, SIG_DFL);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) {
            _exit(1);
        }
        close(fds[0]);
        ChildReport report;
        try {
            const auto start = std::chrono::steady_clock::now();
            const core::ImportResult result = core::importChromeTrace(file);
            report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            report.events = result.stats.events;
            report.traceEvents = result.trace.events.size();
        } catch (const std::exception& error) {
            std::snprintf(report.error, sizeof report.error, "%s", error.what());
        }
        const ssize_t sent = write(fds[1], &report, sizeof report);
        _exit(sent == static_cast<ssize_t>(sizeof report) ? 0 : 1);
    }
    close(fds[1]);
    ChildReport report;
    std::size_t got = 0;
    while (got < sizeof report) {
        // Waits in short steps, so that a stop request (the first Ctrl-C) is seen while the child imports.
        pollfd readable{fds[0], POLLIN, 0};
        if (poll(&readable, 1, 50) <= 0) { // nothing yet, or a signal came
            if (options.stopRequested && options.stopRequested()) {
                kill(child, SIGKILL);
                while (waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
                }
                close(fds[0]);
                throw BenchInterrupted();
            }
            continue;
        }
        const ssize_t part = read(fds[0], reinterpret_cast<char*>(&report) + got, sizeof report - got);
        if (part <= 0) {
            if (part < 0 && errno == EINTR) {
                continue;
            }
            break;
        }
        got += static_cast<std::size_t>(part);
    }
    close(fds[0]);
    int status = 0;
    rusage usage = {};
    while (wait4(child, &status, 0, &usage) < 0 && errno == EINTR) {
    }
    if (got != sizeof report || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw std::runtime_error("the import child process failed");
    }
    if (report.error[0] != '\0') {
        throw std::runtime_error(fmt::format("import failed: {}", report.error));
    }

    const double fileMb = static_cast<double>(bytes) / kMegabyte;
    const double peakMb = static_cast<double>(usage.ru_maxrss) * 1024.0 / kMegabyte; // ru_maxrss is in KiB
    const double ratio = peakMb / fileMb;
    std::vector<BenchFigure> figures;
    figures.push_back(BenchFigure{fmt::format("import of a {:.0f} MB Chrome trace ({:.1f} M events)", fileMb,
                                              static_cast<double>(report.events) / 1e6),
                                  report.seconds, "s", "<= 3", report.seconds <= 3.0,
                                  "warm page cache: the file was just written, so it is read from memory"});
    figures.push_back(BenchFigure{fmt::format("import peak memory ({:.0f} MB RSS for {:.0f} MB)", peakMb, fileMb),
                                  ratio, "x file size", "<= 4", ratio <= 4.0,
                                  "the importing child's peak RSS (wait4), the parser and the trace together"});
    return figures;
}

} // namespace interleave::bench
