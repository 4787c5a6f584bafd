// Reads lesson files (YAML, which also accepts JSON) into Scenarios, reporting every error as file:line:col.
#pragma once

#include "scenario/scenario.h"

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace interleave::core {

// Parses and validates one lesson. `fileName` is used in error locations. Throws LessonError on the first problem,
// syntax or meaning: unknown key or op, bad type, parameter default out of its range, undefined $name, unknown
// primitive, unknown variant in an expectation, an op a worker process cannot run inside a processes offload...
Scenario parseLesson(std::string_view text, const std::string& fileName);
Scenario loadLessonFile(const std::filesystem::path& path);

// Every *.yaml / *.yml / *.json lesson in `directory`, sorted by number. Throws on the first bad file.
std::vector<Scenario> loadLessonDirectory(const std::filesystem::path& directory);

// The built-in lesson folder: $INTERLEAVE_LESSONS if set, else beside the executable (../share/interleave/lessons
// or the source tree's resources/lessons baked in at build time).
std::filesystem::path builtinLessonDirectory();

// Finds a lesson by id ("gather"), alias ("L2", case-insensitive) or path to a file. Throws UsageError listing
// what exists when nothing matches.
Scenario findLesson(std::string_view idAliasOrPath);

// Applies "name=value" overrides on the lesson's defaults; throws UsageError for an unknown name, a value that is
// not a number, a non-integer for an integer parameter, or a value out of the declared range (naming the range).
ParameterValues resolveParameters(const Scenario& scenario, const std::map<std::string, std::string>& overrides);

} // namespace interleave::core
