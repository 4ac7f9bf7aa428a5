#pragma once
// One protocol line, parsed. Every view points into the line given to parse_line(), which must
// outlive the Command.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "protocol/coordinates.hpp"
#include "protocol/timestamp.hpp"

namespace herd {

// IAMAT <client> <coordinates> <time>
struct IAmAt {
    std::string_view line;  // as received, for the "? " reply to a time too far ahead
    std::string_view client;
    std::string_view coordinates_text;
    Coordinates coordinates;
    std::string_view time_text;
    Nanos time;
};

// WHATSAT <client> <radius km> <bound>
struct WhatsAt {
    std::string_view line;  // as received, for the "? " reply when the client is unknown
    std::string_view client;
    std::string_view radius_text;
    int bound;
};

// AT <server> <difference> <client> <coordinates> <time> [<sender>]: a stored record, flooded.
struct At {
    std::string_view line;  // as received
    std::string_view server;
    std::string_view difference;
    std::string_view client;
    std::string_view coordinates_text;
    Coordinates coordinates;
    std::string_view time_text;
    Nanos time;
    std::string_view sender;  // empty for the six-field form
};

// HERDSIM-CATCHUP <sender>: a neighbour that (re)started asks for every record this server holds
// (PROTOCOL.md, catch-up). A course server answers it "? HERDSIM-CATCHUP <sender>", which the
// sender ignores.
struct CatchUp {
    std::string_view line;
    std::string_view sender;
};

// The catch-up request word, and the line a server sends to ask for catch-up.
constexpr std::string_view catch_up_word = "HERDSIM-CATCHUP";

// Anything else: answered "? <line>". `reason` is for the log, never for the client.
struct Invalid {
    std::string_view line;
    std::string_view reason;
};

// An empty or all-whitespace line: no reply.
struct Blank {};

using Command = std::variant<IAmAt, WhatsAt, At, CatchUp, Invalid, Blank>;

// How long fields may be (ServerLimits, docs/PROTOCOL.md "Limits"): a longer one makes the line
// Invalid, so no server stores or floods it.
struct FieldLimits {
    std::size_t max_client_id = 256;
    std::size_t max_field = 128;  // every other field of IAMAT, WHATSAT and AT
};

// For lines this process made itself (stored records, scenario lines): parsed whatever their size.
constexpr FieldLimits unlimited_fields{SIZE_MAX, SIZE_MAX};

// `line` has no terminator: no '\n', and no '\r' that stood before it. A server passes its own
// limits for what it receives.
Command parse_line(std::string_view line, const FieldLimits& limits = unlimited_fields);

// The protocol's whitespace: space, tab, CR, LF, FF, VT.
constexpr bool is_protocol_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

// The command word and the client a line names (the 2nd field of IAMAT and WHATSAT, the 4th of
// AT), read from its fields as parse_line splits them, whether or not the line is valid: what a
// relay's drop rule matches a line by.
struct LineSubject {
    std::string_view command;  // the first field; empty for a blank line
    std::string_view client;   // empty when the command names no client or the line is too short
};
LineSubject line_subject(std::string_view line);

// Radius text ("10", "2.5", ".5") as metres for the Places request ("10000", "2500", "500"),
// computed on the decimal text so it is exact.
std::string radius_metres(std::string_view radius_km);

}  // namespace herd
