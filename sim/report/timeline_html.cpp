// timeline.html: every client request of the run's send steps and its reply, one section per
// connection, in time order, each row coloured by its step's verdict (held, failed, or not judged).
// A self-contained page: no script, no external style.
#include <map>

#include "report/format.hpp"
#include "report/writer.hpp"

namespace herd::sim {

namespace {

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

std::string timeline_html(const RunRecord& run) {
    // Connections in the order they first sent.
    std::vector<std::string> order;
    std::map<std::string, std::vector<const ClientExchange*>> by_connection;
    for (const auto& e : run.exchanges) {
        auto& list = by_connection[e.connection];
        if (list.empty()) order.push_back(e.connection);
        list.push_back(&e);
    }
    std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Client timeline - " +
                       xml_escape(run.scenario) + " " + xml_escape(run.run_id) + "</title>\n";
    html += "<style>\nbody{font-family:sans-serif;font-size:13px;margin:1em}\n"
            "table{border-collapse:collapse;margin-bottom:1.5em}\n"
            "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}\n"
            "td.text{font-family:monospace;white-space:pre-wrap;max-width:60em;word-break:break-all}\n"
            "tr.held{background:#dff0d8}\ntr.failed{background:#f2dede}\ntr.unjudged{background:#f5f5f5}\n</style>\n</head>\n<body>\n";
    html += "<h1>Client requests and replies: " + xml_escape(run.scenario) + " " + xml_escape(run.run_id) + "</h1>\n";
    html += "<p>" + std::to_string(run.exchanges.size()) + " requests on " + std::to_string(order.size()) +
            " connections. Times in ms since the start. Rows: <span style=\"background:#dff0d8\">held</span>, "
            "<span style=\"background:#f2dede\">failed</span>, <span style=\"background:#f5f5f5\">not judged</span> "
            "(the step's verdicts).</p>\n";
    for (const auto& name : order) {
        const auto& list = by_connection[name];
        html += "<h2>" + xml_escape(name) + " (to " + xml_escape(list.front()->node) + ")</h2>\n<table>\n"
                "<tr><th>step</th><th>sent ms</th><th>request</th><th>reply ms</th><th>reply</th><th>verdict</th></tr>\n";
        for (const ClientExchange* e : list) {
            const std::string verdict = exchange_verdict(*e, run.verdicts);
            html += "<tr class=\"exchange " + verdict + "\"><td>steps[" + std::to_string(e->step) + "]</td><td>" +
                    ms(e->sent_ms) + "</td><td class=\"text\">" + xml_escape(e->line) + "</td><td>" +
                    (e->reply_ms ? ms(*e->reply_ms) : "-") + "</td><td class=\"text\">" + xml_escape(e->reply) +
                    "</td><td>" + verdict + "</td></tr>\n";
        }
        html += "</table>\n";
    }
    html += "</body>\n</html>\n";
    return html;
}

}  // namespace

void write_timeline_html(const ReportInput& in, const std::filesystem::path& dir, std::vector<std::string>&) {
    if (!in.run.exchanges.empty()) write_file(dir / "timeline.html", timeline_html(in.run));
}

}  // namespace herd::sim
