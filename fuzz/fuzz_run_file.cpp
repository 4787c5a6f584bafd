// Run files: any bytes open or are refused with a RunFileError. The checksum is made right first (as an attacker
// would), so that the fuzzer gets past it to the fields.
#include "io/run_file.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string bytes(reinterpret_cast<const char*>(data), size);
    constexpr std::size_t kMagic = 16;
    if (bytes.size() >= kMagic + sizeof(std::uint64_t)) {
        std::uint64_t hash = 14695981039346656037ULL; // FNV-1a, as the writer computes it
        for (std::size_t at = kMagic; at + sizeof hash < bytes.size(); ++at) {
            hash = (hash ^ static_cast<unsigned char>(bytes[at])) * 1099511628211ULL;
        }
        std::memcpy(bytes.data() + bytes.size() - sizeof hash, &hash, sizeof hash);
    }
    try {
        (void)interleave::core::parseRunFile(bytes, "fuzz.interleave");
    } catch (const interleave::core::RunFileError&) {
    }
    return 0;
}
