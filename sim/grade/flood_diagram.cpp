#include "grade/flood_diagram.hpp"

#include <map>
#include <optional>
#include <tuple>
#include <variant>

#include "protocol/command.hpp"
#include "protocol/reply_text.hpp"
#include "protocol/timestamp.hpp"
#include "report/lamport.hpp"

namespace herd::sim::grade {

namespace {

using Clock = std::chrono::steady_clock;
using Update = std::pair<std::string, Nanos>;  // client, client time

double ms_since(Clock::time_point start, Clock::time_point t) { return std::chrono::duration<double, std::milli>(t - start).count(); }

}  // namespace

FloodDiagram flood_diagram(const std::vector<Delivered>& delivered, const std::vector<Reported>& reports, const GradeLog& log) {
    std::map<Update, std::size_t> ids;                            // in the order the grade reported them
    std::map<std::tuple<std::string, std::string, Nanos>, Clock::time_point> first;  // server, update -> first had it
    for (const auto& r : reports) {
        const auto time = parse_posix_time(r.time_text);
        if (!time) continue;
        ids.emplace(Update{r.client, *time}, ids.size());
        first.emplace(std::tuple{r.server, r.client, *time}, r.at);
    }
    struct Read {
        const Delivered* d;
        std::string client, time_text;
        Nanos time;
    };
    std::vector<Read> lines;
    std::size_t unreadable = 0;
    std::string first_unreadable;
    for (const auto& d : delivered) {
        const Command command = parse_line(d.line);
        const auto* at = std::get_if<At>(&command);
        if (!at) {
            if (unreadable++ == 0) first_unreadable = d.line;
            continue;
        }
        lines.push_back({&d, std::string(at->client), std::string(at->time_text), at->time});
        first.emplace(std::tuple{d.to, std::string(at->client), at->time}, d.at);
    }
    std::vector<DrawnMessage> drawn;
    for (const auto& l : lines) {
        FloodMessage m;
        m.from = l.d->from;
        m.to = l.d->to;
        m.client = l.client;
        m.client_time = l.time;
        m.client_time_text = l.time_text;
        if (const auto had = first.find({l.d->from, l.client, l.time}); had != first.end() && had->second <= l.d->at)
            m.sent_ms = ms_since(log.start, had->second);
        m.received_ms = ms_since(log.start, l.d->at);
        m.outcome = first.at({l.d->to, l.client, l.time}) == l.d->at ? FloodMessage::Outcome::stored : FloodMessage::Outcome::stale;
        const auto id = ids.find({l.client, l.time});
        drawn.push_back({m, id == ids.end() ? std::nullopt : std::optional<std::size_t>(id->second),
                         l.d->from + " -> " + l.d->to + ": " + show_reply(l.d->line)});
    }
    const Diagram diagram = lamport_svg(drawn, log.servers, fault_windows(log), DiagramOptions{});
    FloodDiagram out{diagram.svg.value_or(""), diagram.note};
    if (unreadable > 0)
        out.note += (out.note.empty() ? "" : "; ") + std::to_string(unreadable) + " flood lines herdsim could not read, first: \"" +
                    show_reply(first_unreadable) + "\"";
    return out;
}

}  // namespace herd::sim::grade
