#include "record/run_row.hpp"

#include <algorithm>
#include <cctype>

namespace herd::sim {

RunRow make_run_row(std::string scenario, RunVerdict verdict, const Summary& summary, std::optional<Recovery> recovery) {
    std::string name = verdict_name(verdict);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
    RunRow row;
    row.scenario = std::move(scenario);
    row.verdict = std::move(name);
    row.updates = summary.updates;
    row.lost = summary.lost.size();
    row.forgotten = summary.forgotten.size();
    row.late = summary.late.size();
    row.full_coverage = summary.full_coverage;
    row.messages_per_update = summary.messages.mean;
    row.catch_up_per_update = summary.catch_up.mean;
    row.stale_reads = summary.stale_reads;
    row.recovery = std::move(recovery);
    row.duration_s = summary.duration_ms / 1000.0;
    return row;
}

std::vector<RunRow> make_run_rows(std::string scenario, RunVerdict verdict, const Summary& summary,
                                  const std::vector<SpanReport>& spans, double run_end_ms) {
    std::vector<RunRow> rows{make_run_row(std::move(scenario), verdict, summary, last_recovery(spans))};
    for (const auto& span : spans) {
        RunRow row = make_run_row((span.kind == "phase" ? "  phase " : "  ") + span.name, verdict, span.summary,
                                  span.recovery);
        row.verdict.clear();
        row.held = span.held;
        row.full_coverage = span.own_coverage;
        row.duration_s = (span.end_ms.value_or(run_end_ms) - span.start_ms) / 1000.0;
        rows.push_back(std::move(row));
    }
    return rows;
}

std::vector<RunRow> make_run_rows(const RunRecord& run) {
    auto rows = make_run_rows(run.scenario, run.verdict(), run.summary, run.spans, run.summary.duration_ms);
    rows.front().timing = timing_label(run.resolution);
    return rows;
}

std::string timing_label(const LatencyResolution& resolution) {
    if (resolution.timing == "exact") return "";
    if (resolution.poll_interval_ms) return resolution.timing + " " + std::to_string(*resolution.poll_interval_ms) + " ms";
    return resolution.timing;
}

}  // namespace herd::sim
