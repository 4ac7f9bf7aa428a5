#include "target/poll_reply.hpp"

#include "protocol/command.hpp"

namespace herd::sim::target {

namespace {

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
    return text;
}

}  // namespace

Holding read_poll(std::string_view sent, std::string received, bool closed) {
    Holding held{Holding::Kind::unreadable, "", std::string(sent), std::move(received), closed};
    const std::string_view got = held.received;
    if (const auto newline = got.find('\n'); got.rfind("AT ", 0) == 0 && newline != std::string_view::npos) {
        // The first line is the record, whatever follows it: the Places part is not knowledge.
        std::string_view first = got.substr(0, newline);
        if (!first.empty() && first.back() == '\r') first.remove_suffix(1);
        const Command parsed = parse_line(first);
        if (std::holds_alternative<At>(parsed)) {
            held.kind = Holding::Kind::record;
            held.record = std::string(first);
        }
        return held;
    }
    // "? " and the query: the course's answer for a client the server does not know.
    if (got.rfind("? ", 0) == 0 && trimmed(got.substr(2)) == trimmed(sent)) held.kind = Holding::Kind::unknown;
    return held;
}

}  // namespace herd::sim::target
