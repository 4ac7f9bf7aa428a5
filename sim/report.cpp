#include "report.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "text_table.hpp"

extern char** environ;

namespace herd::sim {

namespace fs = std::filesystem;

namespace {

// Plots with more series than this become unreadable: show the band across nodes instead.
constexpr std::size_t max_plotted_nodes = 20;

std::string fixed(double value, int decimals) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    return buffer;
}

// Milliseconds as the files show them: microsecond precision, like the recorder's clock readings.
std::string ms(double value) { return fixed(value, 3); }

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

// A double-quoted gnuplot string (backslash escapes are interpreted inside double quotes).
std::string gp_string(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

void write_file(const fs::path& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out) throw std::runtime_error(path.string() + ": cannot write the file");
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

// Runs `gnuplot <script>` inside `dir`, its output in <script>.log; the log is kept only on failure.
// posix_spawn rather than std::system: no shell, so no quoting of the paths.
std::optional<std::string> run_gnuplot(const std::string& program, const fs::path& dir, const std::string& script) {
    const std::string log = script + ".log";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    std::vector<char*> argv{const_cast<char*>(program.c_str()), const_cast<char*>(script.c_str()), nullptr};
    pid_t pid = 0;
    const int spawned = posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) return "could not run " + program + " for " + script + ": " + std::strerror(spawned);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    std::error_code ignored;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        fs::remove(dir / log, ignored);
        return std::nullopt;
    }
    std::ifstream in(dir / log);
    std::stringstream text;
    text << in.rdbuf();
    return program + " " + script + " failed (see " + (dir / log).string() + "): " + text.str();
}

std::string plot_header(const std::string& png, const std::string& title) {
    return "# Re-plot with: gnuplot " + png.substr(0, png.size() - 4) + ".gp (in this folder)\n"
           "set terminal pngcairo size 1200,700 noenhanced\n"
           "set output " + gp_string(png) + "\n"
           "set title " + gp_string(title) + "\n"
           "set grid\n";
}

// latency_per_node.{gp,dat,png}; returns false when there is nothing to plot.
bool write_latency_plot(const Recorder& recorder, const Summary& s, const ReportContext& ctx,
                        const std::vector<std::string>& nodes, const fs::path& dir) {
    const double run_end_ms = s.duration_ms;
    std::string data, plot;
    std::size_t points = 0;
    std::string title;
    if (nodes.size() <= max_plotted_nodes) {
        title = "Latency per node (first stored - born)";
        std::size_t block = 0;
        for (const auto& node : nodes) {
            const auto index = recorder.node_index(node);
            if (!index) continue;
            std::string rows;
            for (const auto& u : recorder.updates()) {
                if (u.origin == node || *index >= u.deliveries.size() || !u.deliveries[*index].first_stored) continue;
                rows += fixed(recorder.ms_since_start(u.born) / 1000.0, 6) + ' ' +
                        ms(recorder.ms_since_start(*u.deliveries[*index].first_stored) - recorder.ms_since_start(u.born)) +
                        '\n';
                ++points;
            }
            if (rows.empty()) continue;
            // Blocks are separated by two blank lines, which is what gnuplot's "index" counts.
            data += (block ? "\n\n# " : "# ") + node + '\n' + rows;
            plot += std::string(block ? ", \\\n     " : "plot ") + "'latency_per_node.dat' index " + std::to_string(block) +
                    " using 1:2 with linespoints pointtype 7 pointsize 0.6 title " + gp_string(node);
            ++block;
        }
    } else {
        title = "Full-coverage latency, with the min-max band over nodes (" + std::to_string(nodes.size()) + " nodes)";
        data = "# birth_s min_ms max_ms full_coverage_ms (NaN: lost)\n";
        for (const auto& u : recorder.updates()) {
            const double born = recorder.ms_since_start(u.born);
            std::optional<double> lo, hi;
            for (std::size_t i = 0; i < u.deliveries.size(); ++i) {
                if (!u.deliveries[i].first_stored || recorder.nodes()[i] == u.origin) continue;
                const double latency = recorder.ms_since_start(*u.deliveries[i].first_stored) - born;
                lo = lo ? std::min(*lo, latency) : latency;
                hi = hi ? std::max(*hi, latency) : latency;
            }
            if (!lo) continue;
            const auto& full = s.full_coverage_ms[u.id];
            data += fixed(born / 1000.0, 6) + ' ' + ms(*lo) + ' ' + ms(*hi) + ' ' + (full ? ms(*full) : "NaN") + '\n';
            ++points;
        }
        plot = "plot 'latency_per_node.dat' using 1:2:3 with filledcurves fillcolor rgb \"#aaccee\" title \"min-max over nodes\", \\\n"
               "     '' using 1:4 with linespoints pointtype 7 pointsize 0.6 linecolor rgb \"#003366\" title \"full coverage\"";
    }
    if (points == 0) return false;

    std::string gp = plot_header("latency_per_node.png", title + " - " + ctx.scenario + " " + ctx.run_id);
    gp += "set xlabel \"update born at (s since start)\"\nset ylabel \"latency (ms)\"\n";
    gp += "set xrange [0:" + fixed(std::max(run_end_ms, 1.0) / 1000.0, 6) + "]\nset yrange [0:*]\n";
    gp += "set key outside right\n";
    for (std::size_t k = 0; k < ctx.faults.size(); ++k) {
        const auto& f = ctx.faults[k];
        const std::string x1 = fixed(f.start_ms / 1000.0, 6), x2 = fixed(f.end_ms.value_or(run_end_ms) / 1000.0, 6);
        const std::string id = std::to_string(k + 1);
        gp += "set object " + id + " rect from first " + x1 + ", graph 0 to first " + x2 +
              ", graph 1 fillcolor rgb \"#ffdddd\" fillstyle solid 0.5 noborder behind\n";
        // Staggered heights so labels of overlapping windows stay readable.
        gp += "set label " + id + " " + gp_string(f.label) + " at first " + x1 + ", graph " +
              fixed(0.96 - 0.04 * static_cast<double>(k % 5), 2) + " left front\n";
    }
    gp += plot + "\n";
    write_file(dir / "latency_per_node.dat", data);
    write_file(dir / "latency_per_node.gp", gp);
    return true;
}

// coverage_cdf.{gp,dat,png}: the fraction of all updates fully covered within x ms. Lost updates
// never count, so the curve stays below 1 when some were lost.
bool write_cdf_plot(const Summary& s, const ReportContext& ctx, const fs::path& dir) {
    std::vector<double> covered;
    for (const auto& v : s.full_coverage_ms)
        if (v) covered.push_back(*v);
    if (covered.empty()) return false;
    std::sort(covered.begin(), covered.end());
    // From (0, 0), so the first step rises from the axis.
    std::string data = "# full_coverage_ms fraction_of_updates\n0.000 0\n";
    for (std::size_t i = 0; i < covered.size(); ++i)
        data += ms(covered[i]) + ' ' + fixed(static_cast<double>(i + 1) / static_cast<double>(s.updates), 6) + '\n';
    std::string gp = plot_header("coverage_cdf.png", "CDF of full-coverage latency - " + ctx.scenario + " " + ctx.run_id +
                                                         " (" + std::to_string(covered.size()) + " of " +
                                                         std::to_string(s.updates) + " updates covered)");
    gp += "set xlabel \"full-coverage latency (ms)\"\nset ylabel \"fraction of updates\"\n";
    gp += "set xrange [0:*]\nset yrange [0:1.05]\nset key bottom right\n";
    gp += "plot 'coverage_cdf.dat' using 1:2 with steps linewidth 2 title \"full coverage\"\n";
    write_file(dir / "coverage_cdf.dat", data);
    write_file(dir / "coverage_cdf.gp", gp);
    return true;
}

void make_plot(const std::string& program, const fs::path& dir, const std::string& stem,
               std::vector<std::string>& warnings) {
    if (auto failure = run_gnuplot(program, dir, stem + ".gp")) {
        warnings.push_back(*failure);
        return;
    }
    if (!fs::exists(dir / (stem + ".png"))) warnings.push_back(program + " " + stem + ".gp made no " + stem + ".png");
}

// results/<scenario>/latest -> <run-id>, replaced atomically: a new symlink renamed over the old.
void point_latest(const fs::path& run_dir, std::vector<std::string>& warnings) {
    const fs::path parent = run_dir.has_parent_path() ? run_dir.parent_path() : fs::path(".");
    const fs::path tmp = parent / (".latest.tmp." + run_dir.filename().string());
    try {
        fs::remove(tmp);
        fs::create_directory_symlink(run_dir.filename(), tmp);
        fs::rename(tmp, parent / "latest");
    } catch (const fs::filesystem_error& e) {
        std::error_code ignored;
        fs::remove(tmp, ignored);
        warnings.push_back(std::string("could not point ") + (parent / "latest").string() + " at the run: " + e.what());
    }
}

}  // namespace

RunVerdict run_verdict(const std::vector<Verdict>& verdicts, bool has_expectation) {
    if (std::any_of(verdicts.begin(), verdicts.end(), [](const Verdict& v) { return !v.passed; })) return RunVerdict::fail;
    return has_expectation ? RunVerdict::pass : RunVerdict::unchecked;
}

const char* verdict_name(RunVerdict verdict) {
    switch (verdict) {
        case RunVerdict::pass: return "pass";
        case RunVerdict::fail: return "fail";
        case RunVerdict::unchecked: return "unchecked";
    }
    return "fail";
}

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

    const bool latency = write_latency_plot(recorder, summary, ctx, nodes, dir);
    const bool cdf = write_cdf_plot(summary, ctx, dir);
    if (!latency) warnings.push_back("latency_per_node.png: no node other than an origin stored an update; no plot");
    if (!cdf) warnings.push_back("coverage_cdf.png: no update reached every required node; no plot");
    if (ctx.gnuplot.empty()) {
        if (latency || cdf) warnings.push_back("plots not drawn (no gnuplot program given); the .gp scripts are written");
    } else {
        if (latency) make_plot(ctx.gnuplot, dir, "latency_per_node", warnings);
        if (cdf) make_plot(ctx.gnuplot, dir, "coverage_cdf", warnings);
    }
    point_latest(dir, warnings);
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
