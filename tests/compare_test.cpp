// herdsim compare on summary.json objects: the rows, the deltas, and the --fail-if syntax.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>

#include <nlohmann/json.hpp>

#include "report/compare.hpp"

using namespace herd::sim;
using json = nlohmann::json;

namespace {

json summary(double p99, double recovery, std::size_t lost) {
    return json::parse(R"({"scenario": "s", "full_coverage_ms": {"count": 10, "p50": 0.2, "p95": 0.3, "p99": )" +
                       std::to_string(p99) + R"(, "max": 1.0},
        "updates": 10, "lost": 0, "stale_reads": 0, "late_deliveries": {"count": 0},
        "messages_per_update": {"mean": 6}, "recovery": null,
        "verdicts": [{"passed": true}, {"passed": false}, {"verdict": "unchecked", "passed": false}],
        "phases": [{"name": "dead", "full_coverage_ms": {"count": 4, "p50": 0.5, "p95": 0.5, "p99": 0.5, "max": 0.5},
                    "updates": 4, "lost": )" + std::to_string(lost) + R"(}],
        "faults": [{"name": "steps[3].crash Holiday", "recovery": {"recovery_ms": )" + std::to_string(recovery) + "}}]}");
}

const CompareRow& row(const std::vector<CompareRow>& rows, const std::string& section, const std::string& metric) {
    for (const auto& r : rows)
        if (r.section == section && r.metric == metric) return r;
    FAIL("no row " << section << " " << metric);
    throw std::logic_error("unreachable");
}

std::string not_comparable(const std::function<void()>& f) {
    try {
        f();
    } catch (const NotComparable& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("compare: every section and metric of either run, side by side", "[compare]") {
    const auto rows = compare_rows(summary(0.4, 10, 0), summary(0.5, 30, 1));
    CHECK(row(rows, "run", "p99_ms").a == 0.4);
    CHECK(row(rows, "run", "p99_ms").b == 0.5);
    CHECK(row(rows, "run", "failed").a == 1.0);  // an unchecked verdict did not fail
    CHECK(row(rows, "phase dead", "lost").b == 1.0);
    CHECK(row(rows, "steps[3].crash Holiday", "recovery_ms").b == 30.0);
    // Null on both sides (no fault ended): no row.
    CHECK(std::none_of(rows.begin(), rows.end(), [](const CompareRow& r) { return r.metric == "recovery_ms" && r.section == "run"; }));
    const std::string table = compare_table(rows);
    CHECK(table.find("section                 metric                A       B    delta    delta %\n") == 0);
    CHECK(table.find("run                     p99_ms            0.400   0.500   +0.100   +25.000%\n") != std::string::npos);
    CHECK(table.find("phase dead              lost              0.000   1.000   +1.000       +inf\n") != std::string::npos);

    CHECK(crossed(rows, {parse_threshold("p99_ms>+10%")}) ==
          std::vector<std::string>{"p99_ms>+10%: run p99_ms 0.400 -> 0.500 (+25.000%)"});
    CHECK(crossed(rows, {parse_threshold("p99_ms>+30%"), parse_threshold("p99_ms<-1%")}).empty());
    CHECK(crossed(rows, {parse_threshold("dead:lost>0")}).size() == 1);
    CHECK(crossed(rows, {parse_threshold("steps[3]:recovery_ms>+25")}).empty());
    CHECK(crossed(rows, {parse_threshold("steps[3]:recovery_ms>+19.5")}).size() == 1);
    CHECK(not_comparable([&] { crossed(rows, {parse_threshold("nophase:lost>0")}); }) ==
          "--fail-if \"nophase:lost>0\": lost of nophase is in neither run");
    CHECK(not_comparable([&] { crossed(rows, {parse_threshold("recovery_ms>0")}); }) ==
          "--fail-if \"recovery_ms>0\": recovery_ms of run is in neither run");
    json no_phase = summary(0.5, 30, 1);
    no_phase["phases"] = json::array();
    CHECK(not_comparable([&] { crossed(compare_rows(summary(0.4, 10, 0), no_phase), {parse_threshold("dead:lost>0")}); }) ==
          "--fail-if \"dead:lost>0\": lost of dead is missing from B");
}

TEST_CASE("compare: malformed thresholds and other scenarios cannot be compared", "[compare]") {
    const Threshold t = parse_threshold("holiday-dead:p95_ms<-2.5%");
    CHECK((t.section == "holiday-dead" && t.metric == "p95_ms" && !t.above && t.value == -2.5 && t.percent));
    CHECK(not_comparable([] { parse_threshold("p99>10"); }).find("--fail-if \"p99>10\": unknown metric \"p99\" (one of p50_ms") == 0);
    CHECK(not_comparable([] { parse_threshold("p99_ms=10"); }).find("no '>' or '<'") != std::string::npos);
    CHECK(not_comparable([] { parse_threshold("p99_ms>ten"); }).find("\"ten\" is not a number") != std::string::npos);
    CHECK(not_comparable([] { parse_threshold(":p99_ms>1"); }).find("an empty section") != std::string::npos);
    CHECK(not_comparable([] { parse_threshold("p99_ms>"); }).find("is not a number") != std::string::npos);
    json other = summary(0.4, 10, 0);
    other["scenario"] = "t";
    CHECK(not_comparable([&] { compare_rows(summary(0.4, 10, 0), other); }) == "runs of different scenarios: s and t");
    CHECK(not_comparable([] { load_summary("no/such/run"); }) ==
          "no/such/run: no such file (give a run folder or its summary.json)");
}
