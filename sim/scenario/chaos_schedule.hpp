#pragma once
// A seeded fault schedule as an ordinary scenario (TigerBeetle's simulator's two phases): a safety
// phase where faults overlap while a workload runs, then everything healed, a quiet period and a
// liveness check (nothing lost, every live connected node converged, each fault recovered from).
// The schedule is data: the file replays with `herdsim run` and passes `validate`.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/herd_config.hpp"

namespace herd::sim {

struct ChaosOptions {
    std::uint64_t seed = 1;
    int faults = 10;                 // drawn in the safety phase
    int duration_ms = 10000;         // of the safety phase
    double rate = 20;                // workload updates per second
    int clients = 10;
    std::vector<std::string> mix;    // fault kinds to draw from; empty: every kind
    int recovery_ms = 5000;          // the bound on recovery after the final heal
    int window_recovery_ms = 1000;   // the bound on recovery after every heal and restart
};

// crash, pause, partition, cut, one-way, delay, drop, reset.
const std::vector<std::string>& chaos_fault_kinds();
// Crash and pause act on a node's process, the others on links (through herdsim's relays).
bool node_fault(const std::string& kind);

struct ChaosSchedule {
    nlohmann::ordered_json scenario;
    int faults = 0;  // drawn: fewer than asked when a crash found every other node down
};

// The scenario for this herd (named by `herd_json`, the scenario's "herd" object) and seed.
// Throws std::invalid_argument for an unknown kind in the mix, or a herd too small for it.
ChaosSchedule chaos_scenario(const HerdConfig& herd, const nlohmann::ordered_json& herd_json,
                                      const ChaosOptions& options, const std::string& name);

}  // namespace herd::sim
