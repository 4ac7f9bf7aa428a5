#pragma once
// What a run judged: each expectation's verdict, the run's as a whole, and how exactly its
// latencies were timed.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace herd::sim {

// One expectation of the scenario and whether it held.
struct Verdict {
    std::size_t step = 0;  // index in the scenario's steps
    std::string description;
    bool passed = false;
    std::string detail;  // why it failed, or what was measured
    std::optional<double> reply_ms = std::nullopt;  // a send's: from the line written to its reply complete
};

// A run as a whole: fail when some expectation failed; unchecked when none failed and the scenario
// has no expectation at all (so nothing could have failed); otherwise pass.
enum class RunVerdict { pass, fail, unchecked };
RunVerdict run_verdict(const std::vector<Verdict>& verdicts, bool has_expectation);
const char* verdict_name(RunVerdict verdict);  // "pass", "fail", "unchecked"

// How exactly a run's store times are known (docs/target.md): stamped by the servers themselves in
// this process, or, for a target's processes, when a relay delivered a flood line or a poll found it.
struct LatencyResolution {
    std::string timing = "exact";                // "exact", "relay" or "poll"
    std::optional<long long> poll_interval_ms;   // with "poll"
    std::string note = "stamped in this process as each server stores an update";
};

}  // namespace herd::sim
