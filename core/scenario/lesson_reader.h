// Turns the text of one lesson file into a validated Scenario (used by the lesson loader).
#pragma once

#include "scenario/scenario.h"

#include <string>
#include <string_view>

namespace interleave::core {

// A parsed lesson plus where its id and number were written, so that a folder can report clashes between files.
struct ReadLesson {
    Scenario scenario;
    SourceLocation idLocation;
    SourceLocation numberLocation;
};

ReadLesson readLesson(std::string_view text, const std::string& fileName);

} // namespace interleave::core
