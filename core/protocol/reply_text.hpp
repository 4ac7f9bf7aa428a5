#pragma once
// A server's replies as a client reads them (PROTOCOL.md): where the reply at the front of the
// bytes received ends, and how a reply is shown in a report. The harness and the load generator
// both read replies with this.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace herd {

// Where the whole reply at the front of `received` ends (one past its last byte), if it has
// arrived: one line up to its "\n"; for a WHATSAT (`whatsat`) whose reply starts "AT ", up to and
// including the first blank line ("\n\n").
std::optional<std::size_t> reply_end(std::string_view received, bool whatsat);

// Reply text for reports: "\n", "\r", "\t" shown as \n, \r, \t, other control bytes as \xNN (so a
// missing or doubled line end shows), cut after 400 characters.
std::string show_reply(std::string_view text);

}  // namespace herd
