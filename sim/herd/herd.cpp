#include "herd/herd.hpp"

#include <stdexcept>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address_v4.hpp>

#include "serve/descriptor_limit.hpp"
#include "serve/server_options.hpp"

namespace herd::sim {

std::uint64_t descriptors_needed(const HerdConfig& config, bool relays, bool logs) {
    // stdio, the event loop, the run's pipes and files, the mock Places, a client or two.
    constexpr std::uint64_t reserve = 64;
    const std::uint64_t per_node = 1 + (logs ? 1 : 0) + (relays ? 1 : 0);
    return reserve + per_node * config.servers.size() + 2 * config.links.size() * (relays ? 4 : 2);
}

namespace {

// Node i's own loopback address, 127.1.0.0 + i + 1: in 127.0.0.0/8, which is all loopback, and
// clear of 127.0.0.1, where the relays, clients and servers listen.
std::string source_address(std::size_t index) {
    return boost::asio::ip::address_v4((127u << 24) + (1u << 16) + static_cast<std::uint32_t>(index) + 1).to_string();
}

}  // namespace

Herd::Herd(boost::asio::io_context& io, HerdConfig config, HerdOptions options)
    : io_(io), config_(std::move(config)), options_(std::move(options)) {
    validate(config_, "herd");
    // A herd short of descriptors would stall at its start (accepts and connects failing): it is
    // refused instead, with what to do.
    const std::uint64_t wanted = descriptors_needed(config_, options_.relays, !options_.server.log_dir.empty());
    if (const auto allowed = raise_descriptor_limit(wanted); allowed < wanted)
        throw std::runtime_error("a herd of " + std::to_string(config_.servers.size()) + " nodes and " +
                                 std::to_string(config_.links.size()) + " links needs about " + std::to_string(wanted) +
                                 " file descriptors, and this process may open " + std::to_string(allowed) +
                                 " (RLIMIT_NOFILE; only a privileged process may raise its hard limit): raise it, as "
                                 "with `ulimit -n " + std::to_string(wanted) + "`, first");
    if (options_.relays && !options_.rng) throw std::invalid_argument("Herd: relays need the run's random source");
    // The herd as the simulator runs it: every node on loopback, on its config port or one the OS
    // picks, asking the run's Places service. Peer ports are set at start(), once they are known.
    HerdConfig local = config_;
    for (auto& address : local.servers) {
        address.host = "127.0.0.1";
        if (!options_.fixed_ports) address.port = 0;
    }
    local.places = options_.server.places;
    for (std::size_t i = 0; i < local.servers.size(); ++i) {
        const auto& name = local.servers[i].name;
        ServerOptions server = server_options(local, name, options_.server);
        if (options_.relays) sources_[name] = server.source_host = source_address(i);
        servers_.emplace(name, std::make_unique<Server>(io_, std::move(server), options_.observer));
    }
}

Herd::~Herd() { stop(); }

void Herd::start() {
    for (auto& [name, server] : servers_) server->listen();
    if (options_.relays) {
        relays_ = std::make_unique<LinkRelays>(io_, config_.links, *options_.rng, options_.failed, sources_);
        for (Relay* relay : relays_->all()) relay->set_target(servers_.at(relay->to())->port());
    }
    for (auto& [name, server] : servers_) {
        std::vector<PeerAddress> peers = server->options().peers;
        for (auto& peer : peers) peer.port = relays_ ? relays_->port(name, peer.name) : servers_.at(peer.name)->port();
        server->set_peer_addresses(std::move(peers));
    }
    for (auto& [name, server] : servers_) server->start();
}

void Herd::stop() {
    // Relays first: their resets reach both ends at once. Then the servers reset what is left (the
    // links of a herd without relays, clients): no connection is left in TIME_WAIT.
    if (relays_) relays_->stop();
    for (auto& [name, server] : servers_) server->stop(true);
}

Server& Herd::server(std::string_view name) {
    auto it = servers_.find(name);
    if (it == servers_.end()) throw std::out_of_range("no node \"" + std::string(name) + "\" in this herd");
    return *it->second;
}

const Server& Herd::server(std::string_view name) const { return const_cast<Herd*>(this)->server(name); }

bool Herd::is_up(std::string_view name) const { return server(name).running(); }
std::uint16_t Herd::port(std::string_view name) const { return server(name).port(); }

Relay* Herd::relay(std::string_view from, std::string_view to) { return relays_ ? relays_->find(from, to) : nullptr; }

std::vector<Relay*> Herd::relays() { return relays_ ? relays_->all() : std::vector<Relay*>{}; }

void Herd::crash(std::string_view name) {
    server(name).stop();
    if (relays_) relays_->set_up(name, false);
}

void Herd::restart(std::string_view name) {
    server(name).start();
    if (relays_) relays_->set_up(name, true);
}

void Herd::pause(std::string_view name) {
    paused_.emplace(name);
    stall_links(name, true);
}

void Herd::resume(std::string_view name) {
    paused_.erase(std::string(name));
    stall_links(name, false);
}

void Herd::link_faults_cleared() {
    for (const auto& name : paused_) stall_links(name, true);
}

void Herd::stall_links(std::string_view name, bool stalled) {
    for (const auto& peer : config_.neighbours(name))
        for (Relay* r : {relay(name, peer), relay(peer, name)})
            if (r) r->stall(stalled);
}

void Herd::clear_places_caches() {
    for (auto& [name, server] : servers_) server->clear_places_cache();
}

bool Herd::quiet() const {
    for (const auto& [name, server] : servers_) {
        if (!server->running()) continue;
        for (const auto& peer : server->options().peers)
            if (server->queued_to(peer.name) > 0 && link_usable(name, peer.name)) return false;
    }
    // Last: it asks the kernel about every relayed connection.
    return !relays_ || relays_->idle();
}

std::map<std::string, Holding> Herd::holdings(std::string_view node, const std::vector<std::string>& clients) {
    std::map<std::string, Holding> out;
    const auto& table = server(node).node().table();
    for (const auto& client : clients) {
        Holding& held = out[client];
        if (const auto record = table.find(client)) {
            held.kind = Holding::Kind::record;
            held.record = std::string(record->at_line);
        }
    }
    return out;
}

}  // namespace herd::sim
