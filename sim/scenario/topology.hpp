#pragma once
// Generated herds for larger runs: every node on 127.0.0.1 with port 0 (OS-assigned).
#include <string>

#include "config/herd_config.hpp"
#include "scenario/scenario.hpp"

namespace herd::sim {

// line: N0-N1-...; ring: a line closed; grid RxC: 4-neighbour mesh; tree: k-ary, node i's parent
// is (i-1)/k; random: a connected random graph where every node has `degree` neighbours (N*degree
// even), drawn from `seed` alone; full: every pair. Throws ConfigError for impossible sizes.
HerdConfig make_topology(const TopologySpec& spec);

// Hop distance from `origin` to every server, by BFS over the config's links (-1: unreachable),
// in config.servers order. For checking latency against hops x delay.
std::vector<int> hop_distances(const HerdConfig& config, std::string_view origin);

}  // namespace herd::sim
