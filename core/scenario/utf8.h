// UTF-8 validation for untrusted text (lesson files, run files): YAML and JSON both require it.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace interleave::core {

// The offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), or nothing when the whole text is valid.
std::optional<std::size_t> firstInvalidUtf8(std::string_view text);

} // namespace interleave::core
