#pragma once
// Plays a scenario against a real herd (in this process, or a target's processes) and judges it: every expectation becomes a
// verdict, the recorder's measurements become results/<scenario>/<run-id>/.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "recorder.hpp"
#include "report.hpp"
#include "scenario/scenario.hpp"
#include "target/target_file.hpp"

namespace herd::sim {

struct RunOptions {
    std::optional<std::uint64_t> seed;             // overrides the scenario's seed
    std::filesystem::path out_dir = "results";     // results/<scenario>/<run-id>/
    std::string repeat_command;                    // the command line that repeats this run
    bool progress = false;                         // a live progress line on stderr
    std::string version, commit;                   // of this herdsim, for summary.json
    const target::TargetSpec* target = nullptr;    // external server processes instead of this process's
};

struct RunOutcome {
    int exit_code = 2;           // 0 no expectation failed, 1 some failed, 2 could not run
    RunVerdict verdict = RunVerdict::fail;
    std::string error;           // why it could not run
    std::uint64_t seed = 0;
    std::vector<Verdict> verdicts;
    Summary summary;
    std::vector<SpanReport> spans;  // phases and fault windows (span_reports)
    std::filesystem::path run_dir;
    std::vector<std::string> warnings;  // from the report (plots that could not be made, ...)
    LatencyResolution resolution;       // how exactly its latencies were timed
};

RunOutcome run_scenario(const Scenario& scenario, const RunOptions& options);

}  // namespace herd::sim
