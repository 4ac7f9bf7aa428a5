#pragma once
// Reports: what one run leaves behind in results/<scenario>/<run-id>/ (results/README.md lists
// every file and column), and the short table the terminal shows for many runs.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "client_exchange.hpp"
#include "messages_log.hpp"
#include "recorder.hpp"

namespace herd::sim {

// A stretch of the run with a fault in force, shown on every plot and on messages.svg.
struct FaultWindow {
    double start_ms = 0;
    std::optional<double> end_ms;  // empty: until the end of the run
    std::string label;             // "crash N3", "cut N1-N2", ...
};

// One expectation of the scenario and whether it held.
struct Verdict {
    std::size_t step = 0;  // index in the scenario's steps
    std::string description;
    bool passed = false;
    std::string detail;  // why it failed, or what was measured
};

// A run as a whole: fail when some expectation failed; unchecked when none failed and the scenario
// has no expectation at all (so nothing could have failed); otherwise pass.
enum class RunVerdict { pass, fail, unchecked };
RunVerdict run_verdict(const std::vector<Verdict>& verdicts, bool has_expectation);
const char* verdict_name(RunVerdict verdict);  // "pass", "fail", "unchecked"

struct ReportContext {
    std::string scenario;
    std::string run_id;
    std::filesystem::path output_dir;  // results/<scenario>/<run-id>: created; "latest" goes next to it
    std::string command;               // the command line that repeats the run
    std::uint64_t seed = 0;
    std::vector<std::string> nodes;    // every server of the herd; N = nodes.size()
    std::size_t edges = 0;             // E, undirected links
    std::vector<FaultWindow> faults;
    std::vector<Verdict> verdicts;
    bool has_expectation = true;       // the scenario has one (see has_expectation in scenario.hpp)
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

// One run's line in the terminal table.
struct RunRow {
    std::string scenario;
    RunVerdict verdict = RunVerdict::fail;
    std::size_t updates = 0;
    std::size_t lost = 0;
    Quantiles full_coverage;  // ms; count 0 shows "-"
    double messages_per_update = 0;
    std::size_t stale_reads = 0;
    double duration_s = 0;
};
RunRow make_run_row(std::string scenario, RunVerdict verdict, const Summary& summary);

// Columns: scenario, verdict (PASS/FAIL/UNCHECKED), updates, lost, full-coverage p50/p99/max ms,
// msgs/update, stale reads, duration s. Aligned, one line per run, a header line first.
std::string terminal_table(const std::vector<RunRow>& rows);

}  // namespace herd::sim
