#pragma once
// One request on a socket of its own, for servers that read one command per connection (and for
// half_close, those that read until the end of the stream): connect, write, half-close if asked,
// read until the reply is whole, the server closes or the timeout passes; only then close.
#include <chrono>
#include <cstddef>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace herd::load {

// Longer than any right reply (a WHATSAT's JSON is at most 1 MiB), so a server that never ends its
// reply cannot make the generator hold it all.
inline constexpr std::size_t max_reply = 2 * 1024 * 1024;

struct AloneReply {
    enum class End { whole, connect_failed, closed, timed_out, too_long };
    End end = End::whole;
    std::string bytes;  // whole: the reply; otherwise what came before the end
    std::string why;    // connect_failed and closed: the error
    std::chrono::steady_clock::time_point written;  // when the request went out (for the timeout)
};

boost::asio::awaitable<AloneReply> ask_alone(const boost::asio::ip::tcp::resolver::results_type& address,
                                             std::string request, bool half_close, bool whatsat,
                                             std::chrono::steady_clock::duration timeout);

}  // namespace herd::load
