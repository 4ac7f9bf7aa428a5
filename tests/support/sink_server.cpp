#include "support/sink_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "async/nothrow.hpp"

namespace herd::test {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {
asio::awaitable<void> collect(std::shared_ptr<tcp::socket> socket, std::shared_ptr<std::string> received) {
    char chunk[4096];
    for (;;) {
        auto [ec, n] = co_await socket->async_read_some(asio::buffer(chunk), nothrow);
        received->append(chunk, n);
        if (ec) co_return;
    }
}
}  // namespace

SinkServer::SinkServer(asio::io_context& io, std::uint16_t port)
    : acceptor_(io, tcp::endpoint(asio::ip::address_v4::loopback(), port), /*reuse_address=*/true),
      port_(acceptor_.local_endpoint().port()) {
    accept();
}

SinkServer::~SinkServer() { close(); }

void SinkServer::close() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (auto& s : sockets_) s->close(ignored);
}

void SinkServer::accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
        if (ec) return;
        ++*connections_;
        sockets_.push_back(std::make_shared<tcp::socket>(std::move(socket)));
        asio::co_spawn(acceptor_.get_executor(), collect(sockets_.back(), received_), asio::detached);
        accept();
    });
}

std::uint16_t unused_port(asio::io_context& io) {
    tcp::acceptor probe(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    return probe.local_endpoint().port();
}

}  // namespace herd::test
