#pragma once
// The timeline's picture (timeline.html draws it, and so can another page): a track per node and
// per client connection, the checks, fault windows as bands across every track.
#include <cstddef>
#include <string>

#include "report/writer.hpp"

namespace herd::sim {

struct Timeline {
    std::string svg;              // one inline SVG element
    std::size_t link_events = 0;  // the nodes' link events in the record
    bool links_shown = true;      // false: too many marks, so those were left out
};

Timeline draw_timeline(const ReportInput& in);

}  // namespace herd::sim
