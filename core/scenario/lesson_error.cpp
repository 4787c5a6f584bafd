// Errors in lesson files and settings.
#include "scenario/lesson_error.h"

namespace interleave::core {

std::string SourceLocation::toString() const {
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

LessonError::LessonError(SourceLocation location, const std::string& message)
    : std::runtime_error(location.toString() + ": " + message), m_location(std::move(location)), m_message(message) {}

} // namespace interleave::core
