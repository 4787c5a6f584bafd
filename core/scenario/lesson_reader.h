// Turns the text of one lesson file into a validated Scenario (used by the lesson loader).
#pragma once

#include "scenario/scenario.h"

#include <cstddef>
#include <string>
#include <string_view>

namespace interleave::core {

// A parsed lesson plus where its id and number were written, so that a folder can report clashes between files.
struct ReadLesson {
    Scenario scenario;
    SourceLocation idLocation;
    SourceLocation numberLocation;
};

// Lesson files are untrusted: a larger one is refused before it is parsed.
inline constexpr std::size_t kMaxLessonBytes = 1024 * 1024;

// Throws LessonError with the place: beyond kMaxLessonBytes, invalid UTF-8, YAML syntax, or anything the lesson
// format does not allow (including more steps, keys or nesting than its limits).
ReadLesson readLesson(std::string_view text, const std::string& fileName);

} // namespace interleave::core
