#include "load/ask_alone.hpp"

#include <array>

#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>

#include "async/nothrow.hpp"
#include "load/timed_io.hpp"
#include "protocol/reply_text.hpp"

namespace herd::load {

// Names spelt out: a unity build joins this file with others that have their own short ones.
boost::asio::awaitable<AloneReply> ask_alone(const boost::asio::ip::tcp::resolver::results_type& address, std::string request,
                                             bool half_close, bool whatsat, std::chrono::steady_clock::duration timeout) {
    namespace asio = boost::asio;
    using asio::ip::tcp;
    const auto executor = co_await asio::this_coro::executor;
    tcp::socket socket(executor);
    asio::steady_timer wake(executor);
    AloneReply reply;
    if (std::string failed = co_await connect_within(socket, address, timeout); !failed.empty()) {
        reply.end = AloneReply::End::connect_failed;
        reply.why = std::move(failed);
        co_return reply;
    }
    reply.written = std::chrono::steady_clock::now();
    auto [ec, written] = co_await asio::async_write(socket, asio::buffer(request), nothrow);
    (void)written;
    if (ec) {
        reply.end = AloneReply::End::closed;
        reply.why = "write: " + ec.message();
        co_return reply;
    }
    if (half_close) socket.shutdown(tcp::socket::shutdown_send, ec);
    std::array<char, 65536> chunk;
    for (;;) {
        auto [read_ec, n] = co_await read_before(socket, asio::buffer(chunk), wake, reply.written + timeout);
        reply.bytes.append(chunk.data(), n);
        if (const auto end = reply_end(reply.bytes, whatsat)) {
            reply.bytes.resize(*end);
            co_return reply;
        }
        if (reply.bytes.size() > max_reply) {
            reply.end = AloneReply::End::too_long;
            co_return reply;
        }
        if (n > 0) continue;
        if (read_ec == asio::error::operation_aborted) {
            reply.end = AloneReply::End::timed_out;
            co_return reply;
        }
        if (read_ec) {
            reply.end = AloneReply::End::closed;
            reply.why = read_ec == asio::error::eof ? "closed by the server" : "read: " + read_ec.message();
            co_return reply;
        }
    }
}

}  // namespace herd::load
