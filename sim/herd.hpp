#pragma once
// A herd in one process: every node a real herd::Server on one io_context and its own loopback
// port, and (by default) every directed peer link routed through a Relay, where the scenario's
// faults live. Crash and restart act on the node's server; the node code never knows.
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "config/herd_config.hpp"
#include "net/server.hpp"
#include "relay.hpp"

namespace boost::asio {
class io_context;
}

namespace herd::sim {

struct HerdOptions {
    bool fixed_ports = false;           // bind the config's ports; otherwise the OS picks them
    bool relays = true;                 // route every peer link through a Relay
    std::filesystem::path log_dir;      // per-node logs; empty: none
    PlacesSettings places;              // usually pointed at a MockPlaces
    ServerObserver* observer = nullptr;
    std::mt19937_64* rng = nullptr;     // the run's one random source (relay jitter); required with relays
    std::size_t peer_queue_limit = 65536;
    std::size_t peer_queue_bytes = 16 << 20;
    std::size_t backpressure_bytes = 1 << 20;
    std::chrono::milliseconds stall_timeout{500};
    LinkPolicy link_policy = LinkPolicy::per_burst;
    std::chrono::milliseconds link_linger{2};
    std::chrono::milliseconds reconnect_initial{20};
    std::chrono::milliseconds reconnect_max{500};
};

class Herd {
public:
    Herd(boost::asio::io_context& io, HerdConfig config, HerdOptions options);
    ~Herd();

    // Every node listens, relays are wired to the nodes' ports, then every peer link starts.
    // Throws std::runtime_error (naming node and port) when a port cannot be bound.
    void start();
    void stop();

    const HerdConfig& config() const { return config_; }
    std::vector<std::string> names() const;
    bool has(std::string_view name) const;
    Server& server(std::string_view name);
    const Server& server(std::string_view name) const;
    bool is_up(std::string_view name) const;
    std::uint16_t port(std::string_view name) const;

    // The relay carrying from's link to `to`; nullptr without relays or without such a link.
    Relay* relay(std::string_view from, std::string_view to);
    std::vector<Relay*> relays();

    // The server is stopped (sockets closed, memory lost), and the relays into it refuse its
    // neighbours as a dead host would, so their lines stay queued until the restart.
    void crash(std::string_view name);
    void restart(std::string_view name);  // the same port again, empty memory; the relays into it listen again

    // Nodes a flood from `origin` can reach now: through live nodes and uncut relays (a stalled
    // relay still delivers once it resumes).
    std::vector<std::string> reachable(std::string_view origin) const;

    // No line held in a relay and no line queued for a neighbour that could take it.
    bool quiet() const;

    std::size_t edge_count() const { return config_.links.size(); }

private:
    bool link_usable(const std::string& from, const std::string& to) const;
    void set_relays_into(std::string_view name, bool up);

    boost::asio::io_context& io_;
    HerdConfig config_;
    HerdOptions options_;
    std::map<std::string, std::unique_ptr<Server>, std::less<>> servers_;
    std::map<std::pair<std::string, std::string>, std::unique_ptr<Relay>, std::less<>> relays_;
    std::map<std::string, std::vector<std::string>, std::less<>> neighbours_;  // from config_.links, once
};

}  // namespace herd::sim
