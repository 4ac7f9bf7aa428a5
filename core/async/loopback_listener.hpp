#pragma once
// Listening on a loopback port, as the relays and the shared relay listeners do.
#include <cstdint>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/socket_base.hpp>

namespace herd {

// Opens, binds and listens `acceptor` on 127.0.0.1:`port` (0: the system picks one), reusing an
// address in TIME_WAIT; on an error the acceptor is left closed and the error returned.
inline boost::system::error_code listen_on_loopback(boost::asio::ip::tcp::acceptor& acceptor, std::uint16_t port) {
    using tcp = boost::asio::ip::tcp;
    boost::system::error_code ec;
    const tcp::endpoint endpoint(boost::asio::ip::address_v4::loopback(), port);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(boost::asio::socket_base::max_listen_connections, ec);
    if (ec) {
        boost::system::error_code ignored;
        acceptor.close(ignored);
    }
    return ec;
}

}  // namespace herd
