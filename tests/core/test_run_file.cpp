// Run files: a run saved and opened again is the same run; damaged, foreign and future files are refused clearly;
// saving never leaves a half-written file behind.
#include "io/atomic_file.h"
#include "io/run_file.h"
#include "plan_builder.h"
#include "runtime/run.h"
#include "trace/trace_analysis.h"
#include "trace_builder.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <unistd.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

namespace interleave::test {
namespace {

namespace fs = std::filesystem;

class RunFileTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_dir = fs::temp_directory_path() / ("interleave-runfile-" + std::to_string(::getpid()) + "-" +
                                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(m_dir);
        fs::create_directories(m_dir);
    }
    void TearDown() override { fs::remove_all(m_dir); }
    fs::path path(const std::string& name) const { return m_dir / name; }
    std::size_t fileCount() const {
        return static_cast<std::size_t>(std::distance(fs::directory_iterator(m_dir), fs::directory_iterator()));
    }
    fs::path m_dir;
};

std::string readBytes(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeBytes(const fs::path& file, const std::string& bytes) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void expectSameTrace(const Trace& a, const Trace& b) {
    ASSERT_EQ(a.events.size(), b.events.size());
    for (std::size_t i = 0; i < a.events.size(); ++i) {
        EXPECT_EQ(std::memcmp(&a.events[i], &b.events[i], sizeof(Event)), 0) << "event " << i;
    }
    ASSERT_EQ(a.strings.size(), b.strings.size());
    for (std::uint32_t id = 0; id < a.strings.size(); ++id) {
        EXPECT_EQ(a.strings.at(id), b.strings.at(id));
    }
    ASSERT_EQ(a.lanes.size(), b.lanes.size());
    for (std::size_t i = 0; i < a.lanes.size(); ++i) {
        EXPECT_EQ(a.lanes[i].name, b.lanes[i].name);
        EXPECT_EQ(a.lanes[i].kind, b.lanes[i].kind);
        EXPECT_EQ(a.lanes[i].processId, b.lanes[i].processId);
    }
    EXPECT_EQ(a.realValues, b.realValues);
    EXPECT_EQ(a.endNs, b.endNs);
}

RunFile sampleFile() {
    using core::testing::ms;
    core::testing::TraceBuilder builder;
    builder.lane("loop").lane("worker 1", LaneKind::WorkerProcess);
    builder.task(0, 0, "main").state(0, 0, TaskState::Running).state(ms(1), 0, TaskState::WaitingIo, 0, "sleep", 7);
    builder.counter(ms(1), "in_flight", 3).marker(ms(2), 0, MarkerKind::Retry, "again");
    builder.state(ms(3), 0, TaskState::Done);
    Trace trace = builder.finish(ms(3));
    // An imported counter with a value beyond int32 (heap bytes): CounterReal, through Trace::realValues.
    trace.realValues = {3.5e9, 0.25};
    const std::uint32_t heap = trace.strings.intern("heap");
    trace.events.push_back({ms(3), 0, 0, EventKind::CounterReal, 0, heap, 0});
    trace.events.push_back({ms(3), 0, 0, EventKind::CounterReal, 0, heap, 1});
    RunFile file;
    file.app = "Interleave test";
    file.savedAt = nowIso8601();
    file.cores = 2;
    file.machine = "box";
    file.lessonId = "gather";
    file.lessonTitle = "await in a loop vs gather";
    file.lessonPath = "/lessons/02-gather.yaml";
    file.lessonSource = "id: gather\ntitle: \"await in a loop vs gather\"\n# ünïcode stays\n";
    file.parameters = {{"requests", 10}, {"latency_ms", 200.5}};
    file.view.laneMode = "worker";
    file.view.rangeStartNs = ms(1);
    file.view.rangeEndNs = ms(2);
    file.view.playheadNs = ms(1.5);
    file.view.selectedVariant = 1;
    file.view.selectedTask = 4;
    VariantRun first;
    first.variant = "sequential";
    first.outcome.status = RunStatus::Completed;
    first.timeScale = 2.0;
    first.trace = trace;
    VariantRun second;
    second.variant = "gather";
    second.outcome = {RunStatus::Failed, "broken process pool: worker 1 was killed"};
    second.trace = first.trace;
    second.trace.endNs = ms(4);
    file.variants = {first, second};
    return file;
}

TEST_F(RunFileTest, EverythingSavedComesBack) {
    const RunFile saved = sampleFile();
    saveRunFile(path("run.interleave"), saved);
    const RunFile opened = loadRunFile(path("run.interleave"));
    EXPECT_EQ(opened.format, kRunFileFormat);
    EXPECT_EQ(opened.app, saved.app);
    EXPECT_EQ(opened.savedAt, saved.savedAt);
    EXPECT_EQ(opened.cores, 2U);
    EXPECT_EQ(opened.machine, "box");
    EXPECT_EQ(opened.lessonId, saved.lessonId);
    EXPECT_EQ(opened.lessonTitle, saved.lessonTitle);
    EXPECT_EQ(opened.lessonPath, saved.lessonPath);
    EXPECT_EQ(opened.lessonSource, saved.lessonSource);
    EXPECT_EQ(opened.parameters, saved.parameters);
    EXPECT_EQ(opened.view.laneMode, "worker");
    EXPECT_EQ(opened.view.rangeStartNs, saved.view.rangeStartNs);
    EXPECT_EQ(opened.view.rangeEndNs, saved.view.rangeEndNs);
    EXPECT_EQ(opened.view.playheadNs, saved.view.playheadNs);
    EXPECT_EQ(opened.view.selectedVariant, 1);
    EXPECT_EQ(opened.view.selectedTask, 4U);
    ASSERT_EQ(opened.variants.size(), 2U);
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(opened.variants[i].variant, saved.variants[i].variant);
        EXPECT_EQ(opened.variants[i].outcome.status, saved.variants[i].outcome.status);
        EXPECT_EQ(opened.variants[i].outcome.error, saved.variants[i].outcome.error);
        EXPECT_EQ(opened.variants[i].timeScale, saved.variants[i].timeScale);
        expectSameTrace(opened.variants[i].trace, saved.variants[i].trace);
    }
}

// A sweep's session keeps which variant and parameter it swept and each run's value; a file whose sweep does not
// match its runs is refused.
TEST_F(RunFileTest, ASweepComesBackWithItsValues) {
    RunFile saved = sampleFile();
    saved.sweep = SavedSweep{"pool", "workers", {1, 4}};
    saveRunFile(path("sweep.interleave"), saved);
    const RunFile opened = loadRunFile(path("sweep.interleave"));
    ASSERT_TRUE(opened.sweep.has_value());
    EXPECT_EQ(opened.sweep->variant, "pool");
    EXPECT_EQ(opened.sweep->parameter, "workers");
    EXPECT_EQ(opened.sweep->values, (std::vector<double>{1, 4}));

    saved.sweep->values = {1, 2, 4}; // three values for two runs
    saveRunFile(path("bad.interleave"), saved);
    try {
        loadRunFile(path("bad.interleave"));
        FAIL() << "a sweep with more values than runs was read";
    } catch (const RunFileError& error) {
        EXPECT_NE(std::string(error.what()).find("its sweep has 3 values for 2 runs"), std::string::npos)
            << error.what();
    }
}

TEST_F(RunFileTest, ARealRunComesBackIdentical) {
    PlanBuilder builder(Model::Async);
    builder.program({builder.fanOut(OpKind::Gather, "request", 5, {io(5)})});
    const RunResult result = runToCompletion(builder.build());
    ASSERT_EQ(result.outcome.status, RunStatus::Completed);
    RunFile file;
    file.lessonId = "handmade";
    VariantRun variant;
    variant.variant = "gather";
    variant.outcome = result.outcome;
    variant.trace = result.trace;
    file.variants.push_back(variant);
    saveRunFile(path("real.interleave"), file);
    const RunFile opened = loadRunFile(path("real.interleave"));
    ASSERT_EQ(opened.variants.size(), 1U);
    expectSameTrace(opened.variants[0].trace, result.trace);
    const TraceAnalysis before = analyze(result.trace);
    const TraceAnalysis after = analyze(opened.variants[0].trace);
    EXPECT_EQ(before.spans.size(), after.spans.size());
    EXPECT_EQ(before.makespanNs, after.makespanNs);
}

TEST_F(RunFileTest, ForeignFilesAreNotRunFiles) {
    writeBytes(path("notes.txt"), "hello, this is not a run\n");
    try {
        (void)loadRunFile(path("notes.txt"));
        FAIL() << "a text file opened as a run";
    } catch (const RunFileError& error) {
        EXPECT_NE(std::string(error.what()).find("is not an Interleave run file"), std::string::npos) << error.what();
    }
    EXPECT_THROW((void)loadRunFile(path("missing.interleave")), RunFileError);
}

std::string withFormat(std::string bytes, std::uint32_t format) {
    std::memcpy(bytes.data() + 16, &format, sizeof format);
    return bytes;
}

TEST_F(RunFileTest, NewerAndRetiredFormatsAreRefusedWithTheReason) {
    saveRunFile(path("run.interleave"), sampleFile());
    const std::string bytes = readBytes(path("run.interleave"));
    writeBytes(path("newer.interleave"), withFormat(bytes, kRunFileFormat + 1));
    try {
        (void)loadRunFile(path("newer.interleave"));
        FAIL() << "a newer format opened";
    } catch (const RunFileError& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find("newer version of Interleave"), std::string::npos) << message;
        EXPECT_NE(message.find("format " + std::to_string(kRunFileFormat + 1)), std::string::npos) << message;
    }
    writeBytes(path("older.interleave"), withFormat(bytes, kOldestRunFileFormat - 1));
    try {
        (void)loadRunFile(path("older.interleave"));
        FAIL() << "a retired format opened";
    } catch (const RunFileError& error) {
        EXPECT_NE(std::string(error.what()).find("no longer"), std::string::npos) << error.what();
    }
}

TEST_F(RunFileTest, DamagedAndTruncatedFilesAreRefused) {
    saveRunFile(path("run.interleave"), sampleFile());
    const std::string bytes = readBytes(path("run.interleave"));
    for (const std::size_t cut : {std::size_t{20}, bytes.size() / 2, bytes.size() - 1}) {
        writeBytes(path("cut.interleave"), bytes.substr(0, cut));
        try {
            (void)loadRunFile(path("cut.interleave"));
            FAIL() << "a file cut at " << cut << " opened";
        } catch (const RunFileError& error) {
            EXPECT_NE(std::string(error.what()).find("damaged"), std::string::npos) << error.what();
        }
    }
    std::string flipped = bytes;
    flipped[bytes.size() - 40] = static_cast<char>(flipped[bytes.size() - 40] ^ 0x5a);
    writeBytes(path("flipped.interleave"), flipped);
    EXPECT_THROW((void)loadRunFile(path("flipped.interleave")), RunFileError);
}

// A crafted file: its JSON header edited by `edit` and its checksum made right again, as an attacker would (the
// checksum guards against damage, not malice).
std::string withHeader(const std::string& bytes, const std::function<void(std::string&)>& edit) {
    constexpr std::size_t kHeaderAt = 16 + sizeof(std::uint32_t); // magic, format
    std::uint32_t original = 0;
    std::memcpy(&original, bytes.data() + kHeaderAt, sizeof original);
    std::string header = bytes.substr(kHeaderAt + sizeof original, original);
    edit(header);
    const auto size = static_cast<std::uint32_t>(header.size());
    std::string crafted = bytes.substr(0, kHeaderAt);
    crafted.append(reinterpret_cast<const char*>(&size), sizeof size);
    crafted += header;
    crafted += bytes.substr(kHeaderAt + sizeof original + original);
    return crafted;
}

std::string rehashed(std::string bytes) {
    std::uint64_t hash = 14695981039346656037ULL; // FNV-1a over everything after the magic, before the hash
    for (std::size_t at = 16; at + sizeof hash < bytes.size(); ++at) {
        hash = (hash ^ static_cast<unsigned char>(bytes[at])) * 1099511628211ULL;
    }
    std::memcpy(bytes.data() + bytes.size() - sizeof hash, &hash, sizeof hash);
    return bytes;
}

std::string refusalOf(const fs::path& file) {
    try {
        (void)loadRunFile(file);
    } catch (const RunFileError& error) {
        return error.what();
    }
    return "opened";
}

TEST_F(RunFileTest, CraftedFieldsAreRefusedBeforeTheyCostAnything) {
    {
        RunFile file = sampleFile();
        file.variants[0].variant = std::string(100'000, 'v'); // drove the app to 5 GB
        saveRunFile(path("name.interleave"), file);
        EXPECT_NE(refusalOf(path("name.interleave")).find("a variant name of 100000 bytes"), std::string::npos)
            << refusalOf(path("name.interleave"));
    }
    {
        RunFile file = sampleFile();
        file.variants[1].trace.endNs = std::numeric_limits<std::int64_t>::max(); // spun the app at 100% CPU
        saveRunFile(path("end.interleave"), file);
        EXPECT_NE(refusalOf(path("end.interleave")).find("ends at 9223372036854775807 ns"), std::string::npos)
            << refusalOf(path("end.interleave"));
    }
    {
        RunFile file = sampleFile();
        file.variants[0].trace.events.back().timeNs = std::int64_t{1} << 62;
        saveRunFile(path("late.interleave"), file);
        EXPECT_NE(refusalOf(path("late.interleave")).find("past the longest run"), std::string::npos)
            << refusalOf(path("late.interleave"));
    }
    {
        RunFile file = sampleFile();
        file.variants[0].trace.strings.intern("caf\xC3");
        saveRunFile(path("utf8.interleave"), file);
        EXPECT_NE(refusalOf(path("utf8.interleave")).find("not valid UTF-8"), std::string::npos)
            << refusalOf(path("utf8.interleave"));
    }
    {
        RunFile file = sampleFile();
        file.variants[0].timeScale = 1e9;
        saveRunFile(path("scale.interleave"), file);
        EXPECT_NE(refusalOf(path("scale.interleave")).find("time scale"), std::string::npos);
    }
    {
        RunFile file = sampleFile();
        file.view.rangeEndNs = std::numeric_limits<std::int64_t>::max();
        saveRunFile(path("view.interleave"), file);
        EXPECT_NE(refusalOf(path("view.interleave")).find("view's range"), std::string::npos);
    }
    saveRunFile(path("run.interleave"), sampleFile());
    const std::string bytes = readBytes(path("run.interleave"));
    // 2^63 events: refused by the bytes left, not by a failed allocation ("vector::_M_default_append").
    const std::string huge = rehashed(withHeader(bytes, [](std::string& header) {
        const std::size_t at = header.find("\"events\":");
        const std::size_t end = header.find_first_of(",}", at);
        header.replace(at, end - at, "\"events\":9223372036854775808");
    }));
    writeBytes(path("huge.interleave"), huge);
    EXPECT_NE(refusalOf(path("huge.interleave")).find("records of 24 bytes follow"), std::string::npos)
        << refusalOf(path("huge.interleave"));
    // The same edit with a count that fits is read as far as the bytes go, then refused as damaged.
    const std::string more = rehashed(withHeader(bytes, [](std::string& header) {
        const std::size_t at = header.find("\"lanes\":");
        const std::size_t end = header.find_first_of(",}", at);
        header.replace(at, end - at, "\"lanes\":100000");
    }));
    writeBytes(path("lanes.interleave"), more);
    EXPECT_NE(refusalOf(path("lanes.interleave")).find("100000 lanes"), std::string::npos)
        << refusalOf(path("lanes.interleave"));
}

TEST_F(RunFileTest, AtomicWriteReplacesTheFileAndLeavesNoTemporary) {
    writeBytes(path("out.txt"), "old");
    writeFileAtomically(path("out.txt"), [](std::ostream& out) { out << "new content"; });
    EXPECT_EQ(readBytes(path("out.txt")), "new content");
    EXPECT_EQ(fileCount(), 1U);
}

// The temporary is close-on-exec while it is being written (a worker spawned meanwhile must not inherit it), and
// the saved file has the permissions of any file the user saves: 0666 less the umask.
TEST_F(RunFileTest, AnAtomicWriteIsCloseOnExecAndHonoursTheUmask) {
    const mode_t previous = ::umask(027);
    bool closeOnExec = false;
    int temporaries = 0;
    writeFileAtomically(path("mode.txt"), [&](std::ostream& out) {
        out << "data";
        for (const auto& entry : fs::directory_iterator("/proc/self/fd")) {
            std::error_code error;
            const fs::path target = fs::read_symlink(entry.path(), error);
            if (error || target.parent_path() != fs::canonical(path(""))) {
                continue;
            }
            ++temporaries;
            const int fd = std::stoi(entry.path().filename().string());
            closeOnExec = (::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
        }
    });
    ::umask(previous);
    EXPECT_EQ(temporaries, 1);
    EXPECT_TRUE(closeOnExec);
    struct stat info = {};
    ASSERT_EQ(::stat(path("mode.txt").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0640U);
}

TEST_F(RunFileTest, AFailingWriterLeavesThePreviousFileIntact) {
    writeBytes(path("out.txt"), "precious");
    EXPECT_THROW(writeFileAtomically(path("out.txt"),
                                     [](std::ostream& out) {
                                         out << "half";
                                         throw std::runtime_error("the exporter failed");
                                     }),
                 std::runtime_error);
    EXPECT_EQ(readBytes(path("out.txt")), "precious");
    EXPECT_EQ(fileCount(), 1U);
}

TEST_F(RunFileTest, AWriteIntoAMissingOrNonDirectoryFails) {
    writeBytes(path("plain"), "x");
    try {
        writeFileAtomically(path("plain") / "out.txt", [](std::ostream& out) { out << "data"; });
        FAIL() << "wrote below a regular file";
    } catch (const FileWriteError& error) {
        EXPECT_NE(std::string(error.what()).find("Not a directory"), std::string::npos) << error.what();
    }
    EXPECT_THROW(writeFileAtomically(path("no/such/dir/out.txt"), [](std::ostream& out) { out << "data"; }),
                 FileWriteError);
}

// A full disk, simulated in a child process with a file size limit: the write fails part-way (EFBIG, as ENOSPC
// would), the error says so, and the previous file is untouched.
TEST_F(RunFileTest, AWriteThatRunsOutOfSpaceSaysSoAndKeepsThePreviousFile) {
    const std::string previous(4096, 'p');
    writeBytes(path("big.bin"), previous);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::signal(SIGXFSZ, SIG_IGN);
        const rlimit limit{100'000, 100'000};
        ::setrlimit(RLIMIT_FSIZE, &limit);
        try {
            writeFileAtomically(path("big.bin"), [](std::ostream& out) {
                const std::string block(65536, 'n');
                for (int i = 0; i < 10; ++i) {
                    out << block;
                }
            });
        } catch (const FileWriteError& error) {
            const bool named = std::string(error.what()).find("File too large") != std::string::npos;
            ::_exit(named ? 0 : 2);
        }
        ::_exit(1);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "1: the write did not fail; 2: the error did not give the reason";
    EXPECT_EQ(readBytes(path("big.bin")), previous);
    EXPECT_EQ(fileCount(), 1U);
}

} // namespace
} // namespace interleave::test
