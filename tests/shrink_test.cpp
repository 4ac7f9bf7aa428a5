// Shrinking, without running anything: which steps are events (a fault with the step that ends it),
// what a candidate keeps, and delta debugging's result against a failure known in advance.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <set>

#include "scenario/chaos_schedule.hpp"
#include "scenario/loader.hpp"
#include "scenario/shrink.hpp"
#include "scenario/shrink_cuts.hpp"
#include "scenario/shrink_time.hpp"
#include "scenario/shrink_votes.hpp"

using namespace herd::sim;
using Json = nlohmann::ordered_json;

namespace {

Json scenario_of(const char* steps) {
    return Json::parse(std::string(R"({"name": "s", "description": "d", "herd": {"preset": "fall17"}, "steps": )") + steps + "}");
}

std::vector<std::vector<std::size_t>> steps_of(const std::vector<ShrinkEvent>& events) {
    std::vector<std::vector<std::size_t>> out;
    for (const auto& e : events) out.push_back(e.steps);
    return out;
}

std::string errors_of(const LoadResult& loaded) {
    std::string out = loaded.scenario ? "" : "not loaded\n";
    for (const auto& e : loaded.errors) out += e.to_string() + "\n";
    return out;
}

// A failure that needs exactly `needed` (event indices) together.
FirstFailing needs(std::set<std::size_t> needed, int* asked = nullptr) {
    return [needed, asked](const std::vector<std::vector<std::size_t>>& candidates) -> std::optional<std::size_t> {
        if (asked) *asked += static_cast<int>(candidates.size());
        for (std::size_t i = 0; i < candidates.size(); ++i)
            if (std::all_of(needed.begin(), needed.end(), [&](std::size_t n) {
                    return std::find(candidates[i].begin(), candidates[i].end(), n) != candidates[i].end();
                }))
                return i;
        return std::nullopt;
    };
}

bool holds(const std::vector<std::size_t>& kept, std::size_t event) {
    return std::find(kept.begin(), kept.end(), event) != kept.end();
}

// Candidates decided by majority as herdsim shrink decides them, `jobs` runs at once (each wave of
// runs ends before the next starts). `fails(kept, run)`: whether a candidate's run number `run`
// (0, 1, 2 ...) fails the way the original did.
FirstFailing voted(int tries, std::size_t jobs, std::function<bool(const std::vector<std::size_t>&, int)> fails,
                   int* waves = nullptr) {
    return [=](const std::vector<std::vector<std::size_t>>& candidates) {
        std::vector<CandidateRuns> batch(candidates.size());
        for (;;) {
            std::vector<std::size_t> wave;
            while (wave.size() < jobs)
                if (const auto c = next_run(batch, tries)) wave.push_back(*c);
                else break;
            if (wave.empty()) return failing(batch, tries);
            if (waves) ++*waves;
            for (const auto c : wave) {
                batch[c].failed += fails(candidates[c], batch[c].ended);
                ++batch[c].ended;
            }
        }
    };
}

}  // namespace

TEST_CASE("A fault is one event with the step that ends it, and checks, phases and the last heal stay", "[shrink]") {
    const Json s = scenario_of(R"([
        {"at_ms": 0, "phase": "safety"},
        {"at_ms": 0, "workload": {"updates": 10, "rate_per_s": 10}},
        {"at_ms": 10, "crash": "Ball"},
        {"at_ms": 20, "stall": {"from": "Alford", "to": "Hamilton"}},
        {"at_ms": 20, "stall": {"from": "Alford", "to": "Welsh"}},
        {"at_ms": 30, "cut": {"from": "Ball", "to": "Welsh", "one_way": true}},
        {"at_ms": 40, "partition": [["Alford"], ["Ball", "Welsh", "Hamilton", "Holiday"]]},
        {"at_ms": 50, "heal": {"from": "Ball", "to": "Welsh", "one_way": true}},
        {"at_ms": 60, "restart": "Ball"},
        {"at_ms": 70, "unstall": {"from": "Alford", "to": "Welsh"}},
        {"at_ms": 70, "unstall": {"from": "Alford", "to": "Hamilton"}},
        {"at_ms": 80, "heal_all": true},
        {"at_ms": 85, "delay": {"from": "Ball", "to": "Holiday", "delay_ms": 30}},
        {"at_ms": 86, "drop": {"from": "Ball", "to": "Holiday", "command": "AT", "first": 2}},
        {"at_ms": 87, "delay": {"from": "Ball", "to": "Holiday", "delay_ms": 0}},
        {"at_ms": 90, "phase": "liveness"},
        {"heal_all": true},
        {"wait_quiet": {}},
        {"expect_converged": true}
    ])");
    const auto events = shrink_events(s);
    const std::vector<std::vector<std::size_t>> expected = {{1}, {2, 8}, {3, 4, 9, 10}, {5, 7}, {6, 11}, {12, 14}, {13}};
    CHECK(steps_of(events) == expected);
    CHECK(events[1].label == "steps[2].crash Ball + steps[8].restart Ball");
    CHECK(events[0].kind == "client");
    CHECK(events[1].kind == "crash");
    CHECK(events[1].nodes == std::vector<std::string>{"Ball"});
    CHECK(events[2].kind == "pause");
    CHECK(events[2].nodes == std::vector<std::string>{"Alford"});  // the paused node, not its peers
    CHECK(events[3].kind == "one-way");
    CHECK(events[3].nodes == std::vector<std::string>{"Ball", "Welsh"});
    CHECK(events[4].nodes == std::vector<std::string>{"Alford"});  // the side a partition isolates

    const Json kept = keep_events(s, events, {1, 3});
    REQUIRE(kept["steps"].size() == 9);
    CHECK(kept["steps"][1].contains("crash"));
    CHECK(kept["steps"][2].contains("cut"));
    CHECK(kept["steps"][4].contains("restart"));
    CHECK(kept["steps"][8].contains("expect_converged"));
    const auto loaded = parse_scenario(kept.dump(), "kept.json");
    CHECK(errors_of(loaded) == "");
}

TEST_CASE("Every candidate of a chaos schedule loads", "[shrink]") {
    const auto herd = herd::preset("fall17");
    const auto s = chaos_scenario(*herd, {{"preset", "fall17"}}, {.seed = 5, .faults = 50, .duration_ms = 30000}, "c").scenario;
    const auto events = shrink_events(s);
    CHECK(events.size() >= 50);  // the faults, and the workload
    std::vector<std::size_t> every_other;
    for (std::size_t i = 0; i < events.size(); i += 2) every_other.push_back(i);
    for (const auto& kept : {std::vector<std::size_t>{}, every_other}) {
        CHECK(errors_of(parse_scenario(keep_events(s, events, kept).dump(), "kept.json")) == "");
    }
}

TEST_CASE("Delta debugging finds exactly the events a failure needs, and no single one can go", "[shrink]") {
    int asked = 0;
    SECTION("two of fifty") {
        const auto result = delta_debug(50, needs({7, 31}, &asked));
        CHECK(result.kept == std::vector<std::size_t>{7, 31});
    }
    SECTION("one of fifty") { CHECK(delta_debug(50, needs({49})).kept == std::vector<std::size_t>{49}); }
    SECTION("three side by side") { CHECK(delta_debug(20, needs({3, 4, 5})).kept == std::vector<std::size_t>{3, 4, 5}); }
    SECTION("none: the failure needs no event at all") { CHECK(delta_debug(10, needs({})).kept.empty()); }
    SECTION("all: nothing can go") {
        const auto result = delta_debug(6, needs({0, 1, 2, 3, 4, 5}));
        CHECK(result.kept.size() == 6);
        CHECK(result.rounds >= 3);  // halves, then thirds ..., then single events
    }
}

TEST_CASE("A candidate fails when most of its runs fail, and is decided in as few runs as agree", "[shrink]") {
    const auto runs = [](int failed, int passed) { return CandidateRuns{failed + passed, failed + passed, failed}; };
    CHECK(runs(2, 0).fails(3));
    CHECK(runs(0, 2).passes(3));
    CHECK_FALSE(runs(1, 1).decided(3));
    CHECK(runs(1, 2).passes(3));  // one failure in three: the machine's timing, not the failure
    CHECK_FALSE(runs(1, 2).fails(3));
    CHECK(runs(1, 0).fails(1));
    CHECK_FALSE(runs(2, 2).fails(4));
    CHECK(runs(2, 2).passes(4));

    std::vector<CandidateRuns> one(1);
    CHECK(next_run(one, 3) == 0u);
    CHECK(next_run(one, 3) == 0u);  // two runs could decide it
    CHECK(next_run(one, 3) == 0u);  // a spare run, for a slot that would be idle
    CHECK(next_run(one, 3) == std::nullopt);
    one[0].ended = 2;
    one[0].failed = 2;
    CHECK(failing(one, 3) == 0u);
}

TEST_CASE("A candidate that fails one run in three is not kept: shrinking keeps only the true failure", "[shrink]") {
    // As restart_forgets.json against a herd without catch-up on a busy machine: the send and the
    // crash (events 0 and 3) fail every run; the last send (event 6) makes the herd converge late,
    // failing the first run in every three of a candidate that has it.
    const auto fails = [](const std::vector<std::size_t>& kept, int run) {
        return (holds(kept, 0) && holds(kept, 3)) || (holds(kept, 6) && run % 3 == 0);
    };
    for (const std::size_t jobs : {1, 4, 8}) {
        INFO("jobs " << jobs);
        CHECK(delta_debug(7, voted(3, jobs, fails)).kept == std::vector<std::size_t>{0, 3});
    }
}

TEST_CASE("A candidate's idle stretches are cut to the bound, and its workload keeps its rate over the time left", "[shrink]") {
    // A 30 s chaos schedule with one crash left: 12 s of nothing before it, 15.5 s after it.
    const Json s = scenario_of(R"([
        {"at_ms": 0, "phase": "safety"},
        {"at_ms": 0, "workload": {"updates": 600, "rate_per_s": 20, "clients": 10}},
        {"at_ms": 12000, "crash": "Ball"},
        {"at_ms": 14500, "restart": "Ball"},
        {"at_ms": 14800, "delay": {"from": "Ball", "to": "Holiday", "delay_ms": 30}},
        {"at_ms": 30000, "phase": "liveness"},
        {"heal_all": true},
        {"wait_quiet": {}},
        {"expect_converged": true}
    ])");
    const Json cut = cut_idle_time(s, 1000);
    std::vector<Json> times;
    for (const auto& step : cut["steps"]) times.push_back(step.value("at_ms", Json()));
    CHECK(times == std::vector<Json>{0, 0, 1000, 2000, 2300, 3300, nullptr, nullptr, nullptr});
    CHECK(cut["steps"][1]["workload"]["updates"] == 66);  // 20 a second over its 3.3 s
    CHECK(last_at_ms(s) == 30000);
    CHECK(last_at_ms(cut) == 3300);
    CHECK(errors_of(parse_scenario(cut.dump(), "cut.json")) == "");

    CHECK(cut_idle_time(s, 0) == s);  // 0: every step keeps its time
    // A step timed after the one before it keeps the stretch it is in: its own time would move.
    const Json relative = scenario_of(R"([
        {"at_ms": 0, "send": {"node": "Ball", "line": "IAMAT kiwi +34-118 1600000000"}},
        {"after_ms": 5000, "crash": "Ball"},
        {"at_ms": 9000, "restart": "Ball"},
        {"at_ms": 20000, "expect_converged": true}
    ])");
    const Json kept = cut_idle_time(relative, 1000);
    CHECK(kept["steps"][2]["at_ms"] == 9000);
    CHECK(kept["steps"][3]["at_ms"] == 10000);
    // Times that do not rise in step order are left as they are.
    const Json unordered = scenario_of(R"([{"at_ms": 5000, "crash": "Ball"}, {"at_ms": 100, "restart": "Ball"}])");
    CHECK(cut_idle_time(unordered, 1000) == unordered);
}

TEST_CASE("Cuts by kind and node find one crash among fifty faults in fewer waves of runs than halving does", "[shrink]") {
    const auto herd = herd::preset("fall17");
    const ChaosOptions options{.seed = 1, .faults = 50, .duration_ms = 30000, .mix = {"crash", "pause", "delay", "drop"}};
    const auto events = shrink_events(chaos_scenario(*herd, {{"preset", "fall17"}}, options, "c").scenario);
    const auto workload = static_cast<std::size_t>(
        std::find_if(events.begin(), events.end(), [](const ShrinkEvent& e) { return e.kind == "client"; }) - events.begin());
    std::size_t crash = events.size();
    for (std::size_t e = events.size(); e-- > 0;)
        if (events[e].kind == "crash") crash = e;
    REQUIRE(crash < events.size());
    // As against a herd without catch-up: the workload and that crash fail every run.
    const auto fails = [&](const std::vector<std::size_t>& kept, int) { return holds(kept, workload) && holds(kept, crash); };

    int plain_waves = 0, cut_waves = 0;  // each wave of 3 runs at once lasts one run
    const auto plain = delta_debug(events.size(), voted(3, 3, fails, &plain_waves));
    const auto cut = shrink_schedule(events, voted(3, 3, fails, &cut_waves));
    CHECK(cut.kept == std::vector<std::size_t>{std::min(workload, crash), std::max(workload, crash)});
    CHECK(plain.kept == cut.kept);
    INFO("halving: " << plain.rounds << " rounds, " << plain.candidates << " candidates, " << plain_waves
                     << " waves; cuts first: " << cut.rounds << " rounds, " << cut.candidates << " candidates, " << cut_waves << " waves");
    CHECK(cut_waves < plain_waves);
    CHECK(cut.rounds < plain.rounds);

    // A failure that needs no fault at all is found in the first batch: the clients alone.
    const auto none = cut_by_kind_and_node(events, needs({workload}));
    CHECK(none.kept == std::vector<std::size_t>{workload});
    CHECK(none.rounds == 1);  // the clients alone; then nothing is left to cut
}
