// Chrome trace JSON: any bytes import or are refused with an ImportError (its place in the file).
#include "io/chrome_import.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view json(reinterpret_cast<const char*>(data), size);
    try {
        (void)interleave::core::importChromeTraceText(json);
    } catch (const interleave::core::ImportError&) {
    }
    return 0;
}
