#pragma once
// What the simulator sees inside a server. Called synchronously on the io_context at the moment
// the event happens, so an observer can stamp it with its own clock.
#include <cstddef>
#include <string_view>

#include "protocol/command.hpp"
#include "protocol/node.hpp"

namespace herd {

class ServerObserver {
public:
    virtual ~ServerObserver() = default;

    // A line was parsed and handled by `node`, before its reply or floods were written.
    virtual void on_handled(std::string_view node, const Command& command, const Effects& effects) = 0;

    // The outgoing link from `node` to `peer` came up (true) or went down (false).
    virtual void on_peer_link(std::string_view node, std::string_view peer, bool up) {
        (void)node, (void)peer, (void)up;
    }

    // `count` flood lines for `peer` were dropped because its queue was full.
    virtual void on_peer_overflow(std::string_view node, std::string_view peer, std::size_t count) {
        (void)node, (void)peer, (void)count;
    }

    // A coroutine of `node` ended by an exception: `message` says which one and what it threw
    // ("Alford: connection conn 3 127.0.0.1:40112: ..."). The server goes on without it.
    virtual void on_failure(std::string_view node, std::string_view message) { (void)node, (void)message; }
};

}  // namespace herd
