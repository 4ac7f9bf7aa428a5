#pragma once
// What `herdsim serve` was asked for on its command line.
#include <cstdint>
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
    bool mock_places = false;       // answer WHATSAT from a built-in mock Places in this process
    std::string mock_places_file;   // its answer; empty: the bundled sample
    std::map<std::string_view, std::uint64_t> limits;  // LimitSpec::key -> value: over the config's
};

}  // namespace herd::serve
