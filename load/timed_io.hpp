#pragma once
// Socket operations with a deadline, for the load and its check. Both results of the race are kept:
// bytes a read delivered as its deadline fired are still returned, never dropped.
#include <chrono>
#include <tuple>

#include <boost/asio/connect.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace herd::load {

// What arrived (n > 0), or the read's error; n == 0 with operation_aborted when `timer` expired at
// `deadline` or was cancelled first.
inline boost::asio::awaitable<std::tuple<boost::system::error_code, std::size_t>> read_before(
    boost::asio::ip::tcp::socket& socket, boost::asio::mutable_buffer into, boost::asio::steady_timer& timer,
    std::chrono::steady_clock::time_point deadline) {
    namespace asio = boost::asio;
    timer.expires_at(deadline);
    auto [order, ec, n, timer_ec] =
        co_await asio::experimental::make_parallel_group(socket.async_read_some(into, asio::deferred),
                                                         timer.async_wait(asio::deferred))
            .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
    (void)order;
    (void)timer_ec;
    co_return std::tuple{ec, n};
}

// The reason it failed ("no answer within the timeout" when `limit` passed first); empty when connected.
inline boost::asio::awaitable<std::string> connect_within(boost::asio::ip::tcp::socket& socket,
                                                          const boost::asio::ip::tcp::resolver::results_type& endpoints,
                                                          std::chrono::steady_clock::duration limit) {
    namespace asio = boost::asio;
    asio::steady_timer timer(socket.get_executor());
    timer.expires_after(limit);
    auto [order, ec, endpoint, timer_ec] =
        co_await asio::experimental::make_parallel_group(asio::async_connect(socket, endpoints, asio::deferred),
                                                         timer.async_wait(asio::deferred))
            .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
    (void)endpoint;
    (void)timer_ec;
    if (order[0] == 1) co_return "no answer within the timeout";
    if (ec) co_return ec.message();
    socket.set_option(asio::ip::tcp::no_delay(true));
    co_return "";
}

}  // namespace herd::load
