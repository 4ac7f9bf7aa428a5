// Every latency a run reports states how it was timed (docs/target.md, results/README.md):
// summary.json's latency_resolution, and the table's timing column when some run has one.
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "record/run_row.hpp"
#include "report/report.hpp"
#include "report/text_table.hpp"

using namespace herd::sim;

namespace {

nlohmann::json summary_with(const LatencyResolution& resolution, const std::string& name) {
    Recorder recorder({"A", "B"});
    RunRecord run;
    run.scenario = name;
    run.run_id = "r";
    run.dir = std::filesystem::temp_directory_path() / "herdsim-target-report-test" / name / "r";
    run.nodes = recorder.nodes();
    run.resolution = resolution;
    run.summary = recorder.summarize();
    write_report(run, recorder, nullptr, {.gnuplot = ""});
    std::ifstream in(run.dir / "summary.json");
    std::stringstream text;
    text << in.rdbuf();
    return nlohmann::json::parse(text.str());
}

}  // namespace

TEST_CASE("summary.json states how latencies were timed", "[target][report]") {
    const auto exact = summary_with({}, "exact")["latency_resolution"];
    CHECK(exact["timing"] == "exact");
    CHECK(exact["poll_interval_ms"].is_null());
    CHECK(exact["relay_timed"] == false);

    const auto relay = summary_with({"relay", std::nullopt, "relay-timed"}, "relay")["latency_resolution"];
    CHECK(relay["timing"] == "relay");
    CHECK(relay["relay_timed"] == true);
    CHECK(relay["note"] == "relay-timed");

    const auto poll = summary_with({"poll", 50, "polled"}, "poll")["latency_resolution"];
    CHECK(poll["timing"] == "poll");
    CHECK(poll["poll_interval_ms"] == 50);
    CHECK(poll["relay_timed"] == false);
}

TEST_CASE("the table has a timing column only when some run was timed from outside", "[target][report]") {
    Recorder recorder({"A"});
    RunRow in_process = make_run_row("here", RunVerdict::pass, recorder.summarize());
    CHECK(terminal_table({in_process}).find("timing") == std::string::npos);

    RunRow target = in_process;
    target.scenario = "there";
    target.timing = timing_label({"poll", 50, ""});
    const std::string table = terminal_table({in_process, target});
    std::istringstream lines(table);
    std::string header, first, second;
    std::getline(lines, header);
    std::getline(lines, first);
    std::getline(lines, second);
    CHECK(header.substr(header.size() - 6) == "timing");
    CHECK(first.substr(first.size() - 5) == "exact");
    CHECK(second.substr(second.size() - 10) == "poll 50 ms");
    CHECK(timing_label({"relay", std::nullopt, ""}) == "relay");
    CHECK(timing_label({}).empty());
}
