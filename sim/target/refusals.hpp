#pragma once
// What a target cannot run: a places step that must empty the servers' Places caches, and the
// steps that need herdsim's relays when its links are direct.
#include <string>
#include <vector>

#include "scenario/scenario.hpp"
#include "target/target_file.hpp"

namespace herd::sim::target {

// "FILE: steps[3].cut: ..." for each step the target cannot play; empty when it can play all.
std::vector<std::string> refusals(const Scenario& scenario, const TargetSpec& spec);

}  // namespace herd::sim::target
