#pragma once
// The lines `herdsim load` writes, and what counts as the right reply to each (PROTOCOL.md): an
// IAMAT is answered by an AT line naming the server, any decimal difference, and the request's
// three client fields byte for byte; a WHATSAT by an AT line for the client, a JSON object and an
// empty line, or by "? " and the request when the client is not one this connection reported.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/timestamp.hpp"

namespace herd::load {

enum class Kind : std::uint8_t { iamat, whatsat };

// Every IAMAT reports the same place; only the client and the time change.
inline constexpr std::string_view coordinates = "+34.068930-118.445127";

// "load-<connection>-<client>": no two connections share a client, so every IAMAT a connection
// writes is newer than anything the herd holds for its client.
std::string client_name(std::size_t connection, std::size_t client);

// "IAMAT <client> <coordinates> <time>\n"; "WHATSAT <client> 10 1\n".
void append_iamat(std::string& out, std::string_view client, Nanos time);
void append_whatsat(std::string& out, std::string_view client);

// Why `reply` (one whole reply, with its "\n") is not the right answer; nothing when it is.
std::optional<std::string> wrong_iamat_reply(std::string_view reply, std::string_view server, std::string_view client,
                                             Nanos time);
// `reported`: the time of the last IAMAT this connection wrote for the client before the WHATSAT,
// whose AT line (from `server`) the reply must carry; none: "? " and the request, or any AT line for
// the client, is right.
std::optional<std::string> wrong_whatsat_reply(std::string_view reply, std::string_view server, std::string_view client,
                                               std::optional<Nanos> reported);

// Why `reply` (to a WHATSAT) does not carry the client's record of `time`, from whichever server.
std::optional<std::string> wrong_record(std::string_view reply, std::string_view client, Nanos time);

}  // namespace herd::load
