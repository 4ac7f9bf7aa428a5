#include "scenario/flag_scenario.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

namespace herd::sim {

namespace {

using Json = nlohmann::ordered_json;

std::string node(int i) { return "N" + std::to_string(i); }

// Maelstrom's grid is a square with a short last row; a generated grid is rows x cols, so the
// squarest rows x cols with that many nodes (a prime count is one row).
Json topology_json(const FlagRun& run) {
    const std::string& t = run.topology;
    if (t == "grid") {
        int rows = static_cast<int>(std::sqrt(static_cast<double>(run.nodes)));
        while (run.nodes % rows != 0) --rows;
        return {{"kind", "grid"}, {"rows", rows}, {"cols", run.nodes / rows}};
    }
    if (t == "line" || t == "ring") return {{"kind", t}, {"nodes", run.nodes}};
    if (t == "total") return {{"kind", "full"}, {"nodes", run.nodes}};
    if (t.starts_with("tree")) return {{"kind", "tree"}, {"nodes", run.nodes}, {"arity", t.back() - '0'}};
    // random: degree 4 where the node count allows it (degree < nodes, nodes x degree even).
    int degree = std::min(4, run.nodes - 1);
    if ((run.nodes * degree) % 2) --degree;
    return {{"kind", "random"}, {"nodes", run.nodes}, {"degree", degree}};
}

// One fault and its end, half an interval apart, on nodes drawn from the seed.
void add_fault(Json& steps, const std::string& kind, std::int64_t at, std::int64_t end, const FlagRun& run,
               std::mt19937_64& rng) {
    const auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
    if (kind == "crash") {
        const std::string victim = node(pick(run.nodes));
        steps.push_back({{"at_ms", at}, {"crash", victim}});
        steps.push_back({{"at_ms", end}, {"restart", victim}});
        return;
    }
    // partition: Jepsen's random halves, a shuffled herd cut into a minority and a majority.
    std::vector<int> order(static_cast<std::size_t>(run.nodes));
    for (int i = 0; i < run.nodes; ++i) order[static_cast<std::size_t>(i)] = i;
    std::shuffle(order.begin(), order.end(), rng);
    Json minority = Json::array(), majority = Json::array();
    for (std::size_t i = 0; i < order.size(); ++i)
        (i < order.size() / 2 ? minority : majority).push_back(node(order[i]));
    steps.push_back({{"at_ms", at}, {"partition", {minority, majority}}});
    steps.push_back({{"at_ms", end}, {"heal_all", true}});
}

}  // namespace

const std::vector<std::string>& flag_topologies() {
    static const std::vector<std::string> kinds = {"grid", "line", "ring", "tree2", "tree3", "tree4", "total", "random"};
    return kinds;
}

const std::vector<std::string>& flag_nemeses() {
    static const std::vector<std::string> kinds = {"partition", "crash"};
    return kinds;
}

Json flag_scenario(const FlagRun& run, const std::string& command) {
    const auto& kinds = flag_topologies();
    if (std::find(kinds.begin(), kinds.end(), run.topology) == kinds.end())
        throw std::invalid_argument("unknown topology \"" + run.topology + "\"");
    const Json topology = topology_json(run);
    const auto time_limit_ms = static_cast<std::int64_t>(std::llround(run.time_limit_s * 1000));
    const auto updates = std::max<std::int64_t>(1, std::llround(run.rate * run.time_limit_s));

    Json steps = Json::array();
    steps.push_back({{"at_ms", 0}, {"workload", {{"updates", updates}, {"rate_per_s", run.rate}, {"clients", run.nodes}}}});
    std::mt19937_64 rng(run.seed);
    for (const auto& kind : run.nemesis)
        if (std::find(flag_nemeses().begin(), flag_nemeses().end(), kind) == flag_nemeses().end())
            throw std::invalid_argument("unknown nemesis \"" + kind + "\"");
    if (run.nodes < 2 && std::find(run.nemesis.begin(), run.nemesis.end(), "partition") != run.nemesis.end())
        throw std::invalid_argument("a partition needs at least 2 nodes");
    if (!run.nemesis.empty()) {
        std::size_t next = 0;
        for (std::int64_t at = run.nemesis_interval_ms; at + run.nemesis_interval_ms / 2 <= time_limit_ms;
             at += run.nemesis_interval_ms)
            add_fault(steps, run.nemesis[next++ % run.nemesis.size()], at, at + run.nemesis_interval_ms / 2, run, rng);
    }
    // Quiet means no flood line in flight for a while: longer than one hop's worst delay.
    // An exponential delay has no worst case: 10 means leave a line held so long once in e^10 (22,000).
    const int worst_hop_ms = run.exponential ? 10 * run.latency_ms : run.latency_ms + run.jitter_ms;
    const int quiet_ms = std::max(300, 2 * worst_hop_ms + 100);
    steps.push_back({{"wait_quiet", {{"quiet_ms", quiet_ms}, {"timeout_ms", 60000}}}});
    steps.push_back({{"expect_lost", {{"max", 0}, {"required", "now"}}}});
    steps.push_back({{"expect_converged", true}});

    Json scenario;
    scenario["name"] = run.topology + std::to_string(run.nodes) + "-flags";
    scenario["description"] = "From flags: " + command;
    scenario["seed"] = run.seed;
    scenario["herd"] = {{"topology", topology}};
    scenario["links"] = {{"delay_ms", run.latency_ms}, {"jitter_ms", run.jitter_ms}};
    if (run.exponential) scenario["links"]["distribution"] = "exponential";
    scenario["steps"] = steps;
    return scenario;
}

}  // namespace herd::sim
