// A blocking connection to a Redis server through hiredis (Debian's libhiredis-dev), and the broker URLs we accept.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct redisContext;
struct redisReply;

namespace interleave::core {

// Anything that went wrong talking to the broker; the message names the broker's URL.
class BrokerError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// redis://HOST[:PORT][/DB] over TCP, or unix:///PATH[?db=N] over a Unix socket (the embedded server's).
struct BrokerAddress {
    std::string url; // as given, for messages
    std::string host;
    int port = 6379;
    std::string socketPath; // set for unix://
    int database = 0;
};
// Throws BrokerError saying what a broker URL looks like.
BrokerAddress parseBrokerUrl(std::string_view url);

// A reply, owned; its elements are views into it.
class RedisReply {
public:
    RedisReply() = default;
    explicit RedisReply(const redisReply* reply) : m_reply(reply) {}
    bool isNil() const;
    bool isError() const;
    bool isArray() const;
    std::string text() const;     // a string, status or error reply's text; "" otherwise
    std::int64_t integer() const; // an integer reply, or a string reply holding digits
    std::size_t size() const;     // an array's length, 0 otherwise
    RedisReply at(std::size_t index) const;

private:
    const redisReply* m_reply = nullptr;
};

class RedisConnection {
public:
    // Connects and selects the database; throws BrokerError ("cannot reach the broker at URL: ...").
    RedisConnection(const BrokerAddress& address, std::chrono::milliseconds timeout);
    ~RedisConnection();
    RedisConnection(const RedisConnection&) = delete;
    RedisConnection& operator=(const RedisConnection&) = delete;

    // The reply to one command. Throws BrokerError when the connection fails ("lost the broker at URL") or the server
    // answers with an error (unless `allowError`: then the error reply is returned).
    RedisReply command(const std::vector<std::string>& arguments, bool allowError = false);
    // Several commands in one round trip (a pipeline); each reply checked as command() does.
    std::vector<RedisReply> pipeline(const std::vector<std::vector<std::string>>& commands);
    // A command's replies live until the next command on this connection.

    const BrokerAddress& address() const { return m_address; }
    // The broker's clock (TIME) in ns, minus our CLOCK_MONOTONIC at the middle of the round trip: add it to a
    // monotonic time to get broker time. The best of a few round trips.
    std::int64_t brokerClockOffsetNs();

private:
    void append(const std::vector<std::string>& arguments);
    RedisReply read(bool allowError);
    [[noreturn]] void lost(const char* what);
    void keep(redisReply* reply);

    BrokerAddress m_address;
    redisContext* m_context = nullptr;
    std::vector<std::unique_ptr<redisReply, void (*)(void*)>> m_replies;
};

// Whether `word` is a whole decimal integer (what a stream entry's fields hold).
bool parseInteger(std::string_view word, std::int64_t& value);

} // namespace interleave::core
