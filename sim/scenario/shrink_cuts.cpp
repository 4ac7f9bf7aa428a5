#include "scenario/shrink_cuts.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <string>

namespace herd::sim {

namespace {

using Kept = std::vector<std::size_t>;

// The kept faults grouped by their kind, or by each node they act on (a link fault in both ends' groups).
std::map<std::string, Kept> groups_of(const std::vector<ShrinkEvent>& events, const Kept& kept, bool by_node) {
    std::map<std::string, Kept> groups;
    for (const auto e : kept) {
        if (events[e].kind == "client") continue;
        if (!by_node) groups[events[e].kind].push_back(e);
        else
            for (const auto& node : events[e].nodes) groups[node].push_back(e);
    }
    return groups;
}

Kept merged(const Kept& a, const Kept& b) {
    Kept out;
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

Kept without(const Kept& a, const Kept& b) {
    Kept out;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

// A batch of cuts, the biggest first (asked in order, the first that fails is kept): the clients
// alone, the clients with only the faults of one group, the kept events without one group.
std::vector<Kept> cuts_of(const std::vector<ShrinkEvent>& events, const Kept& kept, bool by_node, const std::set<Kept>& asked) {
    Kept clients;
    std::copy_if(kept.begin(), kept.end(), std::back_inserter(clients), [&](std::size_t e) { return events[e].kind == "client"; });
    const auto groups = groups_of(events, kept, by_node);
    std::vector<Kept> only, but;
    for (const auto& [name, group] : groups) {
        only.push_back(merged(clients, group));
        but.push_back(without(kept, group));
    }
    const auto smaller = [](const Kept& a, const Kept& b) { return a.size() < b.size(); };
    std::stable_sort(only.begin(), only.end(), smaller);
    std::stable_sort(but.begin(), but.end(), smaller);
    std::vector<Kept> cuts{clients};
    cuts.insert(cuts.end(), only.begin(), only.end());
    cuts.insert(cuts.end(), but.begin(), but.end());
    std::vector<Kept> batch;
    for (auto& cut : cuts)
        if (cut.size() < kept.size() && !asked.count(cut) && std::find(batch.begin(), batch.end(), cut) == batch.end())
            batch.push_back(std::move(cut));
    return batch;
}

}  // namespace

ShrinkResult cut_by_kind_and_node(const std::vector<ShrinkEvent>& events, const FirstFailing& first_failing) {
    ShrinkResult result;
    for (std::size_t e = 0; e < events.size(); ++e) result.kept.push_back(e);
    std::set<Kept> asked;  // each cut once: one that passed is not asked again in the next batch
    for (const bool by_node : {false, true}) {
        for (;;) {
            const auto batch = cuts_of(events, result.kept, by_node, asked);
            if (batch.empty()) break;
            ++result.rounds;
            result.candidates += static_cast<int>(batch.size());
            asked.insert(batch.begin(), batch.end());
            const auto failing = first_failing(batch);
            if (!failing) break;
            result.kept = batch[*failing];
        }
    }
    return result;
}

ShrinkResult shrink_schedule(const std::vector<ShrinkEvent>& events, const FirstFailing& first_failing) {
    return delta_debug(cut_by_kind_and_node(events, first_failing), first_failing);
}

}  // namespace herd::sim
