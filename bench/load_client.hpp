#pragma once
// The one client every network benchmark uses, against the floor and against the herd alike. It
// runs as coroutines on the same io_context as the servers it drives (no other thread), so both
// sides pay for the same loop.
//
// - RoundTripClient: one connection; one request, then its reply, timed from just before the
//   write to the moment the reply's last byte is read.
// - run_load: C connections, each keeping `window` requests in flight (a closed loop: every reply
//   read lets one more request go), until `requests` replies have come back in all.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "bench_common.hpp"

namespace herd::bench {

// How a reply ends: one line ("\n"), or a WHATSAT reply (an AT line, the JSON, then "\n\n").
enum class ReplyEnd { line, blank_line };

// Counts complete replies in a byte stream that may split them anywhere.
class ReplyCounter {
public:
    explicit ReplyCounter(ReplyEnd end) : end_(end) {}
    std::size_t feed(std::string_view bytes);

private:
    ReplyEnd end_;
    bool after_newline_ = false;
};

class RoundTripClient {
public:
    RoundTripClient(boost::asio::io_context& io, std::uint16_t port, ReplyEnd end = ReplyEnd::line);
    ~RoundTripClient();

    // Writes `request` (its lines '\n'-terminated), runs the io_context until one reply has come
    // back, and returns how long that took. Throws std::runtime_error on a socket error or when
    // no reply comes within 10 s.
    Clock::duration round_trip(std::string_view request);
    const std::string& last_reply() const;

    struct State;

private:
    boost::asio::io_context& io_;
    std::shared_ptr<State> state_;
};

struct LoadSpec {
    std::vector<std::uint16_t> ports;  // connection i goes to ports[i % ports.size()]
    std::size_t connections = 1;
    std::size_t window = 16;           // requests in flight per connection
    std::uint64_t requests = 10000;    // in all, spread evenly over the connections
    ReplyEnd reply_end = ReplyEnd::line;
    // Appends request number `index` (0-based, per connection) of connection `connection` to `out`.
    std::function<void(std::string& out, std::size_t connection, std::uint64_t index)> request;
};

struct LoadResult {
    Clock::time_point start;     // every connection open, first request about to be written
    Clock::time_point replies;   // the last reply read
    std::uint64_t replied = 0;
    double seconds() const { return std::chrono::duration<double>(replies - start).count(); }
};

// Connects (not timed), runs the load on `io` until every reply is in, closes. Throws
// std::runtime_error on a socket error or when it takes longer than `limit`.
LoadResult run_load(boost::asio::io_context& io, const LoadSpec& spec, Clock::duration limit = 120s);

}  // namespace herd::bench
