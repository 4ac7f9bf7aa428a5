#include "scenario/shrink_time.hpp"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

namespace herd::sim {

namespace {

using Json = nlohmann::ordered_json;

bool timed(const Json& step) { return step.contains("at_ms") && step["at_ms"].is_number_integer(); }

// Old times to new ones: the timed steps' times (anchors, rising), linear between them, and
// unchanged in length after the last one (where only untimed steps and background work run).
class TimeMap {
public:
    void add(std::int64_t from, std::int64_t to) {
        if (anchors_.empty() || from > anchors_.back().first) anchors_.emplace_back(from, to);
    }
    std::int64_t operator()(std::int64_t t) const {
        auto after = std::upper_bound(anchors_.begin(), anchors_.end(), t, [](std::int64_t v, const auto& a) { return v < a.first; });
        if (after == anchors_.begin()) return t;
        const auto [old0, new0] = *std::prev(after);
        if (after == anchors_.end()) return new0 + (t - old0);
        const auto [old1, new1] = *after;
        return new0 + static_cast<std::int64_t>(std::llround(static_cast<double>(t - old0) * static_cast<double>(new1 - new0) /
                                                             static_cast<double>(old1 - old0)));
    }

private:
    std::vector<std::pair<std::int64_t, std::int64_t>> anchors_;
};

// A workload keeps its rate over its new span: as many updates as fit in it, at least one.
void shorten_workload(Json& workload, std::int64_t at, const TimeMap& map) {
    if (!workload.is_object() || !workload.contains("updates") || !workload["updates"].is_number_integer() ||
        !workload.contains("rate_per_s") || !workload["rate_per_s"].is_number())
        return;
    const double rate = workload["rate_per_s"].get<double>();
    const auto updates = workload["updates"].get<std::int64_t>();
    if (rate <= 0 || updates <= 0) return;
    const double span = static_cast<double>(updates) * 1000 / rate;
    const auto end = at + static_cast<std::int64_t>(std::llround(span));
    const double new_span = static_cast<double>(map(end) - map(at));
    const auto fewer = std::clamp<std::int64_t>(std::llround(static_cast<double>(updates) * new_span / span), 1, updates);
    workload["updates"] = fewer;
}

}  // namespace

Json cut_idle_time(const Json& scenario, std::int64_t max_gap_ms) {
    if (max_gap_ms <= 0 || !scenario.contains("steps") || !scenario["steps"].is_array()) return scenario;
    TimeMap map;
    map.add(0, 0);
    std::int64_t last_old = 0, last_new = 0;
    bool untimed_between = false;
    for (const auto& step : scenario["steps"]) {
        if (!timed(step)) {
            untimed_between = true;
            continue;
        }
        const auto at = step["at_ms"].get<std::int64_t>();
        if (at < last_old) return scenario;
        last_new += untimed_between ? at - last_old : std::min(at - last_old, max_gap_ms);
        last_old = at;
        map.add(at, last_new);
        untimed_between = false;
    }
    Json out = scenario;
    for (auto& step : out["steps"]) {
        if (!timed(step)) continue;
        const auto at = step["at_ms"].get<std::int64_t>();
        if (step.contains("workload")) shorten_workload(step["workload"], at, map);
        step["at_ms"] = map(at);
    }
    return out;
}

std::int64_t last_at_ms(const Json& scenario) {
    std::int64_t last = 0;
    for (const auto& step : scenario.at("steps"))
        if (timed(step)) last = std::max(last, step["at_ms"].get<std::int64_t>());
    return last;
}

}  // namespace herd::sim
