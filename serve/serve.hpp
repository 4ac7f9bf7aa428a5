#pragma once
// Runs the herd's servers (all, or the one --node names) on one io_context until SIGINT or SIGTERM.
#include "serve/serve_flags.hpp"

namespace herd::serve {

// Exit code: 0 after a signal, 2 when the herd, the mock's answer or a port is refused (said on stderr).
int serve(const ServeFlags& flags);

}  // namespace herd::serve
