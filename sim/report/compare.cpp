#include "report/compare.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "report/text_table.hpp"

namespace herd::sim {

namespace {

const std::vector<std::string>& metric_names() {
    static const std::vector<std::string> names = {"p50_ms", "p95_ms",  "p99_ms", "max_ms", "recovery_ms", "msgs_per_update",
                                                   "updates", "lost", "late",   "stale",  "failed"};
    return names;
}

std::optional<double> number_at(const nlohmann::json& j, std::initializer_list<const char*> path) {
    const nlohmann::json* at = &j;
    for (const char* key : path) {
        if (!at->is_object() || !at->contains(key)) return std::nullopt;
        at = &(*at)[key];
    }
    return at->is_number() ? std::optional<double>(at->get<double>()) : std::nullopt;
}

// The metrics of one section: the summary itself (the whole run), or one of its phases or faults.
std::map<std::string, std::optional<double>> metrics_of(const nlohmann::json& s) {
    std::map<std::string, std::optional<double>> m;
    for (const char* q : {"p50", "p95", "p99", "max"}) m[std::string(q) + "_ms"] = number_at(s, {"full_coverage_ms", q});
    m["recovery_ms"] = number_at(s, {"recovery", "recovery_ms"});
    m["msgs_per_update"] = number_at(s, {"messages_per_update", "mean"});
    m["updates"] = number_at(s, {"updates"});
    m["lost"] = number_at(s, {"lost"});
    m["late"] = number_at(s, {"late_deliveries", "count"});
    m["stale"] = number_at(s, {"stale_reads"});
    if (s.contains("verdicts") && s["verdicts"].is_array())
        m["failed"] = static_cast<double>(std::count_if(s["verdicts"].begin(), s["verdicts"].end(), [](const nlohmann::json& v) {
            // "verdict" since unchecked verdicts exist (not a pass, not a failure); "passed" before.
            if (!v.is_object()) return false;
            if (v.contains("verdict")) return v["verdict"] == "fail";
            return v.value("passed", true) == false;
        }));
    return m;
}

// Sections in order: the run, then phases, then fault windows, each as A lists them, then B's others.
std::vector<std::pair<std::string, const nlohmann::json*>> sections_of(const nlohmann::json& s) {
    std::vector<std::pair<std::string, const nlohmann::json*>> out{{"run", &s}};
    for (const char* list : {"phases", "faults"}) {
        if (!s.contains(list) || !s[list].is_array()) continue;
        for (const auto& entry : s[list])
            if (entry.is_object() && entry.contains("name") && entry["name"].is_string())
                out.emplace_back((std::string(list) == "phases" ? "phase " : "") + entry["name"].get<std::string>(), &entry);
    }
    return out;
}

std::string number(double v, bool sign = false) {
    if (std::isinf(v)) return v > 0 ? "+inf" : "-inf";
    char text[64];
    std::snprintf(text, sizeof text, sign ? "%+.3f" : "%.3f", v);
    return text;
}

// B - A as a percentage of A; infinite when A is 0 and B is not.
double percent(double a, double b) {
    if (a == b) return 0;
    if (a == 0) return b > a ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
    return 100.0 * (b - a) / std::fabs(a);
}

bool section_matches(const std::string& section, const std::string& wanted) {
    if (wanted == "run") return section == "run";
    if (wanted.rfind("steps[", 0) == 0) return section.rfind(wanted + ".", 0) == 0;
    return section == "phase " + wanted;
}

}  // namespace

Threshold parse_threshold(std::string_view text) {
    Threshold t;
    t.text = std::string(text);
    const auto bad = [&](const std::string& why) {
        return NotComparable("--fail-if \"" + t.text + "\": " + why +
                             " (expected [SECTION:]METRIC>+N% or METRIC<-N, e.g. p99_ms>+10%)");
    };
    std::string_view rest = text;
    if (const auto colon = rest.find(':'); colon != std::string_view::npos) {
        t.section = std::string(rest.substr(0, colon));
        if (t.section.empty()) throw bad("an empty section before ':'");
        rest.remove_prefix(colon + 1);
    }
    const auto op = rest.find_first_of("<>");
    if (op == std::string_view::npos) throw bad("no '>' or '<'");
    t.metric = std::string(rest.substr(0, op));
    t.above = rest[op] == '>';
    const auto& names = metric_names();
    if (std::find(names.begin(), names.end(), t.metric) == names.end()) {
        std::string known;
        for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
        throw bad("unknown metric \"" + t.metric + "\" (one of " + known + ")");
    }
    std::string_view value = rest.substr(op + 1);
    if (!value.empty() && value.back() == '%') {
        t.percent = true;
        value.remove_suffix(1);
    }
    double sign = 1;
    if (!value.empty() && (value.front() == '+' || value.front() == '-')) {
        sign = value.front() == '-' ? -1 : 1;
        value.remove_prefix(1);
    }
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), t.value);
    if (value.empty() || ec != std::errc() || end != value.data() + value.size() || !std::isfinite(t.value))
        throw bad("\"" + std::string(rest.substr(op + 1)) + "\" is not a number");
    t.value *= sign;
    return t;
}

nlohmann::json load_summary(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path file = fs::is_directory(path, ec) ? fs::path(path) / "summary.json" : fs::path(path);
    if (!fs::is_regular_file(file, ec)) throw NotComparable(file.string() + ": no such file (give a run folder or its summary.json)");
    std::ifstream in(file);
    nlohmann::json j;
    try {
        in >> j;
    } catch (const nlohmann::json::exception& e) {
        throw NotComparable(file.string() + ": not valid JSON: " + e.what());
    }
    if (!j.is_object() || !j.contains("scenario") || !j["scenario"].is_string() || !j.contains("full_coverage_ms"))
        throw NotComparable(file.string() + ": not a herdsim summary.json (no scenario and full_coverage_ms)");
    return j;
}

std::vector<CompareRow> compare_rows(const nlohmann::json& a, const nlohmann::json& b) {
    if (a["scenario"] != b["scenario"])
        throw NotComparable("runs of different scenarios: " + a["scenario"].get<std::string>() + " and " +
                            b["scenario"].get<std::string>());
    auto sa = sections_of(a), sb = sections_of(b);
    std::vector<std::string> order;
    for (const auto* list : {&sa, &sb})
        for (const auto& [name, _] : *list)
            if (std::find(order.begin(), order.end(), name) == order.end()) order.push_back(name);
    const auto find = [](const auto& list, const std::string& name) -> const nlohmann::json* {
        for (const auto& [n, j] : list)
            if (n == name) return j;
        return nullptr;
    };
    std::vector<CompareRow> rows;
    for (const auto& section : order) {
        const nlohmann::json* ja = find(sa, section);
        const nlohmann::json* jb = find(sb, section);
        const auto ma = ja ? metrics_of(*ja) : std::map<std::string, std::optional<double>>{};
        const auto mb = jb ? metrics_of(*jb) : std::map<std::string, std::optional<double>>{};
        for (const auto& metric : metric_names()) {
            const auto ia = ma.find(metric), ib = mb.find(metric);
            CompareRow row{section, metric, ia == ma.end() ? std::nullopt : ia->second,
                           ib == mb.end() ? std::nullopt : ib->second};
            if (row.a || row.b) rows.push_back(std::move(row));
        }
    }
    return rows;
}

std::string compare_table(const std::vector<CompareRow>& rows) {
    std::vector<std::vector<std::string>> cells{{"section", "metric", "A", "B", "delta", "delta %"}};
    for (const auto& r : rows) {
        const bool both = r.a && r.b;
        const double pct = both ? percent(*r.a, *r.b) : 0;
        cells.push_back({r.section, r.metric, r.a ? number(*r.a) : "-", r.b ? number(*r.b) : "-",
                         both ? number(*r.b - *r.a, true) : "-",
                         !both ? "-" : std::isinf(pct) ? number(pct) : number(pct, true) + "%"});
    }
    return aligned_table(cells, 2);
}

std::vector<std::string> crossed(const std::vector<CompareRow>& rows, const std::vector<Threshold>& thresholds) {
    std::vector<std::string> out;
    for (const auto& t : thresholds) {
        const auto row = std::find_if(rows.begin(), rows.end(), [&](const CompareRow& r) {
            return r.metric == t.metric && section_matches(r.section, t.section);
        });
        if (row == rows.end() || !row->a || !row->b)
            throw NotComparable("--fail-if \"" + t.text + "\": " + t.metric + " of " + t.section +
                                (row == rows.end() ? " is in neither run" : std::string(" is missing from ") + (row->a ? "B" : "A")));
        const double delta = t.percent ? percent(*row->a, *row->b) : *row->b - *row->a;
        if (t.above ? delta > t.value : delta < t.value)
            out.push_back(t.text + ": " + row->section + " " + row->metric + " " + number(*row->a) + " -> " +
                          number(*row->b) + " (" + number(delta, true) + (t.percent ? "%" : "") + ")");
    }
    return out;
}

}  // namespace herd::sim
