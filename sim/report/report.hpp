#pragma once
// Reports: what one run leaves behind in results/<scenario>/<run-id>/ (results/README.md lists
// every file and column), and the short table the terminal shows for many runs.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "record/client_exchange.hpp"
#include "record/messages_log.hpp"
#include "record/recorder.hpp"
#include "record/spans.hpp"
#include "record/verdicts.hpp"

namespace herd::sim {

struct ReportContext {
    std::string scenario;
    std::string run_id;
    std::filesystem::path output_dir;  // results/<scenario>/<run-id>: created; "latest" goes next to it
    std::string command;               // the command line that repeats the run
    std::uint64_t seed = 0;
    std::vector<std::string> nodes;    // every server of the herd; N = nodes.size()
    std::size_t edges = 0;             // E, undirected links
    std::vector<FaultWindow> faults;
    std::vector<SpanReport> spans;     // phases and fault windows, summarized (span_reports)
    std::string started_at;            // wall clock, UTC, ISO 8601 with milliseconds
    std::string version, commit;       // of the herdsim that made the run
    std::vector<Verdict> verdicts;
    bool has_expectation = true;       // the scenario has one (see has_expectation in scenario.hpp)
    LatencyResolution resolution;
    std::string gnuplot = "gnuplot";   // program run for the plots (PATH lookup); empty: no plots
    bool interrupted = false;          // SIGINT or SIGTERM ended the run before its last step
    // Per-node logs (logs/<Name>.log): each cut to cap_bytes, `cut` says which ("Alford.log: cut at
    // ..."). Empty: no logs were written (--no-logs).
    struct Logs {
        std::uintmax_t cap_bytes = 0;
        std::vector<std::string> cut;
    };
    std::optional<Logs> logs;
    const MessageLog* messages = nullptr;             // messages.jsonl and messages.svg; none: not written
    std::vector<ClientExchange> exchanges;            // timeline.html; empty: not written
    std::optional<std::pair<double, double>> messages_window;  // ms: draw only what was sent in it
};

// Writes summary.json, updates.csv, links.csv, events.jsonl, the plots (with their .gp scripts and
// .dat files), messages.jsonl and messages.svg (with ctx.messages), timeline.html (with
// ctx.exchanges) and points results/<scenario>/latest at the run. Returns warnings: what could not
// be made or was cut short (gnuplot missing or failing, the symlink, messages past the cap, a
// diagram skipped and why); every other file is still written. Throws std::runtime_error when the
// directory or a data file cannot be written.
std::vector<std::string> write_report(const Recorder& recorder, const Summary& summary, const ReportContext& ctx);

// One line in the terminal table: a run, or one of its phases or fault windows (a part: indented,
// no verdict).
struct RunRow {
    std::string scenario;
    std::string verdict;  // "PASS", "FAIL", "UNCHECKED"; "" for a part; "2/3 PASS" for a repeat's aggregate
    std::size_t updates = 0;
    std::size_t lost = 0;
    std::size_t late = 0;
    Quantiles full_coverage;  // ms; count 0 shows "-"
    double messages_per_update = 0;
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
std::string timing_label(const LatencyResolution& resolution);  // "" for exact

// Columns: scenario, verdict (PASS/FAIL/UNCHECKED), updates, lost, late, full-coverage
// p50/p95/p99/max ms, msgs/update, stale reads, recovery ms ("never": not recovered by the end),
// duration s, and timing when some row has one. Aligned, one line per row, a header line first.
std::string terminal_table(const std::vector<RunRow>& rows);

}  // namespace herd::sim
