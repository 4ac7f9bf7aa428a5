#include "herd/relay.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "async/accept_each.hpp"
#include "async/loopback_listener.hpp"
#include "async/nothrow.hpp"
#include "protocol/command.hpp"
#include "protocol/line_framer.hpp"

namespace herd::sim {

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::size_t read_chunk = 16 * 1024;
// Bytes without '\n' beyond this are released as a message of their own (the framer's "overlong"),
// so a peer that never ends its line cannot make the relay buffer without bound.
constexpr std::size_t max_tail = 1024 * 1024;
// Written lines' strings kept per connection for reuse, and the largest kept.
constexpr std::size_t spare_lines = 256;
constexpr std::size_t spare_line_bytes = 1024;

struct DropRule {
    std::string command;
    std::string client;
    int first;  // < 0: every match
    int taken = 0;
};

struct Held {
    std::string line;
    Clock::time_point release;
    bool reset = false;  // not a line: where a drop rule took one, the connection is reset
};

// One relayed connection: A's socket (accepted) and B's (connected by the relay).
struct Connection {
    Connection(tcp::socket accepted, std::uint64_t id)
        : a(std::move(accepted)), b(a.get_executor()), wake(a.get_executor()), resume(a.get_executor()), id(id) {}

    tcp::socket a;
    tcp::socket b;
    asio::steady_timer wake;    // the writer sleeps on it until the next release time or a new line
    asio::steady_timer resume;  // the reader sleeps on it while the relay is stalled
    std::uint64_t id;

    LineFramer framer{max_tail};       // holds the bytes from A after the last '\n'
    std::size_t unsplit = 0;           // bytes read from A and not split yet: a stall holds them here
    std::deque<Held> queue;            // lines waiting for their release time
    std::vector<std::string> in_flight;  // lines in the write to B now
    std::vector<asio::const_buffer> buffers;  // the write's, kept from write to write
    std::vector<std::string> spare;    // written lines' strings, reused for the next lines read
    Clock::time_point last_release{};  // keeps release times in order (FIFO)
    bool a_eof = false;                // A closed its side: shut B's down once the queue is written
    int open_directions = 2;           // A->B and B->A; the connection ends when both are done
    bool closed = false;

    char from_a[read_chunk];
    char from_b[read_chunk];
};

// Whole lines read and held, not yet being written (a reset marker is not a line).
std::size_t lines_held(const Connection& c) {
    return static_cast<std::size_t>(std::count_if(c.queue.begin(), c.queue.end(), [](const Held& h) { return !h.reset; }));
}

}  // namespace

struct Relay::State {
    State(asio::any_io_executor executor, std::string from, std::string to, std::mt19937_64& rng, FailureSink failed)
        : executor(executor), acceptor(executor), from(std::move(from)), to(std::move(to)), rng(rng),
          failed(std::move(failed)) {}

    asio::any_io_executor executor;
    tcp::acceptor acceptor;
    std::string from;
    std::string to;
    std::mt19937_64& rng;  // only used while the relay is alive: a stopped relay reads nothing
    FailureSink failed;
    std::uint16_t target = 0;

    bool cut = false;
    bool target_up = true;
    std::uint16_t port = 0;  // kept while not listening, so that A finds the relay where it was
    bool own_listener = false;  // listen() was called; otherwise connections come through adopt()
    bool listening = false;     // while refusing, the acceptor is open too: bound, keeping the port
    // Bumped whenever the acceptor closes: an accept loop serves only the opening it was started for.
    std::uint64_t closings = 0;
    bool stalled = false;
    bool stopped = false;
    std::chrono::microseconds delay{0};
    std::chrono::microseconds jitter{0};
    DelayDistribution distribution = DelayDistribution::uniform;
    std::vector<DropRule> drops;
    std::optional<std::uint64_t> reset_budget;  // bytes to B left before the one-shot reset

    RelayStats stats;
    std::function<void(std::string_view)> delivered;

    // The completion of one of the relay's coroutines: what it threw, if anything, goes to `failed`
    // as "relay A->B: <what>: <message>".
    auto report(const char* what) const { return report_failure("relay " + from + "->" + to + ": " + what, failed); }
    std::map<std::uint64_t, std::shared_ptr<Connection>> connections;
    std::uint64_t next_id = 0;

    // Ends a connection at once. Lines still queued are lost; the writer counts its own in-flight
    // lines when its write completes. `reset` makes both peers see RST instead of EOF.
    void close(Connection& c, bool reset) {
        if (c.closed) return;
        c.closed = true;
        stats.dropped += lines_held(c);
        c.queue.clear();
        boost::system::error_code ignored;
        for (tcp::socket* s : {&c.a, &c.b}) {
            if (reset && s->is_open()) s->set_option(asio::socket_base::linger(true, 0), ignored);
            s->close(ignored);
        }
        c.wake.cancel();
        c.resume.cancel();
        connections.erase(c.id);
    }

    void close_all(bool reset) {
        // close() erases from the map: iterate over a copy.
        std::vector<std::shared_ptr<Connection>> open;
        for (auto& [id, c] : connections) open.push_back(c);
        for (auto& c : open) close(*c, reset);
        if (reset) stats.resets += open.size();
    }

    // A cut link and a dead host both refuse: the relay listens only while neither holds.
    bool should_listen() const { return !stopped && !cut && target_up; }

    // Not listening makes new connections fail at once (refused), so nothing is written into a
    // connection that cannot deliver it; the port stays bound until the relay stops for good, so
    // that nothing else takes it meanwhile. The open connections end: with EOF when they held
    // nothing, and with RST when bytes A sent are lost with them (held, being written, or a line not
    // ended yet), as a dead host resets a connection whose data it never read; so A can tell a loss
    // from a close. `reset_all`: every connection ends with RST.
    void refuse(bool reset_all = false) {
        boost::system::error_code ignored;
        if (stopped)
            acceptor.close(ignored);
        else if (listening)
            reserve_port(acceptor);
        listening = false;
        ++closings;
        std::vector<std::shared_ptr<Connection>> open;
        for (auto& [id, c] : connections) open.push_back(c);
        for (auto& c : open)
            close(*c, reset_all || !c->queue.empty() || !c->in_flight.empty() || c->unsplit > 0 ||
                          c->framer.partial_bytes() > 0);
    }

    // A direction ended cleanly (EOF passed on); the connection ends when both have.
    void direction_done(Connection& c) {
        if (--c.open_directions == 0) close(c, false);
    }

    bool dropped_by_rule(std::string_view line) {
        if (drops.empty()) return false;
        const LineSubject subject = line_subject(line);
        for (auto& rule : drops) {
            if (!rule.command.empty() && rule.command != subject.command) continue;
            if (!rule.client.empty() && rule.client != subject.client) continue;
            if (rule.first >= 0 && rule.taken >= rule.first) continue;
            ++rule.taken;
            return true;
        }
        return false;
    }

    // A dropped line is never written; in its place the connection is reset once the lines before
    // it have gone out, as a route that lost a segment and gave up does. Silence would let the
    // sender believe it was read, and it would never send it again: the reset makes it owe the
    // receiver a catch-up (PROTOCOL.md, lost lines). Lines after it on this connection go with the
    // reset.
    void take(Connection& c, const Frame& frame, Clock::time_point read_at) {
        std::string line;
        if (!c.spare.empty()) {
            line = std::move(c.spare.back());
            c.spare.pop_back();
        }
        frame.bytes_into(line);
        if (dropped_by_rule(line)) {
            ++stats.dropped;
            c.queue.push_back({{}, std::max(read_at, c.last_release), true});
            c.last_release = c.queue.back().release;
            return;
        }
        const auto release = std::max(read_at + draw_hold(delay, jitter, distribution, rng), c.last_release);
        c.last_release = release;
        c.queue.push_back({std::move(line), release});
    }

    // Splits what A sent into lines, each passed on byte for byte (CR and '\n' included); `eof`
    // also releases an unterminated tail.
    void split(Connection& c, std::string_view bytes, bool eof) {
        const auto now = Clock::now();
        c.framer.feed(bytes);
        while (const auto frame = c.framer.next()) take(c, *frame, now);
        if (eof)
            if (const auto tail = c.framer.finish()) take(c, *tail, now);
        c.wake.cancel();
    }
};

namespace {

using State = Relay::State;

// Waits while the relay is stalled; false when the connection closed meanwhile.
asio::awaitable<bool> wait_unstalled(std::shared_ptr<State> state, std::shared_ptr<Connection> c) {
    while (state->stalled && !c->closed) {
        c->resume.expires_at(Clock::time_point::max());
        co_await c->resume.async_wait(nothrow);
    }
    co_return !c->closed;
}

// A -> lines -> queue. A read already under way when the relay stalls is held back until it resumes,
// so nothing read after stall(true) reaches B before stall(false).
asio::awaitable<void> read_from_a(std::shared_ptr<State> state, std::shared_ptr<Connection> c) {
    for (;;) {
        if (!co_await wait_unstalled(state, c)) co_return;
        const auto [ec, n] = co_await c->a.async_read_some(asio::buffer(c->from_a), nothrow);
        c->unsplit = n;
        if (!co_await wait_unstalled(state, c)) co_return;
        c->unsplit = 0;
        if (ec == asio::error::eof) {
            c->a_eof = true;
            co_return state->split(*c, {}, true);
        }
        if (ec) co_return state->close(*c, true);  // A reset: so does B
        state->split(*c, {c->from_a, n}, false);
    }
}

// queue -> B, in order, each line at its release time; everything due goes in one gathered write.
asio::awaitable<void> write_to_b(std::shared_ptr<State> state, std::shared_ptr<Connection> c) {
    while (!c->closed) {
        if (c->queue.empty() && c->a_eof) {
            boost::system::error_code ignored;
            c->b.shutdown(tcp::socket::shutdown_send, ignored);
            co_return state->direction_done(*c);
        }
        const auto now = Clock::now();
        if (c->queue.empty() || c->queue.front().release > now) {
            c->wake.expires_at(c->queue.empty() ? Clock::time_point::max() : c->queue.front().release);
            co_await c->wake.async_wait(nothrow);
            continue;
        }
        std::size_t total = 0;
        bool dropped_here = false;
        while (!c->queue.empty() && c->queue.front().release <= now) {
            if (c->queue.front().reset) {
                dropped_here = true;
                break;
            }
            total += c->queue.front().line.size();
            c->in_flight.push_back(std::move(c->queue.front().line));
            c->queue.pop_front();
        }
        // reset_after: write exactly up to the budget (maybe part of a line), then reset.
        std::size_t limit = total;
        bool reset = false;
        if (state->reset_budget) {
            reset = total >= *state->reset_budget;
            limit = std::min<std::uint64_t>(total, *state->reset_budget);
            state->reset_budget = reset ? std::nullopt : std::optional(*state->reset_budget - total);
        }
        auto& buffers = c->buffers;
        buffers.clear();
        std::size_t left = limit;
        for (const auto& line : c->in_flight) {
            if (left == 0) break;
            buffers.push_back(asio::buffer(line.data(), std::min(left, line.size())));
            left -= buffers.back().size();
        }
        const auto [ec, written] = co_await asio::async_write(c->b, buffers, nothrow);

        // Count what went out: whole lines delivered, the rest (a cut-off line included) dropped.
        state->stats.bytes += written;
        std::size_t done = 0;
        for (const auto& line : c->in_flight) {
            done += line.size();
            if (done <= written) {
                ++state->stats.messages;
                if (state->delivered) state->delivered(std::string_view(line).substr(0, line.find('\n')));
            } else
                ++state->stats.dropped;
        }
        // Strings of ordinary lines are kept for the next lines read: no allocation per line.
        for (auto& line : c->in_flight)
            if (line.capacity() <= spare_line_bytes && c->spare.size() < spare_lines) c->spare.push_back(std::move(line));
        c->in_flight.clear();
        if (reset) co_return state->close_all(true);
        if (dropped_here) ++state->stats.resets;
        // B reset (or closed and then got a write): so does A.
        if (ec || dropped_here) co_return state->close(*c, true);
    }
}

// B -> A, bytes as they come (B is not expected to write; faults do not apply to this direction).
asio::awaitable<void> read_from_b(std::shared_ptr<State> state, std::shared_ptr<Connection> c) {
    for (;;) {
        const auto [ec, n] = co_await c->b.async_read_some(asio::buffer(c->from_b), nothrow);
        if (c->closed) co_return;
        if (ec == asio::error::eof) {
            boost::system::error_code ignored;
            c->a.shutdown(tcp::socket::shutdown_send, ignored);
            co_return state->direction_done(*c);
        }
        if (ec) co_return state->close(*c, true);
        const auto [write_ec, written] = co_await asio::async_write(c->a, asio::buffer(c->from_b, n), nothrow);
        if (c->closed) co_return;
        if (write_ec) co_return state->close(*c, true);
    }
}

asio::awaitable<void> relay(std::shared_ptr<State> state, std::shared_ptr<Connection> c) {
    if (state->target == 0) co_return state->close(*c, false);
    const tcp::endpoint target(asio::ip::address_v4::loopback(), state->target);
    const auto [ec] = co_await c->b.async_connect(target, nothrow);
    if (c->closed) co_return;
    if (ec) co_return state->close(*c, false);  // B is down: A sees EOF and retries on its own
    boost::system::error_code ignored;
    // No Nagle on the relay's writes: a delay must be the one the scenario asked for.
    c->a.set_option(tcp::no_delay(true), ignored);
    c->b.set_option(tcp::no_delay(true), ignored);
    asio::co_spawn(state->executor, read_from_a(state, c), state->report("reading from the sender"));
    asio::co_spawn(state->executor, write_to_b(state, c), state->report("writing to the receiver"));
    asio::co_spawn(state->executor, read_from_b(state, c), state->report("reading from the receiver"));
}

void take_connection(const std::shared_ptr<State>& state, tcp::socket socket) {
    ++state->stats.connections;
    auto c = std::make_shared<Connection>(std::move(socket), ++state->next_id);
    state->connections.emplace(c->id, c);
    asio::co_spawn(state->executor, relay(state, std::move(c)), state->report("connecting to the receiver"));
}

asio::awaitable<void> accept_loop(std::shared_ptr<State> state) {
    const std::uint64_t opening = state->closings;  // closed since (stop, cut, target down), maybe reopened
    co_await accept_each(
        state->acceptor, [&] { return state->closings == opening; },
        [&](tcp::socket socket) { take_connection(state, std::move(socket)); }, [](boost::system::error_code) {});
}

}  // namespace

std::chrono::microseconds draw_hold(std::chrono::microseconds delay, std::chrono::microseconds jitter,
                                    DelayDistribution distribution, std::mt19937_64& rng) {
    auto hold = delay;
    if (distribution == DelayDistribution::exponential) {
        if (delay.count() <= 0) return std::chrono::microseconds{0};
        const double drawn = std::exponential_distribution<double>(1.0 / static_cast<double>(delay.count()))(rng);
        return std::chrono::microseconds(std::llround(drawn));
    }
    if (jitter.count() > 0)
        hold += std::chrono::microseconds(std::uniform_int_distribution<std::int64_t>(-jitter.count(), jitter.count())(rng));
    return std::max(hold, std::chrono::microseconds{0});
}

Relay::Relay(asio::io_context& io, std::string from, std::string to, std::mt19937_64& rng, FailureSink failed)
    : state_(std::make_shared<State>(io.get_executor(), std::move(from), std::move(to), rng, std::move(failed))) {}

Relay::~Relay() { stop(); }

namespace {

// Listens on the relay's port (0 at first; then the one kept bound while refusing) and accepts.
boost::system::error_code listen_on_port(const std::shared_ptr<State>& state) {
    if (auto ec = listen_on_loopback(state->acceptor, state->port)) return ec;
    state->listening = true;
    asio::co_spawn(state->executor, accept_loop(state), state->report("accepting"));
    return {};
}

// Listen on the relay's port again. Should the port have been lost while refusing (taken in the
// moment reserve_port() rebinds it), keep trying until it is free or the relay must refuse again.
asio::awaitable<void> reopen(std::shared_ptr<State> state) {
    asio::steady_timer pause(state->executor);
    while (state->should_listen() && !state->listening && listen_on_port(state)) {
        pause.expires_after(std::chrono::milliseconds(10));
        co_await pause.async_wait(nothrow);
    }
}

// Listens again when nothing holds it back any more: at once (so A's next connect succeeds), or
// as soon as the port is free again.
void listen_again(const std::shared_ptr<State>& state) {
    if (!state->own_listener || !state->should_listen() || state->listening) return;
    if (listen_on_port(state)) asio::co_spawn(state->executor, reopen(state), state->report("listening again"));
}

}  // namespace

std::uint16_t Relay::listen() {
    if (auto ec = listen_on_port(state_)) throw boost::system::system_error(ec, "relay " + state_->from + "->" + state_->to);
    state_->port = state_->acceptor.local_endpoint().port();
    state_->own_listener = true;
    return state_->port;
}

void Relay::adopt(int descriptor) {
    tcp::socket socket(state_->executor, tcp::v4(), descriptor);
    if (state_->should_listen()) return take_connection(state_, std::move(socket));
    boost::system::error_code ignored;
    socket.set_option(asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
}

void Relay::set_target(std::uint16_t port) { state_->target = port; }

void Relay::on_delivered(std::function<void(std::string_view line)> hook) { state_->delivered = std::move(hook); }

void Relay::set_target_up(bool up) {
    if (state_->stopped || state_->target_up == up) return;
    state_->target_up = up;
    if (up)
        listen_again(state_);
    else
        state_->refuse();
}

bool Relay::target_up() const { return state_->target_up; }

void Relay::stop() {
    if (state_->stopped) return;
    state_->stopped = true;
    // The herd's end: reset, so that no socket of the link (the relay's, nor the nodes' at either
    // end) is left in TIME_WAIT. Tens of thousands of those make every later bind on loopback slow:
    // the kernel scans the port range past them for a free port.
    state_->refuse(true);
}

void Relay::cut() {
    if (state_->stopped) return;
    state_->cut = true;
    state_->refuse();
}

void Relay::heal() {
    if (state_->stopped || !state_->cut) return;
    state_->cut = false;
    listen_again(state_);
}

bool Relay::is_cut() const { return state_->cut; }

void Relay::set_delay(std::chrono::microseconds delay, std::chrono::microseconds jitter, DelayDistribution distribution) {
    state_->delay = delay;
    state_->jitter = jitter;
    state_->distribution = distribution;
}

void Relay::add_drop(std::string command, std::string client, int first) {
    state_->drops.push_back({std::move(command), std::move(client), first});
}

void Relay::reset_after(std::uint64_t bytes) { state_->reset_budget = bytes; }

void Relay::stall(bool stalled) {
    state_->stalled = stalled;
    if (!stalled)
        for (auto& [id, c] : state_->connections) c->resume.cancel();
}

void Relay::clear_faults() {
    heal();
    set_delay({}, {});
    state_->drops.clear();
    state_->reset_budget.reset();
    stall(false);
}

bool Relay::idle() const {
    // On loopback a sender's write lands in our receive queue at once, so bytes A wrote that the
    // relay has not read yet (a stall, a busy loop) show up here as available().
    return std::all_of(state_->connections.begin(), state_->connections.end(), [](const auto& entry) {
        const Connection& c = *entry.second;
        boost::system::error_code ec;
        return c.queue.empty() && c.in_flight.empty() && c.unsplit == 0 && c.a.available(ec) == 0;
    });
}

std::size_t Relay::held_lines() const {
    std::size_t held = 0;
    for (const auto& [id, c] : state_->connections) held += lines_held(*c);
    return held;
}

const RelayStats& Relay::stats() const { return state_->stats; }

const std::string& Relay::from() const { return state_->from; }

const std::string& Relay::to() const { return state_->to; }

}  // namespace herd::sim
