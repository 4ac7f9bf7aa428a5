#include "load/generator.hpp"

#include <array>
#include <deque>
#include <limits>
#include <memory>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "async/nothrow.hpp"
#include "async/report_failure.hpp"
#include "load/ask_alone.hpp"
#include "load/check_known.hpp"
#include "load/proc_cpu.hpp"
#include "load/requests.hpp"
#include "load/timed_io.hpp"
#include "protocol/reply_text.hpp"

namespace herd::load {

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using namespace asio::experimental::awaitable_operators;


// How the herd's CPU time is read once the load is over: until two reads this far apart agree
// (its floods are done), at most `settle_reads` times.
constexpr auto settle_interval = std::chrono::milliseconds(100);
constexpr int settle_reads = 100;

struct Request {
    Kind kind;
    std::uint32_t client;
    // IAMAT: its time; WHATSAT: the time of the client's last IAMAT on this connection, if any.
    std::optional<Nanos> time;
    Clock::time_point intended;  // latency is measured from here, so a late write counts as latency
    Clock::time_point sent;      // the timeout from here
};

struct Connection {
    Connection(asio::io_context& io, std::size_t index, const Target& server, std::size_t clients)
        : index(index), server(server), socket(io), send_wake(io), read_wake(io), reported(clients) {}
    std::size_t index;
    const Target& server;
    tcp::socket socket;                  // persistent: every request's
    tcp::resolver::results_type address;  // per_command and half_close: each request connects anew
    asio::steady_timer send_wake;  // the sender sleeps on it: for its schedule, or for room in the window
    asio::steady_timer read_wake;  // the reader's deadline, cancelled when the sender is done
    std::vector<std::optional<Nanos>> reported;  // per client, the time of its last IAMAT
    std::deque<Request> pending;                 // written, no reply yet, in order (persistent)
    std::size_t in_flight = 0;                   // per_command and half_close: requests on sockets of their own
    std::uint64_t quota = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t issued = 0;
    std::uint32_t next_client = 0, last_client = 0;
    bool open = false, sending_done = false;
};

// The coroutines of one phase (connecting, then the load) each call done() at their end.
struct Countdown {
    explicit Countdown(asio::io_context& io) : timer(io) {}
    asio::steady_timer timer;
    std::size_t left = 0;
    void done() {
        if (--left == 0) timer.cancel();
    }
    asio::awaitable<void> wait() {
        while (left > 0) {
            timer.expires_at(Clock::time_point::max());
            co_await timer.async_wait(nothrow);
        }
    }
};

struct Run {
    Run(asio::io_context& io, LoadOptions options) : io(io), countdown(io) { report.options = std::move(options); }
    asio::io_context& io;
    LoadReport report;
    const LoadOptions& o = report.options;
    std::vector<std::unique_ptr<Connection>> connections;
    Countdown countdown;
    std::string failure;  // a coroutine that threw: the run could not be done
    Clock::time_point start, stop = Clock::time_point::max(), last_reply;
    Nanos wall_base = 0;
    std::uint64_t updates = 0;

    void example(std::vector<std::string>& list, std::string text) {
        if (list.size() < max_examples) list.push_back(std::move(text));
    }

    std::string where(const Connection& c) const {
        return c.server.name + " " + c.server.host + ":" + std::to_string(c.server.port) + " (connection " +
               std::to_string(c.index) + ")";
    }

    // The connection is over: what it waited for is unanswered. `counter` is the error it counts as.
    void end(Connection& c, std::uint64_t LoadReport::*counter, const std::string& why) {
        if (!c.open) return;
        c.open = false;
        if (counter) ++(report.*counter);
        report.unanswered += c.pending.size();
        c.pending.clear();
        example(report.error_examples, where(c) + ": " + why);
        boost::system::error_code ignored;
        c.socket.close(ignored);
        c.send_wake.cancel();
        c.read_wake.cancel();
    }

    void spawn(asio::awaitable<void> coroutine, std::string what) {
        asio::co_spawn(io, std::move(coroutine), [this, what = std::move(what)](const std::exception_ptr& error) {
            if (const auto message = failure_message(error); message && failure.empty()) failure = what + ": " + *message;
            countdown.done();
        });
    }

    // Open loop: connection i's request k is due at start + (i + k C) / R, so all requests are 1/R
    // apart; never later than a century on, which the clock can still hold.
    Clock::time_point due(const Connection& c, std::uint64_t k) const {
        const double at = std::min(
            (static_cast<double>(c.index) + static_cast<double>(k) * static_cast<double>(o.connections)) / *o.rate, 3.2e9);
        return start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(at));
    }

    // Request k of a connection is a WHATSAT when the share of WHATSATs among the first k + 1 passes
    // the next whole number: exact counts, the same on every run.
    bool whatsat(std::uint64_t k) const {
        return (k + 1) * o.whatsat_ppm / 1'000'000 > k * o.whatsat_ppm / 1'000'000;
    }

    void add_request(Connection& c, std::string& out, Clock::time_point intended, Clock::time_point now) {
        Request r{Kind::iamat, c.next_client, std::nullopt, intended, now};
        if (whatsat(c.issued++)) {
            r.kind = Kind::whatsat;
            r.client = c.last_client;
            r.time = c.reported[r.client];
            append_whatsat(out, client_name(c.index, r.client));
            ++report.sent_whatsat;
        } else {
            r.time = wall_base + static_cast<Nanos>(++updates);  // newer than any before: every IAMAT floods
            c.reported[r.client] = r.time;
            c.last_client = r.client;
            c.next_client = static_cast<std::uint32_t>((c.next_client + 1) % c.reported.size());
            append_iamat(out, client_name(c.index, r.client), *r.time);
            ++report.sent_iamat;
        }
        c.pending.push_back(r);
    }

    void judge(const Connection& c, const Request& r, std::string_view reply) {
        const std::string client = client_name(c.index, r.client);
        const auto why = r.kind == Kind::iamat ? wrong_iamat_reply(reply, c.server.name, client, *r.time)
                                               : wrong_whatsat_reply(reply, c.server.name, client, r.time);
        if (!why) return;
        ++report.wrong;
        std::string request;
        if (r.kind == Kind::iamat)
            append_iamat(request, client, *r.time);
        else
            append_whatsat(request, client);
        request.pop_back();
        example(report.wrong_examples, where(c) + ": \"" + request + "\" got \"" + show_reply(std::string(reply)) + "\": " + *why);
    }

    void answered(const Connection& c, const Request& r, std::string_view reply, Clock::time_point now) {
        judge(c, r, reply);
        ++report.replied;
        report.latency.record(static_cast<std::uint64_t>(std::chrono::nanoseconds(now - r.intended).count()));
        last_reply = now;
    }

    // Every whole reply at the front of `in`, matched to the oldest request waiting.
    void take_replies(Connection& c, std::string& in) {
        const auto now = Clock::now();
        std::size_t used = 0;
        while (c.open && used < in.size()) {
            const std::string_view rest = std::string_view(in).substr(used);
            if (c.pending.empty()) {
                const std::size_t line = rest.find('\n');
                if (line == std::string_view::npos) break;
                ++report.wrong;
                example(report.wrong_examples, where(c) + ": \"" + show_reply(std::string(rest.substr(0, line + 1))) +
                                                   "\" came with no request waiting");
                used += line + 1;
                continue;
            }
            const Request& r = c.pending.front();
            const auto end = reply_end(rest, r.kind == Kind::whatsat);
            if (!end) break;
            answered(c, r, rest.substr(0, *end), now);
            c.pending.pop_front();
            used += *end;
        }
        in.erase(0, used);
        if (in.size() > max_reply) {
            ++report.wrong;
            example(report.wrong_examples, where(c) + ": a reply longer than 2 MiB, not ended");
            end(c, nullptr, "closed after a reply longer than 2 MiB");
        }
    }

    std::chrono::nanoseconds timeout() const { return std::chrono::duration_cast<std::chrono::nanoseconds>(o.timeout); }
};

asio::awaitable<void> send(Run& run, Connection& c) {
    const LoadOptions& o = run.o;
    std::string out;
    while (c.open && c.issued < c.quota) {
        const auto now = Clock::now();
        if (now >= run.stop) break;
        out.clear();
        if (o.rate) {
            const auto first = run.due(c, c.issued);
            if (first >= run.stop) break;
            if (now < first) {
                c.send_wake.expires_at(first);
                co_await c.send_wake.async_wait(nothrow);
                continue;
            }
            run.report.max_send_lag = std::max(run.report.max_send_lag, std::chrono::duration<double>(now - first).count());
            for (auto due = first; c.issued < c.quota && due <= now && due < run.stop; due = run.due(c, c.issued))
                run.add_request(c, out, due, now);
        } else {
            if (c.pending.size() >= o.pipeline) {
                c.send_wake.expires_at(Clock::time_point::max());
                co_await c.send_wake.async_wait(nothrow);
                continue;
            }
            while (c.issued < c.quota && c.pending.size() < o.pipeline) run.add_request(c, out, now, now);
        }
        auto [ec, written] = co_await asio::async_write(c.socket, asio::buffer(out), nothrow);
        (void)written;
        if (ec) run.end(c, &LoadReport::closed, "write: " + ec.message());
    }
    c.sending_done = true;
    c.read_wake.cancel();
}

// One request on a socket of its own (ask_alone); a server that closes before the reply is whole
// leaves it unanswered.
asio::awaitable<void> exchange_alone(Run& run, Connection& c, Request r, std::string request) {
    struct Landed {
        Connection& c;
        ~Landed() {
            --c.in_flight;
            c.send_wake.cancel();  // room in the window, or the sender waits for the last one
        }
    } landed{c};
    const AloneReply reply = co_await ask_alone(c.address, std::move(request), run.o.client == ClientStyle::half_close,
                                                r.kind == Kind::whatsat, run.timeout());
    if (reply.end == AloneReply::End::whole) co_return run.answered(c, r, reply.bytes, Clock::now());
    if (reply.end == AloneReply::End::too_long) {
        ++run.report.wrong;
        co_return run.example(run.report.wrong_examples, run.where(c) + ": a reply longer than 2 MiB, not ended");
    }
    ++run.report.unanswered;
    const std::string got = reply.bytes.empty() ? " before any byte of the reply" : " after \"" + show_reply(reply.bytes) + "\"";
    if (reply.end == AloneReply::End::connect_failed) {
        ++run.report.connect_failed;
        run.example(run.report.error_examples, run.where(c) + ": connect: " + reply.why);
    } else if (reply.end == AloneReply::End::timed_out) {
        ++run.report.timed_out;
        run.example(run.report.error_examples,
                    run.where(c) + ": no reply within " + std::to_string(run.o.timeout.count()) + " s" + got);
    } else {
        ++run.report.closed;
        run.example(run.report.error_examples, run.where(c) + ": " + reply.why + got);
    }
}

// The sender for per_command and half_close: each request goes out on a socket of its own, at its
// time (open loop) or while fewer than the window are in flight (closed loop); it ends once every
// one it started has ended.
asio::awaitable<void> send_each(Run& run, Connection& c) {
    const LoadOptions& o = run.o;
    std::string out;
    for (;;) {
        const auto now = Clock::now();
        const bool more = c.issued < c.quota && now < run.stop && (!o.rate || run.due(c, c.issued) < run.stop);
        if (!more && c.in_flight == 0) break;
        auto wake = Clock::time_point::max();
        if (more && o.rate && now < run.due(c, c.issued)) wake = run.due(c, c.issued);
        if (more && !o.rate && c.in_flight >= o.pipeline) wake = Clock::time_point::max();
        const bool now_due = more && (o.rate ? now >= run.due(c, c.issued) : c.in_flight < o.pipeline);
        if (!now_due) {
            c.send_wake.expires_at(wake);
            co_await c.send_wake.async_wait(nothrow);
            continue;
        }
        if (o.rate) run.report.max_send_lag = std::max(run.report.max_send_lag, std::chrono::duration<double>(now - run.due(c, c.issued)).count());
        out.clear();
        run.add_request(c, out, o.rate ? run.due(c, c.issued) : now, now);
        const Request r = c.pending.back();
        c.pending.pop_back();
        ++c.in_flight;
        asio::co_spawn(run.io, exchange_alone(run, c, r, out),
                       [&run, where = run.where(c)](const std::exception_ptr& error) {
                           if (const auto message = failure_message(error); message && run.failure.empty())
                               run.failure = where + ": " + *message;
                       });
    }
}

asio::awaitable<void> receive(Run& run, Connection& c) {
    std::string in;
    std::array<char, 65536> chunk;
    while (c.open && !(c.sending_done && c.pending.empty())) {
        const auto deadline = (c.pending.empty() ? Clock::now() : c.pending.front().sent) + run.timeout();
        auto [read_ec, n] = co_await read_before(c.socket, asio::buffer(chunk), c.read_wake, deadline);
        if (n > 0) {
            in.append(chunk.data(), n);
            run.take_replies(c, in);
            if (!run.o.rate) c.send_wake.cancel();  // room in the window
        } else if (read_ec && read_ec != asio::error::operation_aborted) {
            run.end(c, &LoadReport::closed, read_ec == asio::error::eof ? "closed by the server" : "read: " + read_ec.message());
        } else if (!c.pending.empty() && Clock::now() >= c.pending.front().sent + run.timeout()) {
            run.end(c, &LoadReport::timed_out, "no reply within " + std::to_string(run.o.timeout.count()) + " s");
        }
    }
}

asio::awaitable<void> connect(Run& run, Connection& c, tcp::resolver::results_type endpoints) {
    c.address = endpoints;
    if (run.o.client != ClientStyle::persistent) {
        c.open = true;  // each request connects on its own
        co_return;
    }
    const std::string failed = co_await connect_within(c.socket, endpoints, run.timeout());
    if (failed.empty()) {
        c.open = true;
        co_return;
    }
    ++run.report.connect_failed;
    run.example(run.report.error_examples, run.where(c) + ": connect: " + failed);
}

double herd_cpu(const std::vector<int>& pids) {
    double total = 0;
    for (const int pid : pids) {
        const auto seconds = process_cpu_seconds(pid);
        if (!seconds) throw std::runtime_error("--pids: process " + std::to_string(pid) + " ended during the run");
        total += *seconds;
    }
    return total;
}

// Once the replies are in the herd may still be flooding: its CPU time is read until it stops growing.
asio::awaitable<double> settled_cpu(Run& run) {
    asio::steady_timer pause(run.io);
    double last = herd_cpu(run.o.pids);
    for (int i = 0; i < settle_reads; ++i) {
        pause.expires_after(settle_interval);
        co_await pause.async_wait(nothrow);
        const double now = herd_cpu(run.o.pids);
        if (now == last) break;
        last = now;
    }
    co_return last;
}

asio::awaitable<void> connect_all(Run& run) {
    const LoadOptions& o = run.o;
    tcp::resolver resolver(run.io);
    std::vector<std::optional<tcp::resolver::results_type>> resolved;
    for (const Target& server : o.servers) {
        auto [ec, results] = co_await resolver.async_resolve(server.host, std::to_string(server.port), nothrow);
        resolved.push_back(ec ? std::nullopt : std::optional(results));
    }
    run.countdown.left = o.connections;
    for (std::size_t i = 0; i < o.connections; ++i) {
        const std::size_t s = i % o.servers.size();
        run.connections.push_back(std::make_unique<Connection>(run.io, i, o.servers[s], o.clients));
        if (resolved[s]) {
            run.spawn(connect(run, *run.connections.back(), *resolved[s]), "connect");
            continue;
        }
        ++run.report.connect_failed;
        run.example(run.report.error_examples, run.where(*run.connections.back()) + ": cannot resolve the host");
        run.countdown.done();
    }
    co_await run.countdown.wait();
}

asio::awaitable<void> load(Run& run) {
    const LoadOptions& o = run.o;
    if (o.servers.empty() || o.connections == 0 || o.clients == 0 || o.pipeline == 0 || (!o.requests && !o.duration))
        throw std::invalid_argument("a load needs servers, connections, clients, a window, and requests or a duration");
    co_await connect_all(run);
    const std::uint64_t base = o.requests.value_or(0) / o.connections, extra = o.requests.value_or(0) % o.connections;
    const double herd_before = o.pids.empty() ? 0.0 : herd_cpu(o.pids);
    const double own_before = own_cpu_seconds();
    run.start = run.last_reply = Clock::now();
    if (o.duration) run.stop = run.start + std::chrono::duration_cast<Clock::duration>(*o.duration);
    run.wall_base = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count();
    run.countdown.left = run.connections.size();
    for (auto& c : run.connections) {
        if (o.requests) c->quota = base + (c->index < extra ? 1 : 0);
        if (!c->open) {
            run.countdown.done();
            continue;
        }
        if (o.client == ClientStyle::persistent)
            run.spawn(send(run, *c) && receive(run, *c), run.where(*c));
        else
            run.spawn(send_each(run, *c), run.where(*c));
    }
    co_await run.countdown.wait();
    run.report.seconds = std::chrono::duration<double>(run.last_reply - run.start).count();
    for (auto& c : run.connections) {
        boost::system::error_code ignored;
        c->socket.close(ignored);
    }
    if (!o.pids.empty()) run.report.herd_cpu = co_await settled_cpu(run) - herd_before;
    run.report.generator_cpu = own_cpu_seconds() - own_before;
    if (o.check_known) {
        std::vector<Reported> clients;
        for (const auto& c : run.connections)
            for (std::size_t k = 0; k < c->reported.size(); ++k)
                if (c->reported[k]) clients.push_back({client_name(c->index, k), *c->reported[k]});
        run.report.known = co_await check_known(o, clients, Clock::now());
    }
}

}  // namespace

void start_load(asio::io_context& io, LoadOptions options, std::function<void(LoadOutcome)> done) {
    auto run = std::make_shared<Run>(io, std::move(options));
    asio::co_spawn(io, load(*run), [run, done = std::move(done)](const std::exception_ptr& error) {
        if (const auto message = failure_message(error))
            done(*message);
        else if (!run->failure.empty())
            done(run->failure);
        else
            done(std::move(run->report));
    });
}

LoadOutcome run_load(LoadOptions options) {
    asio::io_context io;
    std::optional<LoadOutcome> outcome;
    start_load(io, std::move(options), [&](LoadOutcome o) { outcome = std::move(o); });
    io.run();
    return std::move(*outcome);
}

}  // namespace herd::load
