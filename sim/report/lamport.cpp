// The Lamport diagram: one vertical lane per node, time downwards on a scale of its own (linear,
// with long empty stretches cut out and marked as breaks), an arrow per message coloured by what
// the receiver did, a dropped line as a short stub ending in a cross on its sender's side, fault
// windows shaded across the lanes, and on hover the update and line each arrow carries.
#include "report/lamport.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "report/format.hpp"

namespace herd::sim {

namespace {

constexpr double left = 110;  // the time labels
constexpr double legend_row = 18;
constexpr double px_per_ms = 2;     // the scale where the height allows it: 300 ms is 600 px
constexpr double min_gap = 3;       // px between two distinct times, so a burst's events stay apart
constexpr double max_quiet = 200;   // px: a longer stretch without an event outside a fault is a break
constexpr double max_fault = 800;   // px: inside a fault window, a break only past this
constexpr double break_height = 28;

const char* colour(FloodMessage::Outcome outcome) {
    switch (outcome) {
        case FloodMessage::Outcome::stored: return "#1f5fbf";
        case FloodMessage::Outcome::stale: return "#999999";
        case FloodMessage::Outcome::dropped: return "#d62728";
    }
    return "#d62728";
}

double first_time(const FloodMessage& m) { return m.sent_ms.value_or(m.received_ms.value_or(0)); }

// Time to y: each distinct time a row at its own y, the gap to the one before as tall as it lasted
// (px_per_ms times scale), at least min_gap, and a break of fixed height where it would be taller
// than the cap.
struct TimeAxis {
    struct Break {
        double y_top, y_bottom, from_ms, to_ms;
    };
    std::vector<double> t, y;
    std::vector<Break> breaks;

    TimeAxis(std::vector<double> times, const std::vector<FaultWindow>& faults, double top, double scale) {
        std::sort(times.begin(), times.end());
        times.erase(std::unique(times.begin(), times.end()), times.end());
        t = std::move(times);
        double at = top;
        for (std::size_t i = 0; i < t.size(); ++i) {
            if (i > 0) {
                const double from = t[i - 1], to = t[i];
                const bool in_fault = std::any_of(faults.begin(), faults.end(), [&](const FaultWindow& f) {
                    return f.start_ms <= from && (!f.end_ms || *f.end_ms >= to);
                });
                const double linear = (to - from) * px_per_ms * scale;
                const double cap = in_fault ? max_fault : max_quiet;
                if (linear > cap) {
                    const double h = in_fault ? cap : break_height;
                    breaks.push_back({at, at + h, from, to});
                    at += h;
                } else {
                    at += std::max(linear, min_gap);
                }
            }
            y.push_back(at);
        }
    }
    double bottom() const { return y.empty() ? 0 : y.back(); }
    // Between two rows, in proportion; before the first or after the last, that row.
    double at(double time) const {
        if (t.empty()) return 0;
        if (time <= t.front()) return y.front();
        if (time >= t.back()) return y.back();
        const auto i = static_cast<std::size_t>(std::upper_bound(t.begin(), t.end(), time) - t.begin());
        const double f = (time - t[i - 1]) / (t[i] - t[i - 1]);
        return y[i - 1] + f * (y[i] - y[i - 1]);
    }
};

std::string title(const DrawnMessage& d) {
    const FloodMessage& m = d.message;
    std::string text = d.update ? "update " + std::to_string(*d.update) : std::string("a report no node stored first");
    text += " (client " + m.client + ", time " + m.client_time_text + "): AT line " + m.from + " -> " + m.to;
    text += m.sent_ms ? ", sent " + ms(*m.sent_ms) + " ms" : std::string(", written by a client");
    text += m.received_ms ? ", handled " + ms(*m.received_ms) + " ms, " + outcome_name(m.outcome)
                          : std::string(", never handled: dropped");
    return xml_escape(text + "\n" + d.line);
}

// The k consecutive messages (by time) that span the least time: where the run was busiest.
std::pair<std::size_t, std::size_t> densest(const std::vector<double>& sorted_times, std::size_t k) {
    std::size_t best = 0;
    for (std::size_t i = 0; i + k <= sorted_times.size(); ++i)
        if (sorted_times[i + k - 1] - sorted_times[i] < sorted_times[best + k - 1] - sorted_times[best]) best = i;
    return {best, best + k};
}

// The lanes to keep when there are too many: the busiest node, then again and again the node with
// the most messages to or from those kept (the busiest overall breaks ties and starts anew where
// none is joined), so that the lanes kept have arrows between them. The busiest nodes alone may
// share none: in a big herd each sends to only a few.
std::set<std::string> busiest_joined(const std::vector<DrawnMessage>& messages, const std::vector<std::size_t>& chosen,
                                     const std::map<std::string, std::size_t>& traffic, std::size_t lanes) {
    std::map<std::string, std::map<std::string, std::size_t>> between;
    for (std::size_t i : chosen) {
        const FloodMessage& m = messages[i].message;
        if (!m.sent_ms || m.from == m.to) continue;
        ++between[m.from][m.to];
        ++between[m.to][m.from];
    }
    std::set<std::string> kept;
    std::map<std::string, std::size_t> joined;  // messages to or from the kept nodes, per node not kept
    while (kept.size() < lanes && kept.size() < traffic.size()) {
        const std::string* best = nullptr;
        for (const auto& [node, total] : traffic) {
            if (kept.count(node)) continue;
            const auto j = joined.find(node);
            const std::size_t mine = j == joined.end() ? 0 : j->second;
            if (!best) {
                best = &node;
                continue;
            }
            const auto b = joined.find(*best);
            const std::size_t theirs = b == joined.end() ? 0 : b->second;
            if (mine > theirs || (mine == theirs && total > traffic.at(*best))) best = &node;
        }
        kept.insert(*best);
        joined.erase(*best);
        if (const auto next = between.find(*best); next != between.end())
            for (const auto& [peer, n] : next->second)
                if (!kept.count(peer)) joined[peer] += n;
    }
    return kept;
}

}  // namespace

Diagram lamport_svg(const std::vector<DrawnMessage>& messages, const std::vector<std::string>& nodes,
                    const std::vector<FaultWindow>& faults, const DiagramOptions& options) {
    Diagram d;
    const auto& window = options.window;
    const auto wanted = [&](const std::string& node) { return options.nodes.empty() || options.nodes.count(node) > 0; };
    std::vector<std::size_t> chosen;
    for (std::size_t i = 0; i < messages.size(); ++i) {
        const FloodMessage& m = messages[i].message;
        const double t = first_time(m);
        if (window && (t < window->first || t > window->second)) continue;
        if (!wanted(m.to) || (m.sent_ms && !wanted(m.from))) continue;
        chosen.push_back(i);
    }
    if (chosen.empty()) {
        d.note = window ? "no message was sent between " + ms(window->first) + " and " + ms(window->second) + " ms"
                        : options.nodes.empty() ? "no flood message in the run" : "no flood message between those nodes";
        return d;
    }
    std::vector<std::string> notes;
    // Too many lanes: the nodes with the most messages, and the messages between them.
    std::map<std::string, std::size_t> traffic;
    for (std::size_t i : chosen) {
        ++traffic[messages[i].message.to];
        if (messages[i].message.sent_ms) ++traffic[messages[i].message.from];
    }
    if (traffic.size() > options.max_lanes) {
        const std::set<std::string> kept = busiest_joined(messages, chosen, traffic, options.max_lanes);
        std::erase_if(chosen, [&](std::size_t i) {
            const FloodMessage& m = messages[i].message;
            return !kept.count(m.to) || (m.sent_ms && !kept.count(m.from));
        });
        notes.push_back("the " + std::to_string(options.max_lanes) + " busiest of " + std::to_string(traffic.size()) +
                        " nodes");
        if (chosen.empty()) {
            d.note = notes.back() + " sent each other no message";
            return d;
        }
        traffic.clear();
        for (std::size_t i : chosen) {
            ++traffic[messages[i].message.to];
            if (messages[i].message.sent_ms) ++traffic[messages[i].message.from];
        }
    }
    // Too many arrows: the busiest stretch that holds as many as a diagram can show.
    std::stable_sort(chosen.begin(), chosen.end(), [&](std::size_t a, std::size_t b) {
        return first_time(messages[a].message) < first_time(messages[b].message);
    });
    if (chosen.size() > options.max_arrows) {
        std::vector<double> times;
        for (std::size_t i : chosen) times.push_back(first_time(messages[i].message));
        const auto [from, to] = densest(times, options.max_arrows);
        notes.push_back("the busiest stretch, " + std::to_string(options.max_arrows) + " of " +
                        std::to_string(chosen.size()) + " messages");
        chosen = std::vector<std::size_t>(chosen.begin() + static_cast<std::ptrdiff_t>(from),
                                          chosen.begin() + static_cast<std::ptrdiff_t>(to));
    }
    std::vector<std::string> lanes;
    for (const auto& n : nodes)
        if (traffic.count(n)) lanes.push_back(n);
    for (const auto& [n, count] : traffic)  // a sender outside the herd's list, such as "?", gets none
        if (std::find(nodes.begin(), nodes.end(), n) == nodes.end() && n != "?") lanes.push_back(n);
    std::map<std::string, std::size_t, std::less<>> lane_of;
    for (std::size_t i = 0; i < lanes.size(); ++i) lane_of.emplace(lanes[i], i);

    std::vector<double> times;
    for (std::size_t i : chosen) {
        const auto& m = messages[i].message;
        if (m.sent_ms) times.push_back(*m.sent_ms);
        if (m.received_ms) times.push_back(*m.received_ms);
    }
    d.drawn_ms = {*std::min_element(times.begin(), times.end()), *std::max_element(times.begin(), times.end())};
    // The faults the drawn stretch meets; their ends inside it are rows of their own.
    std::vector<FaultWindow> shown;
    for (const auto& f : faults)
        if (f.start_ms <= d.drawn_ms.second && (!f.end_ms || *f.end_ms >= d.drawn_ms.first)) shown.push_back(f);
    for (const auto& f : shown) {
        if (f.start_ms >= d.drawn_ms.first) times.push_back(f.start_ms);
        if (f.end_ms && *f.end_ms <= d.drawn_ms.second) times.push_back(*f.end_ms);
    }

    const double lane_width = std::clamp(1300.0 / static_cast<double>(lanes.size()), 56.0, 160.0);
    const double top = 80 + legend_row * static_cast<double>(shown.size() + 1);
    double scale = 1;
    TimeAxis axis(times, shown, top, scale);
    // Past the height bound the whole scale shrinks (breaks and the minimum gap stay as they are).
    for (int pass = 0; pass < 8 && axis.bottom() + 30 > options.max_height; ++pass) {
        scale *= (options.max_height - top - 30) / (axis.bottom() - top) * 0.9;
        axis = TimeAxis(times, shown, top, scale);
    }
    const double width = left + lane_width * static_cast<double>(lanes.size()) + 20;
    const double height = axis.bottom() + 30;
    d.height = height;
    const auto x = [&](std::size_t lane) { return left + lane_width * (static_cast<double>(lane) + 0.5); };

    std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                      fixed(width, 0) + "\" height=\"" + fixed(height, 0) + "\" font-family=\"sans-serif\" font-size=\"11\">\n";
    svg += "<defs>\n";
    for (auto outcome : {FloodMessage::Outcome::stored, FloodMessage::Outcome::stale})
        svg += std::string("<marker id=\"head-") + outcome_name(outcome) +
               "\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto\">"
               "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"" + colour(outcome) + "\"/></marker>\n";
    svg += "</defs>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    svg += "<text x=\"10\" y=\"18\" font-size=\"14\">Flood messages: " + std::to_string(chosen.size()) + " of " +
           std::to_string(messages.size()) + ", " + ms(d.drawn_ms.first) + " to " + ms(d.drawn_ms.second) + " ms" +
           (window ? " (window " + ms(window->first) + " to " + ms(window->second) + " ms)" : std::string()) + "</text>\n";
    std::string scale_text = "time runs down, " + fixed(px_per_ms * scale, px_per_ms * scale < 1 ? 3 : 1) +
                             " px per ms; a zigzag marks a stretch cut out; hover an arrow for its update and line";
    if (!notes.empty()) {
        std::string joined;
        for (const auto& n : notes) joined += (joined.empty() ? "" : ", ") + n;
        d.note = joined + " (herdsim draw RUN --window FROM:TO --nodes A,B draws another part)";
        scale_text = "Shown: " + joined + "; " + scale_text;
    }
    svg += "<text x=\"10\" y=\"34\" fill=\"#555555\">" + xml_escape(scale_text) + "</text>\n";
    // The key: what the colours mean, then each fault window.
    double ky = 54;
    std::string key = "<g class=\"key\">";
    double kx = 10;
    for (auto outcome : {FloodMessage::Outcome::stored, FloodMessage::Outcome::stale, FloodMessage::Outcome::dropped}) {
        key += "<rect x=\"" + fixed(kx, 0) + "\" y=\"" + fixed(ky - 9, 0) + "\" width=\"18\" height=\"4\" fill=\"" +
               colour(outcome) + "\"/><text x=\"" + fixed(kx + 24, 0) + "\" y=\"" + fixed(ky - 4, 0) + "\">" +
               (outcome == FloodMessage::Outcome::dropped ? "dropped (x: lost on its way)" : outcome_name(outcome)) +
               "</text>";
        kx += outcome == FloodMessage::Outcome::stale ? 110 : 120;
    }
    for (std::size_t k = 0; k < shown.size(); ++k) {
        ky += legend_row;
        const auto& f = shown[k];
        key += "<rect x=\"10\" y=\"" + fixed(ky - 11, 0) + "\" width=\"18\" height=\"12\" fill=\"" + window_colour(k) +
               "\" fill-opacity=\"0.35\"/><text x=\"34\" y=\"" + fixed(ky - 1, 0) + "\">" +
               xml_escape(window_name(k, f)) + " (" + ms(f.start_ms) + " to " +
               (f.end_ms ? ms(*f.end_ms) + " ms" : std::string("the end")) + ")</text>";
    }
    svg += key + "</g>\n";

    const double lanes_top = top - 14, lanes_bottom = height - 10;
    for (std::size_t k = 0; k < shown.size(); ++k) {
        const auto& f = shown[k];
        const double y1 = axis.at(f.start_ms), y2 = f.end_ms ? axis.at(*f.end_ms) : lanes_bottom;
        if (y2 <= y1) continue;
        svg += "<rect class=\"fault\" x=\"" + fixed(left, 0) + "\" y=\"" + fixed(y1, 1) + "\" width=\"" +
               fixed(width - left - 20, 0) + "\" height=\"" + fixed(y2 - y1, 1) + "\" fill=\"" + window_colour(k) +
               "\" fill-opacity=\"0.12\"><title>" + xml_escape(window_name(k, f)) + "</title></rect>\n";
    }
    for (const auto& b : axis.breaks) {
        const double mid = (b.y_top + b.y_bottom) / 2;
        std::string zigzag = "M" + fixed(left, 1) + "," + fixed(mid, 1);
        for (double zx = left, up = 1; zx < width - 20; zx += 8, up = -up)
            zigzag += " L" + fixed(zx + 8, 1) + "," + fixed(mid + 3 * up, 1);
        svg += "<g class=\"break\"><path d=\"" + zigzag + "\" fill=\"none\" stroke=\"#888888\"/><text x=\"" +
               fixed(left - 6, 0) + "\" y=\"" + fixed(mid + 4, 1) + "\" text-anchor=\"end\" fill=\"#888888\">+" +
               ms(b.to_ms - b.from_ms) + " ms</text></g>\n";
    }
    for (std::size_t i = 0; i < lanes.size(); ++i) {
        svg += "<line class=\"lane\" data-node=\"" + xml_escape(lanes[i]) + "\" x1=\"" + fixed(x(i), 1) + "\" y1=\"" +
               fixed(lanes_top, 1) + "\" x2=\"" + fixed(x(i), 1) + "\" y2=\"" + fixed(lanes_bottom, 1) +
               "\" stroke=\"#cccccc\"/>\n";
        svg += "<text x=\"" + fixed(x(i), 1) + "\" y=\"" + fixed(lanes_top - 4, 1) + "\" text-anchor=\"middle\"" +
               (lanes.size() > 12 ? " font-size=\"9\"" : "") + ">" + xml_escape(lanes[i]) + "</text>\n";
    }
    // Time labels where they do not crowd each other.
    double last_label = -1e9;
    for (std::size_t r = 0; r < axis.t.size(); ++r) {
        if (axis.y[r] - last_label < 14) continue;
        last_label = axis.y[r];
        svg += "<text class=\"time\" x=\"" + fixed(left - 6, 0) + "\" y=\"" + fixed(axis.y[r] + 4, 1) +
               "\" text-anchor=\"end\" fill=\"#555555\">" + ms(axis.t[r]) + " ms</text>\n";
    }

    for (std::size_t i : chosen) {
        const auto& m = messages[i].message;
        const auto to = lane_of.find(m.to);
        if (to == lane_of.end()) continue;
        const auto from = lane_of.find(m.from);
        const double x_to = x(to->second);
        // A line no herd node was seen sending starts just off the receiver's lane.
        const double x1 = from == lane_of.end() ? x_to - lane_width * 0.4 : x(from->second);
        const double y1 = m.sent_ms ? axis.at(*m.sent_ms) : axis.at(*m.received_ms) - 8;
        const std::string common = "class=\"msg " + std::string(outcome_name(m.outcome)) + "\" data-from=\"" +
                                   xml_escape(m.from) + "\" data-to=\"" + xml_escape(m.to) + "\" stroke=\"" +
                                   colour(m.outcome) + "\" stroke-width=\"1.5\"";
        if (m.received_ms) {
            svg += "<line " + common + " x1=\"" + fixed(x1, 1) + "\" y1=\"" + fixed(y1, 1) + "\" x2=\"" + fixed(x_to, 1) +
                   "\" y2=\"" + fixed(axis.at(*m.received_ms), 1) + "\" marker-end=\"url(#head-" + outcome_name(m.outcome) +
                   ")\"><title>" + title(messages[i]) + "</title></line>\n";
        } else {
            // Lost on its way: a stub toward the receiver that stays within a third of a lane of its
            // sender (never near another lane), ending in a cross.
            const double dir = x_to >= x1 ? 1 : -1;
            const double x2 = x1 + dir * lane_width / 3, y2 = y1 + 6;
            svg += "<g " + common + "><title>" + title(messages[i]) + "</title><line x1=\"" + fixed(x1, 1) + "\" y1=\"" +
                   fixed(y1, 1) + "\" x2=\"" + fixed(x2, 1) + "\" y2=\"" + fixed(y2, 1) +
                   "\" stroke-dasharray=\"3 2\"/><path class=\"cross\" d=\"M" + fixed(x2 - 4, 1) + "," + fixed(y2 - 4, 1) +
                   " L" + fixed(x2 + 4, 1) + "," + fixed(y2 + 4, 1) + " M" + fixed(x2 - 4, 1) + "," + fixed(y2 + 4, 1) +
                   " L" + fixed(x2 + 4, 1) + "," + fixed(y2 - 4, 1) + "\"/></g>\n";
        }
        ++d.arrows;
    }
    svg += "</svg>\n";
    d.svg = std::move(svg);
    return d;
}

}  // namespace herd::sim
