#include "target/refusals.hpp"

#include <type_traits>
#include <variant>

namespace herd::sim::target {

namespace {

// The step's key in the file, when it needs the relays.
struct NeedsRelays {
    const char* operator()(const CutStep&) const { return "cut"; }
    const char* operator()(const HealStep&) const { return "heal"; }
    const char* operator()(const PartitionStep&) const { return "partition"; }
    const char* operator()(const HealAllStep&) const { return "heal_all"; }
    const char* operator()(const DelayStep&) const { return "delay"; }
    const char* operator()(const DropStep&) const { return "drop"; }
    const char* operator()(const ResetAfterStep&) const { return "reset_after"; }
    const char* operator()(const StallStep& s) const { return s.stalled ? "stall" : "unstall"; }
    const char* operator()(const ExpectMessagesStep&) const { return "expect_messages"; }
    template <typename Other>
    const char* operator()(const Other&) const {
        return nullptr;
    }
};

}  // namespace

std::vector<std::string> refusals(const Scenario& scenario, const TargetSpec& spec) {
    std::vector<std::string> out;
    const std::string file = scenario.file.string() + ": ";
    // A places step empties the nodes' Places caches: in a scenario that counts on a cache, a
    // target's servers would go on answering from theirs, which no one can empty from outside.
    if (scenario.places.limits.caching())
        for (const Step& step : scenario.steps)
            if (std::holds_alternative<PlacesStep>(step.action))
                out.push_back(file + "steps[" + std::to_string(step.index) +
                              "].places: empties every server's Places cache, which herdsim can do only for its own "
                              "servers in its process, and the scenario turns the cache on (places.cache_ttl_ms " +
                              std::to_string(scenario.places.limits.cache_ttl.count()) + "); the target " +
                              spec.file.string() + "'s servers would keep whatever cache they have");
    if (spec.links != Links::direct) return out;
    const std::string why =
        "needs herdsim's relays, and the target " + spec.file.string() +
        " has \"links\": \"direct\" (its servers connect to each other's own ports, so herdsim can neither act on a "
        "link nor see the flood lines on it); give the target \"links\": \"relayed\"";
    if (scenario.default_delay.count() > 0 || scenario.default_jitter.count() > 0) out.push_back(file + "links: " + why);
    for (const Step& step : scenario.steps)
        if (const char* key = std::visit(NeedsRelays{}, step.action))
            out.push_back(file + "steps[" + std::to_string(step.index) + "]." + key + ": " + why);
    return out;
}

}  // namespace herd::sim::target
