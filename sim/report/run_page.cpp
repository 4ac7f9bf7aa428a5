// index.html of a run folder: the verdict first, in its colour, then the table the terminal shows,
// each verdict with its detail, the warnings, the plots and the diagram inline, and every file.
#include <algorithm>
#include <cctype>

#include "record/run_row.hpp"
#include "report/format.hpp"
#include "report/pages.hpp"
#include "report/text_table.hpp"
#include "report/writer.hpp"

namespace herd::sim {

namespace fs = std::filesystem;

namespace {

std::string html_table(const std::vector<std::vector<std::string>>& cells) {
    std::string out = "<table class=\"numbers\">\n";
    for (std::size_t r = 0; r < cells.size(); ++r) {
        out += "<tr>";
        for (const auto& cell : cells[r]) out += (r ? "<td>" : "<th>") + xml_escape(cell) + (r ? "</td>" : "</th>");
        out += "</tr>\n";
    }
    return out + "</table>\n";
}

std::string run_page(const ReportInput& in, const fs::path& dir, const std::vector<std::string>& warnings) {
    const RunRecord& run = in.run;
    const std::string verdict = verdict_name(run.verdict());
    std::string upper = verdict;
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
    std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + upper + " " +
                       xml_escape(run.scenario) + " " + xml_escape(run.run_id) + "</title>\n<style>\n" + page_style() +
                       "</style>\n</head>\n<body>\n";
    html += "<p><a href=\"../../index.html\">every run</a></p>\n";
    html += "<h1><span class=\"verdict " + verdict + "\" id=\"verdict\">" + upper + "</span> " + xml_escape(run.scenario) +
            "</h1>\n";
    html += "<p>Run " + xml_escape(run.run_id) + ", started " + xml_escape(run.started_at) + ", seed " +
            std::to_string(run.seed) + ", " + fixed(run.summary.duration_ms / 1000.0, 1) + " s; herdsim " +
            xml_escape(run.version) + " (" + xml_escape(run.commit) + ").<br>Again: <code>" + xml_escape(run.command) +
            "</code></p>\n";
    html += "<h2>Numbers</h2>\n" + html_table(table_cells(make_run_rows(run)));
    html += "<p class=\"note\">Times in ms from the scenario's time 0. A phase's or window's latency leaves out the "
            "updates a later fault held up (<em>held</em>); msgs/upd counts flood lines, c-up/upd catch-up lines.</p>\n";
    html += "<h2>Verdicts</h2>\n<table>\n<tr><th>step</th><th>verdict</th><th>expectation</th><th>detail</th></tr>\n";
    for (const auto& v : run.verdicts)
        html += "<tr><td>steps[" + std::to_string(v.step) + "]</td><td class=\"verdict " + verdict_name(v.kind) + "\">" +
                verdict_name(v.kind) + "</td><td>" + xml_escape(v.description) + "</td><td><pre>" + xml_escape(v.detail) +
                "</pre></td></tr>\n";
    html += "</table>\n";
    if (run.verdicts.empty()) html += "<p>No expectation was judged.</p>\n";
    if (!warnings.empty()) {
        html += "<h2>Warnings</h2>\n<ul>\n";
        for (const auto& w : warnings) html += "<li>" + xml_escape(w) + "</li>\n";
        html += "</ul>\n";
    }
    html += "<h2>Pictures</h2>\n";
    for (const char* stem : {"latency_per_node", "coverage_cdf", "throughput", "rolling_quantiles"})
        if (fs::exists(dir / (std::string(stem) + ".png")))
            html += std::string("<p><a href=\"") + stem + ".png\"><img src=\"" + stem + ".png\" alt=\"" + stem +
                    "\" width=\"1000\"></a></p>\n";
    if (fs::exists(dir / "messages.svg"))
        html += "<p><a href=\"messages.svg\">messages.svg</a> (hover an arrow for its update and line):</p>\n"
                "<p><object data=\"messages.svg\" type=\"image/svg+xml\" class=\"diagram\">messages.svg</object></p>\n";
    if (fs::exists(dir / "timeline.html")) html += "<p><a href=\"timeline.html\">timeline.html</a>: every node and client connection on a time axis.</p>\n";
    html += "<h2>Files</h2>\n<ul>\n";
    std::vector<std::string> files{"summary.json"};
    for (const auto& entry : fs::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        if (name != "index.html" && name != "summary.json") files.push_back(name + (entry.is_directory() ? "/" : ""));
    }
    std::sort(files.begin() + 1, files.end());
    for (const auto& f : files) html += "<li><a href=\"" + xml_escape(f) + "\">" + xml_escape(f) + "</a></li>\n";
    html += "</ul>\n</body>\n</html>\n";
    return html;
}

}  // namespace

void write_run_page(const ReportInput& in, const fs::path& dir, std::vector<std::string>& warnings) {
    write_file(dir / "index.html", run_page(in, dir, warnings));
}

}  // namespace herd::sim
