// Results that stay tidy: --keep prunes a scenario's old runs, per-node logs are optional and cut
// to their cap, and a real `herdsim run` interrupted by a real SIGINT still leaves a summary.json
// that says so (the test waits for results/<scenario>/current to know the run has started).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "play/runner.hpp"
#include "report/results_dir.hpp"
#include "scenario/loader.hpp"
#include "support/child_process.hpp"

using namespace herd::sim;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

const fs::path kOut = fs::temp_directory_path() / ("herdsim-results-test-" + std::to_string(::getpid()));

struct Results {
    Results() { fs::remove_all(kOut); }
    ~Results() { fs::remove_all(kOut); }
};

Scenario scenario(const std::string& steps) {
    const std::string text = R"({"description": "A results test.", "name": "tidy", "steps": )" + steps + "}";
    LoadResult loaded = parse_scenario(text, "tidy.json");
    for (const auto& e : loaded.errors) UNSCOPED_INFO(e.to_string());
    REQUIRE(loaded.scenario);
    return *loaded.scenario;
}

const std::string kOneUpdate =
    R"([{"send": {"node": "Alford", "line": "IAMAT kiwi +34-118 1520023934", "expect_pattern": "AT Alford .*"}},
        {"wait_quiet": {}}])";

RunOutcome play(RunOptions options, const std::string& steps = kOneUpdate) {
    options.out_dir = kOut;
    RunOutcome outcome = run_scenario(scenario(steps), options);
    INFO(outcome.error);
    REQUIRE(outcome.exit_code == 0);
    return outcome;
}

std::set<std::string> entries(const fs::path& dir) {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
    return out;
}

std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

TEST_CASE("Keeping N runs leaves the newest N runs of the scenario and nothing else is touched", "[results][keep]") {
    Results results;
    fs::create_directories(kOut / "tidy" / "notes");  // not a run id: left alone
    RunOptions options;
    options.keep = 2;
    const RunOutcome first = play(options);
    const RunOutcome second = play(options);
    CHECK(first.pruned.empty());
    CHECK(second.pruned.empty());
    const RunOutcome third = play(options);
    CHECK(third.pruned == std::vector<std::string>{first.run.dir.filename().string()});
    CHECK(entries(kOut / "tidy") == std::set<std::string>{second.run.dir.filename().string(),
                                                          third.run.dir.filename().string(), "latest", "notes"});
    CHECK(fs::read_symlink(kOut / "tidy" / "latest") == third.run.dir.filename());
    CHECK_FALSE(fs::exists(kOut / "tidy" / "current"));  // only while a run is in progress
    // Without --keep nothing is pruned.
    const RunOutcome fourth = play({});
    CHECK(fourth.pruned.empty());
    CHECK(entries(kOut / "tidy").size() == 5);
}

TEST_CASE("Run ids are recognised exactly", "[results][keep]") {
    CHECK(is_run_id("20261201T123456.789Z-seed7"));
    CHECK_FALSE(is_run_id("20261201T123456.789Z-seed"));
    CHECK_FALSE(is_run_id("latest"));
    CHECK_FALSE(is_run_id("x20261201T123456.789Z-seed7"));
}

TEST_CASE("Without logs none are written, a log cap cuts each log after a whole line, saying so", "[results][logs]") {
    Results results;
    RunOptions none;
    none.logs = false;
    const RunOutcome quiet = play(none);
    CHECK_FALSE(fs::exists(quiet.run.dir / "logs"));
    CHECK(json::parse(slurp(quiet.run.dir / "summary.json"))["logs"].is_null());

    RunOptions capped;
    capped.log_cap = 200;
    const RunOutcome small = play(capped);
    const std::string log = slurp(small.run.dir / "logs" / "Alford.log");
    const auto marker = log.find("[herdsim: log cut at 200 bytes (--log-cap); ");
    REQUIRE(marker != std::string::npos);
    CHECK(marker <= 200);
    CHECK((marker == 0 || log[marker - 1] == '\n'));
    CHECK(log.back() == '\n');
    const json summary = json::parse(slurp(small.run.dir / "summary.json"));
    CHECK(summary["logs"]["cap_bytes"] == 200);
    CHECK(summary["logs"]["cut"].size() == 5);  // every node logged more than 200 bytes

    const RunOutcome whole = play({});
    CHECK(slurp(whole.run.dir / "logs" / "Alford.log").find("[herdsim: log cut") == std::string::npos);
    CHECK(json::parse(slurp(whole.run.dir / "summary.json"))["logs"]["cut"].empty());
}

TEST_CASE("SIGINT stops a real herdsim run, which still writes summary.json saying it was interrupted",
          "[results][interrupt]") {
    Results results;
    fs::create_directories(kOut);
    const fs::path file = kOut / "long.json";
    std::ofstream(file) << R"({"description": "A run far longer than the test.", "name": "long", "steps": [
        {"send": {"node": "Alford", "line": "IAMAT kiwi +34-118 1520023934", "expect_pattern": "AT Alford .*"}},
        {"wait_ms": 1500},
        {"wait_ms": 600000},
        {"expect_lost": {"max": 0}}]})";
    boost::asio::io_context io;
    herd::test::ChildProcess run(io, HERDSIM_BINARY,
                                 {"run", file.string(), "--out", (kOut / "results").string(), "--progress"}, kOut);
    const fs::path current = kOut / "results" / "long" / "current";
    // Step 3 has begun: the send was judged (its reply had the 1.5 s wait to come), the long wait is on.
    REQUIRE(run.wait_for_output("long: step 3/4", 120s));
    REQUIRE(fs::is_symlink(current));
    const fs::path run_dir = kOut / "results" / "long" / fs::read_symlink(current);
    run.send_signal(SIGINT);
    const auto code = run.wait_for_exit(60s);
    INFO(run.output());
    CHECK(code == 130);
    CHECK(run.output().find("INTERRUPTED") != std::string::npos);
    const json summary = json::parse(slurp(run_dir / "summary.json"));
    CHECK(summary["interrupted"] == true);
    CHECK(summary["updates"] == 1);
    CHECK(summary["verdicts"].size() == 1);  // the send's; expect_lost was never reached
    CHECK_FALSE(fs::exists(current));
    CHECK(fs::read_symlink(kOut / "results" / "long" / "latest") == run_dir.filename());
}
