// End-to-end test of `cmake --install`: the build tree is installed into a temporary prefix and the INSTALLED
// interleave-cli is run from an unrelated folder, with no INTERLEAVE_LESSONS or INTERLEAVE_WORKER to help it, so it
// has to find <prefix>/share/interleave/lessons and <prefix>/bin/interleave-worker from its own executable.
#include "cli_process.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <regex>
#include <set>
#include <spawn.h>
#include <string_view>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace interleave::e2e {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct Ran {
    int exitCode = -1;
    std::string out;
    std::string err;
};

std::string describe(const std::vector<std::string>& argv, const Ran& ran) {
    std::string command;
    for (const auto& arg : argv) {
        command += arg + " ";
    }
    return command + "\nexit " + std::to_string(ran.exitCode) + "\n--- stdout\n" + ran.out + "\n--- stderr\n" + ran.err;
}

// Runs argv[0] (an absolute path) in `cwd` without the variables that would point it at the build tree; stdout and
// stderr go to files in `scratch`. Killed after two minutes.
Ran run(const std::vector<std::string>& argv, const std::string& cwd, const TempDir& scratch) {
    const std::string outPath = scratch.file("stdout");
    const std::string errPath = scratch.file("stderr");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());

    std::vector<char*> environment;
    for (char** variable = environ; *variable != nullptr; ++variable) {
        const std::string_view entry(*variable);
        if (!entry.starts_with("INTERLEAVE_LESSONS=") && !entry.starts_with("INTERLEAVE_WORKER=")) {
            environment.push_back(*variable);
        }
    }
    environment.push_back(nullptr);
    std::vector<std::string> args = argv;
    std::vector<char*> rawArgs;
    for (std::string& arg : args) {
        rawArgs.push_back(arg.data());
    }
    rawArgs.push_back(nullptr);

    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, args[0].c_str(), &actions, nullptr, rawArgs.data(), environment.data());
    posix_spawn_file_actions_destroy(&actions);
    Ran ran;
    if (spawned != 0) {
        ran.err = "posix_spawn failed: " + std::string(std::strerror(spawned));
        return ran;
    }
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    int status = 0;
    for (;;) {
        const pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid || (done < 0 && errno != EINTR)) {
            break;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            kill(pid, SIGKILL);
        }
        std::this_thread::sleep_for(10ms);
    }
    ran.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    ran.out = readFile(outPath);
    ran.err = readFile(errPath);
    return ran;
}

// A fresh install of the build tree into its own temporary prefix.
class Install : public ::testing::Test {
protected:
    void SetUp() override {
        const std::vector<std::string> install = {INTERLEAVE_CMAKE_COMMAND, "--install", INTERLEAVE_BINARY_DIR,
                                                  "--prefix", m_prefix.path()};
        const Ran ran = run(install, m_elsewhere.path(), m_scratch);
        ASSERT_EQ(ran.exitCode, 0) << describe(install, ran);
    }

    fs::path prefix() const { return m_prefix.path(); }

    // The installed interleave-cli, run from a folder that is neither the build tree nor the prefix.
    Ran cli(const std::vector<std::string>& args) {
        std::vector<std::string> argv = {(prefix() / "bin" / "interleave-cli").string()};
        argv.insert(argv.end(), args.begin(), args.end());
        Ran ran = run(argv, m_elsewhere.path(), m_scratch);
        m_lastCommand = describe(argv, ran);
        return ran;
    }
    const std::string& lastCommand() const { return m_lastCommand; }

private:
    TempDir m_prefix;
    TempDir m_elsewhere;
    TempDir m_scratch;
    std::string m_lastCommand;
};

bool listsLesson(const std::string& listing, int number) {
    return std::regex_search(listing, std::regex("(^|\\n)L" + std::to_string(number) + " +\\S+ +\\S"));
}

TEST_F(Install, PutsTheProgramsLessonsAndDesktopFilesInTheGnuPlaces) {
    for (const char* program : {"interleave-cli", "interleave-worker"}) {
        const fs::path path = prefix() / "bin" / program;
        EXPECT_TRUE(fs::is_regular_file(path)) << path;
        EXPECT_EQ(access(path.c_str(), X_OK), 0) << path << " is not executable";
    }
    // Every lesson that ships, whatever their number.
    const auto lessonFiles = [](const fs::path& directory) {
        std::set<std::string> names;
        for (const auto& entry : fs::directory_iterator(directory)) {
            if (entry.path().extension() == ".yaml") {
                names.insert(entry.path().filename().string());
            }
        }
        return names;
    };
    const std::set<std::string> installed = lessonFiles(prefix() / "share" / "interleave" / "lessons");
    EXPECT_GE(installed.size(), 9U);
    EXPECT_EQ(installed, lessonFiles(INTERLEAVE_TEST_LESSON_DIR));

#ifdef INTERLEAVE_INSTALLS_DESKTOP_FILES
    EXPECT_EQ(access((prefix() / "bin" / "interleave").c_str(), X_OK), 0) << "the desktop app is not installed";
    const fs::path share = prefix() / "share";
    const std::string desktop = readFile(share / "applications" / "org.interleave.Interleave.desktop");
    EXPECT_NE(desktop.find("\nExec=interleave %f\n"), std::string::npos) << desktop;
    EXPECT_NE(desktop.find("\nMimeType=application/x-interleave-run;\n"), std::string::npos) << desktop;
    EXPECT_NE(desktop.find("\nIcon=org.interleave.Interleave\n"), std::string::npos) << desktop;
    const std::string mime = readFile(share / "mime" / "packages" / "org.interleave.Interleave.xml");
    EXPECT_NE(mime.find("type=\"application/x-interleave-run\""), std::string::npos) << mime;
    EXPECT_NE(mime.find("pattern=\"*.interleave\""), std::string::npos) << mime;
    const std::string icon =
        readFile(share / "icons" / "hicolor" / "scalable" / "apps" / "org.interleave.Interleave.svg");
    EXPECT_NE(icon.find("<svg"), std::string::npos) << "no SVG icon";
#endif
}

TEST_F(Install, InstalledCliListsTheNineLessonsAndRunsAProcessPool) {
    const Ran list = cli({"list"});
    ASSERT_EQ(list.exitCode, 0) << lastCommand();
    for (int number = 1; number <= 9; ++number) {
        EXPECT_TRUE(listsLesson(list.out, number)) << "no row for L" << number << "\n" << lastCommand();
    }

    // L4's offloaded variant sends its CPU job to a pool of one interleave-worker process.
    const Ran offload =
        cli({"run", "L4", "--variant", "offloaded", "--set", "io_ms=20", "--set", "cpu_ms=20", "--json"});
    ASSERT_EQ(offload.exitCode, 0) << lastCommand();
    const auto report = nlohmann::json::parse(offload.out);
    ASSERT_EQ(report.at("variants").size(), 1U) << lastCommand();
    EXPECT_EQ(report.at("variants").at(0).at("name"), "offloaded");
    EXPECT_EQ(report.at("variants").at(0).at("status"), "completed") << lastCommand();
}

// The lessons and the worker really come from the prefix: take them out of it and the installed CLI notices.
TEST_F(Install, InstalledCliReadsThePrefixNotTheSourceTree) {
    fs::remove(prefix() / "share" / "interleave" / "lessons" / "09-blocking-the-loop.yaml");
    const Ran list = cli({"list"});
    ASSERT_EQ(list.exitCode, 0) << lastCommand();
    EXPECT_TRUE(listsLesson(list.out, 8)) << lastCommand();
    EXPECT_FALSE(listsLesson(list.out, 9)) << "L9 was read from somewhere else than the prefix\n" << lastCommand();

    fs::remove(prefix() / "bin" / "interleave-worker");
    const Ran offload = cli({"run", "L4", "--variant", "offloaded", "--set", "io_ms=20", "--set", "cpu_ms=20"});
    EXPECT_EQ(offload.exitCode, 3) << "expected a broken process pool without the installed worker\n" << lastCommand();
}

} // namespace
} // namespace interleave::e2e
