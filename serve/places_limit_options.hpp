#pragma once
// serve's flags for what WHATSATs may cost: --places-rate, --places-burst, --places-in-flight,
// --places-cache-ttl-ms, --places-cache-size, --places-cache-bytes.
#include <CLI/CLI.hpp>

#include "config/herd_config.hpp"
#include "serve/serve_flags.hpp"

namespace herd::serve {

void add_places_limit_options(CLI::App& command, ServeFlags& flags);

// The flags that were given override the config's limits.
void apply_places_limit_flags(const ServeFlags& flags, PlacesLimits& limits);

}  // namespace herd::serve
