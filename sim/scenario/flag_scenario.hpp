#pragma once
// A scenario from command-line flags, as Maelstrom's test runs are given: a topology, a link
// latency, a rate and a time limit, and an optional nemesis. The result is an ordinary scenario
// file's JSON, so a run from flags is kept and replayed as any other.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace herd::sim {

struct FlagRun {
    std::string topology = "grid";  // grid line ring tree2 tree3 tree4 total random
    int nodes = 25;
    int latency_ms = 0;
    int jitter_ms = 0;              // uniform within +/- jitter_ms
    bool exponential = false;       // each line's delay Exp(mean = latency_ms) instead (no jitter)
    double rate = 10;               // IAMATs per second
    double time_limit_s = 10;
    std::vector<std::string> nemesis;  // partition, crash
    int nemesis_interval_ms = 5000;    // a fault begins every interval and lasts half of it
    std::uint64_t seed = 1;
};

// The topologies and nemeses the flags take, for their help and checks.
const std::vector<std::string>& flag_topologies();
const std::vector<std::string>& flag_nemeses();

// The scenario's JSON text; `command` (the flags as typed) becomes its description. Throws
// std::invalid_argument for a topology or nemesis not in the lists, or a size it cannot have.
nlohmann::ordered_json flag_scenario(const FlagRun& run, const std::string& command);

}  // namespace herd::sim
