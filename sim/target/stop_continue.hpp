#pragma once
// A server paused as a real host pauses a process: SIGSTOP to its whole process group, so that no
// process or thread of it reads, writes or accepts until SIGCONT. A stopped process runs no signal
// handler until it is continued: whoever ends one with a signal it may handle (a SIGTERM for a clean
// shutdown) continues it too. SIGKILL, or a signal it leaves to the default, ends it stopped or not.
#include <sys/types.h>

namespace herd::sim::target {

void stop_group(pid_t leader);      // SIGSTOP to the group
void continue_group(pid_t leader);  // SIGCONT to the group

}  // namespace herd::sim::target
