// The scenario file format (docs/scenarios.md): every step kind, and precise errors for every
// kind of mistake.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "play/runner.hpp"
#include "scenario/loader.hpp"
#include "scenario/topology.hpp"

using namespace herd::sim;
using herd::HerdConfig;
namespace fs = std::filesystem;

namespace {

const fs::path kScenarios = fs::path(HERDSIM_TEST_DATA_DIR) / "scenarios";

LoadResult parse(std::string_view text) { return parse_scenario(text, kScenarios / "inline.json"); }

// A whole scenario around some steps (a JSON array's inside), on the given herd.
std::string with_steps(const std::string& steps, const std::string& herd = R"({"preset": "fall17"})") {
    return R"({"description": "A test.", "herd": )" + herd + R"(, "steps": [)" + steps + "]}";
}

std::string all_errors(const LoadResult& result) {
    std::string out;
    for (const auto& e : result.errors) out += e.to_string() + "\n";
    return out;
}

// True when some error is about `field` and says `fragment`.
bool has_error(const LoadResult& result, std::string_view field, std::string_view fragment) {
    for (const auto& e : result.errors)
        if (e.field == field && e.message.find(fragment) != std::string::npos) return true;
    return false;
}

#define CHECK_ERROR(result, field, fragment)                                  \
    do {                                                                      \
        INFO(all_errors(result));                                             \
        CHECK_FALSE((result).scenario);                                       \
        CHECK(has_error((result), (field), (fragment)));                     \
    } while (false)

template <class T>
const T& action(const Scenario& s, std::size_t i) {
    REQUIRE(i < s.steps.size());
    REQUIRE(std::holds_alternative<T>(s.steps[i].action));
    return std::get<T>(s.steps[i].action);
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

TEST_CASE("A file with every step kind loads into the right structs", "[scenario]") {
    const auto result = load_scenario(kScenarios / "every_step.json");
    INFO(all_errors(result));
    REQUIRE(result.scenario);
    const Scenario& s = *result.scenario;
    CHECK(result.herd_summary == "preset fall17, 5 nodes");
    CHECK(s.name == "every-step");
    CHECK(s.seed == 42);
    CHECK(s.herd.preset == "fall17");
    CHECK(s.herd.fixed_ports);
    CHECK(s.default_delay == Millis(5));
    CHECK(s.default_jitter == Millis(2));

    SECTION("places") {
        CHECK(s.places.api == herd::PlacesApi::places_new);
        CHECK(s.places.timeout == Millis(1500));
        REQUIRE(s.places.rules.size() == 5);
        const auto& r0 = s.places.rules[0];
        CHECK(r0.api == "legacy");
        CHECK(r0.location == "34.068930,-118.445127");
        CHECK(r0.radius == "10000");
        CHECK(r0.body);
        CHECK(r0.body == R"({"results":[],"status":"ZERO_RESULTS"})");
        CHECK(s.places.rules[1].body == "{not json");
        CHECK(s.places.rules[1].delay == Millis(50));
        CHECK(s.places.rules[1].fail_first == 2);
        CHECK(s.places.rules[2].body == read_file(kScenarios / "files/ucla_body.json"));
        CHECK(s.places.rules[2].malformed);
        CHECK(s.places.rules[3].radius == "2500");
        CHECK(s.places.rules[3].never_answer);
        CHECK_FALSE(s.places.rules[3].body);
        CHECK(s.places.rules[4].status == 503u);
        CHECK(s.places.rules[4].close_without_answer);
    }

    SECTION("timeline") {
        REQUIRE(s.steps.size() == 26);
        CHECK(s.steps[0].at == Millis(0));
        CHECK(s.steps[0].note == "first report");
        CHECK_FALSE(s.steps[1].at);
        CHECK(s.steps[1].after == Millis(10));
        CHECK(s.steps[2].after == Millis(0));
        CHECK(s.steps[16].at == Millis(2000));
        for (std::size_t i = 0; i < s.steps.size(); ++i) CHECK(s.steps[i].index == i);
    }

    SECTION("clients") {
        const auto& first = action<SendStep>(s, 0);
        CHECK(first.node == "Alford");
        CHECK(first.line == "IAMAT kiwi +34.068930-118.445127 1520023934.918963997");
        CHECK(first.connection == "c1");
        CHECK(first.newline);
        CHECK_FALSE(first.half_close);
        CHECK(first.expect_pattern == R"(AT Alford [+-][0-9]+\.[0-9]{9} kiwi .*)");
        CHECK(first.reply_timeout == Millis(3000));
        const auto& second = action<SendStep>(s, 1);
        CHECK_FALSE(second.newline);
        CHECK(second.half_close);
        CHECK(second.expect_reply == "AT x\n{}\n");
        CHECK(second.reply_timeout == Millis(500));
        CHECK(action<SendStep>(s, 2).expect_no_reply);
        CHECK(action<SendStep>(s, 2).connection.empty());
    }

    SECTION("nodes and links") {
        CHECK(action<CrashStep>(s, 3).node == "Hamilton");
        CHECK(action<RestartStep>(s, 4).node == "Hamilton");
        const auto& cut = action<CutStep>(s, 5).link;
        CHECK((cut.from == "Alford" && cut.to == "Hamilton" && !cut.both_ways));
        CHECK(action<HealStep>(s, 6).link.both_ways);
        CHECK(action<PartitionStep>(s, 7).groups ==
              std::vector<std::vector<std::string>>{{"Alford", "Hamilton"}, {"Ball", "Holiday", "Welsh"}});
        action<HealAllStep>(s, 8);
        const auto& delay = action<DelayStep>(s, 9);
        CHECK((delay.link.from == "Ball" && delay.delay == Millis(100) && delay.jitter == Millis(10)));
        const auto& drop = action<DropStep>(s, 10);
        CHECK((drop.link.from.empty() && drop.link.to.empty()));
        CHECK((drop.command == "AT" && drop.client == "kiwi" && drop.first == 2));
        CHECK(action<ResetAfterStep>(s, 11).bytes == 100);
        CHECK(action<StallStep>(s, 12).stalled);
        CHECK_FALSE(action<StallStep>(s, 13).stalled);
        CHECK(action<StallStep>(s, 13).link.from.empty());
    }

    SECTION("places, waits, expectations, workload") {
        REQUIRE(action<PlacesStep>(s, 14).rules.size() == 1);
        CHECK(action<PlacesStep>(s, 14).rules[0].status == 500u);
        CHECK(action<WaitStep>(s, 15).duration == Millis(500));
        CHECK(action<WaitQuietStep>(s, 16).quiet == Millis(300));
        CHECK(action<WaitQuietStep>(s, 16).timeout == Millis(5000));
        const auto& knows = action<ExpectKnowsStep>(s, 17);
        CHECK((knows.node == "Welsh" && knows.client == "kiwi" && knows.knows));
        CHECK(knows.time == "1520023934.918963997");
        CHECK_FALSE(action<ExpectKnowsStep>(s, 18).time);
        CHECK_FALSE(action<ExpectKnowsStep>(s, 19).knows);
        action<ExpectConvergedStep>(s, 20);
        const auto& latency = action<ExpectLatencyStep>(s, 21);
        CHECK((latency.p50 == 50.0 && latency.p99 == 200.0 && latency.max == 500.0 && !latency.p95));
        CHECK(action<ExpectMessagesStep>(s, 22).max_per_update == 12.0);
        CHECK_FALSE(action<ExpectMessagesStep>(s, 22).exact_2e_minus_n_minus_1);
        CHECK(action<ExpectMessagesStep>(s, 23).exact_2e_minus_n_minus_1);
        CHECK(action<ExpectLostStep>(s, 24).max_lost == 1);
        const auto& workload = action<WorkloadStep>(s, 25);
        CHECK((workload.updates == 100 && workload.rate == 50.0 && workload.clients == 20));
        CHECK(workload.nodes == std::vector<std::string>{"Alford", "Ball"});
    }
}

TEST_CASE("Relative config and body_file paths resolve against the scenario's folder", "[scenario]") {
    const auto result = load_scenario(kScenarios / "config_herd.json");
    INFO(all_errors(result));
    REQUIRE(result.scenario);
    CHECK(result.scenario->herd.config_file == kScenarios / "files/herd3.json");
    CHECK(result.herd_summary == "config files/herd3.json, 3 nodes");
    CHECK(result.scenario->name == "config_herd");
    REQUIRE(result.scenario->places.rules.size() == 1);
    CHECK(result.scenario->places.rules[0].body == read_file(kScenarios / "files/ucla_body.json"));

    SECTION("the same text elsewhere does not find the files") {
        const auto moved = parse_scenario(read_file(kScenarios / "config_herd.json"), "/nonexistent/config_herd.json");
        CHECK_ERROR(moved, "herd.config", "cannot open");
        CHECK_ERROR(moved, "places.rules[0].body_file", "/nonexistent/files/ucla_body.json");
    }
    SECTION("links of a config herd are checked") {
        CHECK_ERROR(parse(with_steps(R"({"cut": {"from": "Ann", "to": "Cyd"}})", R"({"config": "files/herd3.json"})")),
                    "steps[0].cut", "no link between Ann and Cyd (Ann talks with Bob)");
    }
}

TEST_CASE("Every error in a file is reported, each with its step and field", "[scenario]") {
    const auto result = load_scenario(kScenarios / "broken_many.json");
    INFO(all_errors(result));
    CHECK_FALSE(result.scenario);
    CHECK(result.errors.size() == 6);
    CHECK(has_error(result, "steps[0].at_m", "unknown key (did you mean \"at_ms\"?)"));
    CHECK(has_error(result, "steps[0].send.node", "unknown node \"Bal\" (expected one of Alford, Ball, Hamilton, Holiday, Welsh)"));
    CHECK(has_error(result, "steps[1].after_ms", "expected a non-negative integer (milliseconds), got \"10\""));
    CHECK(has_error(result, "steps[2].cut", "no link between Alford and Ball"));
    CHECK(has_error(result, "steps[3].send.expect_pattern", "not a valid ECMAScript regex"));
    CHECK(has_error(result, "steps[4].expect_knows.time", "expected a POSIX time"));
    for (const auto& e : result.errors) {
        REQUIRE(e.step);
        CHECK(e.field.rfind("steps[" + std::to_string(*e.step) + "]", 0) == 0);
        CHECK(e.file == (kScenarios / "broken_many.json").string());
    }
    CHECK(result.errors[1].to_string() == (kScenarios / "broken_many.json").string() +
                                              ": steps[0].send.node: unknown node \"Bal\" (expected one of Alford, Ball, "
                                              "Hamilton, Holiday, Welsh)");
}

TEST_CASE("Broken JSON and unreadable files are reported with where", "[scenario]") {
    const auto syntax = parse("{\n  \"description\": \"x\",\n  \"steps\": [}\n");
    REQUIRE(syntax.errors.size() == 1);
    CHECK(syntax.errors[0].field.empty());
    CHECK_THAT(syntax.errors[0].message, Catch::Contains("not valid JSON") && Catch::Contains("line 3, column"));
    const auto missing = load_scenario(kScenarios / "no_such_file.json");
    REQUIRE(missing.errors.size() == 1);
    CHECK_THAT(missing.errors[0].message, Catch::Contains("cannot read"));
    CHECK_ERROR(parse("[1, 2]"), "", "expected a JSON object at the top level");
}

TEST_CASE("Top-level keys: required, typed, no strangers", "[scenario]") {
    CHECK_ERROR(parse(R"({"steps": [{"wait_ms": 1}]})"), "description", "missing; expected a string: one sentence");
    CHECK_ERROR(parse(R"({"description": "", "steps": [{"wait_ms": 1}]})"), "description", "got \"\"");
    CHECK_ERROR(parse(R"({"description": "x"})"), "steps", "missing");
    CHECK_ERROR(parse(R"({"description": "x", "steps": []})"), "steps", "at least one");
    CHECK_ERROR(parse(R"({"description": "x", "seed": -1, "steps": [{"wait_ms": 1}]})"), "seed", "non-negative integer");
    CHECK_ERROR(parse(R"({"description": "x", "step": [], "steps": [{"wait_ms": 1}]})"), "step",
                "unknown key (did you mean \"steps\"?)");
    CHECK_ERROR(parse(R"({"description": "x", "links": {"delay": 5}, "steps": [{"wait_ms": 1}]})"), "links.delay",
                "did you mean \"delay_ms\"?");
    CHECK_ERROR(parse(R"({"description": "x", "links": {"policy": "per-burst"}, "steps": [{"wait_ms": 1}]})"),
                "links.policy", "expected \"persistent\" or \"per_burst\", got \"per-burst\"");
    for (const auto& [text, per_burst] : {std::pair{"persistent", false}, std::pair{"per_burst", true}}) {
        const auto policy = parse(std::string(R"({"description": "x", "links": {"policy": ")") + text +
                                  R"("}, "steps": [{"wait_ms": 1}]})");
        REQUIRE(policy.scenario);
        CHECK(policy.scenario->per_burst_links == per_burst);
    }
    CHECK_ERROR(parse(R"({"description": "x", "places": {"api": "old"}, "steps": [{"wait_ms": 1}]})"), "places.api",
                "expected \"legacy\" or \"new\", got \"old\"");
    CHECK_ERROR(parse(R"({"description": "x", "steps": [{"wait_ms": 1}], "steps": [{"wait_ms": 2}]})"), "steps",
                "duplicate key");

    const auto defaults = parse(R"({"description": "x", "steps": [{"wait_ms": 1}]})");
    REQUIRE(defaults.scenario);
    CHECK(defaults.scenario->name == "inline");
    CHECK(defaults.scenario->herd.preset == "fall17");
    CHECK_FALSE(defaults.scenario->per_burst_links);
    CHECK(defaults.scenario->places.timeout == Millis(2000));
}

TEST_CASE("Herd: one source, known presets, valid topologies", "[scenario]") {
    const std::string wait = R"({"wait_ms": 1})";
    CHECK_ERROR(parse(with_steps(wait, R"({"preset": "fall18"})")), "herd.preset", "unknown preset \"fall18\" (expected one of fall17");
    CHECK_ERROR(parse(with_steps(wait, R"({"preset": "w22", "config": "x.json"})")), "herd", "exactly one of preset, config, topology");
    CHECK_ERROR(parse(with_steps(wait, R"({})")), "herd", "exactly one of");
    CHECK_ERROR(parse(with_steps(wait, R"({"topology": {"kind": "star", "nodes": 5}})")), "herd.topology.kind",
                "expected one of line, ring, grid, tree, random, full, got \"star\"");
    CHECK_ERROR(parse(with_steps(wait, R"({"topology": {"kind": "grid", "rows": 5}})")), "herd.topology.cols", "missing");
    CHECK_ERROR(parse(with_steps(wait, R"({"topology": {"kind": "ring", "nodes": 5, "rows": 2}})")), "herd.topology.rows",
                "unknown key");
    CHECK_ERROR(parse(with_steps(wait, R"({"topology": {"kind": "ring", "nodes": 2}})")), "herd.topology.nodes", "at least 3");
    CHECK_ERROR(parse(with_steps(wait, R"({"topology": {"kind": "random", "nodes": 5, "degree": 3}})")), "herd.topology",
                "nodes x degree must be even");
    CHECK_ERROR(parse(with_steps(wait, R"({"topology": {"kind": "random", "nodes": 4, "degree": 4}})")),
                "herd.topology.degree", "needs more than 4 nodes");
    CHECK_ERROR(parse(with_steps(wait, R"({"topology": {"kind": "line", "nodes": 5000}})")), "herd.topology.nodes",
                "of at most 1000");
    CHECK_ERROR(parse(with_steps(wait, R"({"topology": {"kind": "line", "nodes": 3}, "fixed_ports": true})")),
                "herd.fixed_ports", "no fixed ports");
}

TEST_CASE("Generated herds: names are prefix + index, links follow the shape", "[scenario]") {
    const std::string grid = R"({"topology": {"kind": "grid", "rows": 3, "cols": 4, "name_prefix": "g"}})";
    const auto ok = parse(with_steps(R"({"cut": {"from": "g0", "to": "g4"}}, {"cut": {"from": "g5", "to": "g6"}},
                                        {"crash": "g11"})", grid));
    INFO(all_errors(ok));
    REQUIRE(ok.scenario);
    CHECK(ok.herd_summary == "grid 3x4, 12 nodes");
    CHECK(ok.scenario->herd.topology->name_prefix == "g");
    // g3 ends the first row, g4 starts the second: not neighbours.
    CHECK_ERROR(parse(with_steps(R"({"cut": {"from": "g3", "to": "g4"}})", grid)), "steps[0].cut",
                "no link between g3 and g4 (g3 talks with g2, g7)");
    CHECK_ERROR(parse(with_steps(R"({"crash": "g12"})", grid)), "steps[0].crash", "unknown node \"g12\" (expected g0 to g11)");
    CHECK(parse(with_steps(R"({"cut": {"from": "N0", "to": "N4"}})", R"({"topology": {"kind": "ring", "nodes": 5}})")).scenario);
    CHECK(parse(with_steps(R"({"cut": {"from": "N2", "to": "N6"}})", R"({"topology": {"kind": "tree", "nodes": 7}})")).scenario);
    CHECK_FALSE(parse(with_steps(R"({"cut": {"from": "N3", "to": "N4"}})", R"({"topology": {"kind": "tree", "nodes": 7}})")).scenario);
}

// The herd is derived once, by make_topology: a random graph's links are checked against its draw
// from the topology's seed, and a size only the generator can refuse is an error of the file.
TEST_CASE("A random topology's links are checked against make_topology's draw", "[scenario][topology]") {
    const std::string herd = R"({"topology": {"kind": "random", "nodes": 8, "degree": 3, "seed": 9}})";
    const HerdConfig drawn = make_topology({.kind = "random", .nodes = 8, .degree = 3, .seed = 9});
    const auto linked = [&](const std::string& a, const std::string& b) {
        return std::count(drawn.links.begin(), drawn.links.end(), std::pair(a, b)) +
                   std::count(drawn.links.begin(), drawn.links.end(), std::pair(b, a)) > 0;
    };
    const std::string from = "N0";
    std::vector<std::string> neighbours, strangers;
    for (const auto& server : drawn.servers)
        if (server.name != from) (linked(from, server.name) ? neighbours : strangers).push_back(server.name);
    REQUIRE(neighbours.size() == 3);
    REQUIRE(!strangers.empty());

    const auto cut = [&](const std::string& to) {
        return parse(with_steps(R"({"cut": {"from": "N0", "to": ")" + to + R"("}})", herd));
    };
    for (const auto& to : neighbours) {
        const auto ok = cut(to);
        INFO(to << ": " << all_errors(ok));
        CHECK(ok.scenario);
    }
    std::string talks;
    for (const auto& name : neighbours) talks += (talks.empty() ? "" : ", ") + name;
    for (const auto& to : strangers)
        CHECK_ERROR(cut(to), "steps[0].cut", "no link between N0 and " + to + " (N0 talks with " + talks + ")");

    CHECK_ERROR(parse(with_steps(R"({"wait_ms": 1})", R"({"topology": {"kind": "random", "nodes": 4, "degree": 1}})")),
                "herd.topology", "topology \"random\": a connected graph of degree 1 has exactly 2 nodes, got 4");
}

TEST_CASE("The loaded scenario holds the herd the checks used, and the run plays that herd", "[scenario][topology]") {
    const std::string herd = R"({"topology": {"kind": "random", "nodes": 8, "degree": 3, "seed": 9}})";
    const auto loaded = parse(with_steps(R"({"wait_ms": 1})", herd));
    INFO(all_errors(loaded));
    REQUIRE(loaded.scenario);
    const HerdConfig drawn = make_topology({.kind = "random", .nodes = 8, .degree = 3, .seed = 9});
    const HerdConfig& derived = loaded.scenario->herd.derived;
    CHECK(derived.links == drawn.links);
    REQUIRE(derived.servers.size() == drawn.servers.size());
    for (std::size_t i = 0; i < drawn.servers.size(); ++i) CHECK(derived.servers[i].name == drawn.servers[i].name);

    const auto preset_herd = parse(with_steps(R"({"wait_ms": 1})", R"({"preset": "w22"})"));
    REQUIRE(preset_herd.scenario);
    CHECK(preset_herd.scenario->herd.derived.links == herd::preset("w22")->links);
}

// The runner does not derive the herd again: a topology edited after loading (N7 would not exist)
// changes nothing, the run plays the loaded herd.
TEST_CASE("A run plays the herd the loader derived, not the topology again", "[scenario][topology]") {
    auto loaded = parse(with_steps(R"({"send": {"node": "N7", "line": "WHAT", "expect": "? WHAT"}})",
                                   R"({"topology": {"kind": "random", "nodes": 8, "degree": 3, "seed": 9}})"));
    INFO(all_errors(loaded));
    REQUIRE(loaded.scenario);
    Scenario scenario = *loaded.scenario;
    scenario.herd.topology->nodes = 4;
    scenario.herd.topology->name_prefix = "X";
    RunOptions options;
    options.out_dir = fs::temp_directory_path() / ("herdsim-loader-test-" + std::to_string(::getpid()));
    const RunOutcome outcome = run_scenario(scenario, options);
    fs::remove_all(options.out_dir);
    INFO(outcome.error);
    CHECK(outcome.exit_code == 0);
    REQUIRE(outcome.run.verdicts.size() == 1);
    CHECK(outcome.run.verdicts[0].passed());
}

TEST_CASE("Steps: exactly one action, a consistent timeline", "[scenario]") {
    CHECK_ERROR(parse(with_steps(R"({"at_ms": 5})")), "steps[0]", "no action; expected one of: send, crash");
    CHECK_ERROR(parse(with_steps(R"({"crash": "Ball", "restart": "Ball"})")), "steps[0]",
                "more than one action (\"crash\", \"restart\")");
    CHECK_ERROR(parse(with_steps(R"({"sned": {}})")), "steps[0].sned", "did you mean \"send\"?");
    CHECK_ERROR(parse(with_steps(R"({"at_ms": 5, "after_ms": 5, "wait_ms": 1})")), "steps[0]", "at_ms or after_ms, not both");
    CHECK_ERROR(parse(with_steps(R"({"at_ms": 500, "wait_ms": 1}, {"wait_ms": 1}, {"at_ms": 100, "wait_ms": 1})")),
                "steps[2].at_ms", "100 is before steps[0].at_ms (500)");
    CHECK_ERROR(parse(with_steps(R"({"after_ms": -1, "wait_ms": 1})")), "steps[0].after_ms", "got -1");
    CHECK_ERROR(parse(with_steps(R"({"after_ms": 1.5, "wait_ms": 1})")), "steps[0].after_ms", "got 1.5");
    CHECK_ERROR(parse(with_steps(R"({"wait_ms": 100000000000})")), "steps[0].wait_ms", "of at most 86400000");
    CHECK_ERROR(parse(with_steps(R"(5)")), "steps[0]", "expected an object with one action");
    CHECK_ERROR(parse(with_steps(R"({"wait_ms": 1, "wait_ms": 2})")), "steps[0].wait_ms", "duplicate key");
}

TEST_CASE("Send: fields, expectations, named connections", "[scenario]") {
    CHECK_ERROR(parse(with_steps(R"({"send": {"node": "Alford"}})")), "steps[0].send.line", "missing; expected a string");
    CHECK_ERROR(parse(with_steps(R"({"send": {"node": "Alford", "line": "x", "newline": "no"}})")), "steps[0].send.newline",
                "expected true or false, got \"no\"");
    CHECK_ERROR(parse(with_steps(R"({"send": {"node": "Alford", "line": "x", "expect": "a", "expect_no_reply": true}})")),
                "steps[0].send", "at most one of expect, expect_pattern, expect_no_reply");
    CHECK_ERROR(parse(with_steps(R"({"send": {"node": "Alford", "line": "x", "reply_timeout_ms": 0}})")),
                "steps[0].send.reply_timeout_ms", "positive integer");
    CHECK_ERROR(parse(with_steps(R"({"send": {"node": "Alford", "line": "x", "connection": "c"}},
                                   {"send": {"node": "Ball", "line": "x", "connection": "c"}})")),
                "steps[1].send.connection", "\"c\" is a connection to Alford (opened at steps[0])");
    CHECK_ERROR(parse(with_steps(R"({"send": {"node": "Alford", "line": "x", "connection": "c", "half_close": true}},
                                   {"send": {"node": "Alford", "line": "y", "connection": "c"}})")),
                "steps[1].send.connection", "was half-closed at steps[0]");
}

TEST_CASE("Crash and restart follow each other", "[scenario]") {
    CHECK_ERROR(parse(with_steps(R"({"crash": "Ball"}, {"crash": "Ball"})")), "steps[1].crash",
                "Ball is already down (crashed at steps[0])");
    CHECK_ERROR(parse(with_steps(R"({"restart": "Ball"})")), "steps[0].restart", "Ball is not down");
    CHECK_ERROR(parse(with_steps(R"({"crash": ["Ball"]})")), "steps[0].crash", "expected a node name, got [\"Ball\"]");
    CHECK(parse(with_steps(R"({"crash": "Ball"}, {"restart": "Ball"}, {"crash": "Ball"})")).scenario);
}

TEST_CASE("Pause and resume follow each other, and only a running node pauses", "[scenario]") {
    CHECK_ERROR(parse(with_steps(R"({"pause": "Ball"}, {"pause": "Ball"})")), "steps[1].pause",
                "Ball is already paused (at steps[0])");
    CHECK_ERROR(parse(with_steps(R"({"resume": "Ball"})")), "steps[0].resume",
                "Ball is not paused (a resume follows a pause of the same node)");
    CHECK_ERROR(parse(with_steps(R"({"crash": "Ball"}, {"pause": "Ball"})")), "steps[1].pause",
                "Ball is down (crashed at steps[0]); only a running node can be paused");
    CHECK_ERROR(parse(with_steps(R"({"pause": "Ball"}, {"crash": "Ball"})")), "steps[1].crash",
                "Ball is paused (at steps[0]); resume it before it crashes");
    CHECK_ERROR(parse(with_steps(R"({"pause": "Nobody"})")), "steps[0].pause", "Nobody");
    CHECK_ERROR(parse(with_steps(R"({"pause": {"node": "Ball"}})")), "steps[0].pause", "expected a node name");
    const auto loaded = parse(with_steps(R"({"pause": "Ball"}, {"resume": "Ball"}, {"pause": "Ball"}, {"resume": "Ball"},
                                           {"expect_recovery": {"max_ms": 1000, "fault": "steps[2]"}})"));
    INFO(all_errors(loaded));
    REQUIRE(loaded.scenario);
    CHECK(action<PauseStep>(*loaded.scenario, 0).node == "Ball");
    CHECK(action<PauseStep>(*loaded.scenario, 0).paused);
    CHECK_FALSE(action<PauseStep>(*loaded.scenario, 1).paused);
}

TEST_CASE("Link faults name an existing link, or every link", "[scenario]") {
    CHECK_ERROR(parse(with_steps(R"({"cut": {"from": "Alford"}})")), "steps[0].cut.to", "give both from and to, or neither");
    CHECK_ERROR(parse(with_steps(R"({"cut": {"one_way": true}})")), "steps[0].cut.one_way", "needs from and to");
    CHECK_ERROR(parse(with_steps(R"({"stall": {"from": "Ball", "to": "Ball"}})")), "steps[0].stall", "the same node");
    CHECK_ERROR(parse(with_steps(R"({"delay": {"from": "Alford", "to": "Welsh"}})")), "steps[0].delay.delay_ms", "missing");
    CHECK_ERROR(parse(with_steps(R"({"delay": {"from": "Alford", "to": "Welsh", "ms": 5}})")), "steps[0].delay.ms",
                "unknown key");
    CHECK_ERROR(parse(with_steps(R"({"delay": {"delay_ms": 5, "distribution": "pareto"}})")), "steps[0].delay.distribution",
                "expected \"uniform\" or \"exponential\", got \"pareto\"");
    CHECK_ERROR(parse(with_steps(R"({"delay": {"delay_ms": 5, "jitter_ms": 2, "distribution": "exponential"}})")),
                "steps[0].delay.jitter_ms", "an exponential delay takes no jitter_ms");
    CHECK_ERROR(parse(R"({"description": "d", "herd": {"preset": "fall17"}, "links": {"delay_ms": 5, "jitter_ms": 1,
                         "distribution": "exponential"}, "steps": [{"wait_ms": 1}]})"),
                "links.jitter_ms", "an exponential delay takes no jitter_ms");
    CHECK_ERROR(parse(with_steps(R"({"drop": {"command": "A T"}})")), "steps[0].drop.command", "without whitespace");
    CHECK_ERROR(parse(with_steps(R"({"drop": {"first": -1}})")), "steps[0].drop.first", "leave it out to drop every match");
    CHECK_ERROR(parse(with_steps(R"({"reset_after": {}})")), "steps[0].reset_after.bytes", "missing");
    CHECK_ERROR(parse(with_steps(R"({"partition": [["Alford", "Ball"], ["Ball"]]})")), "steps[0].partition[1]",
                "Ball is already in steps[0].partition[0]");
    CHECK_ERROR(parse(with_steps(R"({"partition": [["Alford"]]})")), "steps[0].partition", "at least two groups");
    CHECK_ERROR(parse(with_steps(R"({"partition": [["Alford"], ["Zed"]]})")), "steps[0].partition[1][0]", "unknown node \"Zed\"");
    CHECK_ERROR(parse(with_steps(R"({"heal_all": false})")), "steps[0].heal_all", "expected true, got false");
    const auto every = parse(with_steps(R"({"cut": {}}, {"heal": {}})"));
    REQUIRE(every.scenario);
    CHECK(action<CutStep>(*every.scenario, 0).link.from.empty());
}

TEST_CASE("Places rules: one body, sane options", "[scenario]") {
    const auto rules = [](const std::string& rule) { return parse(with_steps(R"({"places": [)" + rule + "]}")); };
    CHECK_ERROR(rules(R"({"body": {}, "body_text": "x"})"), "steps[0].places[0]", "at most one of body, body_text, body_file");
    CHECK_ERROR(rules(R"({"body_file": "files/none.json"})"), "steps[0].places[0].body_file",
                "paths are relative to the scenario's folder");
    CHECK_ERROR(rules(R"({"status": 99})"), "steps[0].places[0].status", "HTTP status code from 100 to 599");
    CHECK_ERROR(rules(R"({"never_answer": true, "close_without_answer": true})"), "steps[0].places[0]", "contradict");
    CHECK_ERROR(rules(R"({"match": {"location": "34.06 -118.4"}})"), "steps[0].places[0].match.location", "\"lat,lng\"");
    CHECK_ERROR(rules(R"({"match": {"radius": "10km"}})"), "steps[0].places[0].match.radius", "metres");
    CHECK_ERROR(rules(R"({"match": {"api": "v2"}})"), "steps[0].places[0].match.api", "got \"v2\"");
    CHECK_ERROR(rules(R"({"mach": {}})"), "steps[0].places[0].mach", "did you mean \"match\"?");
    const auto ok = rules(R"({"body_text": ""}, {"body": "text"})");
    REQUIRE(ok.scenario);
    const auto& places = action<PlacesStep>(*ok.scenario, 0);
    CHECK((places.rules[0].body && places.rules[0].body->empty()));
    CHECK(places.rules[1].body == "\"text\"");
}

TEST_CASE("Expectations and workloads are checked", "[scenario]") {
    CHECK_ERROR(parse(with_steps(R"({"expect_knows": {"node": "Ball"}})")), "steps[0].expect_knows.client", "missing");
    CHECK_ERROR(parse(with_steps(R"({"expect_knows": {"node": "Ball", "client": "k", "time": "1e9"}})")),
                "steps[0].expect_knows.time", "got \"1e9\"");
    CHECK_ERROR(parse(with_steps(R"({"expect_unknown": {"node": "Ball", "client": "k", "time": "1"}})")),
                "steps[0].expect_unknown.time", "unknown key");
    CHECK_ERROR(parse(with_steps(R"({"expect_latency": {}})")), "steps[0].expect_latency", "at least one of p50_ms");
    CHECK_ERROR(parse(with_steps(R"({"expect_messages": {}})")), "steps[0].expect_messages", "exactly one of");
    CHECK_ERROR(parse(with_steps(R"({"expect_messages": {"exact": "2E"}})")), "steps[0].expect_messages.exact", "got \"2E\"");
    CHECK_ERROR(parse(with_steps(R"({"expect_converged": 1})")), "steps[0].expect_converged", "expected true");
    CHECK_ERROR(parse(with_steps(R"({"wait_quiet": {"quiet_ms": 500, "timeout_ms": 100}})")), "steps[0].wait_quiet",
                "could never succeed");
    CHECK_ERROR(parse(with_steps(R"({"workload": {"updates": 0, "rate_per_s": 0}})")), "steps[0].workload.updates",
                "positive integer");
    CHECK_ERROR(parse(with_steps(R"({"workload": {"updates": 5, "rate_per_s": 0}})")), "steps[0].workload.rate_per_s",
                "greater than 0");
    CHECK_ERROR(parse(with_steps(R"({"workload": {"updates": 5, "rate_per_s": 1, "nodes": ["Alford", "X"]}})")),
                "steps[0].workload.nodes[1]", "unknown node \"X\"");
    const auto defaults = parse(with_steps(R"({"wait_quiet": {}}, {"expect_lost": {}}, {"workload": {"updates": 3, "rate_per_s": 0.5}})"));
    REQUIRE(defaults.scenario);
    CHECK(action<WaitQuietStep>(*defaults.scenario, 0).quiet == Millis(200));
    CHECK(action<WaitQuietStep>(*defaults.scenario, 0).timeout == Millis(10000));
    CHECK(action<ExpectLostStep>(*defaults.scenario, 1).max_lost == 0);
    CHECK(action<WorkloadStep>(*defaults.scenario, 2).clients == 1);
}

TEST_CASE("The examples in docs/scenarios.md are valid scenarios", "[scenario][docs]") {
    const std::string doc = read_file(fs::path(HERDSIM_TEST_DATA_DIR) / "../../docs/scenarios.md");
    REQUIRE_FALSE(doc.empty());
    // Complete examples are the ```json blocks that have a description.
    const std::regex block("```json\n([^`]*)```");
    int examples = 0;
    for (std::sregex_iterator it(doc.begin(), doc.end(), block), end; it != end; ++it) {
        const std::string text = (*it)[1];
        if (text.find("\"description\"") == std::string::npos) continue;
        ++examples;
        const auto result = parse(text);
        INFO(text);
        INFO(all_errors(result));
        CHECK(result.scenario);
    }
    CHECK(examples >= 3);
}

TEST_CASE("send: wait_reply is a boolean, true unless given", "[scenario][send]") {
    const auto loaded = parse(with_steps(R"({"send": {"node": "Alford", "line": "HELLO"}},
        {"send": {"node": "Alford", "line": "HELLO", "wait_reply": false, "expect": "? HELLO"}})"));
    INFO(all_errors(loaded));
    REQUIRE(loaded.scenario);
    CHECK(action<SendStep>(*loaded.scenario, 0).wait_reply);
    CHECK_FALSE(action<SendStep>(*loaded.scenario, 1).wait_reply);
    const auto wrong = parse(with_steps(R"({"send": {"node": "Alford", "line": "HELLO", "wait_reply": "no"}})"));
    CHECK_ERROR(wrong, "steps[0].send.wait_reply", "expected true or false");
}

// Files that used to overflow the stack (exit 139) or escape as an exception with no position:
// each now gets one precise error, and the bounds are those docs/scenarios.md states.
TEST_CASE("Hostile files get a precise error instead of a crash", "[scenario][limits]") {
    const auto nested = [](std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); };
    const auto one_error = [](const LoadResult& result, std::string_view field, std::string_view message) {
        INFO(all_errors(result));
        CHECK_FALSE(result.scenario);
        REQUIRE(result.errors.size() == 1);
        CHECK(result.errors[0].field == field);
        CHECK_THAT(result.errors[0].message, Catch::Contains(std::string(message)));
    };
    SECTION("JSON nested past 64 levels, wherever it is") {
        for (std::size_t depth : {50'000, 1'000'000}) {
            INFO(depth);
            // The 65th level is the 63rd bracket of the steps array's inside.
            const std::string column = std::to_string(with_steps("").size() - 2 + 63);
            one_error(parse(with_steps(nested(depth))), "", "line 1, column " + column + ": nested deeper than 64 levels");
            one_error(parse(with_steps(R"({"places": [{"body": )" + nested(depth) + "}]}")), "",
                      "nested deeper than 64 levels of arrays and objects");
        }
        // 64 levels in all load: the top object, "steps", the step, "places", the rule, and 59 in "body".
        CHECK(parse(with_steps(R"({"places": [{"body": )" + nested(59) + "}]}")).scenario);
        CHECK_FALSE(parse(with_steps(R"({"places": [{"body": )" + nested(60) + "}]}")).scenario);
    }
    SECTION("numbers beyond a double, with their line and column") {
        one_error(parse("{\"description\": \"x\",\n \"steps\": [{\"wait_ms\": 1e400}]}"), "",
                  "line 2, column 24: number 1e400 is out of range");
        one_error(parse(with_steps(R"({"places": [{"body": [-)" + std::string(400, '9') + "]}]}")), "",
                  "is out of range (a number must fit a double");
        CHECK(parse(with_steps(R"({"places": [{"body": [1e308, 1e-400]}]})")).scenario);
    }
    SECTION("regexes: at most 1024 bytes, groups nested at most 32 deep, counts at most 1000") {
        const auto pattern = [](const std::string& p) {
            return parse(with_steps(R"({"send": {"node": "Alford", "line": "x", "expect_pattern": )" + nlohmann::json(p).dump() + "}}"));
        };
        one_error(pattern(std::string(16'000, '(') + "a" + std::string(16'000, ')')), "steps[0].send.expect_pattern",
                  "a pattern is at most 1024 bytes, got 32001");
        one_error(pattern(std::string(100'000, 'a')), "steps[0].send.expect_pattern", "at most 1024 bytes, got 100000");
        one_error(pattern(std::string(33, '(') + "a" + std::string(33, ')')), "steps[0].send.expect_pattern",
                  "groups nested 33 deep; at most 32");
        CHECK(pattern(std::string(32, '(') + "a" + std::string(32, ')')).scenario);
        std::string escaped;  // 300 literal parentheses and 300 in a class: no group at all
        for (int i = 0; i < 300; ++i) escaped += "\\(";
        CHECK(pattern(escaped + "[" + std::string(300, '(') + "]").scenario);
        CHECK(pattern(std::string(1024, 'a')).scenario);
        CHECK_FALSE(pattern(std::string(1025, 'a')).scenario);
        // Repetition counts: libstdc++ reads them into a long that overflows (UB, found by the fuzzer).
        for (const char* p : {"a{33333333333333333330}", "a{1001}", "a{2,1001}", "a{1001,}", "(ab){99999999999999999999999}"})
            one_error(pattern(p), "steps[0].send.expect_pattern", "a repetition count ({n}, {n,m}) is at most 1000");
        CHECK(pattern("a{1000}").scenario);
        for (const char* p : {"(a)\\1", "x\\33333333333333333333333333", "[\\1]"})
            one_error(pattern(p), "steps[0].send.expect_pattern", "back-references (\\1 ...) are not supported");
        CHECK(pattern("\\\\1").scenario);  // an escaped backslash, then the digit 1
        CHECK(pattern("[0-9]{2,9}").scenario);
        CHECK(pattern("[{99999999999}]\\{99999999999}").scenario);  // in a class, or escaped: literal text
    }
    SECTION("match.location and a radius as text: at most 64 bytes, before std::regex reads them") {
        const auto match = [](const std::string& m) { return parse(with_steps(R"({"places": [{"match": )" + m + "}]}")); };
        for (std::size_t n : {26'000, 1'000'000})
            one_error(match(R"({"location": ")" + std::string(n, '1') + "\"}"), "steps[0].places[0].match.location",
                      "(at most 64 bytes), got " + std::to_string(n) + " bytes");
        one_error(match(R"({"radius": ")" + std::string(1'000'000, '1') + "\"}"), "steps[0].places[0].match.radius",
                  "text of at most 64 bytes");
        CHECK(match(R"({"location": ")" + std::string(31, '1') + "." + std::string(30, '1') + ",1\"}").scenario);
    }
    SECTION("strings, names and words") {
        one_error(parse(with_steps(R"({"send": {"node": "Alford", "line": ")" + std::string((1 << 20) + 1, 'x') + "\"}}")),
                  "steps[0].send.line", "longer than 1048576 bytes");
        CHECK(parse(with_steps(R"({"send": {"node": "Alford", "line": ")" + std::string(1 << 20, 'x') + "\"}}")).scenario);
        one_error(parse(R"({"description": "x", "name": ")" + std::string(129, 'n') + R"(", "steps": [{"wait_ms": 1}]})"),
                  "name", "(at most 128 bytes), got 129 bytes");
        CHECK(parse(R"({"description": "x", "name": ")" + std::string(128, 'n') + R"(", "steps": [{"wait_ms": 1}]})").scenario);
        one_error(parse(with_steps(R"({"expect_unknown": {"node": "Ball", "client": ")" + std::string(65, 'k') + "\"}}")),
                  "steps[0].expect_unknown.client", "(at most 64 bytes), got 65 bytes");
        one_error(parse(with_steps(R"({"send": {"node": "Ball", "line": "x", "connection": ")" + std::string(65, 'c') + "\"}}")),
                  "steps[0].send.connection", "at most 64 bytes, got 65 bytes");
        one_error(parse(with_steps(R"({"wait_ms": 1})", R"({"topology": {"kind": "line", "nodes": 3, "name_prefix": ")" +
                                                           std::string(33, 'p') + "\"}}")),
                  "herd.topology.name_prefix", "(at most 32 bytes), got 33 bytes");
    }
    SECTION("a workload's rate: 0.001 to 1000000 per second") {
        const auto rate = [](const std::string& r) {
            return parse(with_steps(R"({"workload": {"updates": 1, "rate_per_s": )" + r + "}}"));
        };
        one_error(rate("1e-300"), "steps[0].workload.rate_per_s", "from 0.001 to 1000000");
        one_error(rate("1000001"), "steps[0].workload.rate_per_s", "from 0.001 to 1000000");
        CHECK(rate("0.001").scenario);
        CHECK(rate("1000000").scenario);
    }
}

TEST_CASE("A device or a folder is refused without being read", "[scenario][limits]") {
    for (const char* path : {"/dev/zero", "/dev/null"}) {
        const auto result = load_scenario(path);
        REQUIRE(result.errors.size() == 1);
        CHECK(result.errors[0].to_string() == std::string(path) + ": not a regular file");
    }
    CHECK(load_scenario(kScenarios).errors.at(0).message == "not a regular file");
    const fs::path fifo = fs::temp_directory_path() / ("herdsim-fifo-" + std::to_string(::getpid()) + ".json");
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    const auto from_fifo = load_scenario(fifo);  // nobody writes it: reading would block for ever
    fs::remove(fifo);
    REQUIRE(from_fifo.errors.size() == 1);
    CHECK(from_fifo.errors[0].message == "not a regular file");
    CHECK_ERROR(parse(with_steps(R"({"wait_ms": 1})", R"({"config": "/dev/zero"})")), "herd.config", "not a regular file");
}

TEST_CASE("Places limits: off unless the scenario sets them, each bounded as in a herd config", "[scenario][places]") {
    const auto with_places = [](const std::string& places) {
        return parse(R"({"description": "A test.", "places": )" + places + R"(, "steps": [{"wait_ms": 1}]})");
    };
    const auto plain = with_places("{}");
    REQUIRE(plain.scenario);
    const auto& off = plain.scenario->places.limits;
    CHECK(off.rate_per_second == 0);
    CHECK(off.max_in_flight == 0);
    CHECK_FALSE(off.caching());
    CHECK(off.burst == herd::serve_places_limits.burst);
    CHECK(off.cache_entries == herd::serve_places_limits.cache_entries);
    CHECK(off.cache_bytes == herd::serve_places_limits.cache_bytes);

    const auto set = with_places(R"({"rate_per_second": 5, "burst": 7, "max_in_flight": 3, "cache_ttl_ms": 60000,
                                     "cache_entries": 9, "cache_bytes": 4096})");
    REQUIRE(set.scenario);
    const auto& on = set.scenario->places.limits;
    CHECK(on.rate_per_second == 5);
    CHECK(on.burst == 7);
    CHECK(on.max_in_flight == 3);
    CHECK(on.cache_ttl == std::chrono::milliseconds(60000));
    CHECK(on.cache_entries == 9);
    CHECK(on.cache_bytes == 4096);
    CHECK(on.caching());

    CHECK_ERROR(with_places(R"({"rate_per_second": -1})"), "places.rate_per_second",
                "expected an integer from 0 to 1000000 (0: no rate limit), got -1");
    CHECK_ERROR(with_places(R"({"burst": 0})"), "places.burst", "expected an integer from 1 to 1000000, got 0");
    CHECK_ERROR(with_places(R"({"max_in_flight": 1000001})"), "places.max_in_flight", "of at most 1000000, got 1000001");
    CHECK_ERROR(with_places(R"({"cache_ttl_ms": "60s"})"), "places.cache_ttl_ms", "(milliseconds, 0: no cache), got \"60s\"");
    CHECK_ERROR(with_places(R"({"cache_entries": 1.5})"), "places.cache_entries", "got 1.5");
    CHECK_ERROR(with_places(R"({"cache_bytes": 1073741825})"), "places.cache_bytes", "of at most 1073741824");
    CHECK_ERROR(with_places(R"({"cache_ttl": 1})"), "places.cache_ttl", "did you mean \"cache_ttl_ms\"?");
}

TEST_CASE("Phases: named once, and gates name only a phase begun before them", "[scenario][phases]") {
    const auto ok = parse(with_steps(R"({"phase": "all-up"}, {"expect_latency": {"phase": "all-up", "p50_ms": 0.25, "p95_ms": 1.5}},
        {"expect_lost": {"phase": "all-up"}}, {"expect_messages": {"phase": "all-up", "max_per_update": 6}})"));
    INFO(all_errors(ok));
    REQUIRE(ok.scenario);
    CHECK(action<PhaseStep>(*ok.scenario, 0).name == "all-up");
    const auto& latency = action<ExpectLatencyStep>(*ok.scenario, 1);
    CHECK((latency.p50 == 0.25 && latency.p95 == 1.5 && !latency.p99 && !latency.max && latency.phase == "all-up"));
    CHECK(action<ExpectLostStep>(*ok.scenario, 2).phase == "all-up");
    CHECK(action<ExpectMessagesStep>(*ok.scenario, 3).phase == "all-up");

    CHECK_ERROR(parse(with_steps(R"({"phase": "a"}, {"phase": "b"}, {"expect_lost": {"phase": "holdiay-dead"}})")),
                "steps[2].expect_lost.phase", "unknown phase \"holdiay-dead\" (phases begun before this step: a, b)");
    CHECK_ERROR(parse(with_steps(R"({"expect_latency": {"phase": "later", "max_ms": 1}}, {"phase": "later"})")),
                "steps[0].expect_latency.phase", "unknown phase \"later\" (no phase step comes before this one)");
    CHECK_ERROR(parse(with_steps(R"({"phase": "x"}, {"phase": "x"})")), "steps[1].phase",
                "phase \"x\" already begins at steps[0]");
    CHECK_ERROR(parse(with_steps(R"({"phase": "a b"})")), "steps[0].phase", "expected a phase name");
    CHECK_ERROR(parse(with_steps(R"({"phase": "run:x"})")), "steps[0].phase", "expected a phase name");
    CHECK_ERROR(parse(with_steps(R"({"phase": ""})")), "steps[0].phase", "expected a phase name");
    CHECK_ERROR(parse(with_steps(R"({"expect_latency": {"p95_ms": -0.5}})")), "steps[0].expect_latency.p95_ms",
                "fractions allowed");
    CHECK_ERROR(parse(with_steps(R"({"expect_latency": {"p99_ms": "1"}})")), "steps[0].expect_latency.p99_ms",
                "fractions allowed");
}

TEST_CASE("expect_recovery: a bound, and a fault that begins before it", "[scenario][recovery]") {
    const auto ok = parse(with_steps(R"({"crash": "Ball"}, {"restart": "Ball"}, {"expect_recovery": {"max_ms": 0.5}},
        {"expect_recovery": {"max_ms": 100, "fault": "steps[0]"}})"));
    INFO(all_errors(ok));
    REQUIRE(ok.scenario);
    CHECK(action<ExpectRecoveryStep>(*ok.scenario, 2).max_ms == 0.5);
    CHECK_FALSE(action<ExpectRecoveryStep>(*ok.scenario, 2).fault);
    CHECK(action<ExpectRecoveryStep>(*ok.scenario, 3).fault == std::size_t{0});

    CHECK_ERROR(parse(with_steps(R"({"crash": "Ball"}, {"restart": "Ball"}, {"expect_recovery": {}})")),
                "steps[2].expect_recovery.max_ms", "missing");
    CHECK_ERROR(parse(with_steps(R"({"crash": "Ball"}, {"expect_recovery": {"max_ms": 1}})")), "steps[1].expect_recovery",
                "no earlier step ends a fault");
    CHECK_ERROR(parse(with_steps(R"({"crash": "Ball"}, {"restart": "Ball"}, {"expect_recovery": {"max_ms": 1, "fault": "steps[1]"}})")),
                "steps[2].expect_recovery.fault", "\"steps[1]\" is not an earlier step that begins a fault");
    CHECK_ERROR(parse(with_steps(R"({"crash": "Ball"}, {"restart": "Ball"}, {"expect_recovery": {"max_ms": 1, "fault": "step 0"}})")),
                "steps[2].expect_recovery.fault", "expected \"steps[N]\"");
    CHECK_ERROR(parse(with_steps(R"({"expect_recovery": {"max_ms": 1, "fault": "steps[5]"}}, {"crash": "Ball"})")),
                "steps[0].expect_recovery.fault", "not an earlier step");

    const auto each = parse(with_steps(R"({"crash": "Ball"}, {"restart": "Ball"}, {"expect_recovery": {"max_ms": 1000, "each": true}})"));
    INFO(all_errors(each));
    REQUIRE(each.scenario);
    CHECK(action<ExpectRecoveryStep>(*each.scenario, 2).each);
    CHECK_FALSE(action<ExpectRecoveryStep>(*ok.scenario, 2).each);
    CHECK_ERROR(parse(with_steps(R"({"crash": "Ball"}, {"restart": "Ball"}, {"expect_recovery": {"max_ms": 1, "each": true, "fault": "steps[0]"}})")),
                "steps[2].expect_recovery.each", "takes no \"fault\"");
}

TEST_CASE("expect_lost required: at_birth unless it says now, now takes no phase", "[scenario][catch-up]") {
    const auto ok = parse(with_steps(R"({"expect_lost": {"max": 0, "required": "now"}}, {"expect_lost": {}},
        {"expect_lost": {"required": "at_birth"}})"));
    INFO(all_errors(ok));
    REQUIRE(ok.scenario);
    CHECK(action<ExpectLostStep>(*ok.scenario, 0).required == LostRequired::now);
    CHECK(action<ExpectLostStep>(*ok.scenario, 1).required == LostRequired::at_birth);
    CHECK(action<ExpectLostStep>(*ok.scenario, 2).required == LostRequired::at_birth);
    CHECK_ERROR(parse(with_steps(R"({"expect_lost": {"required": "later"}})")), "steps[0].expect_lost.required",
                "expected \"at_birth\" or \"now\", got \"later\"");
    CHECK_ERROR(parse(with_steps(R"({"phase": "p"}, {"expect_lost": {"required": "now", "phase": "p"}})")),
                "steps[1].expect_lost.required", "it takes no phase");
}

TEST_CASE("A scenario's name becomes a folder name: '/', '..' and control characters are refused", "[scenario][hostile]") {
    for (const char* name : {"../escape", "a/b", "..", "tab\\there", "bell\\u0007"}) {
        INFO(name);
        CHECK_ERROR(parse(R"({"name": ")" + std::string(name) + R"(", "description": "x", "steps": [{"wait_ms": 1}]})"),
                    "name", "is used as a folder name: it must not contain '/', '\\', '..' or control characters");
    }
    const auto dotted = parse(R"({"name": "v1.2-check", "description": "x", "steps": [{"wait_ms": 1}]})");
    REQUIRE(dotted.scenario);
    CHECK(dotted.scenario->name == "v1.2-check");
}

TEST_CASE("Groups name sets of nodes: ranges, lists, earlier groups, usable in partitions and workloads", "[scenario][groups]") {
    const std::string grid = R"({"topology": {"kind": "grid", "rows": 5, "cols": 5}})";
    const auto with_groups = [&](const std::string& groups, const std::string& steps) {
        return parse(R"({"description": "A test.", "herd": )" + grid + R"(, "groups": )" + groups + R"(, "steps": [)" +
                     steps + "]}");
    };
    const auto ok = with_groups(R"({"left": "N0..N11", "right": ["N12..N23", "N24"], "both": ["left", "N12"]})",
                                R"({"partition": ["left", "right"]}, {"partition": ["both", ["N13"]]},
                                   {"workload": {"updates": 1, "rate_per_s": 1, "nodes": "N3..N4"}})");
    INFO(all_errors(ok));
    REQUIRE(ok.scenario);
    const auto& halves = action<PartitionStep>(*ok.scenario, 0);
    REQUIRE(halves.groups.size() == 2);
    CHECK(halves.groups[0].size() == 12);
    CHECK(halves.groups[0].back() == "N11");
    CHECK(halves.groups[1].size() == 13);
    CHECK(halves.groups[1].back() == "N24");
    CHECK(action<PartitionStep>(*ok.scenario, 1).groups[0].size() == 13);
    CHECK(action<WorkloadStep>(*ok.scenario, 2).nodes == std::vector<std::string>{"N3", "N4"});

    CHECK_ERROR(with_groups(R"({"left": "N0..N25"})", R"({"wait_ms": 1})"), "groups.left", "unknown node \"N25\" (expected N0 to N24)");
    CHECK_ERROR(with_groups(R"({"left": "N5..N2"})", R"({"wait_ms": 1})"), "groups.left", "is not a range");
    CHECK_ERROR(with_groups(R"({"left": "N0..M3"})", R"({"wait_ms": 1})"), "groups.left", "is not a range");
    CHECK_ERROR(with_groups(R"({"N3": ["N0"]})", R"({"wait_ms": 1})"), "groups.N3", "is a node's name");
    CHECK_ERROR(with_groups(R"({"left": []})", R"({"wait_ms": 1})"), "groups.left", "expected an array of node names");
    CHECK_ERROR(with_groups(R"({"left": "N0..N3"})", R"({"partition": ["left", "lft"]})"), "steps[0].partition[1]",
                "unknown node or group \"lft\" (expected N0 to N24, or a group: left)");
    CHECK_ERROR(with_groups(R"({"left": "N0..N3"})", R"({"partition": ["left", "N3..N5"]})"), "steps[0].partition[1]",
                "N3 is already in steps[0].partition[0]");
    CHECK_ERROR(with_groups(R"({"left": "N0..N3"})", R"({"workload": {"updates": 1, "rate_per_s": 1, "nodes": "rigth"}})"),
                "steps[0].workload.nodes", "unknown node or group \"rigth\"");
}

TEST_CASE("A delay's distribution: exponential on a step and on every link, uniform by default", "[scenario_loader]") {
    const auto loaded = parse(R"({"description": "d", "herd": {"preset": "fall17"},
        "links": {"delay_ms": 100, "distribution": "exponential"},
        "steps": [{"delay": {"from": "Alford", "to": "Welsh", "delay_ms": 30, "distribution": "exponential"}},
                  {"delay": {"delay_ms": 30, "jitter_ms": 5}}]})");
    INFO(all_errors(loaded));
    REQUIRE(loaded.scenario);
    CHECK(loaded.scenario->default_exponential);
    CHECK(action<DelayStep>(*loaded.scenario, 0).exponential);
    CHECK_FALSE(action<DelayStep>(*loaded.scenario, 1).exponential);
}
