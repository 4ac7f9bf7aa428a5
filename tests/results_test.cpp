// Results that stay tidy: --keep prunes a scenario's old runs, per-node logs are optional and cut
// to their cap, and a real `herdsim run` interrupted by a real SIGINT still leaves a summary.json
// that says so (the test waits for results/<scenario>/current to know the run has started).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

#include "play/runner.hpp"
#include "report/results_dir.hpp"
#include "scenario/loader.hpp"
#include "support/child_process.hpp"

using namespace herd::sim;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

const fs::path kOut = fs::temp_directory_path() / ("herdsim-results-test-" + std::to_string(::getpid()));

struct Results {
    Results() { fs::remove_all(kOut); }
    ~Results() { fs::remove_all(kOut); }
};

Scenario scenario(const std::string& steps) {
    const std::string text = R"({"description": "A results test.", "name": "tidy", "steps": )" + steps + "}";
    LoadResult loaded = parse_scenario(text, "tidy.json");
    for (const auto& e : loaded.errors) UNSCOPED_INFO(e.to_string());
    REQUIRE(loaded.scenario);
    return *loaded.scenario;
}

const std::string kOneUpdate =
    R"([{"send": {"node": "Alford", "line": "IAMAT kiwi +34-118 1520023934", "expect_pattern": "AT Alford .*"}},
        {"wait_quiet": {}}])";

RunOutcome play(RunOptions options, const std::string& steps = kOneUpdate) {
    options.out_dir = kOut;
    RunOutcome outcome = run_scenario(scenario(steps), options);
    INFO(outcome.error);
    REQUIRE(outcome.exit_code == 0);
    return outcome;
}

std::set<std::string> entries(const fs::path& dir) {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
    return out;
}

std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

TEST_CASE("Keeping N runs leaves the newest N runs of the scenario and nothing else is touched", "[results][keep]") {
    Results results;
    fs::create_directories(kOut / "tidy" / "notes");  // not a run id: left alone
    RunOptions options;
    options.keep = 2;
    const RunOutcome first = play(options);
    const RunOutcome second = play(options);
    CHECK(first.pruned.empty());
    CHECK(second.pruned.empty());
    const RunOutcome third = play(options);
    CHECK(third.pruned == std::vector<std::string>{first.run.dir.filename().string()});
    CHECK(entries(kOut / "tidy") == std::set<std::string>{second.run.dir.filename().string(),
                                                          third.run.dir.filename().string(), "latest", "notes"});
    CHECK(fs::read_symlink(kOut / "tidy" / "latest") == third.run.dir.filename());
    CHECK_FALSE(fs::exists(kOut / "tidy" / "current"));  // only while a run is in progress
    // Without --keep nothing is pruned.
    const RunOutcome fourth = play({});
    CHECK(fourth.pruned.empty());
    CHECK(entries(kOut / "tidy").size() == 5);
}

TEST_CASE("Run ids are recognised exactly", "[results][keep]") {
    CHECK(is_run_id("20261201T123456.789Z-seed7"));
    CHECK_FALSE(is_run_id("20261201T123456.789Z-seed"));
    CHECK_FALSE(is_run_id("latest"));
    CHECK_FALSE(is_run_id("x20261201T123456.789Z-seed7"));
}

TEST_CASE("Without logs none are written, a log cap cuts each log after a whole line, saying so", "[results][logs]") {
    Results results;
    RunOptions none;
    none.logs = false;
    const RunOutcome quiet = play(none);
    CHECK_FALSE(fs::exists(quiet.run.dir / "logs"));
    CHECK(json::parse(slurp(quiet.run.dir / "summary.json"))["logs"].is_null());

    RunOptions capped;
    capped.log_cap = 200;
    const RunOutcome small = play(capped);
    const std::string log = slurp(small.run.dir / "logs" / "Alford.log");
    const auto marker = log.find("[herdsim: log cut at 200 bytes (--log-cap); ");
    REQUIRE(marker != std::string::npos);
    CHECK(marker <= 200);
    CHECK((marker == 0 || log[marker - 1] == '\n'));
    CHECK(log.back() == '\n');
    const json summary = json::parse(slurp(small.run.dir / "summary.json"));
    CHECK(summary["logs"]["cap_bytes"] == 200);
    CHECK(summary["logs"]["cut"].size() == 5);  // every node logged more than 200 bytes

    const RunOutcome whole = play({});
    CHECK(slurp(whole.run.dir / "logs" / "Alford.log").find("[herdsim: log cut") == std::string::npos);
    CHECK(json::parse(slurp(whole.run.dir / "summary.json"))["logs"]["cut"].empty());
}

TEST_CASE("SIGINT stops a real herdsim run, which still writes summary.json saying it was interrupted",
          "[results][interrupt]") {
    Results results;
    fs::create_directories(kOut);
    const fs::path file = kOut / "long.json";
    std::ofstream(file) << R"({"description": "A run far longer than the test.", "name": "long", "steps": [
        {"send": {"node": "Alford", "line": "IAMAT kiwi +34-118 1520023934", "expect_pattern": "AT Alford .*"}},
        {"wait_ms": 1500},
        {"wait_ms": 600000},
        {"expect_lost": {"max": 0}}]})";
    boost::asio::io_context io;
    herd::test::ChildProcess run(io, HERDSIM_BINARY,
                                 {"run", file.string(), "--out", (kOut / "results").string(), "--progress"}, kOut);
    const fs::path current = kOut / "results" / "long" / "current";
    // Step 3 has begun: the send was judged (its reply had the 1.5 s wait to come), the long wait is on.
    REQUIRE(run.wait_for_output("long: step 3/4", 120s));
    REQUIRE(fs::is_symlink(current));
    const fs::path run_dir = kOut / "results" / "long" / fs::read_symlink(current);
    run.send_signal(SIGINT);
    const auto code = run.wait_for_exit(60s);
    INFO(run.output());
    CHECK(code == 130);
    CHECK(run.output().find("INTERRUPTED") != std::string::npos);
    const json summary = json::parse(slurp(run_dir / "summary.json"));
    CHECK(summary["interrupted"] == true);
    // The send passed and nothing failed, but expect_lost was never reached: no pass.
    CHECK(summary["verdict"] == "interrupted");
    CHECK(summary["passed"] == false);
    CHECK(summary["updates"] == 1);
    CHECK(summary["verdicts"].size() == 1);  // the send's; expect_lost was never reached
    CHECK_FALSE(fs::exists(current));
    CHECK(run.output().find("long      INTERRUPTED") != std::string::npos);
    // `latest` stands for the newest run that ended; this one did not.
    CHECK_FALSE(fs::exists(kOut / "results" / "long" / "latest"));
}

namespace {

// One HTTP/1.0 GET on 127.0.0.1: the status line and the body.
std::pair<std::string, std::string> get(unsigned short port, const std::string& target) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket(io);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    const std::string request = "GET " + target + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    boost::asio::write(socket, boost::asio::buffer(request));
    std::string response;
    boost::system::error_code ec;
    boost::asio::read(socket, boost::asio::dynamic_buffer(response), ec);
    const auto head_end = response.find("\r\n\r\n");
    return {response.substr(0, response.find("\r\n")), head_end == std::string::npos ? "" : response.substr(head_end + 4)};
}

// `herdsim run FILE --out DIR` as a user types it, with the default flags; its exit code.
int run_herdsim(const fs::path& file, const fs::path& out) {
    boost::asio::io_context io;
    herd::test::ChildProcess run(io, HERDSIM_BINARY, {"run", file.string(), "--out", out.string()}, kOut);
    const auto code = run.wait_for_exit(120s);
    INFO(run.output());
    REQUIRE(code);
    return *code;
}

}  // namespace

TEST_CASE("By default results stay bounded: five runs a scenario, node logs only of a run that failed",
          "[results][bounded]") {
    Results results;
    fs::create_directories(kOut);
    std::ofstream(kOut / "ok.json") << R"({"description": "Passes.", "name": "ok", "steps": )" << kOneUpdate << "}";
    std::ofstream(kOut / "bad.json") << R"({"description": "Fails.", "name": "bad", "steps": [
        {"send": {"node": "Alford", "line": "IAMAT kiwi +34-118 1520023934", "expect_pattern": "NOT THIS"}}]})";
    const fs::path out = kOut / "results";
    for (int i = 0; i < 6; ++i) REQUIRE(run_herdsim(kOut / "ok.json", out) == 0);
    std::set<std::string> runs;
    for (const auto& e : fs::directory_iterator(out / "ok"))
        if (is_run_id(e.path().filename().string())) runs.insert(e.path().filename().string());
    CHECK(runs.size() == 5);
    const fs::path passed = out / "ok" / fs::read_symlink(out / "ok" / "latest");
    CHECK_FALSE(fs::exists(passed / "logs"));
    CHECK(json::parse(slurp(passed / "summary.json"))["logs"]["kept"] == false);
    REQUIRE(run_herdsim(kOut / "bad.json", out) == 1);
    const fs::path failed = out / "bad" / fs::read_symlink(out / "bad" / "latest");
    CHECK(fs::exists(failed / "logs" / "Alford.log"));
    CHECK(json::parse(slurp(failed / "summary.json"))["logs"]["kept"] == true);

    // results/index.html lists every run kept, newest first, verdict coloured, linked to its page.
    const std::string index = slurp(out / "index.html");
    CHECK(index.find("6 runs: 5 pass, 1 fail") != std::string::npos);
    CHECK(index.find("<span class=\"verdict fail\">FAIL</span>") < index.find("<span class=\"verdict pass\">PASS</span>"));
    CHECK(index.find("href=\"bad/" + failed.filename().string() + "/index.html\"") != std::string::npos);
    const std::string page = slurp(failed / "index.html");
    CHECK(page.find("<span class=\"verdict fail\" id=\"verdict\">FAIL</span>") != std::string::npos);
    CHECK(page.find("NOT THIS") != std::string::npos);  // the failed expectation
    CHECK(page.find("<a href=\"summary.json\">") != std::string::npos);
    CHECK(page.find("<a href=\"logs/\">") != std::string::npos);
}

TEST_CASE("herdsim results serves every run on 127.0.0.1, and nothing outside the folder", "[results][serve]") {
    Results results;
    RunOptions options;
    const RunOutcome outcome = play(options);
    boost::asio::io_context io;
    herd::test::ChildProcess server(io, HERDSIM_BINARY, {"results", kOut.string(), "--port", "0"}, kOut);
    REQUIRE(server.wait_for_output("/ (Ctrl-C stops)", 60s));
    const std::string& said = server.output();
    const auto at = said.find("http://127.0.0.1:");
    REQUIRE(at != std::string::npos);
    const auto port = static_cast<unsigned short>(std::stoi(said.substr(at + 17)));
    const auto [status, index] = get(port, "/");
    CHECK(status == "HTTP/1.0 200 OK");
    CHECK(index.find(outcome.run.run_id) != std::string::npos);
    CHECK(index.find("<span class=\"verdict pass\">PASS</span>") != std::string::npos);
    const auto [run_status, run_page] = get(port, "/tidy/" + outcome.run.run_id + "/");
    CHECK(run_status == "HTTP/1.0 200 OK");
    CHECK(run_page.find("id=\"verdict\">PASS</span>") != std::string::npos);
    CHECK(get(port, "/tidy/latest/summary.json").first == "HTTP/1.0 200 OK");
    CHECK(get(port, "/../results_test.cpp").first == "HTTP/1.0 404 Not Found");
    CHECK(get(port, "/%2e%2e/%2e%2e/etc/passwd").first == "HTTP/1.0 404 Not Found");
    CHECK(get(port, "/nothing-here").first == "HTTP/1.0 404 Not Found");
}
