// A Python program of the user's, opened as a lesson of one variant that runs it in CPython under the tracer
// (File → Open Python Script…, `interleave script.py`).
#pragma once

#include "scenario/scenario.h"

#include <filesystem>

namespace interleave::core {

inline constexpr std::uintmax_t kMaxScriptBytes = 1024 * 1024;

// Throws UsageError when the file cannot be read, is not text, or is larger than kMaxScriptBytes.
Scenario pythonScriptScenario(const std::filesystem::path& script);

// A variant that runs `variant`'s listing, written to `listingFile`, in CPython: "gather · CPython 3.11".
VariantDecl cpythonVariant(const VariantDecl& variant, const std::filesystem::path& listingFile);

} // namespace interleave::core
