#pragma once
// A grade's relayed links, for a herd whose servers read their neighbours' ports from {config}:
// each direction of each link goes through a relay of herdsim's (sim/herd), on a thread of its own,
// since the grade's client blocks. Through them the grade sees the student's own flood lines (for
// the flood diagram) and can cut a link (an extra).
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "config/herd_config.hpp"
#include "herd/link_relays.hpp"

namespace herd::sim::grade {

// A line a relay wrote to its server.
struct Delivered {
    std::chrono::steady_clock::time_point at;
    std::string from, to;
    std::string line;  // without its "\n"
};

class RelayedLinks {
public:
    // A relay for each direction of each link of `herd`, forwarding to the servers' own ports.
    explicit RelayedLinks(const HerdConfig& herd);
    ~RelayedLinks();
    RelayedLinks(const RelayedLinks&) = delete;
    RelayedLinks& operator=(const RelayedLinks&) = delete;

    // Where `from` must connect to reach `to`: the relay's port.
    std::map<std::pair<std::string, std::string>, std::uint16_t> ports() const;
    // A server down refuses its relays' connections, as a dead host does; up again when it starts.
    void set_up(const std::string& name, bool up);
    // Both directions of the link a-b.
    void cut(const std::string& a, const std::string& b);
    void heal(const std::string& a, const std::string& b);
    // Every line delivered so far, in delivery order.
    std::vector<Delivered> delivered() const;
    // The lines dropped by cuts, resets or stops.
    std::uint64_t dropped() const;

private:
    template <typename F>
    auto on_io(F f) const;

    mutable boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
    std::mt19937_64 rng_;  // the relays' jitter: none here
    std::unique_ptr<LinkRelays> relays_;
    mutable std::mutex mutex_;
    std::vector<Delivered> delivered_;
    std::thread thread_;
};

}  // namespace herd::sim::grade
