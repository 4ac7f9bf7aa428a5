#include "echo_floor.hpp"

#include <array>
#include <map>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "async/nothrow.hpp"
#include "async/report_failure.hpp"
#include "net/server.hpp"
#include "protocol/line_framer.hpp"

namespace herd::bench {

namespace asio = boost::asio;
using asio::ip::tcp;

struct EchoServer::State {
    explicit State(asio::io_context& io)
        : acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0)), port(acceptor.local_endpoint().port()) {}
    tcp::acceptor acceptor;
    std::uint16_t port;
    std::map<std::uint64_t, tcp::socket*> connections;
    std::uint64_t next = 0;
    bool stopped = false;
};

namespace {

asio::awaitable<void> echo(std::shared_ptr<EchoServer::State> state, tcp::socket socket) {
    const std::uint64_t id = state->next++;
    state->connections[id] = &socket;
    std::array<char, 16384> chunk;
    LineFramer framer(ServerLimits{}.max_line);
    std::string out;
    for (;;) {
        auto [ec, n] = co_await socket.async_read_some(asio::buffer(chunk), nothrow);
        if (ec) break;
        framer.feed({chunk.data(), n});
        // Every frame goes back byte for byte; the limit only bounds what a connection holds.
        while (const auto frame = framer.next()) out.append(frame->text).append(frame->ending);
        if (out.empty()) continue;
        auto [wec, written] = co_await asio::async_write(socket, asio::buffer(out), nothrow);
        (void)written;
        out.clear();
        if (wec) break;
    }
    state->connections.erase(id);
    boost::system::error_code ignored;
    socket.close(ignored);
}

asio::awaitable<void> accept_loop(std::shared_ptr<EchoServer::State> state) {
    while (!state->stopped) {
        auto [ec, socket] = co_await state->acceptor.async_accept(nothrow);
        if (ec) co_return;
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        asio::co_spawn(state->acceptor.get_executor(), echo(state, std::move(socket)),
                       report_failure("echo floor: connection", print_failure));
    }
}

}  // namespace

EchoServer::EchoServer(asio::io_context& io) : state_(std::make_shared<State>(io)) {
    asio::co_spawn(io, accept_loop(state_), report_failure("echo floor: accept loop", print_failure));
}

EchoServer::~EchoServer() { stop(); }

std::uint16_t EchoServer::port() const { return state_->port; }

void EchoServer::stop() {
    if (state_->stopped) return;
    state_->stopped = true;
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
    for (auto& [id, socket] : state_->connections) socket->close(ignored);
}

}  // namespace herd::bench
