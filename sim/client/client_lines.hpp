#pragma once
// What a server makes of the bytes a client writes on one connection, framed as the server frames
// them: the core's LineFramer at the server's line limit, and the core's rule for a tail at EOF.
// One per client connection of the harness, so it knows which lines a server was given, and that
// a line over the limit makes the server close the connection (answering nothing after it).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/line_framer.hpp"

namespace herd::sim {

class ClientLines {
public:
    explicit ClientLines(std::size_t max_line) : framer_(max_line) {}

    // The lines `bytes` ends, in order, without their endings; with `eof` (the client half-closed
    // after them) also the unterminated tail, when the server takes one at EOF.
    std::vector<std::string> wrote(std::string_view bytes, bool eof);

    // A line went over the limit: the server closes the connection and takes nothing after it.
    bool closed() const { return closed_; }

private:
    LineFramer framer_;
    bool closed_ = false;
};

}  // namespace herd::sim
