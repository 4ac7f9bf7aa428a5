#pragma once
// messages.svg: a Lamport (space-time) diagram of the flood. One vertical lane per node, time
// downwards in event order (each distinct send or receipt time is one row, so sub-millisecond
// hops stay apart from second-long waits), an arrow per message coloured by what the receiver
// did, fault windows shaded across the lanes, and each arrow's messages.jsonl line on hover.
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "record/messages_log.hpp"
#include "report/report.hpp"

namespace herd::sim {

// Beyond these a diagram is no longer readable: it is skipped, with a note, unless a window is chosen
// that holds few enough messages.
constexpr std::size_t max_diagram_nodes = 25;
constexpr std::size_t max_diagram_arrows = 3000;

struct Diagram {
    std::optional<std::string> svg;  // empty: skipped, `note` says why
    std::string note;
    std::size_t arrows = 0;
};

// `lines`: message_lines() of the log, for the hover titles. `window`: only messages sent (or, with
// no send, received) in [first, second] ms are drawn.
Diagram lamport_svg(const MessageLog& log, const std::vector<std::string>& lines, const std::vector<std::string>& nodes,
                    const std::vector<FaultWindow>& faults, const std::optional<std::pair<double, double>>& window);

// Text for SVG and HTML content and attributes.
std::string xml_escape(std::string_view text);

}  // namespace herd::sim
