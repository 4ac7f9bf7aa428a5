#pragma once
// What `herdsim serve` was asked for on its command line.
#include <cstdint>
#include <optional>
#include <map>
#include <string>
#include <string_view>

namespace herd::serve {

struct ServeFlags {
    std::string preset = "fall17";
    std::string config_file;   // set: the herd comes from this file, not a preset
    std::string node;          // set: serve only this server
    std::string log_dir = "logs";
    std::string places_url;
    std::string places_api;
    int places_timeout_ms = 0;  // 0: the config's
    std::string places_ca;
    // Places cost limits; unset: the config's (serve's defaults unless the config says otherwise).
    std::optional<std::uint32_t> places_rate, places_burst, places_in_flight, places_cache_size;
    std::optional<std::uint64_t> places_cache_ttl_ms, places_cache_bytes;
    bool mock_places = false;       // answer WHATSAT from a built-in mock Places in this process
    std::string mock_places_file;   // its answer; empty: the bundled sample
    int mock_places_delay_ms = 0;   // how long the mock takes to answer, as a real service does
    std::map<std::string_view, std::uint64_t> limits;  // LimitSpec::key -> value: over the config's
};

}  // namespace herd::serve
