#include "grade/outcome.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace herd::sim::grade {

namespace {

std::string xml_escaped(const std::string& text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::ofstream open_for_writing(const std::filesystem::path& file) {
    std::ofstream out(file);
    if (!out) throw std::runtime_error("cannot write " + file.string());
    return out;
}

std::string pass_rate(const GradeOutcome& outcome, std::size_t i) {
    return std::to_string(outcome.passes[i]) + "/" + std::to_string(outcome.runs);
}

// What a test's entry says: its output, and with --repeat its pass rate.
std::string test_output(const GradeOutcome& outcome, std::size_t i) {
    const TestResult& t = outcome.tests[i];
    std::string text = t.output;
    if (!t.repro.empty()) text += "\nrepeat it: " + t.repro;
    const bool failed_once = outcome.passes[i] < outcome.runs;
    if (outcome.runs > 1)
        text = "passed in " + pass_rate(outcome, i) + " runs" + (text.empty() ? "" : (failed_once ? "; last failure: " : "; ") + text);
    return text;
}

// A --repeat mean is a sum of fractions (0.99 comes out 0.9900000000000007): written to 4 decimals.
double rounded(double score) { return std::round(score * 1e4) / 1e4; }

Score score(const GradeOutcome& outcome, bool course) {
    Score s;
    for (const auto& t : outcome.tests)
        if (t.course == course) {
            s.got += t.score;
            s.max += t.max;
        }
    return s;
}

}  // namespace

std::string points(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.4g", value);
    return text;
}

GradeOutcome merge_runs(std::string title, const std::vector<std::vector<TestResult>>& runs, std::vector<std::string> notes,
                        double seconds) {
    GradeOutcome outcome{std::move(title), {}, {}, static_cast<int>(runs.size()), std::move(notes), seconds, {}};
    for (const auto& run : runs)
        for (std::size_t i = 0; i < run.size(); ++i) {
            const TestResult& t = run[i];
            if (i == outcome.tests.size()) {
                outcome.tests.push_back({t.name, t.course, 0, t.max, "", ""});
                outcome.passes.push_back(0);
            }
            TestResult& merged = outcome.tests[i];
            merged.score += t.score / static_cast<double>(runs.size());
            // A failure's output is kept over any pass's (a pass's says what it measured).
            const bool failed_before = outcome.passes[i] < static_cast<int>(&run - runs.data());
            if (t.passed()) {
                ++outcome.passes[i];
                if (!failed_before) merged.output = t.output;
            } else {
                merged.output = t.output;
                merged.repro = t.repro;
            }
        }
    return outcome;
}

Score course_score(const GradeOutcome& outcome) { return score(outcome, true); }
Score extras_score(const GradeOutcome& outcome) { return score(outcome, false); }

std::string score_line(const GradeOutcome& outcome) {
    const Score c = course_score(outcome), e = extras_score(outcome);
    return "course " + points(c.got) + "/" + points(c.max) + "  extras " + points(e.got) + "/" + points(e.max);
}

void write_results_json(const GradeOutcome& outcome, const std::filesystem::path& file) {
    // Gradescope's autograder results: the top-level score is the course score alone; the extras
    // are tests of their own, named "extra: ", so that they show without counting.
    nlohmann::ordered_json tests = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < outcome.tests.size(); ++i) {
        const TestResult& t = outcome.tests[i];
        tests.push_back({{"name", t.name},
                         {"score", rounded(t.score)},
                         {"max_score", t.max},
                         {"status", t.passed() ? "passed" : "failed"},
                         {"output", test_output(outcome, i)}});
    }
    std::string output = score_line(outcome);
    for (const auto& note : outcome.notes) output += "\n" + note;
    const nlohmann::ordered_json results{{"score", rounded(course_score(outcome).got)},
                                         {"output", output},
                                         {"execution_time", outcome.seconds},
                                         {"tests", tests}};
    open_for_writing(file) << results.dump(2) << "\n";
}

void write_junit(const GradeOutcome& outcome, const std::filesystem::path& file) {
    std::ofstream out = open_for_writing(file);
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"" << xml_escaped(outcome.title) << "\">\n";
    for (const bool course : {true, false}) {
        std::size_t count = 0, failures = 0;
        for (const auto& t : outcome.tests)
            if (t.course == course) {
                ++count;
                failures += !t.passed();
            }
        out << "  <testsuite name=\"" << (course ? "course" : "extra") << "\" tests=\"" << count << "\" failures=\""
            << failures << "\">\n";
        for (std::size_t i = 0; i < outcome.tests.size(); ++i) {
            const TestResult& t = outcome.tests[i];
            if (t.course != course) continue;
            out << "    <testcase classname=\"" << (course ? "course" : "extra") << "\" name=\"" << xml_escaped(t.name) << "\"";
            if (t.passed()) {
                out << "/>\n";
                continue;
            }
            out << ">\n      <failure message=\"" << points(t.score) << "/" << points(t.max) << " points\">"
                << xml_escaped(test_output(outcome, i)) << "</failure>\n    </testcase>\n";
        }
        out << "  </testsuite>\n";
    }
    out << "</testsuites>\n";
}

void write_report_html(const GradeOutcome& outcome, const std::filesystem::path& file) {
    const Score c = course_score(outcome), e = extras_score(outcome);
    std::ofstream out = open_for_writing(file);
    out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" << xml_escaped(outcome.title)
        << "</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:75em}table{border-collapse:collapse}"
           "td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}.failed{background:#fdd}"
           ".passed{background:#dfd}pre{white-space:pre-wrap;margin:0;font-size:90%}</style></head><body>\n"
        << "<h1>" << xml_escaped(outcome.title) << "</h1>\n<p><b>course " << points(c.got) << "/" << points(c.max)
        << "</b> &nbsp; extras " << points(e.got) << "/" << points(e.max) << " &nbsp; (" << outcome.runs
        << (outcome.runs == 1 ? " run, " : " runs, ") << points(outcome.seconds) << " s)</p>\n"
        << "<p>Course: what the course's graders check, with their client (a connection per request, one line, a "
           "half-close, read to the end). Extras: herdsim's stricter checks, scored apart; they never cost a course point.</p>\n";
    if (!outcome.notes.empty()) {
        out << "<h2>Notes</h2><ul>\n";
        for (const auto& note : outcome.notes) out << "<li>" << xml_escaped(note) << "</li>\n";
        out << "</ul>\n";
    }
    out << "<h2>Tests</h2>\n<table><tr><th>test</th><th>points</th>" << (outcome.runs > 1 ? "<th>passed</th>" : "")
        << "<th>what went wrong, or what it measured</th></tr>\n";
    for (std::size_t i = 0; i < outcome.tests.size(); ++i) {
        const TestResult& t = outcome.tests[i];
        out << "<tr class=\"" << (t.passed() ? "passed" : "failed") << "\"><td>" << xml_escaped(t.name) << "</td><td>"
            << points(t.score) << "/" << points(t.max) << "</td>"
            << (outcome.runs > 1 ? "<td>" + pass_rate(outcome, i) + "</td>" : "") << "<td>";
        if (!t.output.empty()) out << "<pre>" << xml_escaped(t.output) << "</pre>";
        if (!t.repro.empty()) out << "<pre>repeat it: " << xml_escaped(t.repro) << "</pre>";
        out << "</td></tr>\n";
    }
    out << "</table>\n";
    if (!outcome.timeline.empty())
        out << "<h2>Timeline" << (outcome.runs > 1 ? " of one run" : "") << "</h2>\n<p>A track per server and per test; "
               "hover a mark for its text. Every request and its reply (joined, green when the check held, red when it "
               "failed); the checks on their own track; the servers' stops (Test 2) and kills as bands across every "
               "track, pauses as bands of their own.</p>\n<div style=\"overflow-x:auto\">"
            << outcome.timeline << "</div>\n";
    // The flood diagram needs the flood lines, which herdsim sees only on links it relays.
    out << "<h2>Flood diagram</h2>\n";
    if (!outcome.relayed)
        out << "<p>links not relayed: no diagram (the server command takes no {config}, so the servers connect to each "
               "other's own ports and herdsim sees no flood line).</p>\n";
    else if (outcome.flood.svg.empty())
        out << "<p>links relayed, but no flood line came through them: no diagram (do the servers take their "
               "neighbours' ports from {config}?)</p>\n";
    else
        out << "<p>The flood lines the servers sent each other through herdsim's relays" << (outcome.runs > 1 ? ", in one run" : "")
            << ": a lane per server, an arrow from when the sender had the update to when the line reached its receiver; "
               "hover an arrow for its line.</p>\n<div style=\"overflow-x:auto\">"
            << outcome.flood.svg.substr(outcome.flood.svg.find("<svg")) << "</div>\n";
    if (!outcome.flood.note.empty()) out << "<p>" << xml_escaped(outcome.flood.note) << "</p>\n";
    out << "</body></html>\n";
}

}  // namespace herd::sim::grade
