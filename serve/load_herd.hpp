#pragma once
// The herd `herdsim serve` runs: a preset or a config file, with the command line's overrides.
#include "config/herd_config.hpp"
#include "serve/serve_flags.hpp"

namespace herd::serve {

// Throws ConfigError with a message naming the flag or the file's field.
HerdConfig load_herd(const ServeFlags& flags);

}  // namespace herd::serve
