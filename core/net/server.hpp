#pragma once
// One herd server on a shared io_context: a listening socket for clients and peers, one
// coroutine per connection, one outgoing link per neighbour. Asio stays behind this
// header (pimpl), so code that drives servers builds fast.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "config/server_limits.hpp"
#include "net/server_observer.hpp"
#include "places/places_settings.hpp"
#include "protocol/node.hpp"

namespace boost::asio {
class io_context;
}

namespace herd {

struct PeerAddress {
    std::string name;
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;  // where this server connects to reach the neighbour (a relay in the simulator)
};

// How a PeerLink holds its connection. per_burst (the default) is what the course's graders need:
// it connects when there is something to send and closes once idle for the linger. persistent keeps
// the connection open while idle, so it breaks the "no idle connection" rule of PROTOCOL.md; it is
// kept for comparison (bench/) and for herds that are never stopped with lsof.
enum class LinkPolicy { per_burst, persistent };

struct ServerOptions {
    std::string name;
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;  // 0: the OS picks one; port() tells which
    // The address the links to neighbours connect from, as on a host with an address of its own
    // (numeric; empty: the system chooses). In one process every node has its own, so a relay
    // tells the senders apart by it.
    std::string source_host;
    std::vector<PeerAddress> peers;
    PlacesSettings places;
    std::filesystem::path log_dir;  // "<log_dir>/<name>.log"; empty: no log file
    ServerLimits limits;  // from the herd config's "limits" (serve/server_options.cpp)
    // The herd's peer secret (docs/PROTOCOL.md, "Peer authentication"); empty: none.
    std::string peer_secret;
    LinkPolicy link_policy = LinkPolicy::per_burst;
    std::chrono::milliseconds link_linger{2};  // per_burst: close once the queue was empty this long
    // Background retries for lines queued to a neighbour that is down: the interval doubles from
    // reconnect_initial up to reconnect_max. A new flood line always triggers an attempt at once.
    std::chrono::milliseconds reconnect_initial{50};
    std::chrono::milliseconds reconnect_max{500};  // a healed partition is noticed within it
};

class Server {
public:
    // Throws std::invalid_argument for bad Places settings.
    Server(boost::asio::io_context& io, ServerOptions options, ServerObserver* observer = nullptr);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds and starts accepting; returns the port. Throws std::runtime_error naming the server
    // and address when the port cannot be bound ("Alford: cannot listen on 127.0.0.1:19625: bind:
    // Address already in use"). A herd listens everywhere first, then links, so that OS-assigned
    // ports are known before anyone connects.
    std::uint16_t listen();

    // Where to reach each neighbour: the same names in the same order as options().peers.
    // Takes effect at the next start().
    void set_peer_addresses(std::vector<PeerAddress> peers);

    // listen() if not yet listening, then open a link to every neighbour.
    void start();

    // Closes the listening socket, every connection and every peer link at once (peers see a real
    // EOF), and forgets every record and cached Places answer: a crash. start() may be called
    // again: a restart, same port. With `reset` every connection is reset instead (peers see RST):
    // the end of a herd in one process, which then leaves none of them in TIME_WAIT.
    void stop(bool reset = false);

    // The next WHATSAT for any place asks the Places service again (a scenario changed its answers).
    void clear_places_cache();

    bool running() const;
    std::uint16_t port() const;
    const ServerOptions& options() const;
    const Node& node() const;

    // Flood lines queued for `peer` and not yet written; for "is a flood in flight" checks.
    std::size_t queued_to(std::string_view peer) const;

    struct State;  // core/net's internals, shared by the accept loop, sessions and peer links

private:
    std::shared_ptr<State> state_;
};

}  // namespace herd
