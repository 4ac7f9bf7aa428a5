#pragma once
// A herd: its servers (name, host, port), who talks with whom, and how to reach Places.
// Built from a preset, a JSON file, or by the simulator's topology generator.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "config/server_limits.hpp"
#include "places/places_settings.hpp"

namespace herd {

// Bounds on what a config file may say (docs/scenarios.md, "Herd"): beyond them a value is a
// mistake or an attack, never a herd.
constexpr std::size_t max_server_name_bytes = 64;
constexpr std::size_t max_host_bytes = 255;     // a DNS name is at most 253
constexpr std::size_t max_url_bytes = 2048;
constexpr std::uintmax_t max_config_file_bytes = 16 << 20;
constexpr std::size_t min_peer_secret_bytes = 16;
constexpr std::size_t max_peer_secret_bytes = 1024;

struct ServerAddress {
    std::string name;
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;  // 0: let the OS choose (the simulator's default)
};

struct HerdConfig {
    std::vector<ServerAddress> servers;                     // in file order
    std::vector<std::pair<std::string, std::string>> links;  // symmetric
    // As `herdsim serve` runs it: its Places limits on, unless the file or a flag says otherwise.
    PlacesSettings places = [] {
        PlacesSettings settings;
        settings.limits = serve_places_limits;
        return settings;
    }();
    ServerLimits limits;  // every server's ("limits" in a file)
    // Shared by the herd's servers: when set, every flood line and catch-up request carries a MAC
    // made with it (docs/PROTOCOL.md, "Peer authentication"). Empty: none, the course's protocol.
    std::string peer_secret;

    const ServerAddress* find(std::string_view name) const;
    // The neighbours of `name`, in link order.
    std::vector<std::string> neighbours(std::string_view name) const;
};

// What is wrong with a configuration, said precisely enough to fix it.
struct ConfigError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// `origin` names the text in error messages (a file name).
HerdConfig parse_config(std::string_view json_text, std::string_view origin);
HerdConfig load_config_file(const std::filesystem::path& path);

// Checks names, ports and links; throws ConfigError. parse_config calls it; generators should too.
void validate(const HerdConfig& config, std::string_view origin);

std::optional<HerdConfig> preset(std::string_view name);
const std::vector<std::string>& preset_names();  // "fall17" first: the default

}  // namespace herd
