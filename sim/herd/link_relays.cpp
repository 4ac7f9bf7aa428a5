#include "herd/link_relays.hpp"

namespace herd::sim {

LinkRelays::LinkRelays(boost::asio::io_context& io,
                       const std::vector<std::pair<std::string, std::string>>& links, std::mt19937_64& rng,
                       const FailureSink& failed, const std::map<std::string, std::string, std::less<>>& sources) {
    std::map<std::string, std::uint16_t, std::less<>> shared_ports;
    for (const auto& [a, b] : links)
        for (const auto& [from, to] : {std::pair{a, b}, std::pair{b, a}}) {
            auto relay = std::make_unique<Relay>(io, from, to, rng, failed);
            if (sources.empty()) {
                ports_[{from, to}] = relay->listen();
            } else {
                auto& listener = listeners_[to];
                if (!listener) {
                    listener = std::make_unique<RelayListener>(io, failed);
                    shared_ports[to] = listener->listen();
                }
                listener->add(sources.at(from), *relay);
                ports_[{from, to}] = shared_ports.at(to);
            }
            relays_.emplace(std::pair{from, to}, std::move(relay));
        }
}

Relay* LinkRelays::find(std::string_view from, std::string_view to) const {
    auto it = relays_.find(std::pair{std::string(from), std::string(to)});
    return it == relays_.end() ? nullptr : it->second.get();
}

std::vector<Relay*> LinkRelays::all() const {
    std::vector<Relay*> out;
    for (const auto& [key, relay] : relays_) out.push_back(relay.get());
    return out;
}

void LinkRelays::set_up(std::string_view name, bool up) {
    for (auto& [key, relay] : relays_)
        if (key.second == name) relay->set_target_up(up);
    if (auto it = listeners_.find(name); it != listeners_.end()) it->second->set_open(up);
}

bool LinkRelays::idle() const {
    for (const auto& [key, relay] : relays_)
        if (!relay->idle()) return false;
    return true;
}

void LinkRelays::stop() {
    for (auto& [name, listener] : listeners_) listener->stop();
    for (auto& [key, relay] : relays_) relay->stop();
}

}  // namespace herd::sim
