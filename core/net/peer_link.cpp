#include "net/peer_link.hpp"

#include "net/node_log.hpp"
#include "net/until_either.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace herd {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

namespace {
constexpr std::size_t max_batch = 1024;  // lines per gathered write
constexpr std::chrono::seconds connect_timeout{3};
}  // namespace

PeerLink::PeerLink(asio::any_io_executor executor, const ServerOptions& options, PeerAddress peer,
                   std::shared_ptr<spdlog::logger> log, ServerObserver* observer)
    : self_(options.name),
      peer_(std::move(peer)),
      limit_(std::max<std::size_t>(options.peer_queue_limit, 1)),
      persistent_(options.link_policy == LinkPolicy::persistent),
      linger_(options.link_linger),
      backoff_initial_(options.reconnect_initial),
      backoff_max_(options.reconnect_max),
      log_(std::move(log)),
      observer_(observer),
      socket_(executor),
      wake_(executor),
      pause_(executor) {}

void PeerLink::start() {
    asio::co_spawn(socket_.get_executor(), [self = shared_from_this()] { return self->run(); },
                   report_failure(self_ + ": link to " + peer_.name, node_failure_sink(log_, observer_, self_)));
}

void PeerLink::stop() {
    stopped_ = true;
    boost::system::error_code ignored;
    socket_.close(ignored);
    wake_.cancel();
    pause_.cancel();
    queue_.clear();
    in_flight_.clear();
}

void PeerLink::send(std::string line) {
    if (stopped_) return;
    queue_.push_back(std::move(line));
    if (queue_.size() > limit_) {
        queue_.pop_front();
        if (dropped_++ % 1000 == 0)
            log_->warn("queue to {} full ({} lines): dropping the oldest flood lines ({} so far)", peer_.name, limit_,
                       dropped_);
        if (observer_) observer_->on_peer_overflow(self_, peer_.name, 1);
    } else if (queue_.size() < limit_ / 2) {
        dropped_ = 0;
    }
    fresh_ = true;
    wake_.cancel();
    pause_.cancel();
}

asio::awaitable<void> PeerLink::run() {
    auto backoff = backoff_initial_;
    while (!stopped_) {
        if (!persistent_) co_await wait_for_lines();
        if (stopped_) break;
        fresh_ = false;
        if (auto ec = co_await connect()) {
            if (stopped_) break;
            if (reported_up_ != false)
                log_->warn("cannot reach peer {} at {}:{}: {}; queued lines are retried at every new flood and "
                           "with backoff up to {} ms",
                           peer_.name, peer_.host, peer_.port, ec.message(), backoff_max_.count());
            report(false);
            // A line queued while this attempt was under way gets an attempt of its own at once.
            if (!fresh_) co_await retry_pause(backoff);
            continue;
        }
        const auto up_since = asio::steady_timer::clock_type::now();
        log_->info("link to peer {} at {}:{} connected", peer_.name, peer_.host, peer_.port);
        report(true);

        idle_ = false;
        co_await until_either(write_until_idle(), watch_for_close());
        if (idle_) {
            co_await close_idle();
            backoff = backoff_initial_;
            continue;
        }

        boost::system::error_code ignored;
        socket_.close(ignored);
        requeue_in_flight();
        if (stopped_) break;
        log_->warn("link to peer {} down; {} lines queued", peer_.name, queue_.size());
        report(false);
        // Only a link that stayed up a while earns an immediate reconnect: one that is closed right
        // after connecting (a peer that accepts and hangs up) must not make this loop spin.
        if (asio::steady_timer::clock_type::now() - up_since >= backoff_max_)
            backoff = backoff_initial_;
        else if (!fresh_)
            co_await retry_pause(backoff);
    }
}

asio::awaitable<void> PeerLink::wait_for_lines() {
    while (!stopped_ && queue_.empty()) {
        wake_.expires_at(asio::steady_timer::time_point::max());
        co_await wake_.async_wait(nothrow);
    }
}

asio::awaitable<void> PeerLink::retry_pause(std::chrono::milliseconds& backoff) {
    pause_.expires_after(backoff);
    co_await pause_.async_wait(nothrow);
    backoff = std::min(backoff * 2, backoff_max_);
}

asio::awaitable<boost::system::error_code> PeerLink::connect() {
    boost::system::error_code ec;
    auto address = asio::ip::make_address(peer_.host, ec);
    std::vector<tcp::endpoint> endpoints;
    if (!ec) {
        endpoints.emplace_back(address, peer_.port);
    } else {
        // A host name (a herd spread over machines); numeric hosts skip the resolver.
        tcp::resolver resolver(socket_.get_executor());
        auto [rec, results] = co_await resolver.async_resolve(peer_.host, std::to_string(peer_.port), nothrow);
        if (rec) co_return rec;
        for (const auto& r : results) endpoints.push_back(r.endpoint());
    }
    asio::steady_timer deadline(socket_.get_executor(), connect_timeout);
    auto outcome = co_await (asio::async_connect(socket_, endpoints, nothrow) || deadline.async_wait(nothrow));
    if (outcome.index() == 1) co_return asio::error::timed_out;
    auto [cec, endpoint] = std::get<0>(outcome);
    (void)endpoint;
    if (!cec) socket_.set_option(tcp::no_delay(true), ec);
    co_return cec;
}

asio::awaitable<void> PeerLink::write_until_idle() {
    std::vector<asio::const_buffer> buffers;
    while (!stopped_ && socket_.is_open()) {
        if (queue_.empty()) {
            if (persistent_)
                wake_.expires_at(asio::steady_timer::time_point::max());
            else
                wake_.expires_after(linger_);
            auto [ec] = co_await wake_.async_wait(nothrow);
            if (!ec && queue_.empty()) {
                idle_ = true;
                co_return;
            }
            continue;
        }
        // Move the batch out of the queue: send() may drop queued lines while the write is under way.
        const std::size_t n = std::min(queue_.size(), max_batch);
        in_flight_.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.begin() + n));
        queue_.erase(queue_.begin(), queue_.begin() + n);
        buffers.clear();
        for (const auto& line : in_flight_) buffers.push_back(asio::buffer(line));
        auto [ec, written] = co_await asio::async_write(socket_, buffers, nothrow);
        (void)written;
        if (ec) {
            if (!stopped_) log_->warn("write to peer {} failed: {}", peer_.name, ec.message());
            co_return;
        }
        if (log_->should_log(spdlog::level::info))
            for (const auto& line : in_flight_)
                log_->info("sent to {}: {}", peer_.name, std::string_view(line).substr(0, line.size() - 1));
        in_flight_.clear();
    }
}

asio::awaitable<void> PeerLink::watch_for_close() {
    // A neighbour never writes on this link; a read completes only when it closes or resets.
    char scratch[512];
    for (;;) {
        auto [ec, n] = co_await socket_.async_read_some(asio::buffer(scratch), nothrow);
        if (ec) co_return;
        (void)n;
    }
}

asio::awaitable<void> PeerLink::close_idle() {
    // Every write has completed, so the FIN follows the data. Waiting (at most the linger) for the
    // neighbour's own close means no reset can overtake the lines, whatever it wrote back.
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    asio::steady_timer deadline(socket_.get_executor(), linger_);
    co_await (watch_for_close() || deadline.async_wait(nothrow));
    socket_.close(ignored);
    log_->info("link to peer {} closed: nothing left to send", peer_.name);
}

void PeerLink::report(bool up) {
    if (reported_up_ == up) return;
    reported_up_ = up;
    if (observer_) observer_->on_peer_link(self_, peer_.name, up);
}

void PeerLink::requeue_in_flight() {
    // Lines whose write failed go back in front, in order, so they are sent after reconnecting.
    queue_.insert(queue_.begin(), std::make_move_iterator(in_flight_.begin()), std::make_move_iterator(in_flight_.end()));
    in_flight_.clear();
    while (queue_.size() > limit_) queue_.pop_front();
}

}  // namespace herd
