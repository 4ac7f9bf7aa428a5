#pragma once
// What a run judged: each expectation's verdict, the run's as a whole, and how exactly its
// latencies were timed.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace herd::sim {

// What a check found: it held, it failed, or it saw nothing it could judge (every poll unreadable,
// a premise that broke): unchecked is never a pass.
enum class VerdictKind { pass, fail, unchecked };
const char* verdict_name(VerdictKind kind);  // "pass", "fail", "unchecked"

// One expectation of the scenario and what it found.
struct Verdict {
    std::size_t step = 0;  // index in the scenario's steps
    std::string description;
    VerdictKind kind = VerdictKind::fail;
    std::string detail;  // why it failed or could not be judged, or what was measured
    std::optional<double> reply_ms = std::nullopt;  // a send's: from the line written to its reply complete
    bool passed() const { return kind == VerdictKind::pass; }
};

// A run as a whole: fail when some expectation failed; unchecked when none failed and some could
// not be judged, or the scenario has no expectation at all (so nothing could have failed);
// otherwise pass. A run that SIGINT or SIGTERM stopped before its last step is interrupted unless
// something already failed: what it did not reach was never judged, so it is neither a pass nor
// unchecked.
enum class RunVerdict { pass, fail, unchecked, interrupted };
RunVerdict run_verdict(const std::vector<Verdict>& verdicts, bool has_expectation, bool interrupted = false);
const char* verdict_name(RunVerdict verdict);  // "pass", "fail", "unchecked", "interrupted"

// How exactly a run's store times are known (docs/target.md): stamped by the servers themselves in
// this process, or, for a target's processes, when a relay delivered a flood line or a poll found it.
struct LatencyResolution {
    std::string timing = "exact";                // "exact", "relay" or "poll"
    std::optional<long long> poll_interval_ms;   // with "poll"
    std::string note = "stamped in this process as each server stores an update";
};

}  // namespace herd::sim
