// summary.json: the run's numbers, verdicts and warnings in one object (results/README.md).
#include <nlohmann/json.hpp>

#include "report/format.hpp"
#include "report/writer.hpp"

namespace herd::sim {

namespace {

nlohmann::ordered_json lost_updates_json(const std::vector<LostUpdate>& updates) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& l : updates)
        out.push_back({{"update_id", l.id},
                       {"client", l.client},
                       {"client_time", l.client_time},
                       {"origin", l.origin},
                       {"missing", l.missing}});
    return out;
}

}  // namespace

void write_summary_json(const ReportInput& in, const std::filesystem::path& dir, std::vector<std::string>& warnings) {
    using json = nlohmann::ordered_json;
    const RunRecord& run = in.run;
    const Summary& s = run.summary;
    json j;
    j["scenario"] = run.scenario;
    j["run_id"] = run.run_id;
    j["seed"] = run.seed;
    j["command"] = run.command;
    j["started_at"] = run.started_at;
    j["herdsim"] = {{"version", run.version}, {"commit", run.commit}};
    const RunVerdict verdict = run.verdict();
    j["passed"] = verdict == RunVerdict::pass || verdict == RunVerdict::unchecked;
    j["verdict"] = verdict_name(verdict);
    const auto n = static_cast<long long>(run.nodes.size()), e = static_cast<long long>(run.edges);
    j["herd"] = {{"nodes", n},
                 {"edges", e},
                 // What one update costs when it floods a connected herd with no faults: the origin
                 // sends on each of its links and every other node forwards on all but the one it
                 // learned it from, so 2E - (N - 1) AT lines.
                 {"flood_messages_per_update", 2 * e - (n - 1)},
                 {"servers", run.nodes}};
    j["duration_ms"] = s.duration_ms;
    j["updates"] = s.updates;
    j["lost"] = s.lost.size();
    j["forgotten"] = s.forgotten.size();
    j["stale_reads"] = s.stale_reads;
    j["unmatched_messages"] = s.unmatched_messages;
    j["full_coverage_ms"] = quantiles_json(s.full_coverage);
    // Every latency below is only as exact as this says (docs/target.md).
    j["latency_resolution"] = {{"timing", run.resolution.timing},
                               {"poll_interval_ms", run.resolution.poll_interval_ms
                                                        ? json(*run.resolution.poll_interval_ms) : json(nullptr)},
                               {"relay_timed", run.resolution.timing == "relay"},
                               {"note", run.resolution.note}};
    json per_node = json::object();
    for (const auto& [node, q] : s.per_node) per_node[node] = quantiles_json(q);
    j["per_node_ms"] = per_node;
    json overtaken = json::array();
    for (const auto& o : s.messages.overtaken)
        overtaken.push_back({{"update_id", o.id},
                             {"client", o.client},
                             {"client_time", o.client_time},
                             {"origin", o.origin},
                             {"messages", o.messages},
                             {"overtaken_at", o.at}});
    j["messages_per_update"] = messages_json(s.messages);
    j["messages_per_update"]["per_update"] = s.messages.per_update;
    j["messages_per_update"]["overtaken"] = overtaken;
    j["catch_up_per_update"] = messages_json(s.catch_up);
    j["catch_up_per_update"]["per_update"] = s.catch_up.per_update;
    json duplicates = json::object();
    for (const auto& [node, count] : s.duplicates_per_node) duplicates[node] = count;
    j["duplicates_per_node"] = duplicates;
    json links = json::array();
    for (const auto& [link, count] : s.link_messages)
        links.push_back({{"from", link.first}, {"to", link.second}, {"messages", count}});
    j["links"] = links;
    j["lost_updates"] = lost_updates_json(s.lost);
    j["forgotten_updates"] = lost_updates_json(s.forgotten);
    json late = json::array();
    for (const auto& l : s.late) late.push_back({{"update_id", l.id}, {"node", l.node}, {"delay_ms", l.delay_ms}});
    j["late_deliveries"] = {{"count", s.late.size()}, {"delay_ms", quantiles_json(s.late_delay)}, {"list", late}};
    j["recovery"] = recovery_json(last_recovery(run.spans));
    json stale = json::array();
    for (const auto& r : in.recorder.stale_reads())
        stale.push_back({{"t_ms", r.t_ms},
                         {"node", r.node},
                         {"client", r.client},
                         {"served_time", r.served_time},
                         {"newest_time", r.newest_time},
                         {"newest_update_id", r.newest_update}});
    j["stale_read_list"] = stale;
    json phases = json::array(), faults = json::array();
    std::vector<const SpanReport*> windows;  // span_reports lists them in the order of run.faults
    for (const auto& span : run.spans)
        if (span.kind == "phase") phases.push_back(span_json(span));
        else windows.push_back(&span);
    for (std::size_t i = 0; i < run.faults.size(); ++i) {
        const auto& f = run.faults[i];
        json fault = {{"start_ms", f.start_ms}, {"end_ms", f.end_ms ? json(*f.end_ms) : json(nullptr)}, {"label", f.label()},
                      {"step", f.step}};
        if (!f.groups.empty()) fault["groups"] = f.groups;
        if (i < windows.size()) fault.update(span_json(*windows[i]));
        faults.push_back(fault);
    }
    j["phases"] = phases;
    j["faults"] = faults;
    json verdicts = json::array();
    for (const auto& v : run.verdicts) {
        json verdict = {{"step", v.step},     {"description", v.description}, {"verdict", verdict_name(v.kind)},
                        {"passed", v.passed()}, {"detail", v.detail}};
        if (v.reply_ms) verdict["reply_ms"] = *v.reply_ms;
        verdicts.push_back(verdict);
    }
    j["verdicts"] = verdicts;
    j["interrupted"] = run.interrupted;
    // Where the run itself fell behind the scenario (record/lateness.hpp): the verdicts after it are unchecked.
    json behind = json::array();
    for (const auto& l : run.behind)
        behind.push_back({{"kind", lateness_kind_name(l.kind)},
                          {"step", l.step ? json(*l.step) : json(nullptr)},
                          {"at_ms", l.at_ms},
                          {"behind_ms", l.behind_ms},
                          {"detail", l.detail}});
    j["run_behind"] = {{"fell_behind", !run.behind.empty()},
                       {"step_bound_ms", run.late_bounds.step.count()},
                       {"start_up_ms", run.start_up_ms},
                       {"start_up_bound_ms", run.late_bounds.start_up(run.nodes.size()).count()},
                       {"list", behind}};
    j["logs"] = run.logs ? json{{"cap_bytes", run.logs->cap_bytes}, {"cut", run.logs->cut}, {"kept", !run.logs->deleted}}
                         : json(nullptr);
    j["messages"] = in.messages ? json{{"listed", in.messages->messages().size()},
                                       {"omitted", in.messages->omitted()},
                                       {"cap", in.messages->cap()}}
                                : json(nullptr);
    j["warnings"] = warnings;
    write_file(dir / "summary.json", j.dump(2) + "\n");
}

}  // namespace herd::sim
