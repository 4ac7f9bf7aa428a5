#pragma once
// File descriptors: a process serving a herd (or simulating one) needs many, more than the usual
// soft limit of 1024, and a connection cap above what the process may open is no cap at all.
#include <cstdint>
#include <string>

#include "config/server_limits.hpp"

namespace herd {

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the soft limit now in force.
std::uint64_t raise_descriptor_limit();

// Raises the soft RLIMIT_NOFILE to the hard limit and, when that is below `wanted`, the hard limit
// too (only a privileged process may: CAP_SYS_RESOURCE); returns the soft limit now in force.
std::uint64_t raise_descriptor_limit(std::uint64_t wanted);

// Lowers limits.max_connections so that `servers` servers in one process, with `links` links
// between them, stay under `descriptors` with every connection and peer slot taken (a client
// connection counts twice: it may have a Places request open). Returns what it did, for the
// operator ("max_connections 1024 lowered to 94: ..."), or "" when the cap fits.
std::string fit_connections(ServerLimits& limits, std::size_t servers, std::size_t links, std::uint64_t descriptors);

}  // namespace herd
