#include "net/peer_link.hpp"

#include <tuple>

#include "async/nothrow.hpp"
#include "async/until_either.hpp"
#include "net/node_log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace herd {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

namespace {
constexpr std::chrono::seconds connect_timeout{3};
// per_burst: how long a half-closed connection waits for the neighbour's EOF, the proof that it read
// every line; past it the neighbour is owed a catch-up, as at a reset. The wait runs beside the next
// connection, so it never holds up a flood; a neighbour slower than a connect is as good as gone.
constexpr std::chrono::seconds close_timeout{3};

// Reads and ignores until the connection ends; returns how (eof: the neighbour closed cleanly).
asio::awaitable<boost::system::error_code> read_until_end(tcp::socket& socket) {
    // A herdsim neighbour never writes on this link (a course server may answer the catch-up
    // request "? ..."): a read ends only when it closes or resets.
    char scratch[512];
    for (;;) {
        auto [ec, n] = co_await socket.async_read_some(asio::buffer(scratch), nothrow);
        (void)n;
        if (ec) co_return ec;
    }
}
constexpr std::size_t catch_up_batch_bytes = 256 * 1024;  // one catch-up write; the walk holds no more
constexpr std::size_t keep_buffer_bytes = 1 << 20;        // a drained buffer bigger than this is freed
}  // namespace

PeerLink::PeerLink(asio::any_io_executor executor, const ServerOptions& options, PeerAddress peer,
                   const LocationTable& table, std::shared_ptr<spdlog::logger> log, ServerObserver* observer)
    : self_(options.name),
      peer_(std::move(peer)),
      table_(table),
      limit_lines_(std::max<std::size_t>(options.limits.peer_queue_lines, 1)),
      limit_bytes_(std::max<std::uint64_t>(options.limits.peer_queue_bytes, 1)),
      backpressure_bytes_(options.limits.backpressure_bytes),
      stall_timeout_(options.limits.stall_timeout),
      persistent_(options.link_policy == LinkPolicy::persistent),
      linger_(options.link_linger),
      backoff_initial_(options.reconnect_initial),
      backoff_max_(options.reconnect_max),
      log_(std::move(log)),
      observer_(observer),
      socket_(executor),
      wake_(executor),
      pause_(executor),
      room_(executor, asio::steady_timer::time_point::max()),
      settled_(executor, asio::steady_timer::time_point::max()),
      pacing_(options.limits.catch_up_interval) {
    if (!options.peer_secret.empty()) mac_.emplace(options.peer_secret);
    if (!options.source_host.empty()) source_ = asio::ip::make_address(options.source_host);
}

void PeerLink::start() {
    asio::co_spawn(socket_.get_executor(), [self = shared_from_this()] { return self->run(); },
                   report_failure(self_ + ": link to " + peer_.name, node_failure_sink(log_, observer_, self_)));
}

void PeerLink::stop(bool reset) {
    stopped_ = true;
    boost::system::error_code ignored;
    const auto end = [&](tcp::socket& socket) {
        if (reset && socket.is_open()) socket.set_option(asio::socket_base::linger(true, 0), ignored);
        socket.close(ignored);
    };
    end(socket_);
    for (auto& closing : closing_) end(*closing);
    wake_.cancel();
    pause_.cancel();
    room_.cancel();
    settled_.cancel();
    std::string().swap(pending_);
    std::string().swap(in_flight_);
    pending_lines_ = in_flight_lines_ = 0;
}

std::uint64_t PeerLink::send(std::string_view line) {
    if (stopped_) return 0;
    // A catch-up about to begin will read the table, this record included.
    if (catch_up_due() && !walk_.active()) {
        wake();
        return 0;
    }
    if (pending_lines_ + 1 > limit_lines_ || pending_.size() + line.size() > limit_bytes_) {
        dropped_ += pending_lines_ + 1;
        if (observer_) observer_->on_peer_overflow(self_, peer_.name, pending_lines_ + 1);
        if (!overflowed_)
            log_->warn("queue to {} full ({} lines, {} bytes): lines dropped; a catch-up will send every record",
                       peer_.name, pending_lines_, pending_.size());
        overflowed_ = true;
        std::string().swap(pending_);
        pending_lines_ = 0;
        owe_now();
        room_.cancel();
        settle(tickets_);
        wake();
        return 0;
    }
    pending_ += line;
    ++pending_lines_;
    wake();
    return ++tickets_;
}

asio::awaitable<void> PeerLink::wait_until_settled(std::uint64_t ticket, std::chrono::steady_clock::time_point deadline) {
    asio::steady_timer limit(socket_.get_executor(), deadline);
    while (!stopped_ && settled_upto_ < ticket && Clock::now() < deadline)
        co_await (settled_.async_wait(nothrow) || limit.async_wait(nothrow));
}

void PeerLink::settle(std::uint64_t upto) {
    if (upto <= settled_upto_) return;
    settled_upto_ = upto;
    settled_.cancel();
}

void PeerLink::request_catch_up(std::string line) {
    if (stopped_) return;
    request_ = std::move(line);
    request_pending_ = true;
    wake();
}

bool PeerLink::owe_catch_up() {
    if (stopped_ || owed_ || walk_.active()) return false;
    const auto now = Clock::now();
    owed_ = requested_ = true;
    owed_from_ = std::max(now, pacing_.earliest());
    if (owed_from_ > now)
        log_->info("catch-up owed to {}: every record will be sent in {} ms (requests are paced: catch_up_interval_ms)",
                   peer_.name, std::chrono::ceil<std::chrono::milliseconds>(owed_from_ - now).count());
    else
        log_->info("catch-up owed to {}: every record will be sent", peer_.name);
    wake();
    return true;
}

// Lines were lost on the link or dropped from the queue: this server's own debt, not paced.
void PeerLink::owe_now() {
    owed_ = true;
    owed_from_ = Clock::time_point::min();
}

bool PeerLink::catch_up_due() const { return owed_ && Clock::now() >= owed_from_; }

bool PeerLink::has_work() const { return !pending_.empty() || request_pending_ || catch_up_due() || walk_.active(); }

// When a writer with nothing to send wakes by itself: when a paced catch-up comes due.
PeerLink::Clock::time_point PeerLink::next_wake() const {
    return owed_ && !catch_up_due() ? owed_from_ : Clock::time_point::max();
}

std::size_t PeerLink::queued() const {
    return pending_lines_ + in_flight_lines_ + (request_pending_ || owed_ || walk_.active() ? 1 : 0);
}

void PeerLink::wake() {
    fresh_ = true;
    wake_.cancel();
    pause_.cancel();
}

asio::awaitable<void> PeerLink::wait_for_room() {
    asio::steady_timer deadline(socket_.get_executor());
    while (!stopped_ && connected_ && pending_.size() > backpressure_bytes_) {
        const auto now = Clock::now();
        const auto since = writing_since_.value_or(now);
        if (now - since >= stall_timeout_) {
            if (!stall_logged_)
                log_->warn("peer {} has not taken a write for {} ms: clients no longer wait for it; past the "
                           "queue bound its lines are dropped and caught up later",
                           peer_.name, stall_timeout_.count());
            stall_logged_ = true;
            co_return;
        }
        deadline.expires_at(since + stall_timeout_);
        co_await (room_.async_wait(nothrow) || deadline.async_wait(nothrow));
    }
}

asio::awaitable<void> PeerLink::run() {
    auto backoff = backoff_initial_;
    while (!stopped_) {
        if (!persistent_) co_await wait_for_work();
        if (stopped_) break;
        fresh_ = false;
        if (auto ec = co_await connect()) {
            if (stopped_) break;
            if (reported_up_ != false)
                log_->warn("cannot reach peer {} at {}:{}: {}; retried at every new flood and with backoff up to {} ms",
                           peer_.name, peer_.host, peer_.port, ec.message(), backoff_max_.count());
            report(false);
            settle(tickets_);
            // Work that arrived while this attempt was under way gets an attempt of its own at once.
            if (!fresh_) co_await retry_pause(backoff);
            continue;
        }
        const auto up_since = Clock::now();
        log_->info("link to peer {} at {}:{} connected", peer_.name, peer_.host, peer_.port);
        report(true);

        connected_ = true;
        wrote_ = sent_request_ = idle_ = false;
        co_await until_either(write_until_idle(), watch_for_close());
        connected_ = false;
        writing_since_.reset();
        room_.cancel();
        if (idle_ && !stopped_) {
            hand_over_close();
            backoff = backoff_initial_;
            continue;
        }
        boost::system::error_code ignored;
        socket_.close(ignored);
        if (stopped_) break;
        connection_lost();
        report(false);
        // Only a link that stayed up a while earns an immediate reconnect: one that is closed right
        // after connecting (a peer that accepts and hangs up) must not make this loop spin.
        if (Clock::now() - up_since >= backoff_max_)
            backoff = backoff_initial_;
        else if (!fresh_)
            co_await retry_pause(backoff);
    }
}

void PeerLink::connection_lost() {
    // What was written may not have been read (a neighbour that crashed or reset leaves unread lines
    // behind): nothing tells which lines, so the whole table goes again.
    if (wrote_) {
        owe_now();
        walk_ = {};
        std::string().swap(pending_);
        pending_lines_ = 0;
    }
    if (sent_request_) request_pending_ = true;
    in_flight_.clear();
    in_flight_lines_ = 0;
    settle(tickets_);
    log_->warn("link to peer {} lost{}", peer_.name, wrote_ ? "; a catch-up will send every record" : "");
}

asio::awaitable<void> PeerLink::wait_for_work() {
    while (!stopped_ && !has_work()) {
        wake_.expires_at(next_wake());
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
    auto outcome = co_await (connect_to(endpoints) || deadline.async_wait(nothrow));
    if (outcome.index() == 1) co_return asio::error::timed_out;
    const auto cec = std::get<0>(outcome);
    if (!cec) socket_.set_option(tcp::no_delay(true), ec);
    co_return cec;
}

// Each endpoint in turn, from the source address when there is one (asio::async_connect would
// reopen the socket unbound).
asio::awaitable<boost::system::error_code> PeerLink::connect_to(const std::vector<tcp::endpoint>& endpoints) {
    boost::system::error_code ec = asio::error::host_not_found;
    for (const auto& endpoint : endpoints) {
        boost::system::error_code ignored;
        socket_.close(ignored);
        socket_.open(endpoint.protocol(), ec);
        if (!ec && source_) socket_.bind({*source_, 0}, ec);
        if (!ec) std::tie(ec) = co_await socket_.async_connect(endpoint, nothrow);
        if (!ec) co_return ec;
    }
    co_return ec;
}

void PeerLink::next_batch() {
    // The request first, then live floods, then the catch-up walk: a record that changes during a
    // walk is sent as a flood, and the walk reads the table as it is, so nothing goes back in time.
    in_flight_.clear();
    in_flight_lines_ = 0;
    in_flight_is_catch_up_ = false;
    if (request_pending_) {
        in_flight_ = request_;
        request_pending_ = false;
        sent_request_ = true;
    }
    if (!pending_.empty()) {
        if (in_flight_.empty())
            in_flight_.swap(pending_);
        else
            in_flight_ += pending_;
        pending_.clear();
        in_flight_lines_ = std::exchange(pending_lines_, 0);
        in_flight_upto_ = tickets_;
        room_.cancel();
        return;
    }
    if (!in_flight_.empty()) return;
    if (catch_up_due()) {
        owed_ = false;
        walk_.begin();
        pacing_.walk_began(Clock::now(), std::exchange(requested_, false));
    }
    if (walk_.active()) {
        in_flight_lines_ = walk_.next_batch(table_, self_, in_flight_, catch_up_batch_bytes);
        in_flight_is_catch_up_ = true;
        if (!walk_.active()) pacing_.walk_ended(Clock::now());
        if (!walk_.active() && !owed_) {
            log_->info("catch-up to {} complete: {} records", peer_.name, table_.size());
            if (overflowed_) log_->info("queue to {}: {} dropped lines repaired by the catch-up", peer_.name, dropped_);
            overflowed_ = false;
            dropped_ = 0;
        }
    }
}

// With a peer secret every line is signed as it is written, with the time it is written: a line
// that waited in the queue for a neighbour that was down is still within the receiver's window.
void PeerLink::sign_in_flight() {
    signed_.clear();
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    mac_->sign_lines(in_flight_, std::chrono::duration_cast<std::chrono::nanoseconds>(now).count(), signed_);
    in_flight_.swap(signed_);
}

void PeerLink::log_batch() const {
    if (!log_->should_log(spdlog::level::info)) return;
    if (in_flight_is_catch_up_) return log_->info("sent to {}: {} catch-up records", peer_.name, in_flight_lines_);
    std::string_view rest = in_flight_;
    while (!rest.empty()) {
        const auto end = rest.find('\n');
        log_->info("sent to {}: {}", peer_.name, rest.substr(0, end));
        rest.remove_prefix(end + 1);
    }
}

asio::awaitable<void> PeerLink::write_until_idle() {
    while (!stopped_ && socket_.is_open()) {
        next_batch();
        if (in_flight_.empty()) {
            if (in_flight_.capacity() > keep_buffer_bytes) std::string().swap(in_flight_);
            if (signed_.capacity() > keep_buffer_bytes) std::string().swap(signed_);
            if (persistent_)
                wake_.expires_at(next_wake());
            else
                wake_.expires_after(linger_);
            auto [ec] = co_await wake_.async_wait(nothrow);
            if (!ec && !has_work()) {
                idle_ = true;
                co_return;
            }
            continue;
        }
        if (mac_) sign_in_flight();
        wrote_ = true;
        writing_since_ = Clock::now();
        auto [ec, written] = co_await asio::async_write(socket_, asio::buffer(in_flight_), nothrow);
        (void)written;
        writing_since_.reset();
        stall_logged_ = false;
        if (ec) {
            if (!stopped_) log_->warn("write to peer {} failed: {}", peer_.name, ec.message());
            co_return;
        }
        log_batch();
        if (!in_flight_is_catch_up_) settle(in_flight_upto_);
        in_flight_.clear();
        in_flight_lines_ = 0;
    }
}

asio::awaitable<void> PeerLink::watch_for_close() { co_await read_until_end(socket_); }

// The linger passed with nothing to send: the close handshake goes on beside the next connection,
// so a flood never waits for it.
void PeerLink::hand_over_close() {
    auto closing = std::make_shared<tcp::socket>(std::move(socket_));
    closing_.push_back(closing);
    asio::co_spawn(
        closing->get_executor(),
        [self = shared_from_this(), closing, wrote = wrote_, request = sent_request_] {
            return self->confirm_close(closing, wrote, request);
        },
        report_failure(self_ + ": closing the link to " + peer_.name, node_failure_sink(log_, observer_, self_)));
}

asio::awaitable<void> PeerLink::confirm_close(std::shared_ptr<tcp::socket> socket, bool wrote, bool sent_request) {
    // Every write has completed, so our FIN follows the data; the neighbour's EOF after it proves it
    // read everything. Anything else (a reset, no answer within the close timeout) proves nothing:
    // a line held on a slow route, then lost to a cut, looks exactly like a line read in silence.
    boost::system::error_code ec;
    socket->shutdown(tcp::socket::shutdown_send, ec);
    if (!ec) {
        asio::steady_timer deadline(socket->get_executor(), close_timeout);
        const auto outcome = co_await (read_until_end(*socket) || deadline.async_wait(nothrow));
        ec = outcome.index() == 0 ? std::get<0>(outcome) : asio::error::timed_out;
    }
    boost::system::error_code ignored;
    socket->close(ignored);
    std::erase(closing_, socket);
    if (stopped_) co_return;
    if (ec == asio::error::eof) {
        log_->info("link to peer {} closed: nothing left to send", peer_.name);
        co_return;
    }
    if (sent_request) request_pending_ = true;
    if (wrote) {
        owe_now();
        walk_ = {};
    }
    log_->warn("link to peer {} closed without its EOF after ours ({}): it may not have read every line{}", peer_.name,
               ec == asio::error::timed_out ? "no EOF within 3 s" : ec.message(),
               wrote ? "; a catch-up will send every record" : "");
    wake();
}

void PeerLink::report(bool up) {
    if (reported_up_ == up) return;
    reported_up_ = up;
    if (observer_) observer_->on_peer_link(self_, peer_.name, up);
}

}  // namespace herd
