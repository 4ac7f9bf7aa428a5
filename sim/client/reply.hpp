#pragma once
// What counts as a server's reply to one send (docs/scenarios.md, "send"): read from a LineClient
// by a coroutine on the run's io_context, so a reply can be awaited in the background.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "client/line_client.hpp"
#include "protocol/reply_text.hpp"

namespace herd::sim {

struct Reply {
    enum class End { complete, timed_out, closed };
    End end = End::timed_out;
    // complete: the reply, up to and including its last "\n"; otherwise every byte that came
    // before the deadline or the server's close (a partial reply is no reply).
    std::string bytes;
};

// One line up to its "\n"; for a WHATSAT (`whatsat`) whose reply starts "AT ", everything up to
// and including the first blank line ("\n\n"). The bytes after the reply stay in the client.
boost::asio::awaitable<Reply> read_reply(LineClient& client, bool whatsat, std::chrono::steady_clock::time_point deadline);

// Every byte that comes back until the server closes the connection or `deadline` passes.
boost::asio::awaitable<std::string> read_until_closed(LineClient& client, std::chrono::steady_clock::time_point deadline);

// Why there is no reply, for a verdict: "no reply: timed out after 200 ms, with only \"AT Al\"",
// "no reply: connection closed by the server before any byte".
std::string missing_reply(const Reply& reply, std::chrono::milliseconds timeout);

}  // namespace herd::sim
