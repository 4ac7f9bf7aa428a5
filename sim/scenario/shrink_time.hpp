#pragma once
// A shrink candidate's dead time cut out. Once events are removed, a schedule keeps long stretches
// in which nothing of it happens (a 30 s chaos schedule with two faults left still runs 30 s): each
// stretch between two timed steps longer than a bound is cut to that bound, everything after it
// moving up, and a workload keeps its rate over the time left to it (fewer updates). The herd still
// runs through every step in the same order, with at least the bound between steps that had it.
#include <cstdint>

#include <nlohmann/json.hpp>

namespace herd::sim {

// `scenario` with every stretch between consecutive at_ms steps longer than `max_gap_ms` cut to it.
// Unchanged when max_gap_ms is 0, or when its at_ms do not rise in step order (the runner would
// start such a step late anyway). A stretch with a step timed by after_ms (or untimed) inside it is
// kept: that step's own time would move.
nlohmann::ordered_json cut_idle_time(const nlohmann::ordered_json& scenario, std::int64_t max_gap_ms);

// The last at_ms of the scenario's steps (0 when none has one).
std::int64_t last_at_ms(const nlohmann::ordered_json& scenario);

}  // namespace herd::sim
