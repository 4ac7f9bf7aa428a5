#pragma once
// A process's CPU time from Linux's /proc/PID/stat: user plus system time of all its threads, in
// clock ticks (usually 10 ms each) converted to seconds.
#include <optional>

namespace herd::load {

// Nothing when the process does not exist or its stat file cannot be read.
std::optional<double> process_cpu_seconds(int pid);

// This process's own.
double own_cpu_seconds();

}  // namespace herd::load
