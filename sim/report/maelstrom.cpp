#include "report/maelstrom.hpp"

#include <algorithm>
#include <cmath>

#include "report/format.hpp"

namespace herd::sim {

namespace {

// Nearest rank, as Quantiles: always one of the values.
double rank(const std::vector<double>& sorted, double p) {
    const auto n = sorted.size();
    const auto k = static_cast<std::size_t>(std::ceil(p * static_cast<double>(n)));
    return sorted[std::clamp<std::size_t>(k, 1, n) - 1];
}

}  // namespace

MaelstromFigures maelstrom_figures(const Summary& summary) {
    MaelstromFigures f;
    f.operations = summary.updates;
    for (const auto& [link, count] : summary.link_messages) f.server_messages += count;
    if (f.operations) f.msgs_per_op = static_cast<double>(f.server_messages) / static_cast<double>(f.operations);
    std::vector<double> stable;
    for (const auto& ms : summary.full_coverage_ms)
        if (ms) stable.push_back(*ms);
    std::sort(stable.begin(), stable.end());
    f.stable_count = stable.size();
    if (!stable.empty()) {
        f.q0 = stable.front();
        f.q50 = rank(stable, 0.5);
        f.q95 = rank(stable, 0.95);
        f.q99 = rank(stable, 0.99);
        f.q100 = stable.back();
    }
    return f;
}

std::string maelstrom_table(const RunRecord& run) {
    const MaelstromFigures f = maelstrom_figures(run.summary);
    const Summary& s = run.summary;
    const auto q = [&](double v) { return f.stable_count ? fixed(v, 1) : std::string("-"); };
    std::string out;
    out += "  Maelstrom: msgs-per-op " + fixed(f.msgs_per_op, 2) + " (" + std::to_string(f.server_messages) +
           " server messages / " + std::to_string(f.operations) + " operations); stable latency ms 0: " + q(f.q0) +
           ", 0.5: " + q(f.q50) + ", 0.95: " + q(f.q95) + ", 0.99: " + q(f.q99) + ", 1: " + q(f.q100) + "\n";
    const auto p = [&](double v) { return s.full_coverage.count ? fixed(v, 3) : std::string("-"); };
    out += "  herdsim:   messages per update " + fixed(s.messages.mean, 2) + " (min " + std::to_string(s.messages.min) +
           ", max " + std::to_string(s.messages.max) + "); full-coverage ms p50 " + p(s.full_coverage.p50) + ", p95 " +
           p(s.full_coverage.p95) + ", p99 " + p(s.full_coverage.p99) + ", max " + p(s.full_coverage.max) + "; lost " +
           std::to_string(s.lost.size()) + " of " + std::to_string(s.updates) + "\n";
    return out;
}

}  // namespace herd::sim
