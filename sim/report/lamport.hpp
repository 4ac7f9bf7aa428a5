#pragma once
// messages.svg: a Lamport (space-time) diagram of the flood, from the messages alone, so that a run
// that ended can be drawn again from its files (herdsim draw) as well as at its end.
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "record/messages_log.hpp"
#include "record/spans.hpp"

namespace herd::sim {

// One flood line as the diagram shows it: the message, the update it carries (none: a report no node
// was seen storing first) and its messages.jsonl line.
struct DrawnMessage {
    FloodMessage message;
    std::optional<std::size_t> update;
    std::string line;
};

struct DiagramOptions {
    std::optional<std::pair<double, double>> window;  // ms: only what was sent (or received, unsent) in it
    std::set<std::string> nodes;                      // only these lanes; empty: every node the messages touch
    // The bounds that keep a file renderable by common viewers (rsvg-convert, browsers).
    std::size_t max_arrows = 1500;
    std::size_t max_lanes = 25;
    double max_height = 16000;  // px
};

struct Diagram {
    std::optional<std::string> svg;  // empty: nothing to draw, `note` says why
    // What was left out to keep the bounds, and how to draw another part ("" when everything was drawn).
    std::string note;
    std::size_t arrows = 0;
    std::pair<double, double> drawn_ms{0, 0};  // the stretch of time drawn
    double height = 0;
};

// `nodes`: the herd's, in lane order. `faults`: shaded across the lanes and named in the key.
Diagram lamport_svg(const std::vector<DrawnMessage>& messages, const std::vector<std::string>& nodes,
                    const std::vector<FaultWindow>& faults, const DiagramOptions& options);

}  // namespace herd::sim
