#include "grade/relayed_links.hpp"

#include <future>

#include <boost/asio/post.hpp>

namespace herd::sim::grade {

// Runs `f` on the relays' thread (a Relay is not thread-safe) and returns what it returns.
template <typename F>
auto RelayedLinks::on_io(F f) const {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto done = task.get_future();
    boost::asio::post(io_, [&task] { task(); });
    return done.get();
}

RelayedLinks::RelayedLinks(const HerdConfig& herd) : guard_(io_.get_executor()) {
    // Made before the thread runs: nothing else touches the relays yet.
    relays_ = std::make_unique<LinkRelays>(io_, herd.links, rng_, print_failure);
    for (Relay* relay : relays_->all()) {
        relay->set_target(herd.find(relay->to())->port);
        relay->on_delivered([this, from = relay->from(), to = relay->to()](std::string_view line) {
            const std::lock_guard lock(mutex_);
            delivered_.push_back({std::chrono::steady_clock::now(), from, to, std::string(line)});
        });
    }
    thread_ = std::thread([this] { io_.run(); });
}

RelayedLinks::~RelayedLinks() {
    on_io([this] { relays_->stop(); });
    guard_.reset();
    thread_.join();
    relays_.reset();
}

std::map<std::pair<std::string, std::string>, std::uint16_t> RelayedLinks::ports() const {
    return on_io([this] {
        std::map<std::pair<std::string, std::string>, std::uint16_t> out;
        for (const Relay* relay : relays_->all()) out[{relay->from(), relay->to()}] = relays_->port(relay->from(), relay->to());
        return out;
    });
}

void RelayedLinks::set_up(const std::string& name, bool up) {
    on_io([&] { relays_->set_up(name, up); });
}

void RelayedLinks::cut(const std::string& a, const std::string& b) {
    on_io([&] {
        relays_->find(a, b)->cut();
        relays_->find(b, a)->cut();
    });
}

void RelayedLinks::heal(const std::string& a, const std::string& b) {
    on_io([&] {
        relays_->find(a, b)->heal();
        relays_->find(b, a)->heal();
    });
}

std::vector<Delivered> RelayedLinks::delivered() const {
    const std::lock_guard lock(mutex_);
    return delivered_;
}

std::uint64_t RelayedLinks::dropped() const {
    return on_io([this] {
        std::uint64_t sum = 0;
        for (const Relay* relay : relays_->all()) sum += relay->stats().dropped;
        return sum;
    });
}

}  // namespace herd::sim::grade
