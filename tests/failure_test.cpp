// One failure policy in the harness: a coroutine that throws ends its own run, which could not run
// (exit 2) and says precisely what threw where; the process goes on, so the next scenario of a
// `herdsim run` batch (which plays its files one run_scenario after another) still runs.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include "herd/relay.hpp"
#include "herd/run_herd.hpp"
#include "play/runner.hpp"
#include "scenario/loader.hpp"

using namespace herd::sim;
namespace fs = std::filesystem;

namespace {

const fs::path kOut = fs::temp_directory_path() / ("herdsim-failure-test-" + std::to_string(::getpid()));

struct Results {
    ~Results() { fs::remove_all(kOut); }
};

// A report at Alford floods to Hamilton and Welsh through their relays, and every node knows it.
Scenario flood() {
    LoadResult loaded = parse_scenario(R"({"description": "One report, flooded.", "steps": [
        {"send": {"node": "Alford", "line": "IAMAT kiwi +34.068930-118.445127 1600000000.0",
                  "expect_pattern": "AT Alford [^]*"}},
        {"wait_quiet": {}},
        {"expect_converged": true},
        {"expect_knows": {"node": "Holiday", "client": "kiwi"}}]})",
                                       "flood.json");
    for (const auto& e : loaded.errors) UNSCOPED_INFO(e.to_string());
    REQUIRE(loaded.scenario);
    return *loaded.scenario;
}

}  // namespace

TEST_CASE("A relay that throws fails its own run with a precise message and the next run of the batch passes", "[failure][relay]") {
    Results cleanup;
    const Scenario scenario = flood();
    RunOptions options;
    options.out_dir = kOut;

    RunOptions broken = options;
    broken.herd_ready = [](RunHerd& herd) {
        Relay* relay = herd.relay("Alford", "Hamilton");
        REQUIRE(relay);
        relay->on_delivered([](std::string_view) { throw std::runtime_error("a bug in the relay"); });
    };
    RunOutcome first;
    REQUIRE_NOTHROW(first = run_scenario(scenario, broken));
    CHECK(first.exit_code == 2);
    CHECK(first.error == "flood.json: relay Alford->Hamilton: writing to the receiver: a bug in the relay");

    RunOutcome next;
    REQUIRE_NOTHROW(next = run_scenario(scenario, options));
    INFO(next.error);
    CHECK(next.exit_code == 0);
    REQUIRE(next.run.verdicts.size() == 3);
    for (const auto& v : next.run.verdicts) CHECK(v.passed());
}
