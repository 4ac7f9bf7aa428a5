#pragma once
// herdsim run --repeat K: the K runs of one scenario as one aggregate row and one file.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "record/recorder.hpp"
#include "record/recovery.hpp"
#include "report/report.hpp"

namespace herd::sim {

struct RepeatRun {
    std::string run_id;
    std::uint64_t seed = 0;
    RunVerdict verdict = RunVerdict::fail;
    Summary summary;
    std::optional<Recovery> recovery;  // the run's last fault's
};

// "NAME (K runs)", "M/K PASS" (M: runs that did not fail); latency quantiles over every update of
// every run pooled; counts summed; recovery the worst of the runs ("never" if one never recovered).
RunRow aggregate_row(const std::string& scenario, const std::vector<RepeatRun>& runs);
// The row's numbers, each run's, and per metric its min, median (nearest rank) and max across runs.
nlohmann::ordered_json aggregate_json(const std::string& scenario, const std::vector<RepeatRun>& runs);

}  // namespace herd::sim
