// Scenario steps end to end: a scenario given inline plays against a real herd on loopback, and
// its verdicts and results are read back.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>


#include "runner.hpp"
#include "scenario/loader.hpp"

using namespace herd::sim;
namespace fs = std::filesystem;

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
    for (const auto& v : outcome.verdicts)
        out += "\nsteps[" + std::to_string(v.step) + "] " + (v.passed ? "held" : "FAILED") + ": " + v.description + ": " +
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

}  // namespace

TEST_CASE("A workload without nodes sends every report while one node is up", "[send][workload]") {
    Results cleanup;
    const auto outcome = play(R"([
        {"crash": "Alford"}, {"crash": "Ball"}, {"crash": "Hamilton"}, {"crash": "Holiday"},
        {"workload": {"updates": 5, "rate_per_s": 200, "clients": 5}},
        {"wait_quiet": {}},
        {"expect_knows": {"node": "Welsh", "client": "client-0"}}])");
    INFO(describe(outcome));
    CHECK(outcome.summary.updates == 5);
    CHECK(outcome.exit_code == 0);
}

TEST_CASE("A workload's draws depend on the seed and the nodes that are up", "[send][workload]") {
    Results cleanup;
    const Scenario s = scenario(R"([
        {"workload": {"updates": 20, "rate_per_s": 100, "clients": 50}},
        {"wait_quiet": {}},
        {"expect_lost": {"max": 0}}])");
    // client,origin of every update, in birth order (the report times come from the clock).
    auto drawn = [&] {
        const RunOutcome outcome = play(s);
        std::istringstream csv(slurp(outcome.run_dir / "updates.csv"));
        std::string row, out;
        std::getline(csv, row);
        while (std::getline(csv, row)) {
            std::vector<std::string> cells;
            std::stringstream fields(row);
            for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
            if (cells.size() > 4 && cells[3] == cells[4]) out += cells[1] + "@" + cells[3] + " ";
        }
        return out;
    };
    const std::string first = drawn();
    CHECK(first.size() > 20 * 10);
    CHECK(drawn() == first);
}
