#include "report/plots/gnuplot.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "report/format.hpp"

extern char** environ;

namespace herd::sim::plots {

namespace fs = std::filesystem;

namespace {

// Runs `program script` inside `dir`, its output in <script>.log; the log is kept only on failure.
// posix_spawn rather than std::system: no shell, so no quoting of the paths.
std::optional<std::string> run_gnuplot(const std::string& program, const fs::path& dir, const std::string& script) {
    const std::string log = script + ".log";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    std::vector<char*> argv{const_cast<char*>(program.c_str()), const_cast<char*>(script.c_str()), nullptr};
    pid_t pid = 0;
    const int spawned = posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) return "could not run " + program + " for " + script + ": " + std::strerror(spawned);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    std::error_code ignored;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        fs::remove(dir / log, ignored);
        return std::nullopt;
    }
    std::ifstream in(dir / log);
    std::stringstream text;
    text << in.rdbuf();
    return program + " " + script + " failed (see " + (dir / log).string() + "): " + text.str();
}

}  // namespace

std::string gp_string(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '\n') {
            out += "\\n";  // a line break in a title
            continue;
        }
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string log_axis_ms(double value) { return ms(std::max(value, 0.001)); }

std::string log_ms_axis(char axis) {
    std::string tics;
    for (double decade = 0.001; decade < 1e6; decade *= 10)
        for (double step : {1.0, 2.0, 5.0}) tics += (tics.empty() ? "" : ", ") + fixed(decade * step, 3);
    const std::string a(1, axis);
    return "set logscale " + a + "\nset format " + a + " \"%g\"\nset " + a + "tics (" + tics + ")\nset m" + a +
           "tics 10\n";
}

std::string log_ms_range(char axis, double lo, double hi) {
    std::vector<double> tics;
    for (double decade = 0.001; decade < 1e7; decade *= 10)
        for (double step : {1.0, 2.0, 5.0}) tics.push_back(decade * step);
    const double low = std::max(lo, 0.001) / 2, high = std::max(hi, 0.001) * 2;
    double from = tics.front(), to = tics.back();
    for (double t : tics)
        if (t <= low * 1.000001) from = t;
    for (auto t = tics.rbegin(); t != tics.rend(); ++t)
        if (*t >= high * 0.999999) to = *t;
    return "set " + std::string(1, axis) + "range [" + fixed(from, 3) + ":" + fixed(to, 3) + "]\n";
}

std::vector<std::string> natural_order(std::vector<std::string> names) {
    // Compares runs of digits by value, everything else byte by byte.
    const auto less = [](const std::string& a, const std::string& b) {
        std::size_t i = 0, j = 0;
        while (i < a.size() && j < b.size()) {
            if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
                std::size_t i2 = i, j2 = j;
                while (i2 < a.size() && std::isdigit(static_cast<unsigned char>(a[i2]))) ++i2;
                while (j2 < b.size() && std::isdigit(static_cast<unsigned char>(b[j2]))) ++j2;
                const std::string x = a.substr(i, i2 - i), y = b.substr(j, j2 - j);
                if (x.size() != y.size()) return x.size() < y.size();
                if (x != y) return x < y;
                i = i2, j = j2;
                continue;
            }
            if (a[i] != b[j]) return a[i] < b[j];
            ++i, ++j;
        }
        return a.size() - i < b.size() - j;
    };
    std::sort(names.begin(), names.end(), less);
    return names;
}

std::string header(const std::string& stem, const std::string& what, const RunRecord& run) {
    return "# Re-plot with: gnuplot " + stem + ".gp (in this folder)\n"
           "set terminal pngcairo size 1400,800 noenhanced font \",11\"\n"
           "set output " + gp_string(stem + ".png") + "\n"
           "set title " + gp_string(what + "\n" + run.scenario + "  " + run.run_id) + "\n"
           "set grid\n"
           // Ranges end at the data, not at the next tic (a log axis would grow by decades), with a
           // margin so no point sits on the frame.
           "set autoscale fix\n"
           "set offsets graph 0.01, graph 0.01, graph 0.04, graph 0.04\n"
           "set key outside right top vertical font \",9\" spacing 1.1\n";
}

std::string window_objects(const std::vector<FaultWindow>& faults, double run_end_ms) {
    // Each window: a bar of its own colour in a strip along the top, above the data (the top offset
    // makes room), and a faint shade down the plot that stays faint where windows overlap.
    constexpr double bar = 0.025;
    std::string out = "set offsets graph 0.01, graph 0.01, graph " + fixed(0.05 + 1.6 * bar * static_cast<double>(faults.size()), 3) +
                      ", graph 0.04\n";
    for (std::size_t k = 0; k < faults.size(); ++k) {
        const auto& f = faults[k];
        const std::string from = "first " + fixed(f.start_ms / 1000.0, 6), to = "first " + fixed(f.end_ms.value_or(run_end_ms) / 1000.0, 6);
        const double top = 1.0 - bar * static_cast<double>(k);
        out += "set object " + std::to_string(2 * k + 1) + " rect from " + from + ", graph 0 to " + to +
               ", graph 1 fillcolor rgb \"" + window_colour(k) + "\" fillstyle transparent solid 0.06 noborder behind\n";
        out += "set object " + std::to_string(2 * k + 2) + " rect from " + from + ", graph " + fixed(top - bar, 3) + " to " + to +
               ", graph " + fixed(top, 3) + " fillcolor rgb \"" + window_colour(k) + "\" fillstyle solid 0.8 noborder front\n";
    }
    return out;
}

std::string window_key_entries(const std::vector<FaultWindow>& faults) {
    std::string out;
    for (std::size_t k = 0; k < faults.size(); ++k)
        out += ", \\\n     keyentry with boxes fillstyle solid 0.8 noborder fillcolor rgb \"" +
               std::string(window_colour(k)) + "\" title " + gp_string(window_name(k, faults[k]));
    return out;
}

void save(const fs::path& dir, const std::string& stem, const std::string& data, const std::string& script) {
    write_file(dir / (stem + ".dat"), data);
    write_file(dir / (stem + ".gp"), script);
}

void draw(const std::string& program, const fs::path& dir, const std::string& stem, std::vector<std::string>& warnings) {
    if (auto failure = run_gnuplot(program, dir, stem + ".gp")) {
        warnings.push_back(*failure);
        return;
    }
    if (!fs::exists(dir / (stem + ".png"))) warnings.push_back(program + " " + stem + ".gp made no " + stem + ".png");
}

}  // namespace herd::sim::plots
