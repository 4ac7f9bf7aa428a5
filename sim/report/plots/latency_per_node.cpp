// latency_per_node.{gp,dat,png}: one point per update per node, on a log y axis (sub-millisecond
// floods and second-long waits for a restart on one plot); points, not lines, so a gap in the
// data shows as a gap. Big herds: the band from the fastest to the slowest node instead.
#include <algorithm>

#include "report/plots/gnuplot.hpp"
#include "report/plots/plots.hpp"
#include "report/format.hpp"

namespace herd::sim::plots {

namespace {

// One series per node up to this many (25 nodes and 5 windows still fit the key); more: the band.
constexpr std::size_t max_plotted_nodes = 25;

std::string per_node_series(const ReportInput& in, std::string& data, std::size_t& points) {
    const Recorder& recorder = in.recorder;
    // Eight colours cycle; the point shape changes with each cycle, so 25 series stay apart.
    static const int shapes[] = {7, 5, 9, 11};
    std::string plot;
    std::size_t block = 0;
    for (const auto& node : natural_order(in.nodes)) {
        const auto index = recorder.node_index(node);
        if (!index) continue;
        std::string rows;
        for (const auto& u : recorder.updates()) {
            if (u.origin == node || *index >= u.deliveries.size() || !u.deliveries[*index].first_stored) continue;
            const double born = recorder.ms_since_start(u.born);
            rows += fixed(born / 1000.0, 6) + ' ' + log_axis_ms(recorder.ms_since_start(*u.deliveries[*index].first_stored) - born) +
                    '\n';
            ++points;
        }
        if (rows.empty()) continue;
        // Blocks are separated by two blank lines, which is what gnuplot's "index" counts.
        data += (block ? "\n\n# " : "# ") + node + '\n' + rows;
        plot += std::string(block ? ", \\\n     " : "plot ") + "'latency_per_node.dat' index " + std::to_string(block) +
                " using 1:2 with points pointtype " + std::to_string(shapes[(block / 8) % 4]) +
                " pointsize 0.7 linecolor " + std::to_string(block % 8 + 1) + " title " + gp_string(node);
        ++block;
    }
    return plot;
}

std::string band_series(const ReportInput& in, std::string& data, std::size_t& points) {
    const Recorder& recorder = in.recorder;
    data = "# birth_s min_ms max_ms full_coverage_ms (NaN: lost)\n";
    for (const auto& u : recorder.updates()) {
        const double born = recorder.ms_since_start(u.born);
        std::optional<double> lo, hi;
        for (std::size_t i = 0; i < u.deliveries.size(); ++i) {
            if (!u.deliveries[i].first_stored || recorder.nodes()[i] == u.origin) continue;
            const double latency = recorder.ms_since_start(*u.deliveries[i].first_stored) - born;
            lo = lo ? std::min(*lo, latency) : latency;
            hi = hi ? std::max(*hi, latency) : latency;
        }
        if (!lo) continue;
        const auto& full = in.run.summary.full_coverage_ms[u.id];
        data += fixed(born / 1000.0, 6) + ' ' + log_axis_ms(*lo) + ' ' + log_axis_ms(*hi) + ' ' + (full ? log_axis_ms(*full) : "NaN") + '\n';
        ++points;
    }
    // A vertical segment per update from its fastest to its slowest node: vectors take x, y and the
    // deltas, so (0) and (max - min).
    return "plot 'latency_per_node.dat' using 1:2:(0):($3-$2) with vectors nohead linewidth 2 linecolor rgb \"#88aadd\" "
           "title \"an update: fastest to slowest node\", \\\n"
           "     '' using 1:4 with points pointtype 7 pointsize 0.6 linecolor rgb \"#003366\" title \"its full coverage\"";
}

}  // namespace

std::optional<std::string> latency_per_node(const ReportInput& in, const std::filesystem::path& dir) {
    std::string data;
    std::size_t points = 0;
    const bool per_node = in.nodes.size() <= max_plotted_nodes;
    const std::string plot = per_node ? per_node_series(in, data, points) : band_series(in, data, points);
    if (points == 0) return "no node other than an origin stored an update";

    const std::string what = per_node ? "Latency per node: first stored - born, one point per update"
                                      : "Latency per update over " + std::to_string(in.nodes.size()) + " nodes";
    std::string gp = header("latency_per_node", what, in.run);
    gp += "set xlabel \"update born at (s since start)\"\nset ylabel \"latency (ms, log scale)\"\n";
    gp += "";
    gp += log_ms_axis('y');
    gp += "set xrange [0:" + fixed(std::max(in.run.summary.duration_ms, 1.0) / 1000.0, 6) + "]\n";
    gp += window_objects(in.run.faults, in.run.summary.duration_ms);
    gp += plot + window_key_entries(in.run.faults) + "\n";
    save(dir, "latency_per_node", data, gp);
    return std::nullopt;
}

}  // namespace herd::sim::plots
