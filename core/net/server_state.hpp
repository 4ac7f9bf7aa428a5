#pragma once
// What a running server shares between its accept loop, its sessions and its peer links.
// Internal to core/net.
#include <map>
#include <memory>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/logger.h>

#include "async/report_failure.hpp"
#include "net/episode.hpp"
#include "net/heap_trim.hpp"
#include "net/peer_link.hpp"
#include "net/server.hpp"
#include "places/places_service.hpp"
#include "protocol/peer_mac.hpp"

namespace herd {

// A connection accepted under limits.max_connections, or past it in one of the peer slots, which
// only a connection whose first line is valid from a neighbour keeps.
enum class Slot { client, peer };

// What the accept loop knows of each open connection: enough to close it, and to choose which
// one to evict when every client slot is taken.
struct OpenConnection {
    boost::asio::ip::tcp::socket* socket = nullptr;
    Slot slot = Slot::client;
    boost::asio::ip::address address;  // the remote end's: the per-address share counts by it
    std::chrono::steady_clock::time_point last_line = std::chrono::steady_clock::now();  // the accept counts
    // The last line that did something (a blank, invalid or refused line does not): eviction goes by it.
    std::chrono::steady_clock::time_point last_active = last_line;
    bool active = false;   // such a line came on it
    bool spoke = false;    // any complete line came on it
    bool flood = false;    // a flood line or an honoured catch-up request came on it: likely a neighbour's link
    bool evicted = false;  // closed for a new connection, its slot already given away
};

struct Server::State : std::enable_shared_from_this<Server::State> {
    State(boost::asio::io_context& io, ServerOptions options, ServerObserver* observer);

    boost::asio::io_context& io;
    ServerOptions options;
    ServerObserver* observer;
    Node node;
    std::shared_ptr<spdlog::logger> log;  // before `places`, which logs to it
    PlacesService places;
    FailureSink failed;  // every coroutine of this server reports to it (node_failure_sink)
    std::optional<boost::asio::ip::tcp::acceptor> acceptor;
    boost::asio::steady_timer flush_timer;
    std::vector<std::shared_ptr<PeerLink>> peers;  // in the order of node.peers()
    std::map<std::uint64_t, OpenConnection> connections;  // so that stop() can close them
    // Accepted and not yet ended (nor evicted: its slot is given away at once), counted at the accept (a session registers in `connections`
    // only once its coroutine runs): what limits.max_connections and peer_slots are held to.
    std::size_t open_connections = 0;  // in client slots, neighbours accepted below the cap included
    std::size_t open_peer_slots = 0;
    // Client slots by remote address, counted at the accept as open_connections is.
    std::map<boost::asio::ip::address, std::size_t> client_slots_by_address;
    std::optional<PeerMac> mac;  // with a peer secret: flood lines and catch-up requests must carry a MAC
    HeapTrim heap;
    Episode invalid_lines{"invalid lines", Episode::lines_logged};
    Episode blank_lines{"blank lines", Episode::lines_logged};
    Episode unauthenticated_lines{"peer lines without a valid MAC", Episode::lines_logged};
    Episode ignored_catch_ups{"catch-up requests already owed", Episode::lines_logged};
    Episode share_evictions{"connections closed for another address"};
    Episode overlong_lines{"overlong lines"};
    Episode refused_connections{"refused connections"};
    Episode evicted_connections{"idle connections closed for new ones"};
    Episode accept_failures{"accept failures"};
    std::uint64_t next_connection = 1;
    std::uint16_t bound_port = 0;
    bool running = false;
    bool links_started = false;
    // Counts listen()s. A completion that was already queued when the server stopped (an accept, a
    // read) belongs to an older generation and must not act on the restarted server.
    std::uint64_t generation = 0;
};

// One client (or neighbour) connection: line framing, handling, replies. Ends when the peer
// closes, on an overlong line, on the idle or line limit, or when the server stops.
boost::asio::awaitable<void> serve_connection(std::shared_ptr<Server::State> state,
                                              boost::asio::ip::tcp::socket socket, Slot slot,
                                              boost::asio::ip::address address);

// Gives a client slot back: the connection closed, or was evicted.
void release_client_slot(Server::State& state, const boost::asio::ip::address& address);

}  // namespace herd
