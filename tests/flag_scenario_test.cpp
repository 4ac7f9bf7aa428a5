// A run from flags is an ordinary scenario: the loader takes what flag_scenario makes, with the
// herd, links, workload and nemesis the flags asked for, drawn from the seed alone.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "record/recorder.hpp"
#include "report/maelstrom.hpp"
#include "scenario/flag_scenario.hpp"
#include "scenario/loader.hpp"

using namespace herd::sim;

namespace {

LoadResult load(const FlagRun& run) { return parse_scenario(flag_scenario(run, "herdsim run ...").dump(), "flags.json"); }

}  // namespace

TEST_CASE("Every flag topology loads as a scenario of that many nodes", "[flag_scenario]") {
    for (const auto& topology : flag_topologies()) {
        const auto loaded = load({.topology = topology, .nodes = 25});
        INFO(topology);
        REQUIRE(loaded.scenario);
        CHECK(loaded.scenario->herd.derived.servers.size() == 25);
    }
    const auto grid = flag_scenario({.topology = "grid", .nodes = 24}, "");
    CHECK(grid["herd"]["topology"]["rows"] == 4);
    CHECK(grid["herd"]["topology"]["cols"] == 6);
    CHECK(flag_scenario({.topology = "tree4", .nodes = 25}, "")["herd"]["topology"]["arity"] == 4);
}

TEST_CASE("The flags set links, workload and the liveness check, the nemesis comes from the seed", "[flag_scenario]") {
    const FlagRun run{.topology = "ring", .nodes = 6, .latency_ms = 100, .jitter_ms = 10, .rate = 50, .time_limit_s = 4,
                      .nemesis = {"partition", "crash"}, .nemesis_interval_ms = 1000, .seed = 7};
    const auto s = flag_scenario(run, "herdsim run --topology ring");
    CHECK(s["description"] == "From flags: herdsim run --topology ring");
    CHECK(s["links"]["delay_ms"] == 100);
    CHECK(s["links"]["jitter_ms"] == 10);
    CHECK(s["steps"][0]["workload"]["updates"] == 200);
    // Faults at 1, 2, 3 s, each healed half an interval later: partition, crash, partition.
    CHECK(s["steps"][1]["at_ms"] == 1000);
    CHECK(s["steps"][1]["partition"].size() == 2);
    CHECK(s["steps"][2]["heal_all"] == true);
    CHECK(s["steps"][3]["crash"] == s["steps"][4]["restart"]);
    CHECK(s["steps"][4]["at_ms"] == 2500);
    CHECK(s["steps"][5]["partition"].is_array());
    CHECK(s.dump() == flag_scenario(run, "herdsim run --topology ring").dump());
    FlagRun other = run;
    other.seed = 8;
    CHECK(s["steps"][1] != flag_scenario(other, "herdsim run --topology ring")["steps"][1]);
    REQUIRE(load(run).scenario);

    CHECK_THROWS_AS(flag_scenario({.topology = "star"}, ""), std::invalid_argument);
    CHECK_THROWS_AS(flag_scenario({.nemesis = {"meteor"}}, ""), std::invalid_argument);
}

TEST_CASE("Maelstrom's figures: server messages per operation and stable-latency quantiles", "[flag_scenario]") {
    Summary s;
    s.updates = 4;
    s.link_messages = {{{"A", "B"}, 6}, {{"B", "A"}, 4}};
    s.full_coverage_ms = {1.0, 4.0, std::nullopt, 2.0};
    const auto f = maelstrom_figures(s);
    CHECK(f.server_messages == 10);
    CHECK(f.msgs_per_op == 2.5);
    CHECK(f.stable_count == 3);
    CHECK(f.q0 == 1.0);
    CHECK(f.q50 == 2.0);
    CHECK(f.q100 == 4.0);
}
