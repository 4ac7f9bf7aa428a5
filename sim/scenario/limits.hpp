#pragma once
// What a scenario file may say at most (docs/scenarios.md, "What validation checks"). Each bound
// keeps a hostile or mistaken file from exhausting the stack, the clock or the ports, and each is
// far above what a real scenario needs.
#include <cstddef>
#include <cstdint>

namespace herd::sim {

constexpr std::int64_t max_millis = 86'400'000;        // one day: anything longer is a unit mistake
constexpr std::uintmax_t max_file_bytes = 16 << 20;    // scenario and body files are small
constexpr std::int64_t max_topology_nodes = 1000;      // each node and each link direction takes a loopback port
constexpr std::size_t max_string_bytes = 1 << 20;      // any string: a line far over the server's 64 KiB limit fits
constexpr std::size_t max_name_bytes = 128;            // "name" becomes a results folder name
constexpr std::size_t max_word_bytes = 64;             // client IDs, command words, connection names
constexpr std::size_t max_prefix_bytes = 32;           // topology name_prefix: node names stay server names
constexpr std::size_t max_location_bytes = 64;         // match.location, and match.radius as text
constexpr std::size_t max_pattern_bytes = 1024;        // expect_pattern: std::regex compiles recursively
constexpr int max_pattern_nesting = 32;                // expect_pattern: groups inside groups
constexpr long max_pattern_repeat = 1000;               // expect_pattern: a count in {n}, {n,}, {n,m}
constexpr double min_rate_per_s = 0.001;               // workload: one report per 1000 s at the slowest
constexpr double max_rate_per_s = 1'000'000;

}  // namespace herd::sim
