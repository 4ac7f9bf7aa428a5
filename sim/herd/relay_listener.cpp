#include "herd/relay_listener.hpp"

#include <chrono>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "async/accept_each.hpp"
#include "async/loopback_listener.hpp"
#include "async/nothrow.hpp"
#include "herd/relay.hpp"

namespace herd::sim {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct RelayListener::State : std::enable_shared_from_this<RelayListener::State> {
    State(asio::any_io_executor executor, FailureSink failed)
        : executor(executor), acceptor(executor), failed(std::move(failed)) {}

    asio::any_io_executor executor;
    tcp::acceptor acceptor;
    FailureSink failed;
    std::map<asio::ip::address, Relay*> relays;  // by the sender's source address
    std::uint16_t port = 0;
    bool open = true;  // set_open()
    bool listening = false;  // while the node is down, the acceptor is open too: bound, keeping the port
    bool stopped = false;
    // Bumped whenever the acceptor closes: an accept loop serves only the opening it was started for.
    std::uint64_t closings = 0;

    bool should_listen() const { return open && !stopped; }
    auto report(const char* what) const { return report_failure(std::string("relay listener: ") + what, failed); }
};

namespace {

using ListenerState = RelayListener::State;

asio::awaitable<void> accept_senders(std::shared_ptr<ListenerState> state) {
    const std::uint64_t opening = state->closings;  // closed since (stop, node down), maybe reopened
    co_await accept_each(
        state->acceptor, [&] { return state->closings == opening; },
        [&](tcp::socket socket) {
            boost::system::error_code peer_ec;
            const auto peer = socket.remote_endpoint(peer_ec);
            const auto it = peer_ec ? state->relays.end() : state->relays.find(peer.address());
            if (it != state->relays.end()) {
                it->second->adopt(socket.release());
                return;
            }
            boost::system::error_code ignored;
            socket.set_option(asio::socket_base::linger(true, 0), ignored);
            socket.close(ignored);
        },
        [](boost::system::error_code) {});
}

boost::system::error_code open_listener(ListenerState& state) {
    if (const auto ec = listen_on_loopback(state.acceptor, state.port)) return ec;
    state.listening = true;
    asio::co_spawn(state.executor, accept_senders(state.shared_from_this()), state.report("accepting"));
    return {};
}

// Listens on the listener's port again. Should the port have been lost while the node was down
// (taken in the moment reserve_port() rebinds it), keep trying until it is free or the node is
// down again.
asio::awaitable<void> reopen_listener(std::shared_ptr<ListenerState> state) {
    asio::steady_timer pause(state->executor);
    while (state->should_listen() && !state->listening && open_listener(*state)) {
        pause.expires_after(std::chrono::milliseconds(10));
        co_await pause.async_wait(nothrow);
    }
}

}  // namespace

RelayListener::RelayListener(asio::io_context& io, FailureSink failed)
    : state_(std::make_shared<ListenerState>(io.get_executor(), std::move(failed))) {}

RelayListener::~RelayListener() { stop(); }

std::uint16_t RelayListener::listen() {
    if (auto ec = open_listener(*state_)) throw boost::system::system_error(ec, "relay listener");
    state_->port = state_->acceptor.local_endpoint().port();
    return state_->port;
}

void RelayListener::set_open(bool open) {
    if (state_->stopped || state_->open == open) return;
    state_->open = open;
    if (open) {
        if (open_listener(*state_)) asio::co_spawn(state_->executor, reopen_listener(state_), state_->report("listening again"));
        return;
    }
    reserve_port(state_->acceptor);
    state_->listening = false;
    ++state_->closings;
}

void RelayListener::add(const std::string& source_address, Relay& relay) {
    state_->relays[asio::ip::make_address(source_address)] = &relay;
}

void RelayListener::stop() {
    if (state_->stopped) return;
    state_->stopped = true;
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
    state_->listening = false;
    ++state_->closings;
}

}  // namespace herd::sim
