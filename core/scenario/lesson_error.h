// Errors in lesson files and in user-supplied settings, carrying where the problem is.
#pragma once

#include <stdexcept>
#include <string>

namespace interleave::core {

struct SourceLocation {
    std::string file;
    int line = 0;                 // 1-based; 0 when unknown
    int column = 0;               // 1-based; 0 when unknown
    std::string toString() const; // "file:line:col"
};

// A syntax or meaning error in a lesson file: what() is "file:line:col: message".
class LessonError : public std::runtime_error {
public:
    LessonError(SourceLocation location, const std::string& message);
    const SourceLocation& location() const { return m_location; }
    const std::string& message() const { return m_message; }

private:
    SourceLocation m_location;
    std::string m_message;
};

// A request that is refused before anything starts: a bad --set, a value out of range, a limit exceeded.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace interleave::core
