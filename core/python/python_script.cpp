#include "python/python_script.h"

#include "metrics/cpython_comparison.h"
#include "scenario/lesson_error.h"
#include "scenario/utf8.h"

#include <fmt/format.h>
#include <fstream>
#include <sstream>

namespace interleave::core {

Scenario pythonScriptScenario(const std::filesystem::path& script) {
    std::error_code error;
    const auto size = std::filesystem::file_size(script, error);
    if (error || !std::filesystem::is_regular_file(script, error)) {
        throw UsageError(fmt::format("{}: no such Python file", script.string()));
    }
    if (size > kMaxScriptBytes) {
        throw UsageError(fmt::format("{}: {} bytes; a script to trace may have at most 1 MB", script.string(), size));
    }
    std::ifstream in(script, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in.good() && !in.eof()) {
        throw UsageError(fmt::format("{}: cannot be read", script.string()));
    }
    std::string source = text.str();
    if (firstInvalidUtf8(source).has_value() || source.find('\0') != std::string::npos) {
        throw UsageError(fmt::format("{}: not a text file (UTF-8)", script.string()));
    }
    const std::string name = script.filename().string();
    Scenario scenario;
    scenario.id = "python-script";
    scenario.number = 0;
    scenario.title = name;
    scenario.topic = "your programs";
    scenario.summary = "A Python program of yours, run in CPython with Interleave's tracer.";
    scenario.notes = "Run (F5) runs this program with python3, under Interleave's tracer: its asyncio tasks, threads "
                     "and worker processes are drawn as a lesson's are, live. Running a script runs its code.\n\n"
                     "The tracer sees asyncio tasks step by step, threads, the waits on asyncio's and threading's "
                     "locks, semaphores, queues and events (named after the variables they are assigned to), and the "
                     "calls sent to a ProcessPoolExecutor. CPython 3.11 cannot say who holds the GIL: there is no "
                     "GIL lane. Stop (Shift+F5) kills the program and every process it started; after 10 minutes it "
                     "is stopped.";
    scenario.sourcePath = std::filesystem::absolute(script).string();
    scenario.listing = source;
    VariantDecl variant;
    variant.name = "CPython";
    variant.description = "python3 " + name;
    variant.model = Model::Python;
    variant.listing = source;
    variant.pythonScript = scenario.sourcePath;
    scenario.variants.push_back(std::move(variant));
    scenario.baseline = "CPython";
    return scenario;
}

VariantDecl cpythonVariant(const VariantDecl& variant, const std::filesystem::path& listingFile) {
    VariantDecl python;
    python.name = cpythonVariantName(variant.name);
    python.description = variant.description;
    python.model = Model::Python;
    python.listing = variant.listing;
    python.pythonScript = listingFile.string();
    return python;
}

} // namespace interleave::core
