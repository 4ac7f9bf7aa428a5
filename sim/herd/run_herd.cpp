#include "herd/run_herd.hpp"

#include "protocol/command.hpp"
#include "protocol/reply_text.hpp"

#include <deque>
#include <set>

namespace herd::sim {

Nanos record_time(std::string_view at_line) {
    const Command parsed = parse_line(at_line);
    const auto* at = std::get_if<At>(&parsed);
    return at ? at->time : 0;
}

std::string poll_text(const Holding& held) {
    if (held.sent.empty()) return "";
    const std::string got = held.received.empty() ? "nothing" : "\"" + show_reply(held.received) + "\"";
    const bool line_ended = !held.received.empty() && held.received.back() == '\n';
    const std::string end = held.closed ? " (then closed)" : line_ended ? "" : " (then nothing more before the deadline)";
    if (held.kind == Holding::Kind::unreadable) return "unreadable reply to \"" + show_reply(held.sent) + "\": " + got + end;
    return "\"" + show_reply(held.sent) + "\" got " + got;
}

std::map<std::string, std::string> RunHerd::records(std::string_view node, const std::vector<std::string>& clients) {
    std::map<std::string, std::string> out;
    for (auto& [client, held] : holdings(node, clients))
        if (held.kind == Holding::Kind::record) out.emplace(client, std::move(held.record));
    return out;
}

std::vector<std::string> RunHerd::names() const {
    std::vector<std::string> out;
    for (const auto& s : config().servers) out.push_back(s.name);
    return out;
}

bool RunHerd::link_usable(std::string_view from, std::string_view to) const {
    if (!is_up(from) || !is_up(to)) return false;
    const Relay* r = const_cast<RunHerd*>(this)->relay(from, to);
    return !r || !r->is_cut();
}

std::vector<std::string> RunHerd::reachable(std::string_view origin) const {
    std::vector<std::string> out;
    if (!has(origin) || !is_up(origin)) return out;
    if (neighbours_.empty())
        for (const auto& s : config().servers) neighbours_[s.name] = config().neighbours(s.name);
    std::set<std::string, std::less<>> seen{std::string(origin)};
    std::deque<std::string> frontier{std::string(origin)};
    while (!frontier.empty()) {
        const std::string node = frontier.front();
        frontier.pop_front();
        out.push_back(node);
        for (const auto& next : neighbours_.find(node)->second)
            if (!seen.count(next) && link_usable(node, next)) {
                seen.insert(next);
                frontier.push_back(next);
            }
    }
    return out;
}

}  // namespace herd::sim
