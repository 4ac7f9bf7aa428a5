#include "serve/server_options.hpp"

#include <stdexcept>

namespace herd {

ServerOptions server_options(const HerdConfig& config, std::string_view name, ServerOptions tunables) {
    const ServerAddress* self = config.find(name);
    if (!self) throw std::out_of_range("no server \"" + std::string(name) + "\" in this herd");
    ServerOptions options = std::move(tunables);
    options.name = self->name;
    options.host = self->host;
    options.port = self->port;
    options.places = config.places;
    options.limits = config.limits;
    options.peer_secret = config.peer_secret;
    options.peers.clear();
    for (const auto& neighbour : config.neighbours(name)) {
        const ServerAddress* peer = config.find(neighbour);
        options.peers.push_back({peer->name, peer->host, peer->port});
    }
    return options;
}

}  // namespace herd
