#pragma once
// A herd for benchmarks: real herd::Servers on one io_context, a mock Places on the same loop, and
// the BenchObserver on every node. Links go straight to the neighbours' ports, or (`relays`)
// through a Relay per direction, as in a run. No log files unless asked for.
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "bench_observer.hpp"
#include "config/herd_config.hpp"
#include "herd/herd.hpp"
#include "serve/mock_places.hpp"

namespace herd::bench {

class HerdRig {
public:
    // Starts the herd and runs the loop until its start-up exchange is over (throws after 120 s):
    // every server asked each neighbour for a catch-up when it started, every request was handled,
    // and nothing is queued or held in a relay. The policy defaults to a run's.
    HerdRig(boost::asio::io_context& io, HerdConfig config, std::filesystem::path log_dir = {},
            LinkPolicy policy = sim::HerdOptions{}.server.link_policy, bool relays = false);
    ~HerdRig();  // stops the herd and lets its coroutines end

    boost::asio::io_context& io;
    std::mt19937_64 rng{1};  // the relays' (no jitter is set: never drawn)
    serve::MockPlaces places;
    BenchObserver observer;
    std::unique_ptr<sim::Herd> herd;
    double setup_seconds = 0;  // the start-up: from start() to the end of its exchange
    double setup_cpu_seconds = 0;  // the process's CPU time over the same span

    std::uint16_t port(const std::string& node) const { return herd->port(node); }
    std::vector<std::uint16_t> ports() const;  // in config order
    std::size_t queued() const;                // flood lines queued for live neighbours, all nodes
    std::size_t nodes() const { return herd->config().servers.size(); }
    std::size_t edges() const { return herd->config().links.size(); }
    // Runs the loop until the update (client, time text) was stored by `nodes` nodes and cost at
    // least `messages` flood lines; returns the time from its birth to the last store, or nothing
    // if that did not happen within `limit`. Needs observer.trace on.
    std::optional<Clock::duration> await_coverage(const std::string& client, const std::string& time_text,
                                                  std::size_t nodes, double messages, Clock::duration limit);
    // Waits until no node has a flood line queued and no flood line was handled for `quiet`.
    void wait_quiet(Clock::duration quiet = 20ms, Clock::duration limit = 30s);
};

}  // namespace herd::bench
