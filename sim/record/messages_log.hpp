#pragma once
// The message log: every flood line (AT) a node sent to a peer, matched with its receipt, on the
// recorder's one clock. A send is stamped when the sender handled the line that made it flood (the
// line is queued for the peer at that moment); a receipt when the receiver handled it. Bounded by a
// count: past the cap, later sends are only counted. messages.jsonl, messages.svg and timeline.html
// are drawn from it.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "net/server_observer.hpp"
#include "record/recorder.hpp"

namespace herd::sim {

// The default --messages-cap: a 25-node herd with a few hundred updates fits; random200-storm does not.
constexpr std::size_t default_messages_cap = 100000;

struct FloodMessage {
    enum class Outcome { stored, stale, dropped };
    std::string from, to;
    std::string client;
    Nanos client_time = 0;
    std::string client_time_text;
    std::optional<double> sent_ms;  // empty: an AT line no herd node was seen sending (a client wrote it)
    std::optional<double> received_ms;
    // dropped: sent, never handled by the receiver before the run ended (a cut, a crash, a drop
    // rule, a reset or a full queue lost it).
    Outcome outcome = Outcome::dropped;
};
const char* outcome_name(FloodMessage::Outcome outcome);  // "stored", "stale", "dropped"

class MessageLog {
public:
    // `peers`: each node's neighbours in the order its server floods to them (HerdConfig::neighbours).
    MessageLog(const Recorder& recorder, std::map<std::string, std::vector<std::string>, std::less<>> peers,
               std::size_t cap = default_messages_cap);

    // Called for every line a node handled, after the recorder saw it.
    void on_handled(std::string_view node, const Command& command, const Effects& effects);
    // A flood line handled, told from outside the node (StoreSink::flooded): a receipt.
    void flooded(std::string_view node, std::string_view sender, const ClientReport& report, bool fresh);

    // The recorder's clock moved its zero `shift_ms` later (Recorder::set_zero): the times logged so far move with it.
    void move_zero(double shift_ms);

    const std::vector<FloodMessage>& messages() const { return messages_; }  // in send (or receipt) order
    std::size_t cap() const { return cap_; }
    std::uint64_t omitted() const { return omitted_; }  // sends past the cap, not listed

private:
    void on_send(std::string_view node, const At& flood, const Effects& effects, double t);
    void on_receive(std::string_view node, std::string_view sender, const ClientReport& report, bool fresh, double t);

    const Recorder& recorder_;
    std::map<std::string, std::vector<std::string>, std::less<>> peers_;
    std::size_t cap_;
    std::vector<FloodMessage> messages_;
    std::uint64_t omitted_ = 0;
    // (from, to, client, client time) -> indices of sent messages not received yet, oldest first.
    using Key = std::tuple<std::string, std::string, std::string, Nanos>;
    std::map<Key, std::vector<std::size_t>> in_flight_;
};

// Each message as one JSON object, in the order of messages(): {"from", "to", "update", "client",
// "client_time", "sent_ms", "received_ms", "outcome"}; `update` is the update id (null for a report
// no node was seen storing first). messages.jsonl is these lines; messages.svg shows each on hover.
std::vector<std::string> message_lines(const MessageLog& log, const Recorder& recorder);

}  // namespace herd::sim
