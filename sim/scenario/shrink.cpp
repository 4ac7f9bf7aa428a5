#include "scenario/shrink.hpp"

#include <algorithm>
#include <set>

namespace herd::sim {

namespace {

using Json = nlohmann::ordered_json;

// The step's action key: the one key that is not timing or a note.
std::string action_of(const Json& step) {
    for (const auto& [key, value] : step.items())
        if (key != "at_ms" && key != "after_ms" && key != "note") return key;
    return {};
}

// The link a link step names, without what it does to it: a cut and its heal name the same one.
Json link_of(const Json& value) {
    Json link = Json::object();
    if (!value.is_object()) return link;
    for (const char* key : {"from", "to", "one_way"})
        if (value.contains(key)) link[key] = value[key];
    return link;
}

bool is_delay_off(const Json& value) { return value.is_object() && value.value("delay_ms", -1) == 0; }

std::string label_of(const Json& steps, std::size_t i) {
    const std::string action = action_of(steps[i]);
    const Json& value = steps[i][action];
    std::string text = "steps[" + std::to_string(i) + "]." + action;
    if (value.is_string()) return text + " " + value.get<std::string>();
    if (value.is_object() && value.contains("node") && value["node"].is_string())
        return text + " " + value["node"].get<std::string>();
    if (value.is_object() && value.contains("from") && value.contains("to"))
        return text + " " + value["from"].dump() + "->" + value["to"].dump();
    return text;
}

// What cuts by kind group events by: the chaos fault kinds, a client's operations as one.
std::string kind_of(const Json& step) {
    const std::string action = action_of(step);
    if (action == "send" || action == "workload") return "client";
    if (action == "stall") return "pause";
    if (action == "reset_after") return "reset";
    if (action == "cut" && step[action].is_object() && step[action].value("one_way", false)) return "one-way";
    return action;
}

// The nodes a step acts on: a crashed node, a link's ends (a stall's sending node: the one paused),
// the smaller side of a partition (the nodes it isolates).
std::vector<std::string> nodes_of(const Json& step) {
    const std::string action = action_of(step);
    const Json& value = step[action];
    std::vector<std::string> nodes;
    const auto add = [&](const Json& name) {
        if (name.is_string()) nodes.push_back(name.get<std::string>());
    };
    if (value.is_string()) add(value);
    if (!value.is_object() && !value.is_array()) return nodes;
    if (action == "partition") {
        const Json* smallest = nullptr;
        for (const auto& group : value)
            if (group.is_array() && (!smallest || group.size() < smallest->size())) smallest = &group;
        if (smallest)
            for (const auto& name : *smallest) add(name);
        return nodes;
    }
    if (!value.is_object()) return nodes;
    add(value.value("node", Json()));
    add(value.value("from", Json()));
    if (action != "stall") add(value.value("to", Json()));
    return nodes;
}

// The step that ends the fault steps[i] opens, if any: the first later step that undoes it.
std::optional<std::size_t> closer_of(const Json& steps, std::size_t i, std::size_t last_heal_all) {
    const std::string action = action_of(steps[i]);
    const Json& value = steps[i][action];
    for (std::size_t j = i + 1; j < steps.size(); ++j) {
        const std::string other = action_of(steps[j]);
        const Json& v = steps[j][other];
        if (((action == "crash" && other == "restart") || (action == "pause" && other == "resume")) && v == value) return j;
        if ((action == "cut" && other == "heal") || (action == "stall" && other == "unstall"))
            if (link_of(v) == link_of(value)) return j;
        if (action == "delay" && other == "delay" && link_of(v) == link_of(value)) return is_delay_off(v) ? std::optional(j) : std::nullopt;
        if (action == "partition" && other == "heal_all") return j == last_heal_all ? std::nullopt : std::optional(j);
    }
    return std::nullopt;
}

}  // namespace

std::vector<ShrinkEvent> shrink_events(const Json& scenario) {
    static const std::set<std::string> openers = {"crash", "pause", "stall", "cut", "partition", "delay", "drop", "reset_after",
                                                  "send", "workload", "restart", "resume", "heal", "unstall", "heal_all"};
    const Json& steps = scenario.at("steps");
    // The last heal_all ends the run's faults for its liveness checks: it stays. So do the steps an
    // expect_recovery names, and every step that is neither a fault nor a client's operation.
    std::size_t last_heal_all = steps.size();
    std::set<std::size_t> fixed;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const std::string action = action_of(steps[i]);
        if (action == "heal_all") last_heal_all = i;
        if (action == "expect_recovery" && steps[i][action].is_object() && steps[i][action].contains("fault"))
            fixed.insert(steps[i][action]["fault"].get<std::size_t>());
    }
    fixed.insert(last_heal_all);

    std::vector<ShrinkEvent> events;
    std::set<std::size_t> taken;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const std::string action = action_of(steps[i]);
        if (taken.count(i) || fixed.count(i) || !openers.count(action)) continue;
        if (action == "delay" && is_delay_off(steps[i][action])) {
            events.push_back({{i}, label_of(steps, i), kind_of(steps[i]), nodes_of(steps[i])});
            continue;
        }
        ShrinkEvent event{{i}, label_of(steps, i), kind_of(steps[i]), nodes_of(steps[i])};
        if (const auto closer = closer_of(steps, i, last_heal_all); closer && !taken.count(*closer) && !fixed.count(*closer)) {
            event.steps.push_back(*closer);
            event.label += " + " + label_of(steps, *closer);
        }
        taken.insert(event.steps.begin(), event.steps.end());
        events.push_back(std::move(event));
    }
    // A pause is one node's stalls begun at once: one event.
    for (std::size_t e = 0; e < events.size(); ++e) {
        const Json& first = steps[events[e].steps.front()];
        if (action_of(first) != "stall" || !first.contains("at_ms")) continue;
        for (std::size_t f = e + 1; f < events.size();) {
            const Json& other = steps[events[f].steps.front()];
            if (action_of(other) == "stall" && other.value("at_ms", -1) == first["at_ms"] &&
                other["stall"].value("from", "") == first["stall"].value("from", "")) {
                events[e].steps.insert(events[e].steps.end(), events[f].steps.begin(), events[f].steps.end());
                events[e].label += " + " + events[f].label;
                events.erase(events.begin() + static_cast<std::ptrdiff_t>(f));
            } else {
                ++f;
            }
        }
        std::sort(events[e].steps.begin(), events[e].steps.end());
    }
    return events;
}

Json keep_events(const Json& scenario, const std::vector<ShrinkEvent>& events, const std::vector<std::size_t>& kept) {
    std::set<std::size_t> dropped;
    for (const auto& event : events) dropped.insert(event.steps.begin(), event.steps.end());
    for (const auto e : kept)
        for (const auto s : events.at(e).steps) dropped.erase(s);
    // An expect_recovery names a step by its index: indices after a removed step move down.
    std::vector<std::size_t> new_index;
    std::size_t next = 0;
    for (std::size_t i = 0; i < scenario.at("steps").size(); ++i) new_index.push_back(dropped.count(i) ? next : next++);
    Json out = scenario;
    out["steps"] = Json::array();
    for (std::size_t i = 0; i < scenario["steps"].size(); ++i) {
        if (dropped.count(i)) continue;
        Json step = scenario["steps"][i];
        if (step.contains("expect_recovery") && step["expect_recovery"].is_object() && step["expect_recovery"].contains("fault"))
            step["expect_recovery"]["fault"] = new_index.at(step["expect_recovery"]["fault"].get<std::size_t>());
        out["steps"].push_back(std::move(step));
    }
    return out;
}

ShrinkResult delta_debug(std::size_t count, const FirstFailing& first_failing) {
    ShrinkResult all;
    for (std::size_t i = 0; i < count; ++i) all.kept.push_back(i);
    return delta_debug(std::move(all), first_failing);
}

ShrinkResult delta_debug(ShrinkResult result, const FirstFailing& first_failing) {
    std::size_t granularity = 2;
    while (result.kept.size() >= 2) {
        granularity = std::min(granularity, result.kept.size());
        // The complements: the current set without each of `granularity` chunks of it.
        std::vector<std::vector<std::size_t>> candidates;
        for (std::size_t chunk = 0; chunk < granularity; ++chunk) {
            const std::size_t begin = result.kept.size() * chunk / granularity;
            const std::size_t end = result.kept.size() * (chunk + 1) / granularity;
            std::vector<std::size_t> without(result.kept.begin(), result.kept.begin() + static_cast<std::ptrdiff_t>(begin));
            without.insert(without.end(), result.kept.begin() + static_cast<std::ptrdiff_t>(end), result.kept.end());
            candidates.push_back(std::move(without));
        }
        ++result.rounds;
        result.candidates += static_cast<int>(candidates.size());
        if (const auto failing = first_failing(candidates)) {
            result.kept = candidates[*failing];
            granularity = std::max<std::size_t>(granularity - 1, 2);
        } else if (granularity >= result.kept.size()) {
            break;  // no single removal still fails
        } else {
            granularity = std::min(granularity * 2, result.kept.size());
        }
    }
    // A last single event may itself be removable (the failure needs none of them).
    if (result.kept.size() == 1) {
        ++result.rounds;
        ++result.candidates;
        if (first_failing({{}})) result.kept.clear();
    }
    return result;
}

}  // namespace herd::sim
