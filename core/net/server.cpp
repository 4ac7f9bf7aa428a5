#include "net/server.hpp"

#include <algorithm>
#include <tuple>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "async/accept_each.hpp"
#include "async/loopback_listener.hpp"
#include "async/nothrow.hpp"
#include "net/node_log.hpp"
#include "net/server_state.hpp"

namespace herd {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

std::vector<std::string> peer_names(const ServerOptions& options) {
    std::vector<std::string> names;
    for (const auto& p : options.peers) names.push_back(p.name);
    return names;
}

constexpr std::chrono::milliseconds log_flush_period{500};

using Steady = std::chrono::steady_clock;

// Which connection goes first when one must: one on which no line did anything, then a client's,
// then a neighbour's link (which would reconnect and be caught up, at a cost); among equals the
// one longest without a line that did something.
bool evicted_before(const OpenConnection& a, const OpenConnection& b) {
    return std::tuple(a.active, a.flood, a.last_active) < std::tuple(b.active, b.flood, b.last_active);
}

// Closes `open` to give its slot to a new connection at once.
void evict(Server::State& state, OpenConnection& open) {
    open.evicted = true;
    if (open.slot == Slot::client)
        release_client_slot(state, open.address);
    else
        --state.open_peer_slots;
    boost::system::error_code ignored;
    open.socket->close(ignored);
}

// Every slot of `slot`'s kind is taken: close a connection of that kind that has gone long enough
// without a line that did something (evicted_before's order among those). One that has sent lines,
// and none of them did anything (blank lines, refused ones), is one at once, whatever its age: a
// client that means to talk says something valid first, so junk keeps no slot even from a
// connection made a moment ago. A neighbour's link keeps the grace (its request may be one
// already owed, which does nothing).
bool evict_idlest(Server::State& state, Slot slot) {
    const auto after = state.options.limits.evict_idle_after;
    if (after.count() <= 0) return false;
    const auto now = Steady::now();
    OpenConnection* idlest = nullptr;
    std::uint64_t idlest_id = 0;
    for (auto& [id, open] : state.connections) {
        if (open.slot != slot || open.evicted) continue;
        if (now - open.last_active < after && (open.active || open.flood || !open.spoke)) continue;
        if (!idlest || evicted_before(open, *idlest)) {
            idlest = &open;
            idlest_id = id;
        }
    }
    if (!idlest) return false;
    if (state.evicted_connections.begin()) {
        const auto& limits = state.options.limits;
        const bool client = slot == Slot::client;
        state.log->warn("{} connections open ({} {}): closing conn {}, {} ms without a line that did something, for "
                        "a new one",
                        client ? state.open_connections : state.open_peer_slots,
                        client ? "max_connections" : "peer_slots", client ? limits.max_connections : limits.peer_slots,
                        idlest_id, std::chrono::duration_cast<std::chrono::milliseconds>(now - idlest->last_active).count());
    }
    evict(state, *idlest);
    return true;
}

// Every client slot is taken and none is idle: a connection from an address holding less than its
// share of the slots takes the slot of the least recently active connection of the address that
// holds the most, if that one holds more than its share. On one host (loopback, the simulator)
// every connection has the same address and this never applies.
bool evict_for_share(Server::State& state, const asio::ip::address& newcomer) {
    const auto& limits = state.options.limits;
    if (limits.max_address_share_percent >= 100) return false;
    // Slots held, in hundredths, against the share.
    const std::size_t share = limits.max_connections * limits.max_address_share_percent;
    const auto& held = state.client_slots_by_address;
    if (const auto mine = held.find(newcomer); mine != held.end() && mine->second * 100 >= share) return false;
    const auto most = std::max_element(held.begin(), held.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    if (most == held.end() || most->first == newcomer || most->second * 100 <= share) return false;
    OpenConnection* victim = nullptr;
    std::uint64_t victim_id = 0;
    for (auto& [id, open] : state.connections) {
        if (open.slot != Slot::client || open.evicted || open.address != most->first) continue;
        if (!victim || evicted_before(open, *victim)) {
            victim = &open;
            victim_id = id;
        }
    }
    if (!victim) return false;  // its connections are accepted but not running yet
    if (state.share_evictions.begin())
        state.log->warn("{} holds {} of the {} client slots (more than max_address_share_percent {}): closing conn {} "
                        "for a connection from {}",
                        most->first.to_string(), most->second, limits.max_connections, limits.max_address_share_percent,
                        victim_id, newcomer.to_string());
    evict(state, *victim);
    return true;
}

// Out of descriptors and the like: say so, and keep serving the connections we have.
asio::awaitable<void> accept_loop(std::shared_ptr<Server::State> state, std::uint64_t generation) {
    co_await accept_each(
        *state->acceptor, [&] { return state->running && state->generation == generation; },  // not stopped meanwhile
        [&](tcp::socket socket) {
            boost::system::error_code ignored;
            const auto& limits = state->options.limits;
            const auto address = socket.remote_endpoint(ignored).address();
            const bool client_slot = state->open_connections < limits.max_connections ||
                                     evict_idlest(*state, Slot::client) || evict_for_share(*state, address);
            if (!client_slot && state->open_peer_slots >= limits.peer_slots && !evict_idlest(*state, Slot::peer)) {
                if (state->refused_connections.begin())
                    state->log->warn("{} connections open (max_connections {} + peer_slots {}): closing new ones at once",
                                     state->open_connections + state->open_peer_slots, limits.max_connections,
                                     limits.peer_slots);
                socket.close(ignored);
                return;
            }
            const Slot slot = client_slot ? Slot::client : Slot::peer;
            if (client_slot) {
                ++state->open_connections;
                ++state->client_slots_by_address[address];
            } else {
                ++state->open_peer_slots;
            }
            state->heap.opened(state->open_connections + state->open_peer_slots);
            socket.set_option(tcp::no_delay(true), ignored);
            const auto remote = socket.remote_endpoint(ignored);
            auto where = state->options.name + ": connection from " + remote.address().to_string() + ":" +
                         std::to_string(remote.port());
            asio::co_spawn(state->io, serve_connection(state, std::move(socket), slot, address),
                           report_failure(std::move(where), state->failed));
        },
        [&](boost::system::error_code ec) {
            if (state->accept_failures.begin()) state->log->warn("accept failed: {}", ec.message());
        });
}

asio::awaitable<void> flush_log_periodically(std::shared_ptr<Server::State> state) {
    while (state->running) {
        state->flush_timer.expires_after(log_flush_period);
        auto [ec] = co_await state->flush_timer.async_wait(nothrow);
        for (auto* episode : {&state->invalid_lines, &state->blank_lines, &state->unauthenticated_lines,
                              &state->ignored_catch_ups, &state->overlong_lines, &state->refused_connections,
                              &state->evicted_connections, &state->share_evictions, &state->accept_failures})
            episode->tick(*state->log);
        state->log->flush();
        if (ec) co_return;
    }
}

}  // namespace

void release_client_slot(Server::State& state, const asio::ip::address& address) {
    --state.open_connections;
    if (const auto it = state.client_slots_by_address.find(address); it != state.client_slots_by_address.end() && --it->second == 0)
        state.client_slots_by_address.erase(it);
}

Server::State::State(asio::io_context& io_, ServerOptions options_, ServerObserver* observer_)
    : io(io_),
      options(std::move(options_)),
      observer(observer_),
      node(options.name, peer_names(options),
           std::chrono::duration_cast<std::chrono::nanoseconds>(options.limits.max_time_ahead).count()),
      log(make_node_log(options.name, options.log_dir, options.limits)),
      places(io.get_executor(), options.places, log),
      failed(node_failure_sink(log, observer, options.name)),
      flush_timer(io) {
    if (!options.peer_secret.empty()) mac.emplace(options.peer_secret);
}

Server::Server(asio::io_context& io, ServerOptions options, ServerObserver* observer)
    : state_(std::make_shared<State>(io, std::move(options), observer)) {}

Server::~Server() { stop(); }

std::uint16_t Server::listen() {
    auto& s = *state_;
    if (s.running) return s.bound_port;
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(s.options.host, ec);
    if (ec) throw std::runtime_error(s.options.name + ": \"" + s.options.host + "\" is not an IP address to listen on");
    const tcp::endpoint endpoint(address, s.bound_port ? s.bound_port : s.options.port);
    // After a stop() the port is still bound (not listening): only listen() is left to do.
    tcp::acceptor acceptor = s.acceptor ? std::move(*s.acceptor) : tcp::acceptor(s.io);
    auto fail = [&](const char* step) {
        throw std::runtime_error(s.options.name + ": cannot listen on " + s.options.host + ":" +
                                 std::to_string(endpoint.port()) + ": " + step + ": " + ec.message());
    };
    if (!acceptor.is_open()) {
        acceptor.open(endpoint.protocol(), ec);
        if (ec) fail("open");
        // A restarted node binds its old port again at once, despite connections in TIME_WAIT.
        acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
        if (ec) fail("setsockopt");
        acceptor.bind(endpoint, ec);
        if (ec) fail("bind");
    }
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) fail("listen");
    s.bound_port = acceptor.local_endpoint().port();
    s.acceptor.emplace(std::move(acceptor));
    s.running = true;
    ++s.generation;
    s.log->info("listening on {}:{} with {} neighbour(s), max_connections {} + peer_slots {}", s.options.host,
                s.bound_port, s.options.peers.size(), s.options.limits.max_connections, s.options.limits.peer_slots);
    // Links exist (and queue floods) from now on; start() connects them.
    s.peers.clear();
    for (const auto& peer : s.options.peers)
        s.peers.push_back(
            std::make_shared<PeerLink>(s.io.get_executor(), s.options, peer, s.node.table(), s.log, s.observer));
    s.links_started = false;
    asio::co_spawn(s.io, accept_loop(state_, s.generation), report_failure(s.options.name + ": accept loop", s.failed));
    asio::co_spawn(s.io, flush_log_periodically(state_), report_failure(s.options.name + ": log flush", s.failed));
    return s.bound_port;
}

void Server::set_peer_addresses(std::vector<PeerAddress> peers) {
    auto& s = *state_;
    bool same = peers.size() == s.options.peers.size();
    for (std::size_t i = 0; same && i < peers.size(); ++i) same = peers[i].name == s.options.peers[i].name;
    if (!same) throw std::invalid_argument(s.options.name + ": set_peer_addresses must keep the neighbours and their order");
    for (std::size_t i = 0; i < s.peers.size(); ++i) s.peers[i]->set_address(peers[i]);
    s.options.peers = std::move(peers);
}

void Server::start() {
    auto& s = *state_;
    listen();
    if (s.links_started) return;
    s.links_started = true;
    // A server starts empty: each neighbour is asked for what it holds (PROTOCOL.md, catch-up).
    for (auto& peer : s.peers) {
        peer->request_catch_up(s.node.catch_up_request());
        peer->start();
    }
}

void Server::stop(bool reset) {
    auto& s = *state_;
    if (!s.running) return;
    s.running = false;
    boost::system::error_code ignored;
    reserve_port(*s.acceptor);
    for (auto& [id, open] : s.connections) {
        if (reset) open.socket->set_option(asio::socket_base::linger(true, 0), ignored);
        open.socket->close(ignored);
    }
    for (auto& peer : s.peers) peer->stop(reset);
    s.peers.clear();
    s.flush_timer.cancel();
    s.node.forget();
    s.places.clear_cache();
    s.log->info("stopped: connections closed, every record forgotten");
    s.log->flush();
}

void Server::clear_places_cache() { state_->places.clear_cache(); }

bool Server::running() const { return state_->running; }
std::uint16_t Server::port() const { return state_->bound_port ? state_->bound_port : state_->options.port; }
const ServerOptions& Server::options() const { return state_->options; }
const Node& Server::node() const { return state_->node; }

std::size_t Server::queued_to(std::string_view name) const {
    for (const auto& peer : state_->peers)
        if (peer->peer_name() == name) return peer->queued();
    return 0;
}

}  // namespace herd
