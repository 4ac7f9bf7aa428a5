#include "protocol/node.hpp"

namespace herd {

namespace {

// Appends the normalised AT line's fields after "AT <server> <difference>": the client's fields,
// copied byte for byte.
void append_client_fields(std::string& line, std::string_view client, std::string_view coordinates,
                          std::string_view time) {
    line += ' ';
    line += client;
    line += ' ';
    line += coordinates;
    line += ' ';
    line += time;
}

}  // namespace

std::string invalid_reply(std::string_view line) {
    std::string reply;
    reply.reserve(line.size() + 3);
    reply += "? ";
    reply += line;
    reply += '\n';
    return reply;
}

Node::Node(std::string name, std::vector<std::string> peers, Nanos max_time_ahead)
    : name_(std::move(name)), peers_(std::move(peers)), max_time_ahead_(max_time_ahead) {}

std::optional<std::size_t> Node::peer_index(std::string_view name) const {
    for (std::size_t i = 0; i < peers_.size(); ++i)
        if (peers_[i] == name) return i;
    return std::nullopt;
}

Effects Node::handle(const Command& command, Nanos now) {
    return std::visit([&](const auto& c) { return on(c, now); }, command);
}

Effects Node::store_and_flood(std::string_view line, Nanos time, std::string_view except) {
    Effects effects;
    if (!table_.offer(line, time)) {
        effects.outcome = Effects::Outcome::stale;
        effects.why = "not stored: this server holds a report for the client as new or newer";
        return effects;
    }
    effects.outcome = Effects::Outcome::stored;
    for (std::size_t i = 0; i < peers_.size(); ++i)
        if (peers_[i] != except) effects.flood_to.push_back(i);
    if (!effects.flood_to.empty()) {
        effects.flood.reserve(line.size() + name_.size() + 2);
        effects.flood += line;
        effects.flood += ' ';
        effects.flood += name_;
        effects.flood += '\n';
    }
    return effects;
}

namespace {

// "? <line>", and why for the log.
Effects rejected(std::string_view line, std::string_view why) {
    Effects effects;
    effects.outcome = Effects::Outcome::rejected;
    effects.reply = invalid_reply(line);
    effects.why = why;
    return effects;
}

}  // namespace

Effects Node::on(const IAmAt& c, Nanos now) {
    // A time too far ahead would pin the record: no honest report after it would be newer.
    if (too_far_ahead(c.time, now))
        return rejected(c.line, "IAMAT time is further ahead of this server's clock than max_time_ahead_ms");
    // The reply is the AT line and its newline, made in place; the record is the same bytes without
    // the newline.
    std::string reply;
    reply.reserve(36 + name_.size() + c.client.size() + c.coordinates_text.size() + c.time_text.size());
    reply += "AT ";
    reply += name_;
    reply += ' ';
    append_difference(reply, now - c.time);
    append_client_fields(reply, c.client, c.coordinates_text, c.time_text);
    const std::size_t line_size = reply.size();
    reply += '\n';
    Effects effects = store_and_flood(std::string_view(reply).substr(0, line_size), c.time, {});
    effects.reply = std::move(reply);
    return effects;
}

Effects Node::on(const WhatsAt& c, Nanos) {
    Effects effects;
    const auto record = table_.find(c.client);
    if (!record) return rejected(c.line, "WHATSAT for a client this server does not know");
    // The stored line was valid when stored, so it parses back into an At.
    const At stored = std::get<At>(parse_line(record->at_line));
    effects.outcome = Effects::Outcome::query;
    effects.places = PlacesQuery{std::string(record->at_line),
                                 std::string(stored.coordinates.latitude_unsigned()),
                                 std::string(stored.coordinates.longitude_unsigned()),
                                 radius_metres(c.radius_text), c.bound};
    return effects;
}

Effects Node::on(const At& c, Nanos now) {
    // A well-formed flood line is never answered; one from too far ahead is refused as one with a bad time.
    if (too_far_ahead(c.time, now))
        return rejected(c.line, "AT time is further ahead of this server's clock than max_time_ahead_ms");
    // The normalised line is made in a buffer the node keeps, so a flood line that is dropped
    // allocates nothing.
    scratch_.clear();
    scratch_ += "AT ";
    scratch_ += c.server;
    scratch_ += ' ';
    scratch_ += c.difference;
    append_client_fields(scratch_, c.client, c.coordinates_text, c.time_text);
    return store_and_flood(scratch_, c.time, c.sender);
}

Effects Node::on(const CatchUp& c, Nanos) {
    // Only a neighbour can be caught up: this server has a link to it and nowhere else to send.
    const auto peer = peer_index(c.sender);
    if (!peer) return rejected(c.line, "HERDSIM-CATCHUP names a server that is not a neighbour");
    Effects effects;
    effects.outcome = Effects::Outcome::catch_up;
    effects.catch_up_to = peer;
    return effects;
}

std::string Node::catch_up_request() const {
    std::string line(catch_up_word);
    line += ' ';
    line += name_;
    line += '\n';
    return line;
}

Effects Node::on(const Invalid& c, Nanos) { return rejected(c.line, c.reason); }

Effects Node::on(const Blank&, Nanos) { return {}; }

}  // namespace herd
