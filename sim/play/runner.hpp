#pragma once
// Plays a scenario against a real herd (in this process, or a target's processes) and judges it: every expectation becomes a
// verdict, the recorder's measurements become results/<scenario>/<run-id>/.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "play/interrupt.hpp"
#include "record/lateness.hpp"
#include "record/messages_log.hpp"
#include "record/run_record.hpp"
#include "report/writer.hpp"
#include "scenario/scenario.hpp"
#include "target/target_file.hpp"

namespace herd::sim {

class RunHerd;

// The default --log-cap: a few thousand lines per node, enough to follow a fault.
constexpr std::uintmax_t default_log_cap = 1024 * 1024;

struct RunOptions {
    std::optional<std::uint64_t> seed;             // overrides the scenario's seed
    std::filesystem::path out_dir = "results";     // results/<scenario>/<run-id>/
    std::string repeat_command;                    // the command line that repeats this run
    bool progress = false;                         // a live progress line on stderr
    bool progress_rewrites = true;                 // a terminal: one line rewritten in place; else one line each
    std::string version, commit;                   // of this herdsim, for summary.json
    const target::TargetSpec* target = nullptr;    // external server processes instead of this process's
    std::size_t messages_cap = default_messages_cap;  // messages.jsonl lists at most this many
    ReportOptions report;                          // how its files are drawn
    bool logs = true;                              // per-node logs in <run>/logs/
    bool logs_only_failed = false;                 // ... deleted after a run that did not fail or stop
    std::uintmax_t log_cap = default_log_cap;      // bytes per node log, cut after the run
    std::optional<std::size_t> keep;               // after the run, keep this many runs of the scenario
    const InterruptFlag* interrupt = nullptr;      // raised: the run stops and writes what it has
    // Called once the herd is up and its start-up exchange over, before the first step: lets a test
    // reach into the herd (a relay, say) as a bug would.
    std::function<void(RunHerd&)> herd_ready;
    // How far behind the run may fall before the checks after it are unchecked (record/lateness.hpp).
    LateBounds late_bounds;
    // Called as each step comes due, before the runner sees how late it is: lets a test hold the
    // runner up as a busy machine would.
    std::function<void(const Step&)> step_due;
};

struct RunOutcome {
    int exit_code = 2;   // 0 no expectation failed, 1 some failed, 2 could not run, 130 interrupted
    std::string error;   // why it could not run
    // What ran and what it measured; an interrupted run's results are still written. Of a run
    // that could not run, only its seed and folder (which is not kept).
    RunRecord run;
    std::vector<std::string> warnings;  // from the report (plots that could not be made, ...)
    std::vector<std::string> pruned;    // run folders --keep deleted, by name
};

RunOutcome run_scenario(const Scenario& scenario, const RunOptions& options);

}  // namespace herd::sim
