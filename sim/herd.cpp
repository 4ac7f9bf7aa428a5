#include "herd.hpp"

#include <deque>
#include <set>
#include <stdexcept>

#include <boost/asio/io_context.hpp>

#include "serve/descriptor_limit.hpp"
#include "serve/server_options.hpp"

namespace herd::sim {

Herd::Herd(boost::asio::io_context& io, HerdConfig config, HerdOptions options)
    : io_(io), config_(std::move(config)), options_(std::move(options)) {
    validate(config_, "herd");
    // Every node listens, and every link direction is a relay plus two connections: a 1000-node
    // herd needs thousands of descriptors.
    raise_descriptor_limit();
    if (options_.relays && !options_.rng) throw std::invalid_argument("Herd: relays need the run's random source");
    // The herd as the simulator runs it: every node on loopback, on its config port or one the OS
    // picks, asking the run's Places service. Peer ports are set at start(), once they are known.
    HerdConfig local = config_;
    for (auto& address : local.servers) {
        address.host = "127.0.0.1";
        if (!options_.fixed_ports) address.port = 0;
    }
    local.places = options_.places;
    ServerOptions tunables;
    tunables.log_dir = options_.log_dir;
    tunables.peer_queue_limit = options_.peer_queue_limit;
    tunables.peer_queue_bytes = options_.peer_queue_bytes;
    tunables.backpressure_bytes = options_.backpressure_bytes;
    tunables.stall_timeout = options_.stall_timeout;
    tunables.link_policy = options_.link_policy;
    tunables.link_linger = options_.link_linger;
    tunables.reconnect_initial = options_.reconnect_initial;
    tunables.reconnect_max = options_.reconnect_max;
    for (const auto& address : local.servers) {
        neighbours_[address.name] = local.neighbours(address.name);
        servers_.emplace(address.name,
                         std::make_unique<Server>(io_, server_options(local, address.name, tunables), options_.observer));
    }
}

Herd::~Herd() { stop(); }

void Herd::start() {
    for (auto& [name, server] : servers_) server->listen();
    std::map<std::pair<std::string, std::string>, std::uint16_t> relay_ports;
    if (options_.relays) {
        for (const auto& [a, b] : config_.links) {
            for (const auto& [from, to] : {std::pair{a, b}, std::pair{b, a}}) {
                auto relay = std::make_unique<Relay>(io_.get_executor(), from, to, *options_.rng);
                relay_ports[{from, to}] = relay->listen();
                relay->set_target(servers_.at(to)->port());
                relays_.emplace(std::pair{from, to}, std::move(relay));
            }
        }
    }
    for (auto& [name, server] : servers_) {
        std::vector<PeerAddress> peers = server->options().peers;
        for (auto& peer : peers)
            peer.port = options_.relays ? relay_ports.at({name, peer.name}) : servers_.at(peer.name)->port();
        server->set_peer_addresses(std::move(peers));
    }
    for (auto& [name, server] : servers_) server->start();
}

void Herd::stop() {
    for (auto& [name, server] : servers_) server->stop();
    for (auto& [key, relay] : relays_) relay->stop();
}

std::vector<std::string> Herd::names() const {
    std::vector<std::string> out;
    for (const auto& s : config_.servers) out.push_back(s.name);
    return out;
}

bool Herd::has(std::string_view name) const { return servers_.find(name) != servers_.end(); }

Server& Herd::server(std::string_view name) {
    auto it = servers_.find(name);
    if (it == servers_.end()) throw std::out_of_range("no node \"" + std::string(name) + "\" in this herd");
    return *it->second;
}

const Server& Herd::server(std::string_view name) const { return const_cast<Herd*>(this)->server(name); }

bool Herd::is_up(std::string_view name) const { return server(name).running(); }
std::uint16_t Herd::port(std::string_view name) const { return server(name).port(); }

Relay* Herd::relay(std::string_view from, std::string_view to) {
    auto it = relays_.find(std::pair{std::string(from), std::string(to)});
    return it == relays_.end() ? nullptr : it->second.get();
}

std::vector<Relay*> Herd::relays() {
    std::vector<Relay*> out;
    for (auto& [key, relay] : relays_) out.push_back(relay.get());
    return out;
}

void Herd::crash(std::string_view name) {
    server(name).stop();
    set_relays_into(name, false);
}

void Herd::restart(std::string_view name) {
    server(name).start();
    set_relays_into(name, true);
}

void Herd::set_relays_into(std::string_view name, bool up) {
    for (auto& [key, relay] : relays_)
        if (key.second == name) relay->set_target_up(up);
}

bool Herd::link_usable(const std::string& from, const std::string& to) const {
    if (!is_up(from) || !is_up(to)) return false;
    auto it = relays_.find(std::pair{from, to});
    return it == relays_.end() || !it->second->is_cut();
}

std::vector<std::string> Herd::reachable(std::string_view origin) const {
    std::vector<std::string> out;
    if (!has(origin) || !is_up(origin)) return out;
    std::set<std::string, std::less<>> seen{std::string(origin)};
    std::deque<std::string> frontier{std::string(origin)};
    while (!frontier.empty()) {
        const std::string node = frontier.front();
        frontier.pop_front();
        out.push_back(node);
        for (const auto& next : neighbours_.find(node)->second)
            if (!seen.count(next) && link_usable(node, next)) {
                seen.insert(next);
                frontier.push_back(next);
            }
    }
    return out;
}

bool Herd::quiet() const {
    for (const auto& [key, relay] : relays_)
        if (!relay->idle()) return false;
    for (const auto& [name, server] : servers_) {
        if (!server->running()) continue;
        for (const auto& peer : server->options().peers)
            if (server->queued_to(peer.name) > 0 && link_usable(name, peer.name)) return false;
    }
    return true;
}

}  // namespace herd::sim
