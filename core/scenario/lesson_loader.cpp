// Loading lesson files and folders, finding a lesson by id, alias or path, and applying parameter overrides.
#include "scenario/lesson_loader.h"

#include "scenario/lesson_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>
#include <unistd.h>

#ifndef INTERLEAVE_SOURCE_LESSON_DIR
#define INTERLEAVE_SOURCE_LESSON_DIR ""
#endif

namespace interleave::core {

namespace fs = std::filesystem;

namespace {

std::string readFile(const fs::path& path) {
    std::ifstream stream(path, std::ios::binary);
    if (!stream) {
        throw UsageError(fmt::format("cannot read lesson file '{}'", path.string()));
    }
    std::ostringstream contents;
    contents << stream.rdbuf();
    return contents.str();
}

bool isLessonFile(const fs::path& path) {
    const std::string extension = path.extension().string();
    return extension == ".yaml" || extension == ".yml" || extension == ".json";
}

std::vector<ReadLesson> readDirectory(const fs::path& directory) {
    std::error_code error;
    if (!fs::is_directory(directory, error)) {
        throw UsageError(fmt::format("lesson folder '{}' does not exist", directory.string()));
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(directory)) {
        if (entry.is_regular_file() && isLessonFile(entry.path())) {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    std::vector<ReadLesson> lessons;
    for (const auto& file : files) {
        ReadLesson lesson = readLesson(readFile(file), file.string());
        for (const auto& earlier : lessons) {
            if (earlier.scenario.id == lesson.scenario.id) {
                throw LessonError(lesson.idLocation, fmt::format("lesson id '{}' is already used by {}",
                                                                 lesson.scenario.id, earlier.scenario.sourcePath));
            }
            if (earlier.scenario.number == lesson.scenario.number) {
                throw LessonError(lesson.numberLocation,
                                  fmt::format("lesson number {} is already used by {}", lesson.scenario.number,
                                              earlier.scenario.sourcePath));
            }
        }
        lessons.push_back(std::move(lesson));
    }
    std::stable_sort(lessons.begin(), lessons.end(),
                     [](const ReadLesson& a, const ReadLesson& b) { return a.scenario.number < b.scenario.number; });
    return lessons;
}

fs::path executableDirectory() {
    std::error_code error;
    const fs::path executable = fs::read_symlink("/proc/self/exe", error);
    return error ? fs::path() : executable.parent_path();
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

} // namespace

Scenario parseLesson(std::string_view text, const std::string& fileName) {
    return readLesson(text, fileName).scenario;
}

Scenario loadLessonFile(const fs::path& path) {
    return parseLesson(readFile(path), path.string());
}

std::vector<Scenario> loadLessonDirectory(const fs::path& directory) {
    std::vector<Scenario> scenarios;
    for (auto& lesson : readDirectory(directory)) {
        scenarios.push_back(std::move(lesson.scenario));
    }
    return scenarios;
}

fs::path builtinLessonDirectory() {
    if (const char* fromEnvironment = std::getenv("INTERLEAVE_LESSONS"); fromEnvironment && *fromEnvironment) {
        return {fromEnvironment};
    }
    const fs::path exeDirectory = executableDirectory();
    if (!exeDirectory.empty()) {
        const fs::path installed = exeDirectory / ".." / "share" / "interleave" / "lessons";
        std::error_code error;
        if (fs::is_directory(installed, error)) {
            return installed.lexically_normal();
        }
    }
    return {INTERLEAVE_SOURCE_LESSON_DIR};
}

Scenario findLesson(std::string_view idAliasOrPath) {
    const std::string key(idAliasOrPath);
    const fs::path path(key);
    const bool looksLikePath = key.find('/') != std::string::npos || isLessonFile(path);
    std::error_code error;
    if (looksLikePath) {
        if (!fs::is_regular_file(path, error)) {
            throw UsageError(fmt::format("no lesson file '{}'", key));
        }
        return loadLessonFile(path);
    }
    std::vector<Scenario> lessons = loadLessonDirectory(builtinLessonDirectory());
    for (auto& lesson : lessons) {
        if (lesson.id == key || equalsIgnoringCase(lesson.alias(), key)) {
            return std::move(lesson);
        }
    }
    if (fs::is_regular_file(path, error)) {
        return loadLessonFile(path);
    }
    std::string available;
    for (const auto& lesson : lessons) {
        available += fmt::format("{}{} ({})", available.empty() ? "" : ", ", lesson.id, lesson.alias());
    }
    throw UsageError(fmt::format("no lesson '{}'; available: {}", key, available.empty() ? "none" : available));
}

ParameterValues resolveParameters(const Scenario& scenario, const std::map<std::string, std::string>& overrides) {
    ParameterValues values = scenario.defaults();
    for (const auto& [name, text] : overrides) {
        const ParameterDecl* parameter = scenario.findParameter(name);
        if (parameter == nullptr) {
            std::string names;
            for (const auto& known : scenario.parameters) {
                names += (names.empty() ? "" : ", ") + known.name;
            }
            throw UsageError(fmt::format("unknown parameter '{}' (lesson '{}' has: {})", name, scenario.id,
                                         names.empty() ? "no parameters" : names));
        }
        double value = 0;
        const char* first = text.data();
        const char* last = text.data() + text.size();
        if (first != last && *first == '+') {
            ++first;
        }
        auto [end, parseError] = std::from_chars(first, last, value);
        if (text.empty() || parseError != std::errc() || end != last || !std::isfinite(value)) {
            throw UsageError(fmt::format("parameter '{}' takes a number (got '{}')", name, text));
        }
        if (parameter->integer && value != std::floor(value)) {
            throw UsageError(fmt::format("parameter '{}' takes a whole number (got {})", name, text));
        }
        if (value < parameter->minimum || value > parameter->maximum) {
            throw UsageError(fmt::format("parameter '{}' must be between {} and {} (got {})", name,
                                         formatNumber(parameter->minimum), formatNumber(parameter->maximum),
                                         formatNumber(value)));
        }
        values[name] = value;
    }
    return values;
}

} // namespace interleave::core
