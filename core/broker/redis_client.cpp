// hiredis behind a small owning interface.
#include "broker/redis_client.h"

#include "trace/clock.h"

#include <hiredis/hiredis.h>

#include <charconv>
#include <fmt/format.h>
#include <limits>

namespace interleave::core {

namespace {

[[noreturn]] void badUrl(std::string_view url, std::string_view why) {
    throw BrokerError(
        fmt::format("'{}' is not a broker URL ({}): use redis://HOST:PORT/DB or unix:///PATH/TO/SOCKET", url, why));
}

int parsePart(std::string_view url, std::string_view text, const char* what, int maximum) {
    std::int64_t value = 0;
    if (!parseInteger(text, value) || value < 0 || value > maximum) {
        badUrl(url, fmt::format("{} '{}'", what, text));
    }
    return static_cast<int>(value);
}

timeval toTimeval(std::chrono::milliseconds timeout) {
    return timeval{static_cast<time_t>(timeout.count() / 1000),
                   static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
}

} // namespace

bool parseInteger(std::string_view word, std::int64_t& value) {
    if (word.empty()) {
        return false;
    }
    const auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), value);
    return error == std::errc() && end == word.data() + word.size();
}

BrokerAddress parseBrokerUrl(std::string_view url) {
    constexpr std::size_t kMaxUrl = 1024;
    if (url.size() > kMaxUrl) {
        badUrl(url.substr(0, 40), "longer than 1,024 characters");
    }
    BrokerAddress address;
    address.url = std::string(url);
    constexpr std::string_view kTcp = "redis://";
    constexpr std::string_view kUnix = "unix://";
    if (url.starts_with(kUnix)) {
        std::string_view rest = url.substr(kUnix.size());
        if (const auto query = rest.find('?'); query != std::string_view::npos) {
            const std::string_view option = rest.substr(query + 1);
            if (!option.starts_with("db=")) {
                badUrl(url, fmt::format("unknown option '{}'", option));
            }
            address.database = parsePart(url, option.substr(3), "database", 1'000'000);
            rest = rest.substr(0, query);
        }
        if (!rest.starts_with('/')) {
            badUrl(url, "the socket's path must be absolute");
        }
        address.socketPath = std::string(rest);
        return address;
    }
    if (!url.starts_with(kTcp)) {
        badUrl(url, "it starts with neither redis:// nor unix://");
    }
    std::string_view rest = url.substr(kTcp.size());
    if (rest.find('@') != std::string_view::npos) {
        badUrl(url, "user names and passwords are not supported");
    }
    if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
        const std::string_view database = rest.substr(slash + 1);
        if (!database.empty()) {
            address.database = parsePart(url, database, "database", 1'000'000);
        }
        rest = rest.substr(0, slash);
    }
    if (const auto colon = rest.rfind(':');
        colon != std::string_view::npos && rest.find(']') == std::string_view::npos) {
        address.port = parsePart(url, rest.substr(colon + 1), "port", 65535);
        rest = rest.substr(0, colon);
    }
    if (rest.empty()) {
        badUrl(url, "no host");
    }
    address.host = std::string(rest);
    return address;
}

bool RedisReply::isNil() const {
    return m_reply == nullptr || m_reply->type == REDIS_REPLY_NIL;
}
bool RedisReply::isError() const {
    return m_reply != nullptr && m_reply->type == REDIS_REPLY_ERROR;
}
bool RedisReply::isArray() const {
    return m_reply != nullptr && m_reply->type == REDIS_REPLY_ARRAY;
}
std::string RedisReply::text() const {
    if (m_reply == nullptr || (m_reply->type != REDIS_REPLY_STRING && m_reply->type != REDIS_REPLY_STATUS &&
                               m_reply->type != REDIS_REPLY_ERROR)) {
        return {};
    }
    return {m_reply->str, m_reply->len};
}
std::int64_t RedisReply::integer() const {
    if (m_reply == nullptr) {
        return 0;
    }
    if (m_reply->type == REDIS_REPLY_INTEGER) {
        return m_reply->integer;
    }
    std::int64_t value = 0;
    return parseInteger(text(), value) ? value : 0;
}
std::size_t RedisReply::size() const {
    return isArray() ? m_reply->elements : 0;
}
RedisReply RedisReply::at(std::size_t index) const {
    return index < size() ? RedisReply(m_reply->element[index]) : RedisReply();
}

RedisConnection::RedisConnection(const BrokerAddress& address, std::chrono::milliseconds timeout) : m_address(address) {
    const timeval limit = toTimeval(timeout);
    m_context = address.socketPath.empty() ? redisConnectWithTimeout(address.host.c_str(), address.port, limit)
                                           : redisConnectUnixWithTimeout(address.socketPath.c_str(), limit);
    if (m_context == nullptr) {
        throw BrokerError(fmt::format("cannot reach the broker at {}: out of memory", address.url));
    }
    if (m_context->err != 0) {
        const std::string why = m_context->errstr;
        redisFree(m_context);
        m_context = nullptr;
        throw BrokerError(fmt::format("cannot reach the broker at {}: {}", address.url, why));
    }
    // Replies may block for at most this long plus a command's own BLOCK time: a broker that stops answering is lost.
    redisSetTimeout(m_context, toTimeval(std::chrono::milliseconds(5000)));
    if (address.database != 0) {
        command({"SELECT", std::to_string(address.database)});
    }
    command({"PING"});
}

RedisConnection::~RedisConnection() {
    m_replies.clear();
    if (m_context != nullptr) {
        redisFree(m_context);
    }
}

void RedisConnection::lost(const char* what) {
    const std::string why = m_context->err != 0 ? std::string(m_context->errstr) : std::string("no answer");
    throw BrokerError(fmt::format("broker lost: {} stopped answering ({}: {})", m_address.url, what, why));
}

void RedisConnection::append(const std::vector<std::string>& arguments) {
    std::vector<const char*> pointers;
    std::vector<std::size_t> lengths;
    pointers.reserve(arguments.size());
    lengths.reserve(arguments.size());
    for (const std::string& argument : arguments) {
        pointers.push_back(argument.data());
        lengths.push_back(argument.size());
    }
    if (m_context->err != 0 || redisAppendCommandArgv(m_context, static_cast<int>(arguments.size()), pointers.data(),
                                                      lengths.data()) != REDIS_OK) {
        lost(arguments.empty() ? "?" : arguments.front().c_str());
    }
}

void RedisConnection::keep(redisReply* reply) {
    m_replies.emplace_back(reply, freeReplyObject);
}

RedisReply RedisConnection::read(bool allowError) {
    void* raw = nullptr;
    if (redisGetReply(m_context, &raw) != REDIS_OK || raw == nullptr) {
        lost("reading a reply");
    }
    auto* reply = static_cast<redisReply*>(raw);
    keep(reply);
    if (reply->type == REDIS_REPLY_ERROR && !allowError) {
        throw BrokerError(
            fmt::format("the broker at {} refused a command: {}", m_address.url, std::string(reply->str, reply->len)));
    }
    return RedisReply(reply);
}

RedisReply RedisConnection::command(const std::vector<std::string>& arguments, bool allowError) {
    m_replies.clear();
    append(arguments);
    return read(allowError);
}

std::vector<RedisReply> RedisConnection::pipeline(const std::vector<std::vector<std::string>>& commands) {
    m_replies.clear();
    for (const auto& arguments : commands) {
        append(arguments);
    }
    std::vector<RedisReply> replies;
    replies.reserve(commands.size());
    for (std::size_t i = 0; i < commands.size(); ++i) {
        replies.push_back(read(false));
    }
    return replies;
}

std::int64_t RedisConnection::brokerClockOffsetNs() {
    std::int64_t best = std::numeric_limits<std::int64_t>::max();
    std::int64_t offset = 0;
    for (int attempt = 0; attempt < 5; ++attempt) {
        const std::int64_t before = monotonicNs();
        const RedisReply time = command({"TIME"});
        const std::int64_t after = monotonicNs();
        const std::int64_t brokerNs = time.at(0).integer() * 1'000'000'000 + time.at(1).integer() * 1000;
        if (after - before < best) {
            best = after - before;
            offset = brokerNs - (before + (after - before) / 2);
        }
    }
    return offset;
}

} // namespace interleave::core
