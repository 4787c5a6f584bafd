// Lesson files (and the lesson a run file carries): any bytes are read or refused with a LessonError.
#include "scenario/lesson_reader.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        (void)interleave::core::readLesson(text, "fuzz.yaml");
    } catch (const interleave::core::LessonError&) {
    } catch (const interleave::core::UsageError&) {
    }
    return 0;
}
