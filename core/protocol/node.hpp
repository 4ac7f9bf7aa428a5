#pragma once
// The node state machine, sans I/O: a parsed line and the current time in, effects out. The Asio
// server and the simulator both drive it; the tests pin it byte for byte.
#include <optional>
#include <string>
#include <vector>

#include "protocol/command.hpp"
#include "protocol/location_table.hpp"

namespace herd {

// What a WHATSAT needs fetched before it can be answered.
struct PlacesQuery {
    std::string at_line;    // the stored record, first line of the reply
    std::string latitude;   // as the client wrote it, without a leading '+'
    std::string longitude;
    std::string radius_metres;  // exact: "10" km -> "10000"
    int bound = 0;
};

struct Effects {
    enum class Outcome {
        nothing,   // blank line
        stored,    // a new record: stored and flooded
        stale,     // a record not newer than the one held: IAMAT still answered, nothing flooded
        query,     // a valid WHATSAT: `places` says what to fetch
        rejected,  // answered "? <line>"
        catch_up,  // a neighbour asked for every record: `catch_up_to` says which
    };
    Outcome outcome = Outcome::nothing;
    std::string reply;                  // bytes for the connection, '\n'-terminated; empty: none
    std::string flood;                  // seven-field AT line with '\n'; sent to each of flood_to
    std::vector<std::size_t> flood_to;  // indices into Node::peers()
    std::optional<PlacesQuery> places;
    std::optional<std::size_t> catch_up_to;  // index into Node::peers()
    std::string_view why;  // rejected, or a report not stored: the reason, for the log, never for the client
};

// How far ahead of the server's clock a client time may be (ServerLimits::max_time_ahead).
constexpr Nanos default_max_time_ahead = 86'400'000'000'000;  // a day

class Node {
public:
    Node(std::string name, std::vector<std::string> peers, Nanos max_time_ahead = default_max_time_ahead);

    // `now` is the POSIX time of receipt in nanoseconds; the node reads no clock itself.
    Effects handle(const Command& command, Nanos now);

    const std::string& name() const { return name_; }
    const std::vector<std::string>& peers() const { return peers_; }
    const LocationTable& table() const { return table_; }
    // The index of neighbour `name` in peers(), if it is one.
    std::optional<std::size_t> peer_index(std::string_view name) const;

    // "HERDSIM-CATCHUP <name>\n": what this node sends each neighbour when it starts.
    std::string catch_up_request() const;

    // A crash loses everything the node knew.
    void forget() { table_.clear(); }

private:
    Effects on(const IAmAt& c, Nanos now);
    Effects on(const WhatsAt& c, Nanos now);
    Effects on(const At& c, Nanos now);
    Effects on(const CatchUp& c, Nanos now);
    Effects on(const Invalid& c, Nanos now);
    Effects on(const Blank& c, Nanos now);
    Effects store_and_flood(std::string_view at_line, Nanos time, std::string_view except);
    bool too_far_ahead(Nanos time, Nanos now) const { return time > now && time - now > max_time_ahead_; }

    std::string name_;
    std::vector<std::string> peers_;
    Nanos max_time_ahead_;
    LocationTable table_;
    std::string scratch_;  // the normalised AT line of a flood line, reused from line to line
};

// "? <line>\n": the one answer to anything invalid.
std::string invalid_reply(std::string_view line);

}  // namespace herd
