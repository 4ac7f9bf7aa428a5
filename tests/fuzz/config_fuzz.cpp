// libFuzzer target for the herd config loader (herdsim serve --config, a scenario's herd.config):
// any bytes as a config file. It must give a valid herd or a ConfigError naming the file, nothing
// else (no other exception, no crash).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/herd_config.hpp"

namespace {
void require(bool ok) {
    if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const herd::HerdConfig config = herd::parse_config(text, "fuzz.json");
        validate(config, "fuzz.json");  // what parse_config returns is a herd validate() accepts
        require(config.places.timeout >= std::chrono::milliseconds(1) && config.places.timeout <= herd::max_places_timeout);
    } catch (const herd::ConfigError& e) {
        require(std::string_view(e.what()).starts_with("fuzz.json: "));
    }
    return 0;
}
