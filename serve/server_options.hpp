#pragma once
// The one mapping from a herd to the options of one of its servers: `herdsim serve` and the
// simulator's Herd both build their servers from it.
#include <string_view>

#include "config/herd_config.hpp"
#include "net/server.hpp"

namespace herd {

// `name`'s host and port, its neighbours' names, hosts and ports (in link order), the herd's
// Places settings, limits and peer secret, over `tunables`, whose other fields (log folder, peer queue, link
// and reconnect times) are kept. Throws std::out_of_range when the herd has no server `name`.
ServerOptions server_options(const HerdConfig& config, std::string_view name, ServerOptions tunables = {});

}  // namespace herd
