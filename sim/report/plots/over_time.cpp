// The plots over the run's time: throughput.{gp,dat,png} (updates born and flood lines handled per
// second, in fixed bins) and rolling_quantiles.{gp,dat,png} (p50 and p99 of full-coverage latency
// over a trailing window, at each update's birth). Fault windows shaded as on the latency plot.
#include <algorithm>
#include <cmath>
#include <deque>

#include "report/plots/gnuplot.hpp"
#include "report/plots/plots.hpp"
#include "report/format.hpp"

namespace herd::sim::plots {

namespace {

// The smallest round width (ms) that cuts `duration_ms` into at most `pieces`.
double round_width(double duration_ms, double pieces) {
    static const double widths[] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000};
    for (double w : widths)
        if (duration_ms / w <= pieces) return w;
    return std::ceil(duration_ms / pieces / 60000) * 60000;
}

std::string over_time_axes(const ReportInput& in) {
    return "set xlabel \"time (s since start)\"\nset xrange [0:" + fixed(std::max(in.run.summary.duration_ms, 1.0) / 1000.0, 6) +
           "]\n" + window_objects(in.run.faults, in.run.summary.duration_ms);
}

}  // namespace

std::optional<std::string> throughput(const ReportInput& in, const std::filesystem::path& dir) {
    const double duration = in.run.summary.duration_ms;
    const std::size_t born = in.recorder.updates().size();
    // A bin holds about ten updates or more on average, so a steady rate reads as flat (a 50 ms bin
    // at 50 updates/s would hold 2 or 3 and draw a square wave), and there are at most 150 bins.
    const double width = round_width(duration, std::min(150.0, std::max(1.0, static_cast<double>(born) / 10.0)));
    const auto bins = static_cast<std::size_t>(duration / width) + 1;
    std::vector<std::size_t> updates(bins, 0), messages(bins, 0);
    const auto bin = [&](double t_ms) { return std::min(static_cast<std::size_t>(std::max(t_ms, 0.0) / width), bins - 1); };
    for (const auto& u : in.recorder.updates()) ++updates[bin(in.recorder.ms_since_start(u.born))];
    std::size_t handled = 0;
    if (in.messages)
        for (const auto& m : in.messages->messages())
            if (m.received_ms) ++messages[bin(*m.received_ms)], ++handled;
    if (born == 0 && handled == 0) return "no update was born and no flood line handled";

    const double per_second = 1000.0 / width;
    const double top_updates = static_cast<double>(*std::max_element(updates.begin(), updates.end())) * per_second;
    const double top_lines = static_cast<double>(*std::max_element(messages.begin(), messages.end())) * per_second;
    // Both series on one zero: flood lines are drawn divided by `ratio` on the left axis, and the
    // right axis is the left one times `ratio` (gnuplot's `set link`), so its labels read lines/s.
    double ratio = 1;
    if (top_updates > 0 && top_lines > top_updates)
        for (double r : {1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0})
            if ((ratio = r) * top_updates >= top_lines) break;
    if (top_updates == 0) ratio = std::max(1.0, top_lines);
    std::string data = "# bin_start_s updates_per_s messages_per_s (bins of " + ms(width) + " ms)\n";
    for (std::size_t b = 0; b < bins; ++b)
        data += fixed(static_cast<double>(b) * width / 1000.0, 6) + ' ' + fixed(static_cast<double>(updates[b]) * per_second, 1) +
                ' ' + fixed(static_cast<double>(messages[b]) * per_second, 1) + '\n';
    // The last bin's end, so the final step is drawn at its full width.
    data += fixed(static_cast<double>(bins) * width / 1000.0, 6) + " 0 0\n";

    std::string what = "Throughput: updates born and flood lines handled per second, bins of " + ms(width) + " ms";
    if (in.messages && in.messages->omitted())
        what += " (messages: the first " + std::to_string(in.messages->messages().size()) + " only, see messages.jsonl)";
    std::string gp = header("throughput", what, in.run);
    gp += over_time_axes(in);
    // The highest bin below the fault windows' strip at the top: no spike is cut off.
    const double peak = std::max({top_updates, top_lines / ratio, 1.0});
    const double strip = 0.08 + 0.04 * static_cast<double>(in.run.faults.size());
    gp += "set ylabel \"updates per second\"\nset y2label \"flood lines per second\"\nset ytics nomirror\nset y2tics\n";
    gp += "set yrange [0:" + fixed(peak / (1 - strip), 3) + "]\nset link y2 via y*" + fixed(ratio, 0) + " inverse y/" +
          fixed(ratio, 0) + "\n";
    gp += "plot 'throughput.dat' using 1:2 with fsteps linewidth 2 linecolor rgb \"#003366\" title \"updates/s (left)\", \\\n"
          "     '' using 1:($3/" + fixed(ratio, 0) + ") with fsteps linewidth 1 linecolor rgb \"#cc6600\" title \"flood lines/s (right)\"" +
          window_key_entries(in.run.faults) + "\n";
    save(dir, "throughput", data, gp);
    return std::nullopt;
}

std::optional<std::string> rolling_quantiles(const ReportInput& in, const std::filesystem::path& dir) {
    const double window = round_width(in.run.summary.duration_ms, 20);
    std::deque<std::pair<double, double>> recent;  // (born ms, full-coverage ms), born in the window
    std::string data = "# birth_s p50_ms p99_ms count (over the updates born in the trailing " + ms(window) + " ms)\n";
    std::size_t rows = 0;
    for (const auto& u : in.recorder.updates()) {
        const auto& full = in.run.summary.full_coverage_ms[u.id];
        if (!full) continue;
        const double born = in.recorder.ms_since_start(u.born);
        // A blank line breaks the curve: no line across a stretch with no covered update.
        if (!recent.empty() && born - recent.back().first > window) data += '\n';
        recent.emplace_back(born, *full);
        while (recent.front().first <= born - window) recent.pop_front();
        std::vector<double> values;
        for (const auto& r : recent) values.push_back(r.second);
        const Quantiles q = quantiles(std::move(values));
        data += fixed(born / 1000.0, 6) + ' ' + log_axis_ms(q.p50) + ' ' + log_axis_ms(q.p99) + ' ' + std::to_string(q.count) + '\n';
        ++rows;
    }
    if (rows == 0) return "no update reached every required node";
    std::string gp = header("rolling_quantiles",
                            "Full-coverage latency p50 and p99 over the updates born in the last " + ms(window) + " ms", in.run);
    gp += over_time_axes(in);
    gp += "set ylabel \"full-coverage latency (ms, log scale)\"\n";
    gp += log_ms_axis('y');
    gp += "plot 'rolling_quantiles.dat' using 1:3 with linespoints pointtype 7 pointsize 0.4 linecolor rgb \"#cc0000\" title \"p99\", \\\n"
          "     '' using 1:2 with linespoints pointtype 7 pointsize 0.4 linecolor rgb \"#003366\" title \"p50\"" +
          window_key_entries(in.run.faults) + "\n";
    save(dir, "rolling_quantiles", data, gp);
    return std::nullopt;
}

}  // namespace herd::sim::plots
