#include "protocol/node.hpp"

namespace herd {

namespace {

// The normalised six-field AT line; the client's fields are copied byte for byte.
std::string at_line(std::string_view server, std::string_view difference, std::string_view client,
                    std::string_view coordinates, std::string_view time) {
    std::string line;
    line.reserve(8 + server.size() + difference.size() + client.size() + coordinates.size() + time.size());
    line += "AT ";
    line += server;
    line += ' ';
    line += difference;
    line += ' ';
    line += client;
    line += ' ';
    line += coordinates;
    line += ' ';
    line += time;
    return line;
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

Node::Node(std::string name, std::vector<std::string> peers) : name_(std::move(name)), peers_(std::move(peers)) {}

Effects Node::handle(const Command& command, Nanos now) {
    return std::visit([&](const auto& c) { return on(c, now); }, command);
}

Effects Node::store_and_flood(std::string line, Nanos time, std::string_view except) {
    Effects effects;
    if (!table_.offer(line, time)) {
        effects.outcome = Effects::Outcome::stale;
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

Effects Node::on(const IAmAt& c, Nanos now) {
    std::string difference;
    append_difference(difference, now - c.time);
    std::string line = at_line(name_, difference, c.client, c.coordinates_text, c.time_text);
    std::string reply = line + '\n';
    Effects effects = store_and_flood(std::move(line), c.time, {});
    effects.reply = std::move(reply);
    return effects;
}

Effects Node::on(const WhatsAt& c, Nanos) {
    Effects effects;
    const auto record = table_.find(c.client);
    if (!record) {
        effects.outcome = Effects::Outcome::rejected;
        effects.reply = invalid_reply(c.line);
        return effects;
    }
    // The stored line was valid when stored, so it parses back into an At.
    const At stored = std::get<At>(parse_line(record->at_line));
    effects.outcome = Effects::Outcome::query;
    effects.places = PlacesQuery{std::string(record->at_line),
                                 std::string(stored.coordinates.latitude_unsigned()),
                                 std::string(stored.coordinates.longitude_unsigned()),
                                 radius_metres(c.radius_text), c.bound};
    return effects;
}

Effects Node::on(const At& c, Nanos) {
    // A server never replies to a flood line, whatever becomes of it.
    return store_and_flood(at_line(c.server, c.difference, c.client, c.coordinates_text, c.time_text), c.time,
                           c.sender);
}

Effects Node::on(const Invalid& c, Nanos) {
    Effects effects;
    effects.outcome = Effects::Outcome::rejected;
    effects.reply = invalid_reply(c.line);
    return effects;
}

Effects Node::on(const Blank&, Nanos) { return {}; }

}  // namespace herd
