// messages.svg: a Lamport (space-time) diagram of the flood. One vertical lane per node, time
// downwards in event order (each distinct send or receipt time is one row, so sub-millisecond
// hops stay apart from second-long waits), an arrow per message coloured by what the receiver
// did, fault windows shaded across the lanes, and each arrow's messages.jsonl line on hover.
#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "report/format.hpp"
#include "report/writer.hpp"

namespace herd::sim {

namespace {

// Beyond these a diagram is no longer readable: it is skipped, with a note, unless a window is chosen
// that holds few enough messages.
constexpr std::size_t max_diagram_nodes = 25;
constexpr std::size_t max_diagram_arrows = 3000;

constexpr double row_height = 16;  // px per distinct event time
constexpr double left = 100;       // the time labels
constexpr double legend_row = 18;

const char* colour(FloodMessage::Outcome outcome) {
    switch (outcome) {
        case FloodMessage::Outcome::stored: return "#1f5fbf";
        case FloodMessage::Outcome::stale: return "#999999";
        case FloodMessage::Outcome::dropped: return "#d62728";
    }
    return "#d62728";
}

double first_time(const FloodMessage& m) { return m.sent_ms.value_or(m.received_ms.value_or(0)); }

struct Diagram {
    std::optional<std::string> svg;  // empty: skipped, `note` says why
    std::string note;
    std::size_t arrows = 0;
};

// `lines`: message_lines() of the log, for the hover titles. `window`: only messages sent (or, with
// no send, received) in [first, second] ms are drawn.
Diagram lamport_svg(const MessageLog& log, const std::vector<std::string>& lines, const std::vector<std::string>& nodes,
                    const std::vector<FaultWindow>& faults, const std::optional<std::pair<double, double>>& window) {
    Diagram d;
    std::vector<std::size_t> drawn;
    for (std::size_t i = 0; i < log.messages().size(); ++i) {
        const double t = first_time(log.messages()[i]);
        if (!window || (t >= window->first && t <= window->second)) drawn.push_back(i);
    }
    // With a window only the nodes its messages touch get a lane, so a big herd's window stays narrow.
    std::vector<std::string> lanes;
    if (window) {
        std::set<std::string> touched;
        for (std::size_t i : drawn) touched.insert({log.messages()[i].from, log.messages()[i].to});
        for (const auto& n : nodes)
            if (touched.count(n)) lanes.push_back(n);
    } else {
        lanes = nodes;
    }
    const std::string choose = "; choose a window with --messages-window FROM_MS:TO_MS";
    if (drawn.empty()) {
        d.note = window ? "no message was sent between " + ms(window->first) + " and " + ms(window->second) + " ms"
                        : "no flood message in the run";
        return d;
    }
    if (lanes.size() > max_diagram_nodes) {
        d.note = std::to_string(lanes.size()) + " nodes, more than the " + std::to_string(max_diagram_nodes) +
                 " lanes a diagram can show" + (window ? "" : choose);
        return d;
    }
    if (drawn.size() > max_diagram_arrows) {
        d.note = std::to_string(drawn.size()) + " messages, more than the " + std::to_string(max_diagram_arrows) +
                 " arrows a diagram can show" + choose;
        return d;
    }
    std::map<std::string, std::size_t, std::less<>> lane_of;
    for (std::size_t i = 0; i < lanes.size(); ++i) lane_of.emplace(lanes[i], i);

    std::vector<double> times;
    for (std::size_t i : drawn) {
        const auto& m = log.messages()[i];
        if (m.sent_ms) times.push_back(*m.sent_ms);
        if (m.received_ms) times.push_back(*m.received_ms);
    }
    std::sort(times.begin(), times.end());
    times.erase(std::unique(times.begin(), times.end()), times.end());

    const double lane_width = std::clamp(1300.0 / static_cast<double>(lanes.size()), 56.0, 160.0);
    const double top = 70 + legend_row * static_cast<double>(faults.size() + 1);
    const double width = left + lane_width * static_cast<double>(lanes.size()) + 20;
    const double height = top + row_height * static_cast<double>(times.size() + 1) + 20;
    const auto x = [&](std::size_t lane) { return left + lane_width * (static_cast<double>(lane) + 0.5); };
    // A time's row; a time between rows (a fault's start or end) goes to the next row.
    const auto y = [&](double t) {
        return top + row_height * static_cast<double>(std::lower_bound(times.begin(), times.end(), t) - times.begin());
    };

    std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                      fixed(width, 0) + "\" height=\"" + fixed(height, 0) + "\" font-family=\"sans-serif\" font-size=\"11\">\n";
    svg += "<defs>\n";
    for (auto outcome : {FloodMessage::Outcome::stored, FloodMessage::Outcome::stale, FloodMessage::Outcome::dropped})
        svg += std::string("<marker id=\"head-") + outcome_name(outcome) +
               "\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto\">"
               "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"" + colour(outcome) + "\"/></marker>\n";
    svg += "</defs>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    svg += "<text x=\"10\" y=\"18\" font-size=\"14\">Flood messages: " + std::to_string(drawn.size()) + " of " +
           std::to_string(log.messages().size()) + " listed" +
           (window ? ", sent " + ms(window->first) + " to " + ms(window->second) + " ms" : std::string()) +
           "; time runs down, one row per distinct event time; hover an arrow for its line</text>\n";
    // The key: what the colours mean, then each fault window.
    double ky = 38;
    std::string key = "<g class=\"key\">";
    double kx = 10;
    for (auto outcome : {FloodMessage::Outcome::stored, FloodMessage::Outcome::stale, FloodMessage::Outcome::dropped}) {
        key += "<rect x=\"" + fixed(kx, 0) + "\" y=\"" + fixed(ky - 9, 0) + "\" width=\"18\" height=\"4\" fill=\"" +
               colour(outcome) + "\"/><text x=\"" + fixed(kx + 24, 0) + "\" y=\"" + fixed(ky - 4, 0) + "\">" +
               outcome_name(outcome) + "</text>";
        kx += 110;
    }
    for (std::size_t k = 0; k < faults.size(); ++k) {
        ky += legend_row;
        const auto& f = faults[k];
        key += "<rect x=\"10\" y=\"" + fixed(ky - 11, 0) + "\" width=\"18\" height=\"12\" fill=\"" + window_colour(k) +
               "\" fill-opacity=\"0.35\"/><text x=\"34\" y=\"" + fixed(ky - 1, 0) + "\">" +
               xml_escape(window_name(k, f)) + " (" + ms(f.start_ms) + " to " +
               (f.end_ms ? ms(*f.end_ms) + " ms" : std::string("the end")) + ")</text>";
    }
    svg += key + "</g>\n";

    const double lanes_top = top - 14, lanes_bottom = height - 10;
    for (std::size_t k = 0; k < faults.size(); ++k) {
        const auto& f = faults[k];
        const double y1 = y(f.start_ms), y2 = f.end_ms ? y(*f.end_ms) : lanes_bottom;
        if (y2 <= y1) continue;
        svg += "<rect class=\"fault\" x=\"" + fixed(left, 0) + "\" y=\"" + fixed(y1, 1) + "\" width=\"" +
               fixed(width - left - 20, 0) + "\" height=\"" + fixed(y2 - y1, 1) + "\" fill=\"" + window_colour(k) +
               "\" fill-opacity=\"0.12\"><title>" + xml_escape(window_name(k, f)) + "</title></rect>\n";
    }
    for (std::size_t i = 0; i < lanes.size(); ++i) {
        svg += "<line class=\"lane\" x1=\"" + fixed(x(i), 1) + "\" y1=\"" + fixed(lanes_top, 1) + "\" x2=\"" + fixed(x(i), 1) +
               "\" y2=\"" + fixed(lanes_bottom, 1) + "\" stroke=\"#cccccc\"/>\n";
        svg += "<text x=\"" + fixed(x(i), 1) + "\" y=\"" + fixed(lanes_top - 4, 1) + "\" text-anchor=\"middle\"" +
               (lanes.size() > 12 ? " font-size=\"9\"" : "") + ">" + xml_escape(lanes[i]) + "</text>\n";
    }
    // A time label every few rows, enough to read the clock without crowding.
    const std::size_t every = std::max<std::size_t>(1, times.size() / 40 + 1);
    for (std::size_t r = 0; r < times.size(); r += every)
        svg += "<text x=\"" + fixed(left - 6, 0) + "\" y=\"" + fixed(top + row_height * static_cast<double>(r) + 4, 1) +
               "\" text-anchor=\"end\" fill=\"#555555\">" + ms(times[r]) + " ms</text>\n";

    for (std::size_t i : drawn) {
        const auto& m = log.messages()[i];
        const auto to = lane_of.find(m.to);
        if (to == lane_of.end()) continue;
        const auto from = lane_of.find(m.from);
        const double x2full = x(to->second);
        // A line no herd node was seen sending starts just off the receiver's lane.
        const double x1 = from == lane_of.end() ? x2full - lane_width * 0.4 : x(from->second);
        const double y1 = m.sent_ms ? y(*m.sent_ms) : y(*m.received_ms) - row_height;
        // Dropped: it stops halfway, where it was lost.
        const double x2 = m.received_ms ? x2full : x1 + (x2full - x1) * 0.5;
        const double y2 = m.received_ms ? y(*m.received_ms) : y1 + row_height;
        svg += "<line class=\"msg " + std::string(outcome_name(m.outcome)) + "\" x1=\"" + fixed(x1, 1) + "\" y1=\"" +
               fixed(y1, 1) + "\" x2=\"" + fixed(x2, 1) + "\" y2=\"" + fixed(y2, 1) + "\" stroke=\"" + colour(m.outcome) +
               "\" stroke-width=\"1.5\"" + (m.received_ms ? "" : " stroke-dasharray=\"4 3\"") + " marker-end=\"url(#head-" +
               outcome_name(m.outcome) + ")\"><title>" + xml_escape(lines[i]) + "</title></line>\n";
        ++d.arrows;
    }
    svg += "</svg>\n";
    d.svg = std::move(svg);
    return d;
}

}  // namespace

void write_messages_svg(const ReportInput& in, const std::filesystem::path& dir, std::vector<std::string>& warnings) {
    if (!in.messages) return;
    const Diagram diagram = lamport_svg(*in.messages, in.message_lines, in.run.nodes, in.run.faults, in.options.messages_window);
    if (diagram.svg)
        write_file(dir / "messages.svg", *diagram.svg);
    else
        warnings.push_back("messages.svg: not drawn: " + diagram.note);
}

}  // namespace herd::sim
