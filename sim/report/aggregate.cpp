#include "report/aggregate.hpp"

#include <algorithm>
#include <map>

namespace herd::sim {

namespace {

using ordered_json = nlohmann::ordered_json;

Quantiles pooled(const std::vector<RunRecord>& runs) {
    std::vector<double> all;
    for (const auto& r : runs)
        for (const auto& v : r.summary.full_coverage_ms)
            if (v) all.push_back(*v);
    return quantiles(std::move(all));
}

std::size_t passed(const std::vector<RunRecord>& runs) {
    return static_cast<std::size_t>(
        std::count_if(runs.begin(), runs.end(), [](const RunRecord& r) {
            const RunVerdict v = r.verdict();
            return v == RunVerdict::pass || v == RunVerdict::unchecked;
        }));
}

// Per run: the numbers the aggregate spreads across runs (absent when a run has none).
std::map<std::string, std::optional<double>> run_metrics(const RunRecord& r) {
    const auto& q = r.summary.full_coverage;
    const auto recovery = last_recovery(r.spans);
    const auto quantile = [&](double v) { return q.count ? std::optional<double>(v) : std::nullopt; };
    return {{"p50_ms", quantile(q.p50)},
            {"p95_ms", quantile(q.p95)},
            {"p99_ms", quantile(q.p99)},
            {"max_ms", quantile(q.max)},
            {"recovery_ms", recovery ? recovery->recovery_ms() : std::nullopt},
            {"msgs_per_update", r.summary.messages.mean}};
}

}  // namespace

RunRow aggregate_row(const std::string& scenario, const std::vector<RunRecord>& runs) {
    RunRow row;
    row.scenario = scenario + " (" + std::to_string(runs.size()) + " runs)";
    row.verdict = std::to_string(passed(runs)) + "/" + std::to_string(runs.size()) + " PASS";
    row.full_coverage = pooled(runs);
    std::uint64_t messages = 0, catch_up = 0;
    for (const auto& r : runs) {
        row.updates += r.summary.updates;
        row.lost += r.summary.lost.size();
        row.forgotten += r.summary.forgotten.size();
        row.late += r.summary.late.size();
        row.stale_reads += r.summary.stale_reads;
        row.duration_s += r.summary.duration_ms / 1000.0;
        for (auto m : r.summary.messages.per_update) messages += m;
        for (auto m : r.summary.catch_up.per_update) catch_up += m;
        const auto recovery = last_recovery(r.spans);
        if (!recovery) continue;
        if (!row.recovery) {
            row.recovery = recovery;
            continue;
        }
        // The worst: never recovered beats any time.
        const auto worst = row.recovery->recovery_ms(), ms = recovery->recovery_ms();
        if (worst && (!ms || *ms > *worst)) row.recovery = recovery;
    }
    const auto per_update = [&](std::uint64_t lines) {
        return row.updates ? static_cast<double>(lines) / static_cast<double>(row.updates) : 0;
    };
    row.messages_per_update = per_update(messages);
    row.catch_up_per_update = per_update(catch_up);
    return row;
}

ordered_json aggregate_json(const std::string& scenario, const std::vector<RunRecord>& runs) {
    ordered_json j;
    j["scenario"] = scenario;
    j["runs"] = runs.size();
    j["passed"] = passed(runs);
    j["full_coverage_ms"] = quantiles_json(pooled(runs));
    std::map<std::string, std::vector<double>> across;
    ordered_json list = ordered_json::array();
    for (const auto& r : runs) {
        ordered_json run = {{"run_id", r.run_id}, {"seed", r.seed}, {"verdict", verdict_name(r.verdict())}};
        for (const auto& [name, value] : run_metrics(r)) {
            run[name] = value ? ordered_json(*value) : ordered_json(nullptr);
            if (value) across[name].push_back(*value);
        }
        list.push_back(run);
    }
    j["run_list"] = list;
    ordered_json spread = ordered_json::object();
    for (auto& [name, values] : across) {
        const Quantiles q = quantiles(values);
        spread[name] = {{"min", *std::min_element(values.begin(), values.end())}, {"median", q.p50}, {"max", q.max}};
    }
    j["across_runs"] = spread;
    return j;
}

}  // namespace herd::sim
