#include "target/stop_continue.hpp"

#include <signal.h>

namespace herd::sim::target {

void stop_group(pid_t leader) { ::kill(-leader, SIGSTOP); }

void continue_group(pid_t leader) { ::kill(-leader, SIGCONT); }

}  // namespace herd::sim::target
