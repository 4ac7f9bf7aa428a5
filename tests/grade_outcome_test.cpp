// What `herdsim grade` writes: with --repeat a test's score is its mean over the runs, a sum of
// fractions that binary floating point does not hold exactly; results.json rounds it as written.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "grade/outcome.hpp"

using namespace herd::sim::grade;

TEST_CASE("results.json gives --repeat's mean scores to four decimals, not a float sum") {
    std::vector<std::vector<TestResult>> runs;
    for (int run = 0; run < 100; ++run)
        runs.push_back({{"course: Test 2: WHATSAT at Jaquez: first line", true, run == 15 ? 0.0 : 2.0, 2, "", ""},
                        {"extra: faults: a check", false, run % 3 == 0 ? 1.0 : 0.0, 1, "", ""}});
    const GradeOutcome outcome = merge_runs("w22 herd", runs, {}, 1.0);
    const auto file = std::filesystem::temp_directory_path() / "herdsim-grade-outcome-test.json";
    write_results_json(outcome, file);
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    const auto results = nlohmann::json::parse(text.str());
    CHECK(results["score"].dump() == "1.98");
    CHECK(results["tests"][0]["score"].dump() == "1.98");
    CHECK(results["tests"][1]["score"].dump() == "0.34");
    CHECK(results["tests"][0]["output"] == "passed in 99/100 runs");
    std::filesystem::remove(file);
}
