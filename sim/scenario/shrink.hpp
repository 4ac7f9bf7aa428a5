#pragma once
// Shrinking a failing scenario (delta debugging, Zeller's ddmin on complements): its faults and
// client operations are events that may be removed, everything else (phases, waits, expectations,
// the final heal) stays. A fault is removed with the step that ends it (a crash with its restart, a
// pause with its resume, a cut with its heal, one node's stalls with their unstalls), so every
// candidate is a valid scenario whose steps keep their times here (shrink_time.hpp then cuts its
// idle stretches, and shrink_cuts.hpp tries cuts by kind and node before delta debugging).
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace herd::sim {

struct ShrinkEvent {
    std::vector<std::size_t> steps;  // indices into the scenario's steps, in order
    std::string label;               // "steps[4].crash Alford + steps[9].restart"
    std::string kind;                // "client" (a send or workload), or the fault's: "crash", "pause", "cut", ...
    std::vector<std::string> nodes;  // the nodes it acts on (a link's two ends, a partition's smaller side)
};

// The scenario's removable events, in the order of their first step.
std::vector<ShrinkEvent> shrink_events(const nlohmann::ordered_json& scenario);

// The scenario with only the events in `kept` (indices into `events`) and every step that is no event.
nlohmann::ordered_json keep_events(const nlohmann::ordered_json& scenario, const std::vector<ShrinkEvent>& events,
                                   const std::vector<std::size_t>& kept);

// Which of a batch of candidates (each a set of kept event indices) still fails: the index of one
// that does (the first found), nullopt when none does. The caller may run them at once and several
// times each (shrink_votes.hpp).
using FirstFailing = std::function<std::optional<std::size_t>(const std::vector<std::vector<std::size_t>>& candidates)>;

struct ShrinkResult {
    std::vector<std::size_t> kept;  // a failing set no single removal of which still fails
    int rounds = 0;                 // batches asked
    int candidates = 0;             // candidates in them
};

// ddmin over `count` events, all of which fail together: remove halves, then quarters, ... then
// single events, keeping any removal that still fails, until no single removal does.
ShrinkResult delta_debug(std::size_t count, const FirstFailing& first_failing);
// The same from `start.kept` (which fails), counting on from its rounds and candidates.
ShrinkResult delta_debug(ShrinkResult start, const FirstFailing& first_failing);

}  // namespace herd::sim
