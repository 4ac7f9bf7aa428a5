#pragma once
// One run as the record keeps it: what ran, what happened, what was judged. Everything a run
// leaves (summary.json and the other files, the terminal table, a --repeat aggregate) is written
// from this, with the recorder and message log behind it. Plain data: play/ fills it, report/
// writes it.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "record/client_exchange.hpp"
#include "record/lateness.hpp"
#include "record/recorder.hpp"
#include "record/spans.hpp"
#include "record/verdicts.hpp"

namespace herd::sim {

// Per-node logs (logs/<Name>.log), each cut to cap_bytes; `cut` says which ("Alford.log: cut at ...").
struct NodeLogs {
    std::uintmax_t cap_bytes = 0;
    std::vector<std::string> cut;
    bool deleted = false;  // written during the run, deleted after it since it neither failed nor was stopped
};

struct RunRecord {
    // What ran.
    std::string scenario;
    std::string run_id;
    std::filesystem::path dir;         // results/<scenario>/<run-id>; "latest" goes next to it
    std::string command;               // the command line that repeats the run
    std::uint64_t seed = 0;
    std::string started_at;            // wall clock, UTC, ISO 8601 with milliseconds
    std::string version, commit;       // of the herdsim that made the run
    std::vector<std::string> nodes;    // every server of the herd; N = nodes.size()
    std::size_t edges = 0;             // E, undirected links

    // What happened.
    Summary summary;                   // over every update, when the run ended
    std::vector<FaultWindow> faults;
    std::vector<SpanReport> spans;     // phases and fault windows, summarized (span_reports)
    std::vector<ClientExchange> exchanges;  // the send steps' requests and replies, in send order
    LatencyResolution resolution;      // how exactly its latencies were timed
    bool interrupted = false;          // SIGINT or SIGTERM ended the run before its last step
    double start_up_ms = 0;            // the herd's start-up exchange, before the timeline
    LateBounds late_bounds;            // how far behind the run could fall with its premises whole
    std::vector<Lateness> behind;      // where the run itself fell behind, in the order noticed
    std::optional<NodeLogs> logs;      // empty: no logs were written (--no-logs)

    // What was judged.
    std::vector<Verdict> verdicts;
    bool has_expectation = true;       // the scenario has one (see has_expectation in scenario.hpp)
    RunVerdict verdict() const { return run_verdict(verdicts, has_expectation, interrupted); }
};

}  // namespace herd::sim
