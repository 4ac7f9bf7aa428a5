#pragma once
// herdsim compare: two runs' summary.json side by side, per section (the whole run, each phase,
// each fault window), with deltas, and the --fail-if thresholds judged on them.
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace herd::sim {

// The runs cannot be compared (not summaries, other scenarios, a threshold about nothing): exit 2.
struct NotComparable : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct CompareRow {
    std::string section;  // "run", "phase NAME", or a fault window's name ("steps[3].crash Holiday")
    std::string metric;   // p50_ms, p95_ms, p99_ms, max_ms, recovery_ms, msgs_per_update, updates, lost, late, stale, failed
    std::optional<double> a, b;  // empty: not in that run (or no value, as a quantile over no updates)
};

// [SECTION:]METRIC(>|<)[+|-]NUMBER[%]: crossed when B - A (with %: as a percentage of A) is above
// (>) or below (<) the signed number. SECTION is run (the default), a phase's name, or steps[N].
struct Threshold {
    std::string text;  // as given
    std::string section = "run";
    std::string metric;
    bool above = true;  // '>'; false: '<'
    double value = 0;
    bool percent = false;
};
// Throws NotComparable naming what is wrong with `text`.
Threshold parse_threshold(std::string_view text);

// summary.json of a run folder (or the file itself); throws NotComparable when it cannot be read.
nlohmann::json load_summary(const std::string& path);
// Every metric of every section of either run; throws NotComparable for runs of other scenarios.
std::vector<CompareRow> compare_rows(const nlohmann::json& a, const nlohmann::json& b);
// Aligned: section, metric, A, B, delta (and the delta as a percentage of A).
std::string compare_table(const std::vector<CompareRow>& rows);
// One line per threshold crossed ("p99_ms>+10%: run p99_ms 0.300 -> 0.400 (+33.3%)"); throws
// NotComparable when a threshold's section or metric is missing from either run.
std::vector<std::string> crossed(const std::vector<CompareRow>& rows, const std::vector<Threshold>& thresholds);

}  // namespace herd::sim
