#include "serve/load_herd.hpp"

#include <cstdlib>
#include <string_view>

#include "serve/places_limit_options.hpp"

namespace herd::serve {

HerdConfig load_herd(const ServeFlags& flags) {
    HerdConfig config;
    if (!flags.config_file.empty()) {
        config = load_config_file(flags.config_file);
    } else {
        auto found = preset(flags.preset);
        if (!found) throw ConfigError("--preset: unknown preset \"" + flags.preset + "\"");
        config = *found;
    }
    // Flags override the file.
    if (!flags.places_api.empty()) config.places.api = *places_api_from_string(flags.places_api);
    if (!flags.places_url.empty()) config.places.base_url = flags.places_url;
    if (flags.places_timeout_ms > 0) config.places.timeout = std::chrono::milliseconds(flags.places_timeout_ms);
    if (!flags.places_ca.empty()) config.places.ca_file = flags.places_ca;
    apply_places_limit_flags(flags, config.places.limits);
    if (const char* key = std::getenv("PLACES_API_KEY")) config.places.api_key = key;
    // The environment over the file, as the flags: a secret kept out of files that get shared.
    if (const char* secret = std::getenv("HERDSIM_PEER_SECRET"); secret && *secret) {
        const std::size_t size = std::string_view(secret).size();
        if (size < min_peer_secret_bytes || size > max_peer_secret_bytes)
            throw ConfigError("HERDSIM_PEER_SECRET: expected " + std::to_string(min_peer_secret_bytes) + " to " +
                              std::to_string(max_peer_secret_bytes) + " bytes, got " + std::to_string(size));
        config.peer_secret = secret;
    }
    for (const auto& spec : limit_specs())
        if (const auto it = flags.limits.find(spec.key); it != flags.limits.end()) spec.set(config.limits, it->second);
    if (!flags.node.empty() && !config.find(flags.node)) {
        std::string names;
        for (const auto& s : config.servers) names += (names.empty() ? "" : ", ") + s.name;
        throw ConfigError("--node: no server \"" + flags.node + "\" in this herd (it has " + names + ")");
    }
    return config;
}

}  // namespace herd::serve
