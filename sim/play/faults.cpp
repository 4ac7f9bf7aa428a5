// Node and link faults: what each fault step does to the herd and its relays, and which fault
// window it opens or ends (execute_step keeps the windows, as each kind declares in scenario.hpp).
// Faults act from outside the node code: a crashed node's relays refuse as a dead host would; a
// paused node is stopped as a process is (RunHerd::pause); a cut link's relay refuses; delays,
// drops, stalls and resets happen in the relay.
#include <map>

#include "play/steps.hpp"

namespace herd::sim {

namespace {

std::string link_label(const LinkRef& link) {
    if (link.from.empty()) return "every link";
    return link.from + (link.both_ways ? "<->" : "->") + link.to;
}

// The relays a step names: one direction, both, or every relay when from/to are empty.
std::vector<Relay*> relays_of(RunContext& run, const LinkRef& link) {
    if (link.from.empty()) return run.herd->relays();
    std::vector<Relay*> out;
    if (Relay* r = run.herd->relay(link.from, link.to)) out.push_back(r);
    if (link.both_ways)
        if (Relay* r = run.herd->relay(link.to, link.from)) out.push_back(r);
    return out;
}

// "[Alford Hamilton] [Ball Holiday Welsh]"
std::string groups_label(const PartitionStep& s) {
    std::string label;
    for (const auto& g : s.groups) {
        label += label.empty() ? "[" : " [";
        for (std::size_t i = 0; i < g.size(); ++i) label += (i ? " " : "") + g[i];
        label += "]";
    }
    return label;
}

}  // namespace

DelayDistribution default_distribution(const RunContext& run) {
    return run.scenario.default_exponential ? DelayDistribution::exponential : DelayDistribution::uniform;
}

void act(RunContext& run, const Step&, const CrashStep& s) {
    run.herd->crash(s.node);
    for (auto& [name, connection] : run.connections)
        if (connection->node == s.node) connection->dead = true;
    run.recorder->node_crashed(s.node);
    run.recoveries.crashed(s.node, run.now_ms());
    run.recorder->note("crash", s.node, {s.node});
}

void act(RunContext& run, const Step&, const RestartStep& s) {
    run.herd->restart(s.node);
    run.recorder->note("restart", s.node, {s.node});
}

void act(RunContext& run, const Step&, const PauseStep& s) {
    if (s.paused)
        run.herd->pause(s.node);
    else
        run.herd->resume(s.node);
    run.recorder->note(s.paused ? "pause" : "resume", s.node, {s.node});
}

void act(RunContext& run, const Step&, const CutStep& s) {
    for (Relay* r : relays_of(run, s.link)) r->cut();
    run.recorder->note("cut", link_label(s.link), {s.link.from, s.link.to});
}

void act(RunContext& run, const Step&, const HealStep& s) {
    for (Relay* r : relays_of(run, s.link)) r->heal();
    run.recorder->note("heal", link_label(s.link), {s.link.from, s.link.to});
}

void act(RunContext& run, const Step&, const PartitionStep& s) {
    // Links that touch a node named in no group are left alone.
    std::map<std::string, std::size_t> group_of;
    for (std::size_t g = 0; g < s.groups.size(); ++g)
        for (const auto& n : s.groups[g]) group_of[n] = g;
    for (Relay* r : run.herd->relays()) {
        const auto a = group_of.find(r->from());
        const auto b = group_of.find(r->to());
        if (a != group_of.end() && b != group_of.end() && a->second != b->second) r->cut();
    }
    run.recorder->note("partition", "partition " + groups_label(s));
}

void act(RunContext& run, const Step&, const HealAllStep&) {
    for (Relay* r : run.herd->relays()) {
        r->clear_faults();
        r->set_delay(run.scenario.default_delay, run.scenario.default_jitter, default_distribution(run));
    }
    run.herd->link_faults_cleared();
    run.recorder->note("heal-all", "every link fault cleared");
}

void act(RunContext& run, const Step&, const DelayStep& s) {
    const auto distribution = s.exponential ? DelayDistribution::exponential : DelayDistribution::uniform;
    for (Relay* r : relays_of(run, s.link)) r->set_delay(s.delay, s.jitter, distribution);
    run.recorder->note("delay", "delay " + link_label(s.link) + " " + std::to_string(s.delay.count()) +
                                    (s.exponential ? " ms, exponential" : " ms +/- " + std::to_string(s.jitter.count()) + " ms"));
}

void act(RunContext& run, const Step&, const DropStep& s) {
    for (Relay* r : relays_of(run, s.link)) r->add_drop(s.command, s.client, s.first);
    run.recorder->note("drop", link_label(s.link) + " command=" + s.command + " client=" + s.client +
                                   " first=" + std::to_string(s.first));
}

void act(RunContext& run, const Step&, const ResetAfterStep& s) {
    for (Relay* r : relays_of(run, s.link)) r->reset_after(s.bytes);
    run.recorder->note("reset-after", link_label(s.link) + " after " + std::to_string(s.bytes) + " bytes");
}

void act(RunContext& run, const Step&, const StallStep& s) {
    for (Relay* r : relays_of(run, s.link)) r->stall(s.stalled);
    run.recorder->note(s.stalled ? "stall" : "unstall", link_label(s.link));
}

std::optional<WindowKey> window_of(const CrashStep& s) { return WindowKey{FaultWindow::Kind::crash, s.node}; }
std::optional<WindowKey> window_of(const RestartStep& s) { return WindowKey{FaultWindow::Kind::crash, s.node}; }
std::optional<WindowKey> window_of(const PauseStep& s) { return WindowKey{FaultWindow::Kind::pause, s.node}; }
std::optional<WindowKey> window_of(const CutStep& s) { return WindowKey{FaultWindow::Kind::cut, link_label(s.link)}; }
std::optional<WindowKey> window_of(const HealStep& s) { return WindowKey{FaultWindow::Kind::cut, link_label(s.link)}; }
std::optional<WindowKey> window_of(const PartitionStep& s) {
    return WindowKey{FaultWindow::Kind::partition, groups_label(s), s.groups};
}
std::optional<WindowKey> window_of(const HealAllStep&) { return std::nullopt; }
std::optional<WindowKey> window_of(const DelayStep& s) { return WindowKey{FaultWindow::Kind::delay, link_label(s.link)}; }
std::optional<WindowKey> window_of(const DropStep& s) { return WindowKey{FaultWindow::Kind::drop, link_label(s.link)}; }
std::optional<WindowKey> window_of(const StallStep& s) { return WindowKey{FaultWindow::Kind::stall, link_label(s.link)}; }

}  // namespace herd::sim
