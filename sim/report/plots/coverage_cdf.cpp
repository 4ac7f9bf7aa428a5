// coverage_cdf.{gp,dat,png}: per phase, the fraction of the updates born in it that were fully
// covered within x ms, with its p50 and p99 marked. The phases are the scenario's named phases (and
// "before the first phase" for updates born earlier) when it has any; otherwise the fault windows
// (an update born in a window belongs to it) and "no fault" (born outside every window).
#include <algorithm>

#include "record/spans.hpp"
#include "report/plots/gnuplot.hpp"
#include "report/plots/plots.hpp"
#include "report/format.hpp"

namespace herd::sim::plots {

namespace {

struct Phase {
    std::string name;
    std::string colour;
    std::vector<double> covered;  // full-coverage ms of its updates that were not lost, sorted
    std::size_t updates = 0;
};

// An update born in several groups (overlapping fault windows) is in each.
std::vector<Phase> group(const ReportInput& in, std::vector<Phase> out, const std::vector<std::pair<double, std::optional<double>>>& spans) {
    for (const auto& u : in.recorder.updates()) {
        const double born = in.recorder.ms_since_start(u.born);
        const auto& full = in.run.summary.full_coverage_ms[u.id];
        bool in_span = false;
        for (std::size_t k = 0; k < spans.size(); ++k) {
            if (!born_in(spans[k].first, spans[k].second, born)) continue;
            in_span = true;
            ++out[k + 1].updates;
            if (full) out[k + 1].covered.push_back(*full);
        }
        if (in_span) continue;
        ++out[0].updates;
        if (full) out[0].covered.push_back(*full);
    }
    for (auto& p : out) std::sort(p.covered.begin(), p.covered.end());
    return out;
}

bool has_phases(const RunRecord& run) {
    return std::any_of(run.spans.begin(), run.spans.end(), [](const SpanReport& s) { return s.kind == "phase"; });
}

std::vector<Phase> phases(const ReportInput& in) {
    std::vector<std::pair<double, std::optional<double>>> spans;
    if (has_phases(in.run)) {
        std::vector<Phase> out{{"before the first phase", "#000000", {}, 0}};
        for (const auto& s : in.run.spans) {
            if (s.kind != "phase") continue;
            out.push_back({"phase " + s.name, window_colour(spans.size()), {}, 0});
            spans.emplace_back(s.start_ms, s.end_ms);
        }
        return group(in, std::move(out), spans);
    }
    const auto& faults = in.run.faults;
    std::vector<Phase> out{{"no fault", "#000000", {}, 0}};
    for (std::size_t k = 0; k < faults.size(); ++k) {
        out.push_back({window_name(k, faults[k]), window_colour(k), {}, 0});
        spans.emplace_back(faults[k].start_ms, faults[k].end_ms);
    }
    return group(in, std::move(out), spans);
}

}  // namespace

std::optional<std::string> coverage_cdf(const ReportInput& in, const std::filesystem::path& dir) {
    std::string data, plot, empty;
    std::size_t block = 0;
    double lo = 0, hi = 0;
    for (const auto& p : phases(in)) {
        // A phase with no curve is still named in the key, saying why.
        if (p.covered.empty()) {
            empty += ", \\\n     keyentry with lines linewidth 2 dashtype 2 linecolor rgb \"" + p.colour + "\" title " +
                     gp_string(p.name + ": " + (p.updates ? "0/" + std::to_string(p.updates) + " covered, no curve"
                                                          : std::string("no update born in it")));
            continue;
        }
        lo = block ? std::min(lo, p.covered.front()) : p.covered.front();
        hi = block ? std::max(hi, p.covered.back()) : p.covered.back();
        const Quantiles q = quantiles(p.covered);
        const auto fraction = [&](double rank) { return fixed(rank / static_cast<double>(p.updates), 6); };
        // The curve: a step at each value, from the axis. Then the p50 and p99 marks, on the curve.
        std::string curve = "# " + p.name + ": full_coverage_ms fraction_of_its_updates\n" + log_axis_ms(p.covered.front()) + " 0\n";
        for (std::size_t i = 0; i < p.covered.size(); ++i)
            curve += log_axis_ms(p.covered[i]) + ' ' + fraction(static_cast<double>(i + 1)) + '\n';
        const auto rank_of = [&](double v) {
            return static_cast<double>(std::upper_bound(p.covered.begin(), p.covered.end(), v) - p.covered.begin());
        };
        std::string marks = "# " + p.name + ": p50 and p99\n" + log_axis_ms(q.p50) + ' ' + fraction(rank_of(q.p50)) +
                            "\n" + log_axis_ms(q.p99) + ' ' + fraction(rank_of(q.p99)) + '\n';
        data += (block ? "\n\n" : "") + curve + "\n\n" + marks;
        const std::string title = p.name + ": " + std::to_string(p.covered.size()) + "/" + std::to_string(p.updates) +
                                  ", p50 " + ms(q.p50) + ", p99 " + ms(q.p99);
        plot += std::string(block ? ", \\\n     " : "plot ") + "'coverage_cdf.dat' index " + std::to_string(2 * block) +
                " using 1:2 with steps linewidth 2 linecolor rgb \"" + p.colour + "\" title " + gp_string(title) +
                ", \\\n     '' index " + std::to_string(2 * block + 1) +
                " using 1:2 with points pointtype 7 pointsize 1.4 linecolor rgb \"" + p.colour + "\" notitle";
        ++block;
    }
    if (block == 0) return "no update reached every required node";
    const std::string split = has_phases(in.run) ? "updates born in each of the scenario's phases"
                                                  : "updates born outside every fault window, and in each";
    std::string gp = header("coverage_cdf", "CDF of full-coverage latency per phase: " + split + "\n"
                                            "(key: phase: covered/born, p50, p99 in ms; dots mark p50 and p99)", in.run);
    gp += "set xlabel \"full-coverage latency (ms, log scale)\"\nset ylabel \"fraction of the phase's updates\"\n";
    gp += log_ms_axis('x');
    gp += log_ms_range('x', lo, hi);
    gp += "set yrange [0:1.05]\n";
    gp += plot + empty + "\n";
    save(dir, "coverage_cdf", data, gp);
    return std::nullopt;
}

}  // namespace herd::sim::plots
