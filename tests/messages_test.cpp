// messages.jsonl, messages.svg and timeline.html from a real run: a three-node herd on loopback
// whose flood is known message by message (one link delayed, one cut), then the cap and the window.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "play/runner.hpp"
#include "report/draw.hpp"
#include "report/lamport.hpp"
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

// tests/data/scenarios/triangle.json: a flood known message by message (one stale, one dropped).
Scenario triangle() {
    LoadResult loaded = load_scenario(fs::path(HERDSIM_TEST_DATA_DIR) / "scenarios" / "triangle.json");
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

// What messages.svg draws, read back from its attributes: lanes by node, and each message's ends.
struct Arrow {
    std::string outcome, from, to;
    double x1, y1, x2, y2;
    bool head;  // an arrowhead at (x2, y2)
};

std::map<std::string, double> lanes_of(const std::string& svg) {
    std::map<std::string, double> lanes;
    static const std::regex lane(R"re(<line class="lane" data-node="([^"]*)" x1="([0-9.]+)")re");
    for (std::sregex_iterator it(svg.begin(), svg.end(), lane), end; it != end; ++it) lanes[(*it)[1]] = std::stod((*it)[2]);
    return lanes;
}

std::vector<Arrow> arrows_of(const std::string& svg) {
    std::vector<Arrow> out;
    static const std::regex arrow(
        R"re(<(line|g) class="msg (\w+)" data-from="([^"]*)" data-to="([^"]*)"[^>]*?(?: x1="([-0-9.]+)" y1="([-0-9.]+)" x2="([-0-9.]+)" y2="([-0-9.]+)"( marker-end="[^"]*")?)?>(?:<title>[^<]*</title><line x1="([-0-9.]+)" y1="([-0-9.]+)" x2="([-0-9.]+)" y2="([-0-9.]+)")?)re");
    for (std::sregex_iterator it(svg.begin(), svg.end(), arrow), end; it != end; ++it) {
        const auto& m = *it;
        const int at = m[5].matched ? 5 : 10;
        out.push_back({m[2], m[3], m[4], std::stod(m[at]), std::stod(m[at + 1]), std::stod(m[at + 2]),
                       std::stod(m[at + 3]), m[9].matched});
    }
    return out;
}

}  // namespace

TEST_CASE("messages.svg: an arrowhead only on the lane that received, a dropped line a cross by its sender",
          "[messages][svg]") {
    Results results;
    const RunOutcome outcome = play({});
    const std::string svg = slurp(outcome.run.dir / "messages.svg");
    const auto lanes = lanes_of(svg);
    REQUIRE(lanes.size() == 3);
    const double lane_gap = lanes.at("N1") - lanes.at("N0");
    const auto arrows = arrows_of(svg);
    REQUIRE(arrows.size() >= 4);  // more when N2's catch-up of N1 was tried again through the cut
    std::size_t dropped = 0;
    for (const auto& a : arrows) {
        INFO(a.from << " -> " << a.to << " " << a.outcome);
        CHECK(a.x1 == Approx(lanes.at(a.from)));
        if (a.outcome == "dropped") {
            ++dropped;
            // It never arrived: no head, and it stops well short of any other lane.
            CHECK_FALSE(a.head);
            CHECK(std::abs(a.x2 - a.x1) < lane_gap / 2);
            for (const auto& [node, x] : lanes)
                if (node != a.from) CHECK(std::abs(a.x2 - x) > lane_gap / 2);
        } else {
            CHECK(a.head);
            CHECK(a.x2 == Approx(lanes.at(a.to)));
        }
    }
    CHECK(dropped >= 1);
    CHECK(count(svg, "<path class=\"cross\"") == dropped);
    // The check itself can fail: an arrowhead drawn halfway is caught.
    const auto bad = arrows_of(R"x(<line class="msg dropped" data-from="N2" data-to="N1" stroke="red" x1="1" y1="2" x2="3" y2="4" marker-end="url(#h)">)x");
    REQUIRE(bad.size() == 1);
    CHECK(bad[0].head);
}

TEST_CASE("messages.svg: time runs down on a real scale, so a 300 ms delay is far taller than a hop", "[messages][svg]") {
    Results results;
    const RunOutcome outcome = play({});
    const auto arrows = arrows_of(slurp(outcome.run.dir / "messages.svg"));
    // Four lines, and on a slow run N2's catch-up of N1 tried again through the cut (each dropped).
    REQUIRE(arrows.size() >= 4);
    double delayed = 0, direct = 0;
    for (const auto& a : arrows) {
        if (a.from == "N1" && a.to == "N2") delayed = a.y2 - a.y1;
        if (a.from == "N0" && a.to == "N1") direct = a.y2 - a.y1;
    }
    // At least 300 ms at 2 px per ms (inside the delay's window nothing is cut out up to 400 ms).
    CHECK(delayed >= 590);
    CHECK(direct > 0);
    CHECK(direct < delayed / 5);
}

TEST_CASE("messages.jsonl lists every flood line: from, to, update, times and what the receiver did", "[messages]") {
    Results results;
    const RunOutcome outcome = play({});
    auto messages = jsonl(outcome.run.dir / "messages.jsonl");
    // Send order between N1's and N2's forwards depends on timing; each message is exact. N2's copy
    // to N1 never arrives, so N2 owes N1 a catch-up and may send it again through the cut (each time
    // dropped) before the run ends: one message or more on that link, exactly one on the others.
    std::map<std::pair<std::string, std::string>, json> by_link;
    std::map<std::pair<std::string, std::string>, int> per_link;
    for (const auto& m : messages) {
        by_link[{m["from"], m["to"]}] = m;
        ++per_link[{m["from"], m["to"]}];
    }
    REQUIRE(by_link.size() == 4);
    CHECK(per_link[{"N0", "N1"}] == 1);
    CHECK(per_link[{"N0", "N2"}] == 1);
    CHECK(per_link[{"N1", "N2"}] == 1);
    for (const auto& m : messages)
        if (m["from"] == "N2") CHECK(m["outcome"] == "dropped");
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
    CHECK(summary["messages"] == json({{"listed", messages.size()}, {"omitted", 0}, {"cap", default_messages_cap}}));
    CHECK(summary["interrupted"] == false);

    const std::string svg = slurp(outcome.run.dir / "messages.svg");
    CHECK(unbalanced_tags(svg).empty());
    CHECK(unbalanced_tags(svg + "<g>") == "<g> is never closed");  // the check itself can fail
    CHECK(count(svg, "class=\"msg ") == messages.size());
    CHECK(count(svg, "<g class=\"msg dropped\"") ==
          static_cast<std::size_t>(std::count_if(messages.begin(), messages.end(), [](const json& m) { return m["outcome"] == "dropped"; })));
    CHECK(count(svg, "<line class=\"lane\"") == 3);
    CHECK(count(svg, "<rect class=\"fault\"") >= 1);  // the cut, shaded
    // Each arrow's hover title names its update and line, then gives its messages.jsonl line.
    CHECK(svg.find("<title>update 0 (client kiwi, time 1520023934): AT line N2 -&gt; N1, sent ") != std::string::npos);
    CHECK(svg.find("never handled: dropped\n{&quot;from&quot;:&quot;N2&quot;,&quot;to&quot;:&quot;N1&quot;") != std::string::npos);

    const std::string html = slurp(outcome.run.dir / "timeline.html");
    CHECK(unbalanced_tags(html).empty());
    // A timeline: a track per node and per client connection, the checks where they ran, the cut as a band.
    CHECK(count(html, "<g class=\"track node\"") == 3);
    CHECK(count(html, "<g class=\"track client\"") == 1);
    CHECK(count(html, "<rect class=\"mark check\"") == 2);  // the reply's pattern and expect_knows
    CHECK(count(html, "<rect class=\"fault\"") == 2);        // the delay and the cut
    CHECK(count(html, "<rect class=\"mark send held\"") == 1);
    CHECK(html.find("sent IAMAT kiwi +34-118 1520023934</title>") != std::string::npos);
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

TEST_CASE("messages.svg stays renderable: a run too big for it draws its busiest stretch within the bounds",
          "[messages][svg]") {
    std::vector<DrawnMessage> messages;
    const auto add = [&](double sent, const std::string& from, const std::string& to) {
        FloodMessage m;
        m.from = from;
        m.to = to;
        m.client = "kiwi";
        m.client_time_text = "1";
        m.sent_ms = sent;
        m.received_ms = sent + 0.2;
        m.outcome = FloodMessage::Outcome::stored;
        messages.push_back({m, 0, "{}"});
    };
    const std::vector<std::string> nodes{"N0", "N1", "N2", "N3", "N4"};
    for (int i = 0; i < 20000; ++i) add(i * 10.0, nodes[i % 5], nodes[(i + 1) % 5]);  // 200 s, one every 10 ms
    for (int i = 0; i < 1500; ++i) add(50000 + i * 0.01, nodes[i % 5], nodes[(i + 2) % 5]);  // 15 ms, a burst
    const Diagram d = lamport_svg(messages, nodes, {}, {});
    REQUIRE(d.svg);
    CHECK(d.arrows == 1500);
    CHECK(d.drawn_ms.first >= 49990);
    CHECK(d.drawn_ms.second <= 50020);
    CHECK(d.height <= 16000);
    CHECK(d.svg->size() < 2'000'000);
    CHECK(d.note.find("the busiest stretch, 1500 of 21500 messages") == 0);
    CHECK(unbalanced_tags(*d.svg).empty());
    // A window of one's own is drawn as asked, still within the bounds.
    DiagramOptions later;
    later.window = std::pair{150000.0, 151000.0};
    const Diagram w = lamport_svg(messages, nodes, {}, later);
    REQUIRE(w.svg);
    CHECK(w.arrows == 101);
    CHECK(w.note.empty());
    CHECK(w.height <= 16000);
}

TEST_CASE("messages.svg of a herd with more nodes than lanes keeps lanes that sent each other messages",
          "[messages][svg]") {
    // 30 senders each flood 10 lines to a receiver of its own: every node carries 10 messages, and
    // no two senders share one, so the 25 busiest alone (all senders, by name) would draw nothing.
    std::vector<DrawnMessage> messages;
    std::vector<std::string> nodes;
    for (int k = 0; k < 30; ++k) {
        const std::string from = "H" + std::to_string(k), to = "L" + std::to_string(k);
        nodes.push_back(from);
        nodes.push_back(to);
        for (int i = 0; i < 10; ++i) {
            FloodMessage m;
            m.from = from;
            m.to = to;
            m.client = "kiwi";
            m.client_time_text = "1";
            m.sent_ms = k * 100.0 + i;
            m.received_ms = *m.sent_ms + 0.2;
            m.outcome = FloodMessage::Outcome::stored;
            messages.push_back({m, 0, "{}"});
        }
    }
    const Diagram d = lamport_svg(messages, nodes, {}, {});
    REQUIRE(d.svg);
    CHECK(d.arrows == 120);  // 12 sender and receiver pairs, and one more lane with no partner left
    CHECK(d.note.find("the 25 busiest of 60 nodes") == 0);
    CHECK(unbalanced_tags(*d.svg).empty());
    // Lanes that share no message at all are said so, not drawn.
    std::vector<DrawnMessage> apart;
    for (const auto& m : messages)
        if (m.message.from == "H0" || m.message.from == "H1") apart.push_back(m);
    DiagramOptions two;
    two.max_lanes = 1;
    const Diagram none = lamport_svg(apart, nodes, {}, two);
    CHECK_FALSE(none.svg);
    CHECK(none.note == "the 1 busiest of 4 nodes sent each other no message");
}

TEST_CASE("timeline.html is written for every run, one without a client request too, on the scenario's clock",
          "[messages][timeline]") {
    Results results;
    const std::string text = R"({"description": "Only a crash and a restart.", "name": "quiet",
      "herd": {"topology": {"kind": "full", "nodes": 3}},
      "steps": [{"crash": "N1", "at_ms": 100}, {"restart": "N1", "at_ms": 200}]})";
    LoadResult loaded = parse_scenario(text, "quiet.json");
    for (const auto& e : loaded.errors) UNSCOPED_INFO(e.to_string());
    REQUIRE(loaded.scenario);
    RunOptions options;
    options.out_dir = kOut;
    const RunOutcome outcome = run_scenario(*loaded.scenario, options);
    REQUIRE(outcome.exit_code == 0);
    const std::string html = slurp(outcome.run.dir / "timeline.html");
    CHECK(unbalanced_tags(html).empty());
    CHECK(count(html, "<g class=\"track node\"") == 3);
    CHECK(count(html, "<rect class=\"fault\"") == 1);  // the crash, until the restart
    CHECK(html.find("crash N1</title>") != std::string::npos);
    // One clock: a step's time in events.jsonl is its at_ms (plus how late it ran), and the herd's
    // start comes before time 0.
    const auto events = jsonl(outcome.run.dir / "events.jsonl");
    double crash = -1, start = 1;
    for (const auto& e : events) {
        if (e["kind"] == "crash") crash = e["t_ms"].get<double>();
        if (e["kind"] == "start") start = e["t_ms"].get<double>();
    }
    CHECK(start <= 0);
    CHECK(crash >= 100);
    const json summary = json::parse(slurp(outcome.run.dir / "summary.json"));
    CHECK(summary["faults"][0]["start_ms"].get<double>() == Approx(crash).margin(0.01));
}

TEST_CASE("herdsim draw makes a finished run's diagram again from its files, for a window or some nodes",
          "[messages][draw]") {
    Results results;
    const RunOutcome outcome = play({});
    const fs::path dir = outcome.run.dir;
    const std::string before = slurp(dir / "messages.svg");
    // Drawn again whole from messages.jsonl and summary.json, the diagram is the one the run drew.
    DrawOptions whole;
    whole.gnuplot.clear();
    Drawn drawn = draw_run(dir, whole);
    CHECK(drawn.written == std::vector<std::string>{"messages.svg"});
    CHECK(slurp(dir / "messages.svg") == before);
    // Only N1 and N2: the lines between them (the delayed one, and the dropped one with any catch-up
    // a slow run tried again through the cut), as messages.jsonl lists them.
    DrawOptions two;
    two.gnuplot.clear();
    two.nodes = {"N1", "N2"};
    drawn = draw_run(dir, two);
    const std::string svg = slurp(dir / "messages.svg");
    const auto messages = jsonl(dir / "messages.jsonl");
    const auto between = std::count_if(messages.begin(), messages.end(), [](const json& m) {
        return (m["from"] == "N1" && m["to"] == "N2") || (m["from"] == "N2" && m["to"] == "N1");
    });
    CHECK(between >= 2);
    CHECK(count(svg, "class=\"msg ") == static_cast<std::size_t>(between));
    CHECK(count(svg, "<line class=\"lane\"") == 2);
    // A window with nothing in it draws nothing, and says so.
    DrawOptions empty;
    empty.gnuplot.clear();
    empty.window = std::pair{0.0, 0.001};
    drawn = draw_run(dir, empty);
    CHECK(drawn.written.empty());
    REQUIRE(drawn.warnings.size() == 1);
    CHECK(drawn.warnings[0] == "messages.svg: not drawn: no message was sent between 0.000 and 0.001 ms");
    // The plots are drawn again from their scripts.
    if (fs::exists("/usr/bin/gnuplot")) {
        fs::remove(dir / "throughput.png");
        drawn = draw_run(dir, {});
        CHECK(std::count(drawn.written.begin(), drawn.written.end(), "throughput.png") == 1);
        CHECK(fs::exists(dir / "throughput.png"));
    }
    CHECK_THROWS_WITH(draw_run(kOut, {}), Catch::Matchers::Contains("summary.json: cannot read it (is this a run folder?)"));
}
