#include "record/messages_log.hpp"

#include <nlohmann/json.hpp>

namespace herd::sim {

const char* outcome_name(FloodMessage::Outcome outcome) {
    switch (outcome) {
        case FloodMessage::Outcome::stored: return "stored";
        case FloodMessage::Outcome::stale: return "stale";
        case FloodMessage::Outcome::dropped: return "dropped";
    }
    return "dropped";
}

MessageLog::MessageLog(const Recorder& recorder, std::map<std::string, std::vector<std::string>, std::less<>> peers,
                       std::size_t cap)
    : recorder_(recorder), peers_(std::move(peers)), cap_(cap) {}

void MessageLog::move_zero(double shift_ms) {
    for (auto& m : messages_) {
        if (m.sent_ms) *m.sent_ms -= shift_ms;
        if (m.received_ms) *m.received_ms -= shift_ms;
    }
}

void MessageLog::on_handled(std::string_view node, const Command& command, const Effects& effects) {
    const double t = recorder_.ms_since_start(recorder_.now());
    if (const auto* at = std::get_if<At>(&command);
        at && (effects.outcome == Effects::Outcome::stored || effects.outcome == Effects::Outcome::stale))
        on_receive(node, at->sender, {at->client, at->time, at->time_text}, effects.outcome == Effects::Outcome::stored, t);
    if (effects.flood.empty() || effects.flood_to.empty()) return;
    const Command flood = parse_line(effects.flood);
    if (const auto* at = std::get_if<At>(&flood)) on_send(node, *at, effects, t);
}

void MessageLog::on_send(std::string_view node, const At& flood, const Effects& effects, double t) {
    const auto peers = peers_.find(node);
    if (peers == peers_.end()) return;
    for (std::size_t index : effects.flood_to) {
        if (index >= peers->second.size()) continue;
        if (messages_.size() >= cap_) {
            ++omitted_;
            continue;
        }
        FloodMessage m;
        m.from = node;
        m.to = peers->second[index];
        m.client = flood.client;
        m.client_time = flood.time;
        m.client_time_text = flood.time_text;
        m.sent_ms = t;
        in_flight_[{m.from, m.to, m.client, m.client_time}].push_back(messages_.size());
        messages_.push_back(std::move(m));
    }
}

void MessageLog::flooded(std::string_view node, std::string_view sender, const ClientReport& report, bool fresh) {
    on_receive(node, sender, report, fresh, recorder_.ms_since_start(recorder_.now()));
}

void MessageLog::on_receive(std::string_view node, std::string_view sender, const ClientReport& at, bool fresh, double t) {
    const auto outcome = fresh ? FloodMessage::Outcome::stored : FloodMessage::Outcome::stale;
    const auto pending = in_flight_.find(Key{std::string(sender), std::string(node), std::string(at.client), at.time});
    if (pending != in_flight_.end()) {
        FloodMessage& m = messages_[pending->second.front()];
        m.received_ms = t;
        m.outcome = outcome;
        pending->second.erase(pending->second.begin());
        if (pending->second.empty()) in_flight_.erase(pending);
        return;
    }
    // Past the cap, an unmatched receipt is most likely one of the sends left out: not listed either.
    if (messages_.size() >= cap_) return;
    FloodMessage m;
    m.from = sender.empty() ? std::string("?") : std::string(sender);
    m.to = node;
    m.client = at.client;
    m.client_time = at.time;
    m.client_time_text = at.time_text;
    m.received_ms = t;
    m.outcome = outcome;
    messages_.push_back(std::move(m));
}

std::vector<std::string> message_lines(const MessageLog& log, const Recorder& recorder) {
    std::map<std::pair<std::string_view, Nanos>, std::size_t> update_ids;
    for (const auto& u : recorder.updates()) update_ids[{u.client, u.client_time}] = u.id;
    using json = nlohmann::ordered_json;
    const auto optional_ms = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
    std::vector<std::string> out;
    for (const auto& m : log.messages()) {
        const auto id = update_ids.find({m.client, m.client_time});
        out.push_back(json{{"from", m.from},
                    {"to", m.to},
                    {"update", id == update_ids.end() ? json(nullptr) : json(id->second)},
                    {"client", m.client},
                    {"client_time", m.client_time_text},
                    {"sent_ms", optional_ms(m.sent_ms)},
                    {"received_ms", optional_ms(m.received_ms)},
                    {"outcome", outcome_name(m.outcome)}}
                   .dump());
    }
    return out;
}

}  // namespace herd::sim
