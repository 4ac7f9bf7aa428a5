// Scenario steps end to end: a scenario given inline plays against a real herd on loopback, and
// its verdicts and results are read back. Then the reply framing alone, against a hand-driven
// socket.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

#include "client/reply.hpp"
#include "play/runner.hpp"
#include "scenario/loader.hpp"

using namespace herd::sim;
namespace fs = std::filesystem;
namespace asio = boost::asio;

namespace {

const fs::path kOut = fs::temp_directory_path() / ("herdsim-send-test-" + std::to_string(::getpid()));

struct Results {
    ~Results() { fs::remove_all(kOut); }
};

Scenario scenario(const std::string& steps, const std::string& places = "") {
    const std::string text = R"({"description": "A send test.", )" + (places.empty() ? "" : R"("places": )" + places + ", ") +
                             R"("steps": )" + steps + "}";
    LoadResult loaded = parse_scenario(text, "send_test.json");
    for (const auto& e : loaded.errors) UNSCOPED_INFO(e.to_string());
    REQUIRE(loaded.scenario);
    return *loaded.scenario;
}

RunOutcome play(const Scenario& s) {
    RunOptions options;
    options.out_dir = kOut;
    return run_scenario(s, options);
}

// Every verdict of a run, for the messages of a failing check.
std::string describe(const RunOutcome& outcome) {
    std::string out = outcome.error;
    for (const auto& v : outcome.run.verdicts)
        out += "\nsteps[" + std::to_string(v.step) + "] " + (v.passed() ? "held" : "FAILED") + ": " + v.description + ": " +
               v.detail;
    return out;
}

RunOutcome play(const std::string& steps, const std::string& places = "") { return play(scenario(steps, places)); }

std::string slurp(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// A verdict's detail, looked up by step; fails the test when the step has no verdict.
const Verdict& verdict_of(const RunOutcome& outcome, std::size_t step) {
    for (const auto& v : outcome.run.verdicts)
        if (v.step == step) return v;
    FAIL("no verdict for steps[" << step << "]");
    throw std::logic_error("unreachable");
}

// The step's verdict failed, saying exactly `detail`.
void check_failed(const RunOutcome& outcome, std::size_t step, const std::string& detail) {
    INFO("steps[" << step << "]");
    const Verdict& v = verdict_of(outcome, step);
    CHECK_FALSE(v.passed());
    CHECK(v.detail == detail);
}

}  // namespace

TEST_CASE("A reply that never comes fails expect \"\" and expect_pattern [^]*", "[send][reply]") {
    Results cleanup;
    const auto outcome = play(R"([
        {"send": {"node": "Alford", "line": "   ", "expect": "", "reply_timeout_ms": 200}},
        {"send": {"node": "Alford", "line": "   ", "expect_pattern": "[^]*", "reply_timeout_ms": 200}},
        {"send": {"node": "Alford", "line": "HELLO", "expect_pattern": "[^]*"}}])");
    INFO(describe(outcome));
    REQUIRE(outcome.run.verdicts.size() == 3);
    check_failed(outcome, 0, "no reply: timed out after 200 ms");
    check_failed(outcome, 1, "no reply: timed out after 200 ms");
    CHECK(verdict_of(outcome, 2).passed());  // a reply: [^]* accepts it
    CHECK(outcome.exit_code == 1);
    // No reply, no reply time.
    CHECK_FALSE(verdict_of(outcome, 0).reply_ms);
    CHECK(verdict_of(outcome, 2).reply_ms);
}

TEST_CASE("A connection the server closed without answering fails expect and expect_pattern", "[send][reply]") {
    Results cleanup;
    // Nothing sent, then EOF: the server has nothing to answer and closes.
    const auto outcome = play(R"([
        {"send": {"node": "Alford", "line": "", "newline": false, "half_close": true, "expect_pattern": "[^]*"}},
        {"send": {"node": "Ball", "line": "", "newline": false, "half_close": true, "expect": ""}},
        {"send": {"node": "Ball", "line": "HELLO", "newline": false, "half_close": true, "expect": "? HELLO"}}])");
    INFO(describe(outcome));
    REQUIRE(outcome.run.verdicts.size() == 3);
    check_failed(outcome, 0, "no reply: connection closed by the server before any byte");
    check_failed(outcome, 1, "no reply: connection closed by the server before any byte");
    CHECK(verdict_of(outcome, 2).passed());  // an unterminated command at EOF is answered
}

TEST_CASE("The send right after an overlong line reopens its named connection", "[send][connection]") {
    Results cleanup;
    const std::string overlong(70000, 'x');  // over the servers' 64 KiB line limit: answered, then closed
    const auto outcome = play(R"([
        {"send": {"node": "Alford", "connection": "k", "line": ")" + overlong + R"(", "expect_pattern": "\\? x{64}"}},
        {"send": {"node": "Alford", "connection": "k", "line": "IAMAT kiwi +34-118 1600000000", "expect_pattern": "AT Alford .* kiwi .*"}},
        {"send": {"node": "Alford", "connection": "k", "line": "WHATSAT nobody 10 1", "expect": "? WHATSAT nobody 10 1"}}])");
    INFO(describe(outcome));
    REQUIRE(outcome.run.verdicts.size() == 3);
    CHECK(verdict_of(outcome, 0).passed());
    CHECK(verdict_of(outcome, 1).passed());
    CHECK(verdict_of(outcome, 2).passed());
}

TEST_CASE("The send right after crash and restart reopens its named connection", "[send][connection]") {
    Results cleanup;
    const auto outcome = play(R"([
        {"send": {"node": "Alford", "connection": "k", "line": "IAMAT kiwi +34-118 1600000000", "expect_pattern": "AT Alford .*"}},
        {"crash": "Alford"},
        {"restart": "Alford"},
        {"send": {"node": "Alford", "connection": "k", "line": "IAMAT kiwi +34-118 1600000001", "expect_pattern": "AT Alford .* 1600000001"}},
        {"send": {"node": "Ball", "connection": "b", "line": "IAMAT plum +1+1 1600000000", "expect_pattern": "AT Ball .*"}},
        {"send": {"node": "Ball", "connection": "b", "line": "IAMAT plum +1+1 1600000001", "expect_pattern": "AT Ball .* 1600000001"}}])");
    INFO(describe(outcome));
    REQUIRE(outcome.run.verdicts.size() == 4);
    for (const auto& v : outcome.run.verdicts) CHECK(v.passed());
}

TEST_CASE("A workload without nodes sends every report while one node is up", "[send][workload]") {
    Results cleanup;
    const auto outcome = play(R"([
        {"crash": "Alford"}, {"crash": "Ball"}, {"crash": "Hamilton"}, {"crash": "Holiday"},
        {"workload": {"updates": 5, "rate_per_s": 200, "clients": 5}},
        {"wait_quiet": {}},
        {"expect_knows": {"node": "Welsh", "client": "client-0"}}])");
    INFO(describe(outcome));
    CHECK(outcome.run.summary.updates == 5);
    CHECK(outcome.exit_code == 0);

    // With every node down there is nothing to draw from: each report is skipped.
    const auto none_up = play(R"([
        {"crash": "Alford"}, {"crash": "Ball"}, {"crash": "Hamilton"}, {"crash": "Holiday"}, {"crash": "Welsh"},
        {"workload": {"updates": 3, "rate_per_s": 200}},
        {"wait_quiet": {}}])");
    CHECK(none_up.run.summary.updates == 0);
    CHECK(slurp(none_up.run.dir / "events.jsonl").find("0 reports sent, 3 skipped") != std::string::npos);
}

TEST_CASE("A workload's draws depend on the seed and the nodes that are up", "[send][workload]") {
    Results cleanup;
    const Scenario s = scenario(R"([
        {"workload": {"updates": 20, "rate_per_s": 100, "clients": 50}},
        {"wait_quiet": {}},
        {"expect_lost": {"max": 0}}])");
    // client@origin of every update, sorted: births are write completions, and on a busy machine
    // two reports that fell due together may complete in either order (the report times come from
    // the clock, so only the draws are compared).
    auto drawn = [&] {
        const RunOutcome outcome = play(s);
        std::istringstream csv(slurp(outcome.run.dir / "updates.csv"));
        std::string row;
        std::multiset<std::string> draws;
        std::getline(csv, row);
        while (std::getline(csv, row)) {
            std::vector<std::string> cells;
            std::stringstream fields(row);
            for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
            if (cells.size() > 4 && cells[3] == cells[4]) draws.insert(cells[1] + "@" + cells[3]);
        }
        std::string out;
        for (const auto& d : draws) out += d + " ";
        return out;
    };
    const std::string first = drawn();
    CHECK(first.size() > 20 * 10);
    CHECK(drawn() == first);
}

TEST_CASE("wait_reply false: later steps play at once, the reply is judged under its send", "[send][wait_reply]") {
    Results cleanup;
    const std::string places = R"({"timeout_ms": 5000, "rules": [{"match": {"radius": "5000"}, "delay_ms": 1500,
        "body": {"html_attributions": [], "results": [{"name": "Slow Cafe"}], "status": "OK"}}]})";
    const auto outcome = play(R"([
        {"send": {"node": "Alford", "line": "IAMAT slow +34.068930-118.445127 1600000000", "expect_pattern": "AT Alford .*"}},
        {"send": {"node": "Alford", "connection": "s", "line": "WHATSAT slow 5 3", "wait_reply": false, "reply_timeout_ms": 5000,
                  "expect_pattern": "AT Alford [^\\n]*\\n\\{[^]*\"Slow Cafe\"[^]*\\}\\n"}},
        {"wait_quiet": {"quiet_ms": 100, "timeout_ms": 1000}},
        {"send": {"node": "Alford", "line": "IAMAT quick +10+20 1600000001", "reply_timeout_ms": 500,
                  "expect_pattern": "AT Alford .* quick .*"}},
        {"send": {"node": "Alford", "line": "WHATSAT slow 10 3", "reply_timeout_ms": 500,
                  "expect_pattern": "AT Alford [^\\n]*\\n\\{[^]*ZERO_RESULTS[^]*\\}\\n"}},
        {"send": {"node": "Alford", "connection": "t", "line": "WHATSAT slow 5 3", "wait_reply": false, "reply_timeout_ms": 300,
                  "expect_pattern": "[^]*"}},
        {"send": {"node": "Alford", "connection": "s", "line": "IAMAT slow +34.068930-118.445127 1600000002",
                  "expect_pattern": "AT Alford .* 1600000002"}}])",
                              places);
    INFO(describe(outcome));
    // In step order; the wait_quiet (step 2) held without waiting for the pending reply.
    REQUIRE(outcome.run.verdicts.size() == 6);
    const std::size_t steps[] = {0, 1, 3, 4, 5, 6};
    for (std::size_t i = 0; i < outcome.run.verdicts.size(); ++i) CHECK(outcome.run.verdicts[i].step == steps[i]);
    CHECK(verdict_of(outcome, 1).passed());
    CHECK(verdict_of(outcome, 3).passed());  // not held up by the slow WHATSAT
    CHECK(verdict_of(outcome, 4).passed());
    check_failed(outcome, 5, "no reply: timed out after 300 ms");
    CHECK(verdict_of(outcome, 6).passed());  // after the pending reply on "s", not taken for it
}

TEST_CASE("A send without an expectation still waits for its reply, which is noted", "[send][reply]") {
    Results cleanup;
    const auto outcome = play(R"([
        {"send": {"node": "Alford", "connection": "k", "line": "HELLO"}},
        {"send": {"node": "Alford", "connection": "k", "line": "WHATSAT nobody 10 1", "expect": "? WHATSAT nobody 10 1"}},
        {"send": {"node": "Alford", "line": "   ", "reply_timeout_ms": 100}}])");
    INFO(describe(outcome));
    CHECK(verdict_of(outcome, 1).passed());  // the reply to HELLO was not taken for this one
    const std::string events = slurp(outcome.run.dir / "events.jsonl");
    CHECK(events.find(R"("kind":"reply","detail":"Alford: ? HELLO")") != std::string::npos);
    CHECK(events.find(R"("kind":"no-reply","detail":"Alford: no reply: timed out after 100 ms")") != std::string::npos);
}

TEST_CASE("expect_unknown on a crashed node fails, naming the node as down", "[send][verdict]") {
    Results cleanup;
    const auto outcome = play(R"([
        {"send": {"node": "Alford", "line": "HELLO", "expect_pattern": "(\\?) HELLO"}},
        {"crash": "Ball"},
        {"expect_unknown": {"node": "Ball", "client": "kiwi"}}])");
    INFO(describe(outcome));
    CHECK(verdict_of(outcome, 0).passed());
    check_failed(outcome, 2, "Ball is down");
}

TEST_CASE("A 300 KB WHATSAT reply is matched by expect_pattern without overflowing the stack", "[send][reply]") {
    Results cleanup;
    const std::string name(300000, 'n');
    const std::string places = R"({"rules": [{"body": {"html_attributions": [], "results": [{"name": ")" + name +
                               R"("}], "status": "OK"}}]})";
    const auto outcome = play(R"([
        {"send": {"node": "Alford", "line": "IAMAT kiwi +34-118 1600000000", "expect_pattern": "AT Alford .*"}},
        {"send": {"node": "Alford", "line": "WHATSAT kiwi 10 1", "expect_pattern": "AT Alford [^\\n]*\\n\\{[^]*\"n+\"[^]*\\}\\n"}},
        {"send": {"node": "Alford", "line": "WHATSAT kiwi 10 1", "expect_pattern": "AT Alford [^\\n]*\\n\\{[^]*\"m+\"[^]*\\}\\n"}}])",
                              places);
    INFO(describe(outcome));
    REQUIRE(outcome.run.verdicts.size() == 3);
    CHECK(verdict_of(outcome, 1).passed());
    CHECK_FALSE(verdict_of(outcome, 2).passed());
}

TEST_CASE("A scenario with no expectation is UNCHECKED, not a pass", "[send][verdict]") {
    Results cleanup;
    const auto unchecked = play(R"([{"send": {"node": "Alford", "line": "IAMAT kiwi +34-118 1600000000"}}, {"wait_quiet": {}}])");
    INFO(describe(unchecked));
    CHECK(unchecked.run.verdicts.empty());
    CHECK(unchecked.run.verdict() == RunVerdict::unchecked);
    CHECK(unchecked.exit_code == 0);
    CHECK(nlohmann::json::parse(slurp(unchecked.run.dir / "summary.json"))["verdict"] == "unchecked");

    const auto checked = play(R"([{"send": {"node": "Alford", "line": "HELLO", "expect": "? HELLO"}}])");
    INFO(describe(checked));
    CHECK(checked.run.verdict() == RunVerdict::pass);
    CHECK(nlohmann::json::parse(slurp(checked.run.dir / "summary.json"))["verdict"] == "pass");
}

TEST_CASE("has_expectation: reply expectations and expect_* steps count, wait_quiet does not", "[send][verdict]") {
    CHECK_FALSE(has_expectation(scenario(R"([{"wait_quiet": {}}, {"send": {"node": "Alford", "line": "HELLO"}}])")));
    CHECK(has_expectation(scenario(R"([{"send": {"node": "Alford", "line": "HELLO", "expect_no_reply": true}}])")));
    CHECK(has_expectation(scenario(R"([{"send": {"node": "Alford", "line": "HELLO", "expect": "? HELLO"}}])")));
    CHECK(has_expectation(scenario(R"([{"expect_converged": true}])")));
    CHECK(has_expectation(scenario(R"([{"expect_lost": {"max": 0}}])")));
    // Every shipped scenario checks something.
    for (const auto& entry : fs::directory_iterator(fs::path(HERDSIM_TEST_DATA_DIR) / "../../scenarios")) {
        if (entry.path().extension() != ".json") continue;
        const auto loaded = load_scenario(entry.path());
        INFO(entry.path().string());
        REQUIRE(loaded.scenario);
        CHECK(has_expectation(*loaded.scenario));
    }
}

namespace {

// A LineClient on one end, a plain socket the test writes on the other.
struct Wire {
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor{io, {asio::ip::address_v4::loopback(), 0}};
    LineClient client{io, acceptor.local_endpoint().port()};
    asio::ip::tcp::socket server = acceptor.accept();

    Reply read(bool whatsat, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
        std::optional<Reply> got;
        asio::co_spawn(io, read_reply(client, whatsat, std::chrono::steady_clock::now() + limit),
                       [&](std::exception_ptr e, Reply r) {
                           if (e) std::rethrow_exception(e);
                           got = std::move(r);
                       });
        REQUIRE(run_until(io, [&] { return got.has_value(); }, limit + std::chrono::seconds(5)));
        return *got;
    }
};

}  // namespace

TEST_CASE("read_reply: a line, a WHATSAT reply up to its blank line, the rest left for the next", "[reply]") {
    Wire wire;
    asio::write(wire.server, asio::buffer(std::string("AT A +0.1 kiwi +1+1 1\n{\n   \"results\": []\n}\n\n? X\n")));
    const Reply whatsat = wire.read(true);
    CHECK(whatsat.end == Reply::End::complete);
    CHECK(whatsat.bytes == "AT A +0.1 kiwi +1+1 1\n{\n   \"results\": []\n}\n\n");
    const Reply error = wire.read(true);  // a "?" reply to a WHATSAT is one line
    CHECK(error.end == Reply::End::complete);
    CHECK(error.bytes == "? X\n");
}

TEST_CASE("read_reply: a partial line, then EOF, is no reply", "[reply]") {
    Wire wire;
    asio::write(wire.server, asio::buffer(std::string("AT A +0.1 ki")));
    wire.server.close();
    const Reply reply = wire.read(false);
    CHECK(reply.end == Reply::End::closed);
    CHECK(reply.bytes == "AT A +0.1 ki");
    CHECK(missing_reply(reply, std::chrono::milliseconds(3000)) ==
          "no reply: connection closed by the server after \"AT A +0.1 ki\"");
}

TEST_CASE("read_reply: a WHATSAT reply cut before its blank line times out", "[reply]") {
    Wire wire;
    asio::write(wire.server, asio::buffer(std::string("AT A +0.1 kiwi +1+1 1\n{}\n")));
    const Reply reply = wire.read(true, std::chrono::milliseconds(100));
    CHECK(reply.end == Reply::End::timed_out);
    CHECK(missing_reply(reply, std::chrono::milliseconds(100)) ==
          "no reply: timed out after 100 ms, with only \"AT A +0.1 kiwi +1+1 1\\n{}\\n\"");
}

TEST_CASE("A send's verdict gives its reply time, summary.json its start, herdsim and reply_ms", "[send][reply]") {
    Results cleanup;
    RunOptions options;
    options.out_dir = kOut;
    options.version = "9.8.7";
    options.commit = "abc1234";
    const RunOutcome outcome = run_scenario(
        scenario(R"([{"send": {"node": "Alford", "line": "IAMAT kiwi +34-118 1600000000", "expect_pattern": "AT Alford .*"}},
                     {"send": {"node": "Ball", "line": "WHAT", "expect": "? WHAT"}}])"),
        options);
    INFO(describe(outcome));
    REQUIRE(outcome.run.verdicts.size() == 2);
    for (const auto& v : outcome.run.verdicts) {
        CHECK(v.passed());
        REQUIRE(v.reply_ms);
        CHECK(*v.reply_ms > 0);
        CHECK(*v.reply_ms < 3000);  // within reply_timeout_ms: the reply came
    }
    CHECK(std::regex_match(outcome.run.verdicts[0].detail, std::regex("matched; reply in [0-9.]+ ms")));
    CHECK(std::regex_match(outcome.run.verdicts[1].detail, std::regex("exact match; reply in [0-9.]+ ms")));
    const auto summary = nlohmann::json::parse(slurp(outcome.run.dir / "summary.json"));
    CHECK(summary["herdsim"] == nlohmann::json({{"version", "9.8.7"}, {"commit", "abc1234"}}));
    CHECK(std::regex_match(summary["started_at"].get<std::string>(),
                           std::regex("20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\\.[0-9]{3}Z")));
    CHECK(summary["verdicts"][0]["reply_ms"].get<double>() == *outcome.run.verdicts[0].reply_ms);
    CHECK(summary["recovery"].is_null());
    CHECK(summary["phases"] == nlohmann::json::array());
}
