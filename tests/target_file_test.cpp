// The target file (docs/target.md, "The target file") and what a direct-links target refuses.
#include <catch2/catch.hpp>

#include "target/refusals.hpp"
#include "target/target_file.hpp"

using namespace herd::sim;
using namespace herd::sim::target;

namespace {

std::string error_of(std::string_view text) {
    try {
        parse_target(text, "t.json");
    } catch (const TargetError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("expand replaces the placeholders and leaves every other brace", "[target]") {
    const std::map<std::string, std::string, std::less<>> values{{"name", "Clark"}, {"port", "12204"}};
    CHECK(expand("{name}:{port}", values) == "Clark:12204");
    CHECK(expand("--node={name} {\"a\": 1} {", values) == "--node=Clark {\"a\": 1} {");
    CHECK(expand("{nam}e}", values) == "{nam}e}");
}

TEST_CASE("a target file's defaults and fields", "[target]") {
    const std::filesystem::path file = std::filesystem::path(HERDSIM_TEST_DATA_DIR) / "targets" / "t.json";
    const TargetSpec spec = parse_target(R"({"command": ["python3", "server.py", "{name}"]})", file);
    CHECK(spec.command == std::vector<std::string>{"python3", "server.py", "{name}"});
    CHECK(spec.links == Links::relayed);
    CHECK(spec.ready_timeout == std::chrono::milliseconds(5000));
    CHECK(spec.poll_interval == std::chrono::milliseconds(50));
    CHECK(spec.cwd == file.parent_path());  // the file's folder: it need not exist itself
    CHECK(spec.ports.empty());

    const TargetSpec full = parse_target(
        R"({"command": ["s"], "cwd": "..", "env": {"PLACES_URL": "{places_url}"}, "links": "direct",
            "ready_timeout_ms": 100, "poll_interval_ms": 7, "servers": {"Juzang": {"port": 9991}}})",
        file);
    CHECK(full.cwd == file.parent_path().parent_path());
    CHECK(full.env == std::vector<std::pair<std::string, std::string>>{{"PLACES_URL", "{places_url}"}});
    CHECK(full.links == Links::direct);
    CHECK(full.ready_timeout == std::chrono::milliseconds(100));
    CHECK(full.poll_interval == std::chrono::milliseconds(7));
    CHECK(full.ports.at("Juzang") == 9991);
}

TEST_CASE("a bad target file is refused naming the field", "[target]") {
    CHECK(error_of("{") .rfind("t.json: not valid JSON", 0) == 0);
    CHECK(error_of("[]") == "t.json: expected a JSON object, got array");
    CHECK(error_of("{}") == "t.json: command: missing: the program that starts one server, as an array of strings");
    CHECK(error_of(R"({"command": []})") == "t.json: command: expected a non-empty array of strings, got []");
    CHECK(error_of(R"({"command": ["s", 1]})") == "t.json: command[1]: expected a string, got 1");
    CHECK(error_of(R"({"command": ["s", "{nmae}"]})") ==
          "t.json: command[1]: unknown placeholder {nmae} (there are {name}, {port}, {config}, {places_url}, {log_dir})");
    CHECK(error_of(R"({"command": ["s"], "links": "relay"})") == "t.json: links: expected \"relayed\" or \"direct\", got \"relay\"");
    CHECK(error_of(R"({"command": ["s"], "ready_timeout_ms": 0})") ==
          "t.json: ready_timeout_ms: expected an integer from 1 to 86400000, got 0");
    CHECK(error_of(R"({"command": ["s"], "servers": {"A": {"port": 70000}}})") ==
          "t.json: servers.A.port: expected an integer from 1 to 65535, got 70000");
    CHECK(error_of(R"({"command": ["s"], "servers": {"A": 1}})") == "t.json: servers.A: expected {\"port\": N}, got 1");
    CHECK(error_of(R"({"command": ["s"], "env": {"A=B": "x"}})") == "t.json: env: bad variable name \"A=B\"");
    CHECK(error_of(R"({"command": ["s"], "cwd": "no/such/folder"})").find("t.json: cwd: not a folder: ") == 0);
    CHECK(error_of(R"({"command": ["s"], "link": "direct"})").rfind("t.json: link: unknown field", 0) == 0);
}

TEST_CASE("a direct-links target refuses exactly the steps that need relays", "[target]") {
    Scenario scenario;
    scenario.file = "s.json";
    std::size_t index = 0;
    for (StepAction action : {StepAction{SendStep{}}, StepAction{CutStep{}}, StepAction{CrashStep{}},
                              StepAction{StallStep{{}, false}}, StepAction{ExpectMessagesStep{}},
                              StepAction{ExpectConvergedStep{}}})
        scenario.steps.push_back(Step{index++, std::nullopt, {}, "", action});
    TargetSpec spec;
    spec.file = "t.json";
    CHECK(refusals(scenario, spec).empty());  // relayed: everything runs

    spec.links = Links::direct;
    const auto refused = refusals(scenario, spec);
    REQUIRE(refused.size() == 3);
    CHECK(refused[0].rfind("s.json: steps[1].cut: needs herdsim's relays, and the target t.json has \"links\": \"direct\"", 0) == 0);
    CHECK(refused[1].rfind("s.json: steps[3].unstall: ", 0) == 0);
    CHECK(refused[2].rfind("s.json: steps[4].expect_messages: ", 0) == 0);

    scenario.default_delay = std::chrono::milliseconds(5);
    CHECK(refusals(scenario, spec).front().rfind("s.json: links: needs herdsim's relays", 0) == 0);
}
