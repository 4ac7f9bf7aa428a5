#include "herd_rig.hpp"

#include <stdexcept>

namespace herd::bench {

HerdRig::HerdRig(boost::asio::io_context& io_, HerdConfig config, std::filesystem::path log_dir, LinkPolicy policy,
                 bool relays)
    : io(io_), places(io_.get_executor()) {
    sim::HerdOptions options;
    options.relays = relays;
    options.rng = &rng;
    options.server.link_policy = policy;
    options.observer = &observer;
    options.server.log_dir = std::move(log_dir);
    options.server.places.base_url = places.url();  // plain HTTP: no TLS context per node
    options.server.places.timeout = std::chrono::milliseconds(2000);
    herd = std::make_unique<sim::Herd>(io, std::move(config), options);
    const auto t0 = Clock::now();
    const double cpu0 = cpu_seconds();
    herd->start();
    const std::uint64_t links = 2 * herd->config().links.size();
    // quiet() walks every relay: asked only once every request was handled.
    if (!drive(io, [&] { return observer.catch_up_requests >= links && herd->quiet(); }, 120s))
        throw std::runtime_error("herd: " + std::to_string(observer.catch_up_requests) + " of " +
                                 std::to_string(links) + " catch-up requests handled and " +
                                 std::to_string(observer.links_up) + " peer links up after 120 s");
    setup_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    setup_cpu_seconds = cpu_seconds() - cpu0;
}

HerdRig::~HerdRig() {
    herd->stop();
    places.stop();
    settle(io, 20ms);
    herd.reset();
    settle(io, 5ms);
}

std::vector<std::uint16_t> HerdRig::ports() const {
    std::vector<std::uint16_t> out;
    for (const auto& s : herd->config().servers) out.push_back(herd->port(s.name));
    return out;
}

std::size_t HerdRig::queued() const {
    std::size_t total = 0;
    // Lines waiting for a node that is down are not in flight.
    for (const auto& s : herd->config().servers) {
        if (!herd->is_up(s.name)) continue;
        const Server& server = herd->server(s.name);
        for (const auto& peer : server.options().peers)
            if (herd->is_up(peer.name)) total += server.queued_to(peer.name);
    }
    return total;
}

std::optional<Clock::duration> HerdRig::await_coverage(const std::string& client, const std::string& time_text,
                                                       std::size_t nodes, double messages, Clock::duration limit) {
    const UpdateTrace* u = nullptr;
    const bool covered = drive(io, [&] {
        u = observer.find(client, time_text);
        return u && u->stores >= nodes && static_cast<double>(u->messages) >= messages;
    }, limit);
    if (!covered) return std::nullopt;
    return u->last_store - u->born;
}

void HerdRig::wait_quiet(Clock::duration quiet, Clock::duration limit) {
    const auto deadline = Clock::now() + limit;
    std::uint64_t handled = observer.at_handled;
    auto since = Clock::now();
    while (Clock::now() < deadline) {
        drive(io, [] { return false; }, 1ms);
        if (observer.at_handled != handled) {
            handled = observer.at_handled;
            since = Clock::now();
        } else if (Clock::now() - since >= quiet && queued() == 0) {
            return;
        }
    }
}

}  // namespace herd::bench
