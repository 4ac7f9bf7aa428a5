#pragma once
// The one completion token for awaited operations: `co_await socket.async_read_some(buffer, nothrow)`
// gives the error code with the result instead of throwing, so each error is handled where it
// happens, by the code that knows what it means.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace herd {

inline constexpr auto nothrow = boost::asio::as_tuple(boost::asio::use_awaitable);

}  // namespace herd
