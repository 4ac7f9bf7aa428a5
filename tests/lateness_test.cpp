// A run that falls behind the scenario says so, and a verdict whose premise that broke is
// unchecked: the runner is held up on purpose (step_due), as a busy machine would hold it, or
// expects a start-up faster than any.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "play/runner.hpp"
#include "scenario/loader.hpp"

using namespace herd::sim;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const fs::path kOut = fs::temp_directory_path() / ("herdsim-lateness-test-" + std::to_string(::getpid()));

struct Results {
    ~Results() { fs::remove_all(kOut); }
};

Scenario parse(const std::string& text) {
    LoadResult loaded = parse_scenario(text, "late.json");
    for (const auto& e : loaded.errors) UNSCOPED_INFO(e.to_string());
    REQUIRE(loaded.scenario);
    return *loaded.scenario;
}

// Holds the runner up for `hold` as step `index` comes due.
std::function<void(const Step&)> hold_at(std::size_t index, std::chrono::milliseconds hold) {
    return [=](const Step& step) {
        if (step.index == index) std::this_thread::sleep_for(hold);
    };
}

nlohmann::json summary_of(const RunOutcome& outcome) {
    std::ifstream in(outcome.run.dir / "summary.json");
    return nlohmann::json::parse(in);
}

// A report flooded and checked; then a newer one, sent `timing` after the check; checked again,
// once truly and once falsely.
std::string two_reports(const std::string& timing) {
    return R"({"description": "Two reports, each checked.", "herd": {"preset": "fall17"}, "steps": [
        {"send": {"node": "Alford", "line": "IAMAT kiwi +34-118 1600000000", "expect_pattern": "AT Alford .*"}},
        {"wait_quiet": {}},
        {"expect_knows": {"node": "Ball", "client": "kiwi"}},
        {)" + timing + R"("send": {"node": "Alford", "line": "IAMAT kiwi +34-118 1600000001", "expect_pattern": "AT Alford .*"}},
        {"wait_quiet": {}},
        {"expect_knows": {"node": "Ball", "client": "kiwi"}},
        {"note": "deliberately false", "expect_knows": {"node": "Ball", "client": "kiwi", "time": "1600000009"}}]})";
}

}  // namespace

TEST_CASE("A step held up past its after_ms: the run says so, and every verdict from it on is unchecked", "[lateness]") {
    Results cleanup;
    RunOptions options;
    options.out_dir = kOut;
    options.step_due = hold_at(3, 400ms);
    const RunOutcome outcome = run_scenario(parse(two_reports(R"("after_ms": 10, )")), options);
    INFO(outcome.error);
    REQUIRE(outcome.exit_code == 0);
    REQUIRE(outcome.run.behind.size() == 1);
    const Lateness& late = outcome.run.behind.front();
    CHECK(late.kind == Lateness::Kind::step);
    CHECK(late.step == 3u);
    CHECK(late.behind_ms >= 390);
    CHECK_THAT(late.detail, Catch::Matches("steps\\[3\\] started [0-9]+ ms after its after_ms \\(bound 100 ms\\)"));

    const auto& v = outcome.run.verdicts;
    REQUIRE(v.size() == 5);
    CHECK(v[0].kind == VerdictKind::pass);  // judged before the run fell behind
    CHECK(v[1].kind == VerdictKind::pass);
    for (std::size_t i = 2; i < 5; ++i) {
        INFO(v[i].detail);
        CHECK(v[i].kind == VerdictKind::unchecked);
        CHECK_THAT(v[i].detail, Catch::StartsWith("the run fell behind before it was judged (steps[3] started "));
    }
    CHECK_THAT(v[3].detail, Catch::Contains("it would have passed: holds"));
    CHECK_THAT(v[4].detail, Catch::Contains("it would have failed: it holds an other record"));
    CHECK(outcome.run.verdict() == RunVerdict::unchecked);

    const auto summary = summary_of(outcome);
    CHECK(summary["verdict"] == "unchecked");
    CHECK(summary["run_behind"]["fell_behind"] == true);
    CHECK(summary["run_behind"]["step_bound_ms"] == 100);
    REQUIRE(summary["run_behind"]["list"].size() == 1);
    CHECK(summary["run_behind"]["list"][0]["kind"] == "step");
    CHECK(summary["run_behind"]["list"][0]["step"] == 3);
    CHECK(summary["verdicts"][4]["verdict"] == "unchecked");
}

TEST_CASE("The same hold on a step with no time of its own is late for nothing: the false check fails", "[lateness]") {
    Results cleanup;
    RunOptions options;
    options.out_dir = kOut;
    options.step_due = hold_at(3, 400ms);
    const RunOutcome outcome = run_scenario(parse(two_reports("")), options);
    INFO(outcome.error);
    REQUIRE(outcome.exit_code == 1);
    CHECK(outcome.run.behind.empty());
    const auto& v = outcome.run.verdicts;
    REQUIRE(v.size() == 5);
    for (std::size_t i = 0; i < 4; ++i) CHECK(v[i].kind == VerdictKind::pass);
    CHECK(v[4].kind == VerdictKind::fail);
    CHECK(summary_of(outcome)["run_behind"]["fell_behind"] == false);
}

TEST_CASE("A workload held up behind its schedule: the run says so, and the checks after it are unchecked", "[lateness]") {
    Results cleanup;
    RunOptions options;
    options.out_dir = kOut;
    options.step_due = hold_at(2, 400ms);
    const Scenario scenario = parse(R"({"description": "A workload, then checks.", "herd": {"preset": "fall17"}, "steps": [
        {"workload": {"updates": 40, "rate_per_s": 100, "clients": 4}},
        {"wait_ms": 50},
        {"wait_quiet": {"timeout_ms": 60000}},
        {"expect_converged": true},
        {"expect_lost": {"max": 0}}]})");
    const RunOutcome outcome = run_scenario(scenario, options);
    INFO(outcome.error);
    REQUIRE(outcome.exit_code == 0);
    REQUIRE(outcome.run.behind.size() == 1);
    const Lateness& late = outcome.run.behind.front();
    CHECK(late.kind == Lateness::Kind::workload);
    CHECK(late.step == 0u);
    CHECK(late.behind_ms >= 300);
    CHECK_THAT(late.detail, Catch::StartsWith("the workload of steps[0] fell "));
    REQUIRE(outcome.run.verdicts.size() == 2);
    for (const auto& v : outcome.run.verdicts) {
        INFO(v.detail);
        CHECK(v.kind == VerdictKind::unchecked);
        CHECK_THAT(v.detail, Catch::Contains("it would have passed"));
    }
    CHECK(summary_of(outcome)["run_behind"]["list"][0]["kind"] == "workload");
}

TEST_CASE("A start-up slower than expected leaves the speed gates unchecked and the other checks judged", "[lateness]") {
    Results cleanup;
    RunOptions options;
    options.out_dir = kOut;
    // No start-up is that fast: the herd's is slower than expected, whatever the machine.
    options.late_bounds.start_up_base = 0ms;
    options.late_bounds.start_up_per_node = 0us;
    const Scenario scenario = parse(R"({"description": "A flood, judged.", "herd": {"preset": "fall17"}, "steps": [
        {"send": {"node": "Alford", "line": "IAMAT kiwi +34-118 1600000000", "expect_pattern": "AT Alford .*"}},
        {"wait_quiet": {}},
        {"expect_converged": true},
        {"expect_latency": {"max_ms": 86400000}}]})");
    const RunOutcome outcome = run_scenario(scenario, options);
    INFO(outcome.error);
    REQUIRE(outcome.exit_code == 0);
    REQUIRE(outcome.run.behind.size() == 1);
    CHECK(outcome.run.behind.front().kind == Lateness::Kind::start_up);
    CHECK_FALSE(outcome.run.behind.front().step);
    CHECK_THAT(outcome.run.behind.front().detail, Catch::Matches("the herd's start-up took [0-9.]+ ms, expected at most 0 ms for 5 nodes"));
    const auto& v = outcome.run.verdicts;
    REQUIRE(v.size() == 3);
    CHECK(v[0].kind == VerdictKind::pass);
    CHECK(v[1].kind == VerdictKind::pass);
    CHECK(v[2].kind == VerdictKind::unchecked);
    CHECK_THAT(v[2].detail, Catch::Contains("it would have passed: full coverage over 1 updates"));
    const auto summary = summary_of(outcome);
    CHECK(summary["run_behind"]["list"][0]["kind"] == "start-up");
    CHECK(summary["run_behind"]["start_up_bound_ms"] == 0);
}
