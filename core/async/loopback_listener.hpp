#pragma once
// Listening on a loopback port, as the relays and the shared relay listeners do, and keeping a
// port while not listening, as they and the servers do while they refuse connections.
#include <cstdint>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/socket_base.hpp>

namespace herd {

// Listens with `acceptor` on 127.0.0.1:`port` (0: the system picks one), reusing an address in
// TIME_WAIT: opened and bound first, unless reserve_port() kept it bound. On an error the
// acceptor is left closed and the error returned.
inline boost::system::error_code listen_on_loopback(boost::asio::ip::tcp::acceptor& acceptor, std::uint16_t port) {
    using tcp = boost::asio::ip::tcp;
    boost::system::error_code ec;
    if (!acceptor.is_open()) {
        const tcp::endpoint endpoint(boost::asio::ip::address_v4::loopback(), port);
        acceptor.open(endpoint.protocol(), ec);
        if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
        if (!ec) acceptor.bind(endpoint, ec);
    }
    if (!ec) acceptor.listen(boost::asio::socket_base::max_listen_connections, ec);
    if (ec) {
        boost::system::error_code ignored;
        acceptor.close(ignored);
    }
    return ec;
}

// Stops listening but keeps the port bound: connects are refused with RST, as by a dead host, and
// nothing else on the machine is given the port meanwhile: not a listener of another process (of
// another herd, whose senders would then reach it), nor an outgoing connection as its ephemeral
// port. Closing alone would free it. Listening again takes only listen() (listen_on_loopback()).
// Should the port be taken in the moment between the close and the bind, the acceptor is left
// closed, and the next listen says so.
inline void reserve_port(boost::asio::ip::tcp::acceptor& acceptor) {
    using tcp = boost::asio::ip::tcp;
    boost::system::error_code ec;
    const auto endpoint = acceptor.local_endpoint(ec);
    acceptor.close(ec);
    if (endpoint.port() == 0) return;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (ec) acceptor.close(ec);
}

}  // namespace herd
