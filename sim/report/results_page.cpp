// results/index.html: every run of every scenario under the results folder, newest first, its
// verdict in colour, its key figures, and a link to its own index.html.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>

#include <nlohmann/json.hpp>

#include "report/format.hpp"
#include "report/pages.hpp"
#include "report/results_dir.hpp"

namespace herd::sim {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

struct Listed {
    std::string started, scenario, run_id, verdict;
    std::vector<std::string> figures;  // updates, lost, p99 ms, msgs/upd, dur s
};

std::string number(const json& j, int decimals) {
    return j.is_number() ? fixed(j.get<double>(), decimals) : std::string("-");
}

Listed listed(const fs::path& summary, const std::string& scenario, const std::string& run_id) {
    Listed l{"", scenario, run_id, "unreadable", {"-", "-", "-", "-", "-"}};
    std::ifstream in(summary);
    const json j = json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return l;
    l.started = j.value("started_at", "");
    l.verdict = j.value("verdict", "unreadable");
    const json none;
    const auto at = [&](std::initializer_list<const char*> path) -> const json& {
        const json* v = &j;
        for (const char* key : path) {
            if (!v->is_object() || !v->contains(key)) return none;
            v = &(*v)[key];
        }
        return *v;
    };
    l.figures = {number(at({"updates"}), 0), number(at({"lost"}), 0), number(at({"full_coverage_ms", "p99"}), 3),
                 number(at({"messages_per_update", "mean"}), 1),
                 at({"duration_ms"}).is_number() ? fixed(at({"duration_ms"}).get<double>() / 1000.0, 1) : "-"};
    return l;
}

}  // namespace

std::string page_style() {
    return "body{font-family:sans-serif;font-size:14px;margin:1em 2em}\n"
           "table{border-collapse:collapse;margin:0.5em 0 1.5em}\n"
           "td,th{border:1px solid #ccc;padding:2px 8px;text-align:left;vertical-align:top}\n"
           "table.numbers td{text-align:right;font-family:monospace}\n"
           "table.numbers td:first-child,table.numbers td:nth-child(2){text-align:left}\n"
           "pre{margin:0;white-space:pre-wrap;word-break:break-all}\n"
           ".verdict{font-weight:bold;padding:1px 8px;border-radius:3px}\n"
           ".pass{background:#2e7d32;color:white}\n.fail{background:#c62828;color:white}\n"
           ".unchecked{background:#757575;color:white}\n.interrupted{background:#ef6c00;color:white}\n"
           ".unreadable{background:#000;color:white}\n"
           ".note{color:#555}\nobject.diagram{max-width:100%;border:1px solid #ddd}\n";
}

void write_results_index(const fs::path& out_dir) {
    std::vector<Listed> runs;
    std::error_code ec;
    for (const auto& scenario : fs::directory_iterator(out_dir, ec)) {
        if (!scenario.is_directory() || scenario.is_symlink()) continue;
        for (const auto& run : fs::directory_iterator(scenario.path(), ec)) {
            const std::string id = run.path().filename().string();
            if (run.is_symlink() || !is_run_id(id) || !fs::exists(run.path() / "summary.json")) continue;
            runs.push_back(listed(run.path() / "summary.json", scenario.path().filename().string(), id));
        }
    }
    // Newest first: run ids begin with their UTC start.
    std::sort(runs.begin(), runs.end(), [](const Listed& a, const Listed& b) {
        return a.run_id != b.run_id ? a.run_id > b.run_id : a.scenario < b.scenario;
    });
    std::size_t count[4] = {0, 0, 0, 0};
    for (const auto& r : runs)
        ++count[r.verdict == "pass" ? 0 : r.verdict == "fail" ? 1 : r.verdict == "interrupted" ? 3 : 2];
    std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>herdsim results</title>\n"
                       "<style>\n" + page_style() + "</style>\n</head>\n<body>\n<h1>herdsim results</h1>\n";
    html += "<p id=\"counts\">" + std::to_string(runs.size()) + " runs: " + std::to_string(count[0]) + " pass, " +
            std::to_string(count[1]) + " fail, " + std::to_string(count[2]) + " unchecked, " + std::to_string(count[3]) +
            " interrupted. Newest first; each run's page has its tables, plots and files.</p>\n";
    html += "<table class=\"numbers\">\n<tr><th>started (UTC)</th><th>scenario</th><th>verdict</th><th>updates</th>"
            "<th>lost</th><th>p99 ms</th><th>msgs/upd</th><th>dur s</th><th>run</th></tr>\n";
    for (const auto& r : runs) {
        std::string upper = r.verdict;
        std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
        const std::string link = r.scenario + "/" + r.run_id + "/index.html";
        html += "<tr class=\"run\"><td>" + xml_escape(r.started) + "</td><td>" + xml_escape(r.scenario) +
                "</td><td><span class=\"verdict " + xml_escape(r.verdict) + "\">" + xml_escape(upper) + "</span></td>";
        for (const auto& f : r.figures) html += "<td>" + f + "</td>";
        html += "<td><a href=\"" + xml_escape(link) + "\">" + xml_escape(r.run_id) + "</a></td></tr>\n";
    }
    html += "</table>\n</body>\n</html>\n";
    // Written whole and renamed over the old one, so a browser never reads half a page.
    // Runs in other processes may write it at the same time: a temporary file of this one's own.
    const fs::path tmp = out_dir / (".index.html." + std::to_string(::getpid()) + ".tmp");
    write_file(tmp, html);
    fs::rename(tmp, out_dir / "index.html");
}

}  // namespace herd::sim
