#include "client/reply.hpp"

#include <optional>

namespace herd::sim {

using Clock = std::chrono::steady_clock;

boost::asio::awaitable<Reply> read_reply(LineClient& client, bool whatsat, Clock::time_point deadline) {
    std::string& received = client.received();
    for (;;) {
        if (const auto end = reply_end(received, whatsat)) {
            Reply reply{Reply::End::complete, received.substr(0, *end)};
            received.erase(0, *end);
            co_return reply;
        }
        if (client.eof() || Clock::now() >= deadline) {
            Reply reply{client.eof() ? Reply::End::closed : Reply::End::timed_out, std::move(received)};
            received.clear();
            co_return reply;
        }
        co_await client.wait_for_bytes(deadline);
    }
}

boost::asio::awaitable<std::string> read_until_closed(LineClient& client, Clock::time_point deadline) {
    while (!client.eof() && Clock::now() < deadline) co_await client.wait_for_bytes(deadline);
    std::string out = std::move(client.received());
    client.received().clear();
    co_return out;
}

std::string missing_reply(const Reply& reply, std::chrono::milliseconds timeout) {
    const std::string partial = "\"" + show_reply(reply.bytes) + "\"";
    if (reply.end == Reply::End::closed)
        return "no reply: connection closed by the server " + (reply.bytes.empty() ? "before any byte" : "after " + partial);
    return "no reply: timed out after " + std::to_string(timeout.count()) + " ms" +
           (reply.bytes.empty() ? "" : ", with only " + partial);
}

}  // namespace herd::sim
