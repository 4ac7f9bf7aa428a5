#pragma once
// One listening socket for every relay into one node. In one process every node connects to its
// neighbours from a loopback address of its own (ServerOptions::source_host), so the source address
// of an accepted connection tells whose link it is: the connection goes to that link's Relay, which
// applies the link's faults as it does behind a listener of its own. A link direction then costs
// four descriptors instead of five, which is what lets 1,000 relayed nodes fit in 20,000.
#include <map>
#include <memory>
#include <string>

#include "async/report_failure.hpp"

namespace boost::asio {
class io_context;
}

namespace herd::sim {

class Relay;

class RelayListener {
public:
    RelayListener(boost::asio::io_context& io, FailureSink failed);
    ~RelayListener();
    RelayListener(const RelayListener&) = delete;
    RelayListener& operator=(const RelayListener&) = delete;

    std::uint16_t listen();  // binds 127.0.0.1:0, starts accepting; returns the port. Once.
    // Connections from `source_address` (numeric) go to `relay`, which outlives the listener's use
    // of it (stop() first). A connection from an address no relay was added for is reset.
    void add(const std::string& source_address, Relay& relay);
    // While the node is down the listener does not listen, so every sender's connect is refused, as
    // by a dead host; its port stays bound meanwhile (reserve_port), so no other socket on the
    // machine takes it, and it listens there again when the node is back.
    void set_open(bool open);
    void stop();  // closes the listening socket, for good; idempotent

    struct State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace herd::sim
