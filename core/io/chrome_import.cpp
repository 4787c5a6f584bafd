// Chrome trace JSON -> Trace: a RapidJSON SAX pass (chrome_import_reader.cpp) keeps a compact record of what
// matters, then a build pass (chrome_import_build.cpp) makes the trace. Here: the driver, and errors with their place.
#include "io/chrome_import.h"

#include "io/chrome_import_reader.h"
#include "trace/trace_analysis.h"

#include <fmt/format.h>
#include <rapidjson/error/error.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <unordered_map>

namespace interleave::core {

namespace {

using chrome_import::ChunkStream;
using chrome_import::EventReader;
using chrome_import::kChunkBytes;

// ---------------------------------------------------------------------------------------------------------------
// Errors.

std::string_view describe(rapidjson::ParseErrorCode code) {
    switch (code) {
    case rapidjson::kParseErrorDocumentRootNotSingular:
        return "unexpected text after the end of the trace";
    case rapidjson::kParseErrorValueInvalid:
        return "invalid value";
    case rapidjson::kParseErrorObjectMissName:
        return "missing a member name in an object";
    case rapidjson::kParseErrorObjectMissColon:
        return "missing ':' after a member name";
    case rapidjson::kParseErrorObjectMissCommaOrCurlyBracket:
        return "missing ',' or '}' after an object member";
    case rapidjson::kParseErrorArrayMissCommaOrSquareBracket:
        return "missing ',' or ']' after an array element";
    case rapidjson::kParseErrorStringUnicodeEscapeInvalidHex:
        return "invalid \\u escape in a string";
    case rapidjson::kParseErrorStringUnicodeSurrogateInvalid:
        return "invalid surrogate pair in a string";
    case rapidjson::kParseErrorStringEscapeInvalid:
        return "invalid escape in a string";
    case rapidjson::kParseErrorStringMissQuotationMark:
        return "missing closing quotation mark";
    case rapidjson::kParseErrorStringInvalidEncoding:
        return "invalid UTF-8 in a string";
    case rapidjson::kParseErrorNumberTooBig:
        return "number too big";
    case rapidjson::kParseErrorNumberMissFraction:
        return "missing digits after the decimal point";
    case rapidjson::kParseErrorNumberMissExponent:
        return "missing digits in an exponent";
    default:
        return "syntax error";
    }
}

// Line and column (1-based) of byte `offset`, by reading the input again up to it.
template <typename ReadChunk> std::pair<std::uint64_t, std::uint64_t> lineColumn(std::uint64_t offset, ReadChunk read) {
    std::uint64_t line = 1;
    std::uint64_t lineStart = 0;
    std::uint64_t position = 0;
    while (position < offset) {
        const std::string_view chunk =
            read(position, static_cast<std::size_t>(std::min<std::uint64_t>(offset - position, kChunkBytes)));
        if (chunk.empty()) {
            break;
        }
        for (std::size_t i = 0; i < chunk.size(); ++i) {
            if (chunk[i] == '\n') {
                ++line;
                lineStart = position + i + 1;
            }
        }
        position += chunk.size();
    }
    return {line, offset - lineStart + 1};
}

// Reads the input at [offset, offset + length) (shorter at its end).
using ChunkReader = std::function<std::string_view(std::uint64_t, std::size_t)>;

[[noreturn]] void throwAt(const std::string& prefix, std::string_view what, std::uint64_t offset,
                          const ChunkReader& read) {
    const auto [line, column] = lineColumn(offset, read);
    throw ImportError(fmt::format("{}{} at byte {} (line {}, column {})", prefix, what, offset, line, column), offset,
                      line, column);
}

// True when only whitespace and at most one comma lie in [from, total).
bool onlyCommaAndSpace(std::uint64_t from, std::uint64_t total, const ChunkReader& read) {
    int commas = 0;
    for (std::uint64_t position = from; position < total;) {
        const std::string_view chunk =
            read(position, static_cast<std::size_t>(std::min<std::uint64_t>(total - position, kChunkBytes)));
        if (chunk.empty()) {
            return false;
        }
        for (char c : chunk) {
            if (c == ',') {
                ++commas;
            } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return false;
            }
        }
        position += chunk.size();
    }
    return commas <= 1;
}

ImportResult parse(ChunkStream& stream, const std::string& prefix, const ChunkReader& read) {
    auto importer = std::make_unique<EventReader>(stream);
    rapidjson::Reader reader;
    stream.report(0);
    // A UTF-8 byte order mark, as some Windows editors write at the start of a file: skipped (JSON has none).
    if (static_cast<unsigned char>(stream.Peek()) == 0xEF) {
        stream.Take();
        if (static_cast<unsigned char>(stream.Take()) != 0xBB || static_cast<unsigned char>(stream.Take()) != 0xBF) {
            throwAt(prefix, "invalid value", 0, read);
        }
    }
    const rapidjson::ParseResult parsed =
        stream.cancelled() ? rapidjson::ParseResult() : reader.Parse<rapidjson::kParseIterativeFlag>(stream, *importer);
    if (stream.cancelled()) {
        throw ImportCancelled();
    }
    if (importer->error()) {
        throwAt(prefix, importer->error()->message, importer->error()->offset, read);
    }
    if (parsed.IsError()) {
        const std::uint64_t offset = parsed.Offset();
        const bool atEnd = offset >= stream.total();
        const bool toleratedEnd = atEnd && importer->arrayForm() && importer->betweenEvents() &&
                                  importer->eventCount() > 0 &&
                                  onlyCommaAndSpace(importer->lastEventEnd(), stream.total(), read);
        if (!toleratedEnd) {
            throwAt(prefix, atEnd ? std::string_view("unexpected end of file") : describe(parsed.Code()), offset, read);
        }
    }
    if (!stream.report(stream.total())) {
        throw ImportCancelled();
    }
    importer->records().stats.bytes = stream.total();
    return chrome_import::buildTrace(std::move(importer->records()));
}

} // namespace

ImportResult importChromeTrace(const std::filesystem::path& file, const ImportProgress& progress) {
    const std::string prefix = file.string() + ": ";
    // "e": close-on-exec (glibc), so that a worker process spawned meanwhile does not inherit the file.
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> handle(std::fopen(file.c_str(), "rbe"), &std::fclose);
    if (!handle) {
        throw ImportError(fmt::format("{}cannot open the file: {}", prefix, std::strerror(errno)), 0, 0, 0);
    }
    std::error_code error;
    const auto size = std::filesystem::file_size(file, error);
    const std::uint64_t total = error ? 0 : size;
    ChunkStream stream(handle.get(), total, &progress);
    std::vector<char> buffer;
    ChunkReader read = [&](std::uint64_t offset, std::size_t length) -> std::string_view {
        std::unique_ptr<std::FILE, int (*)(std::FILE*)> again(std::fopen(file.c_str(), "rbe"), &std::fclose);
        if (!again || std::fseek(again.get(), static_cast<long>(offset), SEEK_SET) != 0) {
            return {};
        }
        buffer.resize(length);
        const std::size_t got = std::fread(buffer.data(), 1, length, again.get());
        return {buffer.data(), got};
    };
    return parse(stream, prefix, read);
}

ImportResult importChromeTraceText(std::string_view json) {
    ChunkStream stream(json);
    ChunkReader read = [&](std::uint64_t offset, std::size_t length) -> std::string_view {
        return offset < json.size() ? json.substr(static_cast<std::size_t>(offset), length) : std::string_view();
    };
    return parse(stream, std::string(), read);
}

std::vector<ImportedVariant> splitInterleaveVariants(const ImportResult& result) {
    const Trace& whole = result.trace;
    std::vector<ImportedVariant> variants;
    if (result.stats.producer != "Interleave" || whole.lanes.empty()) {
        return variants;
    }
    // Lanes are named "<process> › <thread>": the processes, in lane order.
    constexpr std::string_view kSeparator = " › ";
    std::vector<std::string> processes;
    std::vector<std::size_t> laneProcess(whole.lanes.size());
    for (std::size_t lane = 0; lane < whole.lanes.size(); ++lane) {
        const std::string& name = whole.lanes[lane].name;
        const std::size_t cut = name.find(kSeparator);
        const std::string process = cut == std::string::npos ? std::string() : name.substr(0, cut);
        auto found = std::find(processes.begin(), processes.end(), process);
        laneProcess[lane] = static_cast<std::size_t>(found - processes.begin());
        if (found == processes.end()) {
            processes.push_back(process);
        }
    }
    if (processes.size() < 2 || std::find(processes.begin(), processes.end(), std::string()) != processes.end()) {
        return variants;
    }
    variants.resize(processes.size());
    std::vector<std::uint16_t> newLane(whole.lanes.size());
    for (std::size_t process = 0; process < processes.size(); ++process) {
        const std::string& label = processes[process];
        const std::size_t dot = label.rfind(" · ");
        variants[process].name = dot == std::string::npos ? label : label.substr(dot + std::string_view(" · ").size());
        variants[process].trace.strings = whole.strings;
    }
    for (std::size_t lane = 0; lane < whole.lanes.size(); ++lane) {
        ImportedVariant& variant = variants[laneProcess[lane]];
        const LaneInfo& info = whole.lanes[lane];
        newLane[lane] = variant.trace.addLane(info.name.substr(processes[laneProcess[lane]].size() + kSeparator.size()),
                                              info.kind, info.processId);
    }
    // A task belongs to the process of the lane it first appears on; a counter named "<process> › name" (one name
    // in several processes) gets its plain name back.
    std::unordered_map<std::uint32_t, std::size_t> taskProcess;
    std::unordered_map<std::uint32_t, std::uint32_t> plainCounter;
    for (const Event& event : whole.events) {
        if (event.lane >= whole.lanes.size()) {
            continue;
        }
        const std::size_t process = laneProcess[event.lane];
        ImportedVariant& variant = variants[process];
        Event copy = event;
        copy.lane = newLane[event.lane];
        if (event.task != kNoTask && event.task != 0) {
            const std::size_t owner = taskProcess.try_emplace(event.task, process).first->second;
            if (owner != process) {
                continue; // a task's event on another process's lane: not Interleave's shape; keep the first
            }
        }
        if ((event.kind == EventKind::Counter || event.kind == EventKind::CounterReal) &&
            event.subject < whole.strings.size()) {
            auto [it, inserted] = plainCounter.try_emplace(event.subject, event.subject);
            if (inserted) {
                const std::string& name = whole.strings.at(event.subject);
                const std::size_t cut = name.find(kSeparator);
                if (cut != std::string::npos) {
                    it->second = variant.trace.strings.intern(name.substr(cut + kSeparator.size()));
                }
            }
            copy.subject = it->second;
        }
        variant.trace.events.push_back(copy);
        variant.trace.endNs = std::max(variant.trace.endNs, event.timeNs);
    }
    for (ImportedVariant& variant : variants) {
        variant.trace.realValues = whole.realValues;
    }
    return variants;
}

} // namespace interleave::core
