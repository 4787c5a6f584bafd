// Lesson expressions: any text parses or is refused; what parses evaluates to a number or refuses a variable.
#include "scenario/expression.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const auto expression = interleave::core::Expression::parse(text, {"fuzz.yaml", 1, 1});
        (void)expression.evaluate({{"n", 3}, {"cores", 2}});
    } catch (const interleave::core::LessonError&) {
    } catch (const interleave::core::UsageError&) {
    }
    return 0;
}
