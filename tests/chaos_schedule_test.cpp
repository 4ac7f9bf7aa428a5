// A chaos schedule is an ordinary scenario: for every seed the loader takes it (no node crashed
// twice, every link a link of the herd), the same seed gives the same schedule, and the mix is obeyed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <stdexcept>

#include "scenario/chaos_schedule.hpp"
#include "scenario/loader.hpp"
#include "scenario/shrink.hpp"

using namespace herd::sim;

TEST_CASE("Chaos schedules load for every seed, and the seed alone decides them", "[chaos_schedule]") {
    const auto herd = herd::preset("fall17");
    REQUIRE(herd);
    const nlohmann::ordered_json herd_json = {{"preset", "fall17"}};
    std::set<std::string> kinds_seen;
    for (std::uint64_t seed = 1; seed <= 200; ++seed) {
        const ChaosOptions options{.seed = seed, .faults = 30, .duration_ms = 5000};
        const auto s = chaos_scenario(*herd, herd_json, options, "chaos-fall17").scenario;
        const auto loaded = parse_scenario(s.dump(), "chaos.json");
        INFO("seed " << seed);
        for (const auto& e : loaded.errors) INFO(e.to_string());
        REQUIRE(loaded.scenario);
        for (const auto& step : s["steps"])
            for (const auto& item : step.items())
                if (item.key() != "at_ms") kinds_seen.insert(item.key());
        CHECK(s.dump() == chaos_scenario(*herd, herd_json, options, "chaos-fall17").scenario.dump());
    }
    for (const char* kind : {"crash", "restart", "pause", "resume", "partition", "cut", "heal", "delay", "drop",
                             "reset_after", "heal_all", "workload", "expect_converged", "expect_lost", "expect_recovery"})
        CHECK(kinds_seen.count(kind));
}

TEST_CASE("The mix limits the faults drawn, an unknown kind is refused", "[chaos_schedule]") {
    const auto herd = herd::preset("fall17");
    const auto s = chaos_scenario(*herd, {{"preset", "fall17"}}, {.seed = 3, .faults = 20, .mix = {"crash"}}, "c").scenario;
    std::size_t crashes = 0;
    for (const auto& step : s["steps"]) {
        crashes += step.contains("crash");
        CHECK_FALSE(step.contains("cut"));
        CHECK_FALSE(step.contains("partition"));
        CHECK_FALSE(step.contains("heal_all"));  // crashes leave no link to heal
    }
    CHECK(crashes > 0);
    CHECK(parse_scenario(s.dump(), "c.json").scenario);
    const auto none = chaos_scenario(*herd, {{"preset", "fall17"}}, {.seed = 3, .faults = 0, .mix = {"crash"}}, "c").scenario;
    CHECK(parse_scenario(none.dump(), "c.json").scenario);  // no fault ends: no recovery asked for
    CHECK_THROWS_AS(chaos_scenario(*herd, {{"preset", "fall17"}}, {.mix = {"meteor"}}, "c"), std::invalid_argument);
}

TEST_CASE("A pause is a pause and a resume of one running node, not stalls of its links", "[chaos_schedule]") {
    const auto herd = herd::preset("fall17");
    std::size_t pauses = 0;
    for (std::uint64_t seed = 1; seed <= 50; ++seed) {
        const auto s = chaos_scenario(*herd, {{"preset", "fall17"}}, {.seed = seed, .faults = 10, .mix = {"crash", "pause"}}, "c").scenario;
        for (const auto& step : s["steps"]) {
            pauses += step.contains("pause");
            CHECK_FALSE(step.contains("stall"));
            CHECK_FALSE(step.contains("heal_all"));  // pauses and crashes leave no link to heal
        }
        const auto loaded = parse_scenario(s.dump(), "c.json");  // no node paused twice, or paused while down
        INFO("seed " << seed);
        for (const auto& e : loaded.errors) INFO(e.to_string());
        CHECK(loaded.scenario);
        // Shrinking takes a pause with its resume: every candidate loads.
        const auto events = shrink_events(s);
        for (const auto& event : events)
            if (s["steps"][event.steps.front()].contains("pause")) {
                REQUIRE(event.steps.size() == 2);
                CHECK(s["steps"][event.steps.back()]["resume"] == s["steps"][event.steps.front()]["pause"]);
            }
        std::vector<std::size_t> every_other;
        for (std::size_t i = 0; i < events.size(); i += 2) every_other.push_back(i);
        CHECK(parse_scenario(keep_events(s, events, every_other).dump(), "kept.json").scenario);
    }
    CHECK(pauses > 0);
}

TEST_CASE("Partitions include Jepsen's majorities ring: cuts of the herd's links, healed together", "[chaos_schedule]") {
    const auto herd = herd::preset("fall17");
    std::size_t rings = 0;
    for (std::uint64_t seed = 1; seed <= 50; ++seed) {
        const auto s = chaos_scenario(*herd, {{"preset", "fall17"}}, {.seed = seed, .faults = 10, .mix = {"partition"}}, "c").scenario;
        for (const auto& step : s["steps"]) {
            if (!step.contains("cut")) continue;
            ++rings;
            const std::pair<std::string, std::string> link{step["cut"]["from"], step["cut"]["to"]};
            CHECK(std::find(herd->links.begin(), herd->links.end(), link) != herd->links.end());
            CHECK_FALSE(step["cut"].contains("one_way"));
        }
    }
    CHECK(rings > 0);
}
