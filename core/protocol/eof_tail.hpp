#pragma once
// What an unterminated tail at EOF is worth (PROTOCOL.md, "Transport and framing"): a client
// command is processed as if its '\n' had come; a flood line (first word AT, valid or not) is not,
// because a sender that died in the middle of a write leaves a prefix such as
// "AT ... 1520023934.91" that would parse as a record with the wrong time.
#include <string_view>

namespace herd {

bool processed_at_eof(std::string_view tail);

}  // namespace herd
