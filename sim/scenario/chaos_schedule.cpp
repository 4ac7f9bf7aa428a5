#include "scenario/chaos_schedule.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>
#include <stdexcept>

namespace herd::sim {

namespace {

using Json = nlohmann::ordered_json;

// A step due at a time; sorted by time (stable: a fault's own steps keep their order).
struct Timed {
    std::int64_t at;
    Json step;
};

class Drawer {
public:
    Drawer(const HerdConfig& herd, std::uint64_t seed) : herd_(herd), rng_(seed) {}

    std::int64_t between(std::int64_t lo, std::int64_t hi) { return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_); }
    std::size_t index(std::size_t n) { return static_cast<std::size_t>(between(0, static_cast<std::int64_t>(n) - 1)); }

    // One fault of `kind` from `at` to `end`: its steps (a drop or a reset ends at the final heal).
    // False when it cannot be had then: a crash or a pause while every other node is down or paused.
    bool draw(const std::string& kind, std::int64_t at, std::int64_t end, std::vector<Timed>& out) {
        const auto& link = herd_.links[index(herd_.links.size())];
        const auto [from, to] = index(2) ? link : std::pair{link.second, link.first};
        const Json both = {{"from", from}, {"to", to}};
        if (kind == "crash") {
            const auto node = free_node(at, end);
            if (node.empty()) return false;
            out.push_back({at, {{"crash", node}}});
            out.push_back({end, {{"restart", node}}});
        } else if (kind == "pause") {
            const auto node = free_node(at, end);
            if (node.empty()) return false;
            out.push_back({at, {{"pause", node}}});
            out.push_back({end, {{"resume", node}}});
        } else if (kind == "partition") {
            // One draw in five is a majorities ring, unless no link of the herd crosses it.
            const auto cuts = index(5) == 4 ? majorities_ring() : std::vector<Json>{};
            for (const auto& cut : cuts) out.push_back({at, {{"cut", cut}}});
            if (cuts.empty()) out.push_back({at, {{"partition", jepsen_groups()}}});
            out.push_back({end, {{"heal_all", true}}});
        } else if (kind == "cut") {
            out.push_back({at, {{"cut", both}}});
            out.push_back({end, {{"heal", both}}});
        } else if (kind == "one-way") {
            Json one = both;
            one["one_way"] = true;
            out.push_back({at, {{"cut", one}}});
            out.push_back({end, {{"heal", one}}});
        } else if (kind == "delay") {
            Json slow = both;
            slow["delay_ms"] = between(10, 300);
            slow["jitter_ms"] = between(0, 100);
            out.push_back({at, {{"delay", slow}}});
            Json fast = both;
            fast["delay_ms"] = 0;
            out.push_back({end, {{"delay", fast}}});
        } else if (kind == "drop") {
            // Protocol-aware: only flood lines, the first few on one link.
            Json drop = both;
            drop["command"] = "AT";
            drop["first"] = between(1, 5);
            out.push_back({at, {{"drop", drop}}});
        } else {  // reset
            Json reset = both;
            reset["bytes"] = between(0, 400);
            out.push_back({at, {{"reset_after", reset}}});
        }
        return true;
    }

private:
    // A node neither down nor paused in [at, end], keeping at least one node of the herd running.
    std::string free_node(std::int64_t at, std::int64_t end) {
        std::vector<std::string> free;
        std::size_t down_then = 0;
        for (const auto& s : herd_.servers) {
            const auto& spans = down_[s.name];
            const bool busy = std::any_of(spans.begin(), spans.end(), [&](auto span) { return span.first <= end && at <= span.second; });
            if (busy) ++down_then;
            else free.push_back(s.name);
        }
        if (free.empty() || down_then + 1 >= herd_.servers.size()) return {};
        const auto node = free[index(free.size())];
        down_[node].push_back({at, end});
        return node;
    }

    // Jepsen's partition targets: one node alone, a minority, a majority, or random halves (the
    // majorities ring is drawn apart, below).
    Json jepsen_groups() {
        std::vector<std::string> names;
        for (const auto& s : herd_.servers) names.push_back(s.name);
        std::shuffle(names.begin(), names.end(), rng_);
        const std::size_t n = names.size();
        std::size_t cut = 1;
        switch (index(4)) {
            case 0: cut = 1; break;                             // one
            case 1: cut = std::max<std::size_t>(1, (n - 1) / 2); break;  // minority
            case 2: cut = n / 2 + 1; break;                      // majority (the rest a minority)
            default: cut = n / 2; break;                         // random halves
        }
        cut = std::clamp<std::size_t>(cut, 1, n - 1);
        return Json::array({Json(std::vector<std::string>(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(cut))),
                            Json(std::vector<std::string>(names.begin() + static_cast<std::ptrdiff_t>(cut), names.end()))});
    }

    // Jepsen's majorities ring: the nodes in a random ring, each seeing only the majority of the herd
    // nearest it there (itself and ~n/4 on each side), so no two nodes see the same majority. The
    // herd's links between nodes farther apart on the ring are cut, both ways.
    std::vector<Json> majorities_ring() {
        std::vector<std::string> ring;
        for (const auto& s : herd_.servers) ring.push_back(s.name);
        std::shuffle(ring.begin(), ring.end(), rng_);
        const std::size_t n = ring.size();
        const std::size_t reach = (n / 2 + 1) / 2;  // a window of 2 * reach + 1 >= a majority of nodes
        const auto place = [&](const std::string& name) { return std::find(ring.begin(), ring.end(), name) - ring.begin(); };
        std::vector<Json> cuts;
        for (const auto& [a, b] : herd_.links) {
            const auto gap = static_cast<std::size_t>(std::abs(place(a) - place(b)));
            if (std::min(gap, n - gap) > reach) cuts.push_back({{"from", a}, {"to", b}});
        }
        return cuts;
    }

    const HerdConfig& herd_;
    std::mt19937_64 rng_;
    std::map<std::string, std::vector<std::pair<std::int64_t, std::int64_t>>> down_;  // crashed or paused: [at, end]
};

}  // namespace

bool node_fault(const std::string& kind) { return kind == "crash" || kind == "pause"; }

const std::vector<std::string>& chaos_fault_kinds() {
    static const std::vector<std::string> kinds = {"crash", "pause", "partition", "cut", "one-way", "delay", "drop", "reset"};
    return kinds;
}

ChaosSchedule chaos_scenario(const HerdConfig& herd, const Json& herd_json, const ChaosOptions& options, const std::string& name) {
    const auto& known = chaos_fault_kinds();
    const auto mix = options.mix.empty() ? known : options.mix;
    for (const auto& kind : mix)
        if (std::find(known.begin(), known.end(), kind) == known.end())
            throw std::invalid_argument("unknown fault kind \"" + kind + "\"");
    if (herd.servers.size() < 2 || herd.links.empty()) throw std::invalid_argument("chaos needs a herd of 2 or more linked nodes");

    Drawer drawer(herd, options.seed);
    std::vector<Timed> faults;
    int drawn = 0;
    for (int i = 0; i < options.faults; ++i) {
        const std::string& kind = mix[drawer.index(mix.size())];
        const std::int64_t at = drawer.between(0, options.duration_ms * 3 / 4);
        const std::int64_t end = drawer.between(at + 1, options.duration_ms);
        drawn += drawer.draw(kind, at, end, faults);
    }
    std::stable_sort(faults.begin(), faults.end(), [](const Timed& a, const Timed& b) { return a.at < b.at; });

    Json steps = Json::array();
    steps.push_back({{"at_ms", 0}, {"phase", "safety"}});
    const auto updates = std::max<std::int64_t>(1, static_cast<std::int64_t>(options.rate * options.duration_ms / 1000));
    steps.push_back({{"at_ms", 0}, {"workload", {{"updates", updates}, {"rate_per_s", options.rate}, {"clients", options.clients}}}});
    for (auto& f : faults) {
        Json step = {{"at_ms", f.at}};
        step.update(f.step);
        steps.push_back(step);
    }
    steps.push_back({{"at_ms", options.duration_ms}, {"phase", "liveness"}});
    // Crashes and pauses leave no link to heal (and a target with direct links has none herdsim could).
    const bool links = std::any_of(mix.begin(), mix.end(), [](const std::string& kind) { return !node_fault(kind); });
    if (links) steps.push_back({{"heal_all", true}});
    steps.push_back({{"wait_quiet", {{"quiet_ms", 500}, {"timeout_ms", 60000}}}});
    steps.push_back({{"expect_lost", {{"max", 0}, {"required", "now"}}}});
    steps.push_back({{"expect_converged", true}});
    // Every fault window, each from its own heal (or from the end of the faults overlapping it), then
    // the last fault to end (the final heal, if any), with a bound of its own.
    if (links || drawn > 0) {  // else no fault ends: nothing to recover from
        steps.push_back({{"expect_recovery", {{"each", true}, {"max_ms", options.window_recovery_ms}}}});
        steps.push_back({{"expect_recovery", {{"max_ms", options.recovery_ms}}}});
    }

    Json scenario;
    scenario["name"] = name;
    scenario["description"] = "A seeded fault schedule (seed " + std::to_string(options.seed) + ", " +
                              std::to_string(drawn) + " faults): safety under faults, then heal, quiet and liveness.";
    scenario["seed"] = options.seed;
    scenario["herd"] = herd_json;
    scenario["steps"] = steps;
    return {scenario, drawn};
}

}  // namespace herd::sim
