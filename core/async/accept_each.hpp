#pragma once
// The one accept loop of every listener in herdsim (the servers, the relays, the mock Places).
#include <chrono>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "async/nothrow.hpp"

namespace herd {

// Hands each accepted connection to `take` until `open()` says the listener was closed (or closed
// and reopened) meanwhile. A connection reset before it was accepted is skipped. Any other error
// (out of descriptors and the like) leaves the connection in the backlog, so an accept at once would
// fail at once, for ever: `failed(ec)` is told, and the next try waits 50 ms.
template <class Open, class Take, class Failed>
boost::asio::awaitable<void> accept_each(boost::asio::ip::tcp::acceptor& acceptor, Open open, Take take,
                                         Failed failed) {
    namespace error = boost::asio::error;
    boost::asio::steady_timer pause(acceptor.get_executor());
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(nothrow);
        if (!open() || ec == error::operation_aborted || ec == error::bad_descriptor) co_return;
        if (ec == error::connection_aborted) continue;
        if (ec) {
            failed(ec);
            pause.expires_after(std::chrono::milliseconds(50));
            co_await pause.async_wait(nothrow);
            if (!open()) co_return;
            continue;
        }
        take(std::move(socket));
    }
}

}  // namespace herd
