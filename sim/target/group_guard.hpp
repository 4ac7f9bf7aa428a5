#pragma once
// Every server process a run starts leads a process group of its own. The groups alive are kept
// here, so that SIGINT, SIGTERM or SIGHUP to herdsim kills them all before herdsim dies: no server
// outlives the run, however it ends. (A SIGKILL to herdsim is covered by the children's
// PR_SET_PDEATHSIG.)
#include <sys/types.h>

namespace herd::sim::target {

void guard_group(pid_t leader);    // installs the signal handlers on first use
void release_group(pid_t leader);  // the group is gone (killed and reaped)

}  // namespace herd::sim::target
