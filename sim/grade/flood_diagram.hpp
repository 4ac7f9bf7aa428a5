#pragma once
// The Lamport diagram of a student's herd for report.html, from the flood lines its relayed links
// delivered (sim/report's lamport_svg, as `herdsim run` draws messages.svg). A line is sent when
// its sender first had the update (the IAMAT it was given, or the first flood line that brought
// it), and received when a relay wrote it to its receiver.
#include <chrono>
#include <string>
#include <vector>

#include "grade/relayed_links.hpp"
#include "grade/timeline.hpp"

namespace herd::sim::grade {

// An IAMAT the grade sent: its server had the update from then on.
struct Reported {
    std::chrono::steady_clock::time_point at;
    std::string server, client, time_text;
};

struct FloodDiagram {
    std::string svg;   // empty: nothing drawn, `note` says why
    std::string note;  // what was left out or could not be read
};

FloodDiagram flood_diagram(const std::vector<Delivered>& delivered, const std::vector<Reported>& reports, const GradeLog& log);

}  // namespace herd::sim::grade
