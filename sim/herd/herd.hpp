#pragma once
// A herd in one process: every node a real herd::Server on one io_context and its own loopback
// port, and (by default) every directed peer link routed through a Relay, where the scenario's
// faults live. Crash and restart act on the node's server; the node code never knows.
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "config/herd_config.hpp"
#include "herd/link_relays.hpp"
#include "herd/run_herd.hpp"
#include "net/server.hpp"

namespace boost::asio {
class io_context;
}

namespace herd::sim {

struct HerdOptions {
    bool fixed_ports = false;           // bind the config's ports; otherwise the OS picks them
    // Route every peer link through a Relay. Each node's links then connect from a loopback address
    // of its own (127.1.0.1 on, in config order), by which one listener per node tells the relays
    // into it apart (RelayListener).
    bool relays = true;
    ServerObserver* observer = nullptr;
    std::mt19937_64* rng = nullptr;     // the run's one random source (relay jitter); required with relays
    FailureSink failed = print_failure;  // where a relay's failure goes (a run's ends the run)
    // What every server gets beyond its place in the herd (server_options() sets its name, address,
    // neighbours and limits from the config): its log folder (empty: none), its Places settings
    // (usually pointed at a MockPlaces), its link policy and times. A simulated server retries a
    // neighbour sooner than a served one, so a restart in a scenario is noticed within 20 ms. Its
    // links are persistent: in one process no grader kills what is connected to a port, and a
    // connect through a relay per burst would make the simulator measure its own connection churn
    // (a scenario asks for per_burst with links.policy).
    ServerOptions server = [] {
        ServerOptions defaults;
        defaults.reconnect_initial = std::chrono::milliseconds(20);
        defaults.link_policy = LinkPolicy::persistent;
        return defaults;
    }();
};

// The descriptors a herd takes in one process: per node a listening socket (and its log file with
// logs, and with relays the listener of the relays into it), per link direction a connection (two
// sockets), or with relays two connections (four), and a reserve for the run's own files. A
// 1,000-node herd of degree 4 with relays needs about 18,000.
std::uint64_t descriptors_needed(const HerdConfig& config, bool relays, bool logs);

class Herd : public RunHerd {
public:
    Herd(boost::asio::io_context& io, HerdConfig config, HerdOptions options);
    ~Herd() override;

    // Every node listens, relays are wired to the nodes' ports, then every peer link starts.
    // Throws std::runtime_error (naming node and port) when a port cannot be bound.
    void start() override;
    void stop() override;

    const HerdConfig& config() const override { return config_; }
    Server& server(std::string_view name);
    const Server& server(std::string_view name) const;
    bool is_up(std::string_view name) const override;
    std::uint16_t port(std::string_view name) const override;

    Relay* relay(std::string_view from, std::string_view to) override;
    std::vector<Relay*> relays() override;

    // The server is stopped (sockets closed, memory lost), and the relays into it refuse its
    // neighbours as a dead host would, so their lines stay queued until the restart.
    void crash(std::string_view name) override;
    void restart(std::string_view name) override;  // the same port again, empty memory; the relays into it listen again
    // Every relay of the node's links stalls, both ways: its neighbours' lines wait in the relays and
    // its own lines go nowhere until the resume. Its clients are still answered: a server in this
    // process cannot be stopped alone (a herd of processes stops the real one). Needs relays.
    void pause(std::string_view name) override;
    void resume(std::string_view name) override;
    bool is_paused(std::string_view name) const override { return paused_.find(name) != paused_.end(); }
    void link_faults_cleared() override;

    // No line held in a relay and no line queued for a neighbour that could take it.
    void clear_places_caches() override;
    bool quiet() const override;

    // Read from the servers' own tables.
    std::map<std::string, Holding> holdings(std::string_view node, const std::vector<std::string>& clients) override;
    // The servers report to the observer themselves.
    void client_line(std::string_view, std::string_view) override {}
    LatencyResolution latency_resolution() const override { return {}; }

private:
    boost::asio::io_context& io_;
    HerdConfig config_;
    HerdOptions options_;
    std::map<std::string, std::unique_ptr<Server>, std::less<>> servers_;
    std::map<std::string, std::string, std::less<>> sources_;  // with options_.relays: each node's own address
    std::unique_ptr<LinkRelays> relays_;  // with options_.relays, from start()
    std::set<std::string, std::less<>> paused_;

    void stall_links(std::string_view name, bool stalled);
};

}  // namespace herd::sim
