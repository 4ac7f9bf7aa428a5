#include "report/report.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include <nlohmann/json.hpp>

#include "report/message_outputs.hpp"
#include "report/plots/plots.hpp"
#include "report/report_files.hpp"
#include "report/results_dir.hpp"
#include "report/text_table.hpp"

namespace herd::sim {

namespace fs = std::filesystem;

namespace {

// RFC 4180: client ids are any non-whitespace text, so commas and quotes must survive.
std::string csv(std::string_view field) {
    if (field.find_first_of(",\"") == std::string_view::npos) return std::string(field);
    std::string out = "\"";
    for (char c : field) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

// Every node the report talks about: the herd's, plus any the recorder met that the context omits.
std::vector<std::string> report_nodes(const Recorder& recorder, const ReportContext& ctx) {
    std::set<std::string> names(ctx.nodes.begin(), ctx.nodes.end());
    names.insert(recorder.nodes().begin(), recorder.nodes().end());
    return {names.begin(), names.end()};
}

std::string summary_json(const Recorder& recorder, const Summary& s, const ReportContext& ctx,
                         const std::vector<std::string>& warnings) {
    using json = nlohmann::ordered_json;
    json j;
    j["scenario"] = ctx.scenario;
    j["run_id"] = ctx.run_id;
    j["seed"] = ctx.seed;
    j["command"] = ctx.command;
    j["started_at"] = ctx.started_at;
    j["herdsim"] = {{"version", ctx.version}, {"commit", ctx.commit}};
    j["passed"] = std::all_of(ctx.verdicts.begin(), ctx.verdicts.end(), [](const Verdict& v) { return v.passed; });
    j["verdict"] = verdict_name(run_verdict(ctx.verdicts, ctx.has_expectation));
    const auto n = static_cast<long long>(ctx.nodes.size()), e = static_cast<long long>(ctx.edges);
    j["herd"] = {{"nodes", n},
                 {"edges", e},
                 // What one update costs when it floods a connected herd with no faults: the origin
                 // sends on each of its links and every other node forwards on all but the one it
                 // learned it from, so 2E - (N - 1) AT lines.
                 {"flood_messages_per_update", 2 * e - (n - 1)},
                 {"servers", ctx.nodes}};
    j["duration_ms"] = s.duration_ms;
    j["updates"] = s.updates;
    j["lost"] = s.lost.size();
    j["stale_reads"] = s.stale_reads;
    j["unmatched_messages"] = s.unmatched_messages;
    j["full_coverage_ms"] = quantiles_json(s.full_coverage);
    // Every latency below is only as exact as this says (docs/target.md).
    j["latency_resolution"] = {{"timing", ctx.resolution.timing},
                               {"poll_interval_ms", ctx.resolution.poll_interval_ms
                                                        ? json(*ctx.resolution.poll_interval_ms) : json(nullptr)},
                               {"relay_timed", ctx.resolution.timing == "relay"},
                               {"note", ctx.resolution.note}};
    json per_node = json::object();
    for (const auto& [node, q] : s.per_node) per_node[node] = quantiles_json(q);
    j["per_node_ms"] = per_node;
    j["messages_per_update"] = {{"mean", s.messages.mean},
                                {"min", s.messages.min},
                                {"max", s.messages.max},
                                {"per_update", s.messages.per_update}};
    json duplicates = json::object();
    for (const auto& [node, count] : s.duplicates_per_node) duplicates[node] = count;
    j["duplicates_per_node"] = duplicates;
    json links = json::array();
    for (const auto& [link, count] : s.link_messages)
        links.push_back({{"from", link.first}, {"to", link.second}, {"messages", count}});
    j["links"] = links;
    json lost = json::array();
    for (const auto& l : s.lost)
        lost.push_back({{"update_id", l.id},
                        {"client", l.client},
                        {"client_time", l.client_time},
                        {"origin", l.origin},
                        {"missing", l.missing}});
    j["lost_updates"] = lost;
    json late = json::array();
    for (const auto& l : s.late) late.push_back({{"update_id", l.id}, {"node", l.node}, {"delay_ms", l.delay_ms}});
    j["late_deliveries"] = {{"count", s.late.size()}, {"delay_ms", quantiles_json(s.late_delay)}, {"list", late}};
    j["recovery"] = recovery_json(last_recovery(ctx.spans));
    json stale = json::array();
    for (const auto& r : recorder.stale_reads())
        stale.push_back({{"t_ms", r.t_ms},
                         {"node", r.node},
                         {"client", r.client},
                         {"served_time", r.served_time},
                         {"newest_time", r.newest_time},
                         {"newest_update_id", r.newest_update}});
    j["stale_read_list"] = stale;
    json phases = json::array(), faults = json::array();
    std::vector<const SpanReport*> windows;  // span_reports lists them in the order of ctx.faults
    for (const auto& span : ctx.spans)
        if (span.kind == "phase") phases.push_back(span_json(span));
        else windows.push_back(&span);
    for (std::size_t i = 0; i < ctx.faults.size(); ++i) {
        const auto& f = ctx.faults[i];
        json fault = {{"start_ms", f.start_ms}, {"end_ms", f.end_ms ? json(*f.end_ms) : json(nullptr)}, {"label", f.label},
                      {"step", f.step}};
        if (i < windows.size()) fault.update(span_json(*windows[i]));
        faults.push_back(fault);
    }
    j["phases"] = phases;
    j["faults"] = faults;
    json verdicts = json::array();
    for (const auto& v : ctx.verdicts) {
        json verdict = {{"step", v.step}, {"description", v.description}, {"passed", v.passed}, {"detail", v.detail}};
        if (v.reply_ms) verdict["reply_ms"] = *v.reply_ms;
        verdicts.push_back(verdict);
    }
    j["verdicts"] = verdicts;
    j["interrupted"] = ctx.interrupted;
    j["logs"] = ctx.logs ? json{{"cap_bytes", ctx.logs->cap_bytes}, {"cut", ctx.logs->cut}} : json(nullptr);
    j["messages"] = messages_summary(ctx);
    j["warnings"] = warnings;
    return j.dump(2) + "\n";
}

std::string updates_csv(const Recorder& recorder, const std::vector<std::string>& nodes) {
    std::string out = "update_id,client,client_time,origin,node,born_ms,stored_ms,latency_ms,duplicates,messages_for_update\n";
    for (const auto& u : recorder.updates()) {
        const double born = recorder.ms_since_start(u.born);
        for (const auto& node : nodes) {
            const auto index = recorder.node_index(node);
            const Recorder::Delivery none;
            const auto& d = index && *index < u.deliveries.size() ? u.deliveries[*index] : none;
            out += std::to_string(u.id) + ',' + csv(u.client) + ',' + u.client_time_text + ',' + csv(u.origin) + ',' +
                   csv(node) + ',' + ms(born) + ',';
            if (d.first_stored)
                out += ms(recorder.ms_since_start(*d.first_stored)) + ',' +
                       ms(recorder.ms_since_start(*d.first_stored) - born);
            else
                out += ',';
            out += ',' + std::to_string(d.duplicates) + ',' + std::to_string(u.messages) + '\n';
        }
    }
    return out;
}

std::string links_csv(const Summary& s) {
    std::string out = "from,to,messages\n";
    for (const auto& [link, count] : s.link_messages)
        out += csv(link.first) + ',' + csv(link.second) + ',' + std::to_string(count) + '\n';
    return out;
}

std::string events_jsonl(const Recorder& recorder) {
    std::string out;
    for (const auto& e : recorder.events())
        out += nlohmann::ordered_json{{"t_ms", e.t_ms}, {"kind", e.kind}, {"detail", e.detail}, {"nodes", e.nodes}}.dump() +
               '\n';
    return out;
}

}  // namespace

std::vector<std::string> write_report(const Recorder& recorder, const Summary& summary, const ReportContext& ctx) {
    // "results/x/run/" and "results/x/run" name the same run; the trailing slash would hide its name.
    fs::path dir = ctx.output_dir.lexically_normal();
    if (!dir.has_filename()) dir = dir.parent_path();
    fs::create_directories(dir);

    std::vector<std::string> warnings;
    const auto nodes = report_nodes(recorder, ctx);
    write_file(dir / "updates.csv", updates_csv(recorder, nodes));
    write_file(dir / "links.csv", links_csv(summary));
    write_file(dir / "events.jsonl", events_jsonl(recorder));

    for (auto& w : plots::write_plots({recorder, summary, ctx, nodes}, dir)) warnings.push_back(std::move(w));
    for (auto& w : write_message_outputs(recorder, ctx, dir)) warnings.push_back(std::move(w));
    point_at_run(dir, "latest", warnings);
    // Last, so it lists every warning.
    write_file(dir / "summary.json", summary_json(recorder, summary, ctx, warnings));
    return warnings;
}

RunRow make_run_row(std::string scenario, RunVerdict verdict, const Summary& summary, std::optional<Recovery> recovery) {
    std::string name = verdict_name(verdict);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
    return {std::move(scenario),   std::move(name),           summary.updates,        summary.lost.size(),
            summary.late.size(),   summary.full_coverage, summary.messages.mean, summary.stale_reads,
            std::move(recovery),   summary.duration_ms / 1000.0, {}};
}

std::vector<RunRow> make_run_rows(std::string scenario, RunVerdict verdict, const Summary& summary,
                                  const std::vector<SpanReport>& spans, double run_end_ms) {
    std::vector<RunRow> rows{make_run_row(std::move(scenario), verdict, summary, last_recovery(spans))};
    for (const auto& span : spans) {
        RunRow row = make_run_row((span.kind == "phase" ? "  phase " : "  ") + span.name, verdict, span.summary,
                                  span.recovery);
        row.verdict.clear();
        row.duration_s = (span.end_ms.value_or(run_end_ms) - span.start_ms) / 1000.0;
        rows.push_back(std::move(row));
    }
    return rows;
}

std::string timing_label(const LatencyResolution& resolution) {
    if (resolution.timing == "exact") return "";
    if (resolution.poll_interval_ms) return resolution.timing + " " + std::to_string(*resolution.poll_interval_ms) + " ms";
    return resolution.timing;
}

std::string terminal_table(const std::vector<RunRow>& rows) {
    const bool timed = std::any_of(rows.begin(), rows.end(), [](const RunRow& r) { return !r.timing.empty(); });
    std::vector<std::string> header{"scenario", "verdict", "updates", "lost",     "late",  "p50 ms",   "p95 ms",
                                    "p99 ms",   "max ms",  "msgs/upd", "stale", "recov ms", "dur s"};
    if (timed) header.push_back("timing");
    std::vector<std::vector<std::string>> cells{header};
    for (const auto& r : rows) {
        const bool any = r.full_coverage.count > 0;
        const auto recovery = r.recovery ? r.recovery->recovery_ms() : std::nullopt;
        cells.push_back({r.scenario, r.verdict, std::to_string(r.updates), std::to_string(r.lost), std::to_string(r.late),
                         any ? ms(r.full_coverage.p50) : "-", any ? ms(r.full_coverage.p95) : "-",
                         any ? ms(r.full_coverage.p99) : "-", any ? ms(r.full_coverage.max) : "-",
                         fixed(r.messages_per_update, 1), std::to_string(r.stale_reads),
                         !r.recovery ? "-" : recovery ? ms(*recovery) : "never", fixed(r.duration_s, 1)});
        if (timed) cells.back().push_back(r.timing.empty() ? "exact" : r.timing);
    }
    // Text columns (scenario, verdict) to the left, numbers to the right.
    return aligned_table(cells, 2);
}

}  // namespace herd::sim
