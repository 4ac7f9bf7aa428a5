// An update whose every holder crashed before passing it on is "forgotten", not lost: no live node
// could have sent it on. One a live holder keeps to itself is still lost. Real herds, real sockets.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "play/runner.hpp"
#include "scenario/loader.hpp"

using namespace herd::sim;
namespace fs = std::filesystem;

namespace {

const fs::path kOut = fs::temp_directory_path() / ("herdsim-forgotten-test-" + std::to_string(::getpid()));

struct Results {
    ~Results() { fs::remove_all(kOut); }
};

// Alford stores a report; its flood lines wait 1 s in the relays when Alford's links are cut, which
// drops them (Alford keeps them queued). `then`: the steps after that.
Scenario held_by_alford_alone(const std::string& then) {
    LoadResult loaded = parse_scenario(R"({"description": "Only Alford holds the report.", "steps": [
        {"delay": {"delay_ms": 1000}},
        {"send": {"node": "Alford", "line": "IAMAT kiwi +34.068930-118.445127 1600000000.0",
                  "expect_pattern": "AT Alford [^]*"}},
        {"cut": {"from": "Alford", "to": "Hamilton", "one_way": true}},
        {"cut": {"from": "Alford", "to": "Welsh", "one_way": true}})" + then + "]}",
                                       "forgotten.json");
    for (const auto& e : loaded.errors) UNSCOPED_INFO(e.to_string());
    REQUIRE(loaded.scenario);
    return *loaded.scenario;
}

nlohmann::json summary_json(const RunOutcome& outcome) {
    std::ifstream in(outcome.run.dir / "summary.json");
    return nlohmann::json::parse(in);
}

}  // namespace

TEST_CASE("An update whose only holder crashed before flooding is forgotten, not lost", "[forgotten]") {
    Results cleanup;
    RunOptions options;
    options.out_dir = kOut;
    const RunOutcome outcome = run_scenario(held_by_alford_alone(R"(,
        {"crash": "Alford"},
        {"heal_all": true},
        {"restart": "Alford"},
        {"wait_quiet": {"quiet_ms": 200, "timeout_ms": 10000}},
        {"expect_lost": {"max": 0}})"),
                                            options);
    INFO(outcome.error);
    REQUIRE(outcome.exit_code == 0);
    CHECK(outcome.run.summary.lost.empty());
    REQUIRE(outcome.run.summary.forgotten.size() == 1);
    CHECK(outcome.run.summary.forgotten[0].missing == std::vector<std::string>{"Ball", "Hamilton", "Holiday", "Welsh"});
    const auto j = summary_json(outcome);
    CHECK(j["lost"] == 0);
    CHECK(j["forgotten"] == 1);
    CHECK(j["forgotten_updates"][0]["client"] == "kiwi");
    REQUIRE(outcome.run.verdicts.size() == 2);
    CHECK(outcome.run.verdicts[1].detail ==
          "0 of 1 updates lost; 1 more gone with every node that held them (crashed before passing them on), not counted");
}

TEST_CASE("An update a live holder never passes on is still lost", "[forgotten]") {
    Results cleanup;
    RunOptions options;
    options.out_dir = kOut;
    const RunOutcome outcome = run_scenario(held_by_alford_alone(R"(,
        {"wait_quiet": {"quiet_ms": 200, "timeout_ms": 10000}},
        {"expect_lost": {"max": 0}})"),
                                            options);
    INFO(outcome.error);
    CHECK(outcome.exit_code == 1);
    CHECK(outcome.run.summary.forgotten.empty());
    REQUIRE(outcome.run.summary.lost.size() == 1);
    const auto j = summary_json(outcome);
    CHECK(j["lost"] == 1);
    CHECK(j["forgotten"] == 0);
}
