// messages.jsonl, messages.svg and timeline.html from a real run: a three-node herd on loopback
// whose flood is known message by message (one link delayed, one cut), then the cap and the window.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "play/runner.hpp"
#include "scenario/loader.hpp"

using namespace herd::sim;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

const fs::path kOut = fs::temp_directory_path() / ("herdsim-messages-test-" + std::to_string(::getpid()));

struct Results {
    Results() { fs::remove_all(kOut); }
    ~Results() { fs::remove_all(kOut); }
};

// N0 floods to N1 and N2. N1's copy to N2 is held 300 ms, so N2 already has it from N0: stale.
// N2's copy to N1 meets a cut that never heals: dropped.
Scenario triangle() {
    const std::string text = R"({"description": "A triangle whose flood is known message by message.",
      "name": "triangle",
      "herd": {"topology": {"kind": "full", "nodes": 3}},
      "steps": [
        {"delay": {"from": "N1", "to": "N2", "one_way": true, "delay_ms": 300}},
        {"cut": {"from": "N2", "to": "N1", "one_way": true}},
        {"send": {"node": "N0", "line": "IAMAT kiwi +34-118 1520023934", "expect_pattern": "AT N0 .*"}},
        {"wait_quiet": {}},
        {"expect_knows": {"node": "N2", "client": "kiwi"}}
      ]})";
    LoadResult loaded = parse_scenario(text, "triangle.json");
    for (const auto& e : loaded.errors) UNSCOPED_INFO(e.to_string());
    REQUIRE(loaded.scenario);
    return *loaded.scenario;
}

RunOutcome play(RunOptions options) {
    options.out_dir = kOut;
    RunOutcome outcome = run_scenario(triangle(), options);
    INFO(outcome.error);
    REQUIRE(outcome.exit_code == 0);
    return outcome;
}

std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<json> jsonl(const fs::path& path) {
    std::vector<json> out;
    std::istringstream in(slurp(path));
    for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
    return out;
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

// A minimal well-formedness check: every element opened is closed, in order (<x/> closes itself);
// declarations and comments are skipped. Returns the first problem, or "" when it holds.
std::string unbalanced_tags(const std::string& text) {
    static const std::set<std::string> html_void = {"meta", "br", "hr", "img", "link", "input"};
    std::vector<std::string> open;
    for (std::size_t at = text.find('<'); at != std::string::npos; at = text.find('<', at + 1)) {
        const auto end = text.find('>', at);
        if (end == std::string::npos) return "a tag is not closed at " + std::to_string(at);
        const std::string tag = text.substr(at + 1, end - at - 1);
        if (tag.empty() || tag[0] == '?' || tag[0] == '!') continue;
        const bool closing = tag[0] == '/';
        const std::string name = tag.substr(closing, tag.find_first_of(" \n/", closing) - closing);
        if (closing) {
            if (open.empty() || open.back() != name) return "</" + name + "> closes " + (open.empty() ? "nothing" : open.back());
            open.pop_back();
        } else if (tag.back() != '/' && !html_void.count(name)) {
            open.push_back(name);
        }
    }
    return open.empty() ? "" : "<" + open.back() + "> is never closed";
}

}  // namespace

TEST_CASE("messages.jsonl lists every flood line: from, to, update, times and what the receiver did", "[messages]") {
    Results results;
    const RunOutcome outcome = play({});
    auto messages = jsonl(outcome.run.dir / "messages.jsonl");
    REQUIRE(messages.size() == 4);
    // Send order between N1's and N2's forwards depends on timing; each message is exact.
    std::map<std::pair<std::string, std::string>, json> by_link;
    for (const auto& m : messages) by_link[{m["from"], m["to"]}] = m;
    REQUIRE(by_link.size() == 4);
    const std::pair<std::pair<std::string, std::string>, std::string> expected[] = {
        {{"N0", "N1"}, "stored"}, {{"N0", "N2"}, "stored"}, {{"N1", "N2"}, "stale"}, {{"N2", "N1"}, "dropped"}};
    for (const auto& [link, what] : expected) {
        INFO(link.first << " -> " << link.second);
        const json& m = by_link.at(link);
        CHECK(m["outcome"] == what);
        CHECK(m["update"] == 0);
        CHECK(m["client"] == "kiwi");
        CHECK(m["client_time"] == "1520023934");
        REQUIRE(m["sent_ms"].is_number());
        if (what == "dropped") {
            CHECK(m["received_ms"].is_null());
        } else {
            REQUIRE(m["received_ms"].is_number());
            CHECK(m["received_ms"].get<double>() >= m["sent_ms"].get<double>());
        }
    }
    // The delayed copy arrives at least its 300 ms after it was sent.
    CHECK(by_link.at({"N1", "N2"})["received_ms"].get<double>() - by_link.at({"N1", "N2"})["sent_ms"].get<double>() >= 300);
    CHECK(messages[0]["from"] == "N0");  // the origin's floods come first
    CHECK(messages[1]["from"] == "N0");

    const json summary = json::parse(slurp(outcome.run.dir / "summary.json"));
    CHECK(summary["messages"] == json({{"listed", 4}, {"omitted", 0}, {"cap", default_messages_cap}}));
    CHECK(summary["interrupted"] == false);

    const std::string svg = slurp(outcome.run.dir / "messages.svg");
    CHECK(unbalanced_tags(svg).empty());
    CHECK(unbalanced_tags(svg + "<g>") == "<g> is never closed");  // the check itself can fail
    CHECK(count(svg, "<line class=\"msg ") == messages.size());
    CHECK(count(svg, "<line class=\"msg dropped\"") == 1);
    CHECK(count(svg, "<line class=\"lane\"") == 3);
    CHECK(count(svg, "<rect class=\"fault\"") >= 1);  // the cut, shaded
    // Each arrow's hover title is its messages.jsonl line.
    CHECK(svg.find("<title>{&quot;from&quot;:&quot;N2&quot;,&quot;to&quot;:&quot;N1&quot;") != std::string::npos);

    const std::string html = slurp(outcome.run.dir / "timeline.html");
    CHECK(unbalanced_tags(html).empty());
    CHECK(count(html, "<tr class=\"exchange ") == 1);
    CHECK(count(html, "<tr class=\"exchange held\"") == 1);
    CHECK(html.find("IAMAT kiwi +34-118 1520023934") != std::string::npos);
}

TEST_CASE("messages.jsonl stops at its cap (--messages-cap) and says how many it left out", "[messages]") {
    Results results;
    RunOptions options;
    options.messages_cap = 2;
    const RunOutcome outcome = play(options);
    const auto messages = jsonl(outcome.run.dir / "messages.jsonl");
    REQUIRE(messages.size() == 2);
    CHECK(messages[0]["from"] == "N0");
    CHECK(messages[1]["from"] == "N0");
    const json summary = json::parse(slurp(outcome.run.dir / "summary.json"));
    CHECK(summary["messages"] == json({{"listed", 2}, {"omitted", 2}, {"cap", 2}}));
    const auto warnings = summary["warnings"].get<std::vector<std::string>>();
    CHECK(std::count(warnings.begin(), warnings.end(),
                     "messages.jsonl: the first 2 messages only (--messages-cap); 2 left out") == 1);
    CHECK(count(slurp(outcome.run.dir / "messages.svg"), "<line class=\"msg ") == 2);
}

TEST_CASE("A messages window draws only the messages sent in it, and skips an empty one with a note", "[messages]") {
    Results results;
    RunOptions options;
    options.report.messages_window = std::pair{0.0, 0.001};  // before the first send
    const RunOutcome outcome = play(options);
    CHECK_FALSE(fs::exists(outcome.run.dir / "messages.svg"));
    const json summary = json::parse(slurp(outcome.run.dir / "summary.json"));
    const auto warnings = summary["warnings"].get<std::vector<std::string>>();
    CHECK(std::count(warnings.begin(), warnings.end(),
                     "messages.svg: not drawn: no message was sent between 0.000 and 0.001 ms") == 1);
    CHECK(jsonl(outcome.run.dir / "messages.jsonl").size() == 4);  // the log itself is whole
}
