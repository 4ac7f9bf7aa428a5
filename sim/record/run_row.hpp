#pragma once
// One line of the terminal table: a run, or one of its phases or fault windows (a part: indented,
// no verdict). report/text_table.cpp lays the rows out.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "record/recorder.hpp"
#include "record/recovery.hpp"
#include "record/run_record.hpp"

namespace herd::sim {

struct RunRow {
    std::string scenario;
    std::string verdict;  // "PASS", "FAIL", "UNCHECKED"; "" for a part; "2/3 PASS" for a repeat's aggregate
    std::size_t updates = 0;
    std::size_t lost = 0;
    std::size_t forgotten = 0;  // gone with every node that held it (Summary::forgotten)
    std::size_t late = 0;
    Quantiles full_coverage;  // ms; count 0 shows "-"
    double messages_per_update = 0;  // flood lines
    double catch_up_per_update = 0;
    // A part's updates that a later fault held up; its quantiles are over the others. Empty: a run.
    std::optional<std::size_t> held;
    std::size_t stale_reads = 0;
    std::optional<Recovery> recovery;  // a run's: its last fault's; empty shows "-"
    double duration_s = 0;
    std::string timing;  // how latencies were timed, for a target ("relay", "poll 50 ms"); empty: exact
};

RunRow make_run_row(std::string scenario, RunVerdict verdict, const Summary& summary,
                    std::optional<Recovery> recovery = std::nullopt);
// The run's row, then a row per phase ("  phase NAME") and per fault window ("  steps[3].crash Holiday").
std::vector<RunRow> make_run_rows(std::string scenario, RunVerdict verdict, const Summary& summary,
                                  const std::vector<SpanReport>& spans, double run_end_ms);
// A run's rows, its timing on the first.
std::vector<RunRow> make_run_rows(const RunRecord& run);
std::string timing_label(const LatencyResolution& resolution);  // "" for exact

}  // namespace herd::sim
