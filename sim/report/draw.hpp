#pragma once
// herdsim draw: a finished run's pictures made again from the files it left (summary.json,
// messages.jsonl, the plots' .gp and .dat), without running it again: messages.svg for another
// window or other nodes, and every plot.
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace herd::sim {

struct DrawOptions {
    std::optional<std::pair<double, double>> window;  // ms; empty: as the run's own diagram chooses
    std::set<std::string> nodes;                      // empty: every node
    std::string gnuplot = "gnuplot";                  // empty: no plots drawn
};

struct Drawn {
    std::vector<std::string> written;   // file names, in the run folder
    std::vector<std::string> warnings;  // what could not be drawn, or was left out, and why
};

// Throws std::runtime_error naming the file when the folder is not a run's (no summary.json, or one
// that does not parse).
Drawn draw_run(const std::filesystem::path& run_dir, const DrawOptions& options);

}  // namespace herd::sim
