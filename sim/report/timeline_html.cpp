// timeline.html: the run on one time axis, as Maelstrom's timeline is, in a self-contained page (an
// inline SVG, no script): a track per node and per client connection, the checks on a track of
// their own where they ran, in their verdict's colour, fault windows as bands across every track,
// and every mark's text on hover. Written for every run.
#include <algorithm>
#include <cmath>
#include <map>

#include "report/format.hpp"
#include "report/pages.hpp"
#include "report/timeline.hpp"
#include "report/writer.hpp"

namespace herd::sim {

namespace {

constexpr double plot_width = 1400;  // px of the time axis
constexpr double names_width = 170;         // the track names
constexpr double track_height = 26;
constexpr std::size_t max_marks = 20000;  // past this, the nodes' link events are left out (and it says so)

const char* check_colour(const std::string& kind) {
    if (kind == "expect-held") return "#2e7d32";
    if (kind == "expect-failed") return "#c62828";
    return "#757575";
}

// A round step for the axis: about ten labels across it.
double tick_step(double span) {
    for (double decade = 0.001;; decade *= 10)
        for (double f : {1.0, 2.0, 5.0})
            if (span / (decade * f) <= 12) return decade * f;
}

// "failed" when a verdict of the exchange's step failed; "held" when every one held; "unjudged"
// when the step has none, or one saw nothing it could judge.
std::string exchange_verdict(const ClientExchange& exchange, const std::vector<Verdict>& verdicts) {
    bool any = false, unchecked = false;
    for (const auto& v : verdicts) {
        if (v.step != exchange.step) continue;
        if (v.kind == VerdictKind::fail) return "failed";
        any = true;
        unchecked = unchecked || v.kind == VerdictKind::unchecked;
    }
    return any && !unchecked ? "held" : "unjudged";
}

struct Track {
    std::string name, kind;  // kind: "checks", "node", "client"
    std::string marks;       // SVG
};

}  // namespace

Timeline draw_timeline(const ReportInput& in) {
    const RunRecord& run = in.run;
    const Recorder& recorder = in.recorder;
    // The axis: from the first thing shown (the herd's start is before time 0) to the run's end.
    double t0 = 0, t1 = std::max(run.summary.duration_ms, 1.0);
    for (const auto& e : recorder.events()) t0 = std::min(t0, e.t_ms), t1 = std::max(t1, e.t_ms);
    const double scale = plot_width / (t1 - t0);
    const auto x = [&](double t) { return names_width + (t - t0) * scale; };

    std::vector<Track> tracks{{"checks", "checks", ""}};
    std::map<std::string, std::size_t> node_track, client_track;
    for (const auto& n : in.nodes) {
        node_track[n] = tracks.size();
        tracks.push_back({n, "node", ""});
    }
    for (const auto& e : run.exchanges)
        if (!client_track.count(e.connection)) {
            client_track[e.connection] = tracks.size();
            tracks.push_back({e.connection + " (to " + e.node + ")", "client", ""});
        }
    const auto mark = [&](std::size_t track, double t, const std::string& cls, const std::string& colour,
                          const std::string& text) {
        Track& k = tracks[track];
        const double y = static_cast<double>(track) * track_height + track_height / 2;
        k.marks += "<rect class=\"mark " + cls + "\" x=\"" + fixed(x(t) - 2, 1) + "\" y=\"" + fixed(y - 7, 1) +
                   "\" width=\"4\" height=\"14\" fill=\"" + colour + "\"><title>" + ms(t) + " ms: " + xml_escape(text) +
                   "</title></rect>";
    };

    std::size_t link_events = 0;
    for (const auto& e : recorder.events())
        if (e.kind == "link_up" || e.kind == "link_down") ++link_events;
    const bool show_links = recorder.events().size() + recorder.updates().size() <= max_marks;
    for (const auto& e : recorder.events()) {
        if (e.kind.rfind("expect-", 0) == 0) {
            mark(0, e.t_ms, "check", check_colour(e.kind), e.kind + ": " + e.detail);
            continue;
        }
        if (!show_links && (e.kind == "link_up" || e.kind == "link_down")) continue;
        const std::string colour = e.kind == "crash" || e.kind == "cut" || e.kind == "link_down" ? "#c62828"
                                   : e.kind == "restart" || e.kind == "heal" || e.kind == "link_up" ? "#2e7d32"
                                                                                                    : "#555555";
        for (const auto& n : e.nodes)
            if (auto it = node_track.find(n); it != node_track.end())
                mark(it->second, e.t_ms, "event", colour, e.kind + " " + e.detail);
    }
    if (recorder.updates().size() <= max_marks)
        for (const auto& u : recorder.updates())
            if (auto it = node_track.find(u.origin); it != node_track.end())
                mark(it->second, recorder.ms_since_start(u.born), "update", "#1f5fbf",
                     "update " + std::to_string(u.id) + " born: " + u.client + " " + u.client_time_text);
    for (const auto& e : run.exchanges) {
        const std::size_t track = client_track[e.connection];
        const std::string verdict = exchange_verdict(e, run.verdicts);
        const std::string colour = verdict == "held" ? "#2e7d32" : verdict == "failed" ? "#c62828" : "#757575";
        if (e.reply_ms) {
            const double y = static_cast<double>(track) * track_height + track_height / 2;
            tracks[track].marks += "<line x1=\"" + fixed(x(e.sent_ms), 1) + "\" y1=\"" + fixed(y, 1) + "\" x2=\"" +
                                   fixed(x(*e.reply_ms), 1) + "\" y2=\"" + fixed(y, 1) + "\" stroke=\"" + colour +
                                   "\" stroke-width=\"2\"/>";
        }
        mark(track, e.sent_ms, "send " + verdict, "#1f5fbf", "steps[" + std::to_string(e.step) + "] sent " + e.line);
        if (e.reply_ms) mark(track, *e.reply_ms, "reply " + verdict, colour, "reply (" + verdict + "): " + e.reply);
    }

    const double tracks_top = 40;
    const double height = tracks_top + static_cast<double>(tracks.size()) * track_height + 30;
    std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + fixed(names_width + plot_width + 20, 0) + "\" height=\"" +
                      fixed(height, 0) + "\" font-family=\"sans-serif\" font-size=\"11\">\n";
    // The time axis, along the top.
    const double step = tick_step(t1 - t0);
    for (double t = std::ceil(t0 / step) * step; t <= t1; t += step)
        svg += "<line x1=\"" + fixed(x(t), 1) + "\" y1=\"" + fixed(tracks_top - 6, 1) + "\" x2=\"" + fixed(x(t), 1) +
               "\" y2=\"" + fixed(height - 30, 1) + "\" stroke=\"#eeeeee\"/><text class=\"tick\" x=\"" + fixed(x(t), 1) +
               "\" y=\"" + fixed(tracks_top - 10, 1) + "\" text-anchor=\"middle\">" + fixed(std::abs(t) < step / 2 ? 0.0 : t, step < 1 ? 3 : 0) + "</text>\n";
    svg += "<text x=\"" + fixed(names_width + plot_width, 0) + "\" y=\"12\" text-anchor=\"end\" fill=\"#555555\">ms from the scenario's time 0</text>\n";
    svg += "<g transform=\"translate(0," + fixed(tracks_top, 0) + ")\">\n";
    for (std::size_t k = 0; k < run.faults.size(); ++k) {
        const auto& f = run.faults[k];
        const double x1 = x(f.start_ms), x2 = x(f.end_ms.value_or(t1));
        svg += "<rect class=\"fault\" x=\"" + fixed(x1, 1) + "\" y=\"0\" width=\"" + fixed(std::max(x2 - x1, 1.0), 1) +
               "\" height=\"" + fixed(static_cast<double>(tracks.size()) * track_height, 1) + "\" fill=\"" + window_colour(k) +
               "\" fill-opacity=\"0.15\"><title>" + xml_escape(window_name(k, f)) + ": " + ms(f.start_ms) + " to " +
               (f.end_ms ? ms(*f.end_ms) + " ms" : std::string("the end")) + "</title></rect>\n";
    }
    for (std::size_t i = 0; i < tracks.size(); ++i) {
        const double y = static_cast<double>(i) * track_height;
        svg += "<g class=\"track " + tracks[i].kind + "\"><line x1=\"" + fixed(names_width, 0) + "\" y1=\"" + fixed(y + track_height / 2, 1) +
               "\" x2=\"" + fixed(names_width + plot_width, 0) + "\" y2=\"" + fixed(y + track_height / 2, 1) +
               "\" stroke=\"#cccccc\"/><text x=\"" + fixed(names_width - 8, 0) + "\" y=\"" + fixed(y + track_height / 2 + 4, 1) +
               "\" text-anchor=\"end\">" + xml_escape(tracks[i].name) + "</text>" + tracks[i].marks + "</g>\n";
    }
    svg += "</g>\n</svg>\n";
    return {svg, link_events, show_links};
}

namespace {

std::string timeline_html(const ReportInput& in) {
    const RunRecord& run = in.run;
    const auto [svg, link_events, show_links] = draw_timeline(in);
    std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Timeline - " +
                       xml_escape(run.scenario) + " " + xml_escape(run.run_id) + "</title>\n<style>\n" + page_style() +
                       "div.scroll{overflow-x:auto}\n</style>\n</head>\n<body>\n";
    html += "<p><a href=\"index.html\">the run</a></p>\n<h1>Timeline: " + xml_escape(run.scenario) + " " +
            xml_escape(run.run_id) + "</h1>\n";
    html += "<p>A track per node and per client connection; hover a mark for its text. Checks: <span class=\"verdict pass\">held</span> "
            "<span class=\"verdict fail\">failed</span> <span class=\"verdict unchecked\">unchecked</span>; nodes: "
            "<span style=\"color:#1f5fbf\">update born</span>, <span style=\"color:#c62828\">crash, cut, link down</span>, "
            "<span style=\"color:#2e7d32\">restart, heal, link up</span>; clients: a request (blue) joined to its reply in its "
            "step's colour. Fault windows are bands across every track.";
    if (!show_links) html += " The nodes' " + std::to_string(link_events) + " link events are left out (too many to show).";
    html += "</p>\n<div class=\"scroll\">\n" + svg + "</div>\n";
    // The exchanges as text too, for reading and searching.
    if (!run.exchanges.empty()) {
        html += "<h2>Requests and replies</h2>\n<table>\n<tr><th>connection</th><th>step</th><th>sent ms</th><th>request</th>"
                "<th>reply ms</th><th>reply</th><th>verdict</th></tr>\n";
        for (const auto& e : run.exchanges) {
            const std::string verdict = exchange_verdict(e, run.verdicts);
            html += "<tr class=\"exchange " + verdict + "\"><td>" + xml_escape(e.connection) + "</td><td>steps[" +
                    std::to_string(e.step) + "]</td><td>" + ms(e.sent_ms) + "</td><td><pre>" + xml_escape(e.line) +
                    "</pre></td><td>" + (e.reply_ms ? ms(*e.reply_ms) : "-") + "</td><td><pre>" + xml_escape(e.reply) +
                    "</pre></td><td>" + verdict + "</td></tr>\n";
        }
        html += "</table>\n";
    }
    html += "</body>\n</html>\n";
    return html;
}

}  // namespace

void write_timeline_html(const ReportInput& in, const std::filesystem::path& dir, std::vector<std::string>&) {
    write_file(dir / "timeline.html", timeline_html(in));
}

}  // namespace herd::sim
