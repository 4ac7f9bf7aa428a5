#pragma once
// herdsim run --repeat K: the K runs of one scenario as one aggregate row and one file.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "record/run_record.hpp"
#include "record/run_row.hpp"

namespace herd::sim {

// "NAME (K runs)", "M/K PASS" (M: runs that neither failed nor were interrupted); latency quantiles over every update of
// every run pooled; counts summed; recovery the worst of the runs' last ones ("never" if one never
// recovered).
RunRow aggregate_row(const std::string& scenario, const std::vector<RunRecord>& runs);
// The row's numbers, each run's, and per metric its min, median (nearest rank) and max across runs.
nlohmann::ordered_json aggregate_json(const std::string& scenario, const std::vector<RunRecord>& runs);

}  // namespace herd::sim
