#include "serve/descriptor_limit.hpp"

#include <sys/resource.h>

namespace herd {

namespace {

// stdio, the event loop, the signal pipe, the mock Places, log files being rotated.
constexpr std::uint64_t reserved_descriptors = 32;

}  // namespace

std::uint64_t raise_descriptor_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &limit) != 0) getrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur;
}

std::uint64_t raise_descriptor_limit(std::uint64_t wanted) {
    const std::uint64_t now = raise_descriptor_limit();
    if (now >= wanted) return now;
    rlimit limit{};
    limit.rlim_cur = limit.rlim_max = wanted;
    if (setrlimit(RLIMIT_NOFILE, &limit) == 0) return wanted;
    return now;
}

std::string fit_connections(ServerLimits& limits, std::size_t servers, std::size_t links, std::uint64_t descriptors) {
    if (servers == 0) return "";
    // Each server: a listening socket, its log file, its peer slots, an outgoing connection per
    // link end, and two descriptors per client connection.
    const std::uint64_t fixed = reserved_descriptors + 2 * links + servers * (2 + limits.peer_slots);
    const std::uint64_t room = descriptors > fixed ? (descriptors - fixed) / servers / 2 : 0;
    if (limits.max_connections <= room) return "";
    const std::uint64_t was = limits.max_connections;
    limits.max_connections = room > 0 ? room : 1;
    return "max_connections " + std::to_string(was) + " lowered to " + std::to_string(limits.max_connections) + ": " +
           std::to_string(servers) + " server(s) in a process that may open " + std::to_string(descriptors) +
           " file descriptors (RLIMIT_NOFILE)";
}

}  // namespace herd
