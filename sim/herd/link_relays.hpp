#pragma once
// A Relay for every direction of every link of a herd, where the scenario's link faults live:
// shared by the herd in this process and the herd of external processes.
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "herd/relay.hpp"
#include "herd/relay_listener.hpp"

namespace herd::sim {

class LinkRelays {
public:
    // Every relay listens on a loopback port of its own; targets are set with target(). A relay's
    // failure goes to `failed`. With `sources` (every node's numeric source address, by name: nodes
    // in this process), the relays into a node share one listener (RelayListener) instead.
    LinkRelays(boost::asio::io_context& io, const std::vector<std::pair<std::string, std::string>>& links,
               std::mt19937_64& rng, const FailureSink& failed,
               const std::map<std::string, std::string, std::less<>>& sources = {});

    Relay* find(std::string_view from, std::string_view to) const;
    std::vector<Relay*> all() const;
    std::uint16_t port(std::string_view from, std::string_view to) const { return ports_.at({std::string(from), std::string(to)}); }
    // The relays into `name` refuse while it is down, as a dead host does.
    void set_up(std::string_view name, bool up);
    bool idle() const;
    void stop();

private:
    std::map<std::pair<std::string, std::string>, std::unique_ptr<Relay>, std::less<>> relays_;
    std::map<std::pair<std::string, std::string>, std::uint16_t> ports_;
    // By receiving node, with sources; after relays_, so destroyed before the relays they point to.
    std::map<std::string, std::unique_ptr<RelayListener>, std::less<>> listeners_;
};

}  // namespace herd::sim
