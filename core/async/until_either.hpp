#pragma once
// `co_await until_either(a, b)`: Asio's `a || b`, except that an exception is never lost. Asio's
// operator|| waits for one branch to succeed, so a branch that throws is forgotten while the other
// runs on (a connection whose reader threw would sit until its idle limit, and say nothing).
#include <exception>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>

#include "async/report_failure.hpp"

namespace herd {

// Runs both; when the first one ends, by returning or by throwing, the other is cancelled and
// awaited. Then rethrows what either threw, unless it was an expected end: the cancelled one's
// next await throws operation_aborted, and that is how it is meant to end.
inline boost::asio::awaitable<void> until_either(boost::asio::awaitable<void> a, boost::asio::awaitable<void> b) {
    namespace asio = boost::asio;
    const auto executor = co_await asio::this_coro::executor;
    const auto [order, a_error, b_error] =
        co_await asio::experimental::make_parallel_group(asio::co_spawn(executor, std::move(a), asio::deferred),
                                                         asio::co_spawn(executor, std::move(b), asio::deferred))
            .async_wait(asio::experimental::wait_for_one(), asio::deferred);
    (void)order;
    for (const auto& error : {a_error, b_error})
        if (failure_message(error)) std::rethrow_exception(error);
}

}  // namespace herd
