#include "load_client.hpp"

#include <array>
#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "async/nothrow.hpp"
#include "async/report_failure.hpp"

namespace herd::bench {

namespace asio = boost::asio;
using asio::ip::tcp;

std::size_t ReplyCounter::feed(std::string_view bytes) {
    std::size_t count = 0;
    if (end_ == ReplyEnd::line) {
        for (char c : bytes) count += c == '\n';
        return count;
    }
    for (char c : bytes) {
        if (c != '\n') {
            after_newline_ = false;
        } else if (after_newline_) {
            ++count;
            after_newline_ = false;
        } else {
            after_newline_ = true;
        }
    }
    return count;
}

// ---- one connection, one request at a time ----------------------------------------------------

struct RoundTripClient::State {
    State(asio::io_context& io, ReplyEnd end) : socket(io), counter(end) {}
    tcp::socket socket;
    ReplyCounter counter;
    std::array<char, 65536> chunk;
    std::string reply;
    bool done = false;
    std::string error;
    Clock::duration took{};
};

namespace {

asio::awaitable<void> one_round_trip(std::shared_ptr<RoundTripClient::State> s, std::string request) {
    const auto t0 = Clock::now();
    auto [wec, written] = co_await asio::async_write(s->socket, asio::buffer(request), nothrow);
    (void)written;
    if (wec) {
        s->error = "write: " + wec.message();
        s->done = true;
        co_return;
    }
    s->reply.clear();
    for (;;) {
        auto [ec, n] = co_await s->socket.async_read_some(asio::buffer(s->chunk), nothrow);
        if (ec) {
            s->error = "read: " + ec.message();
            break;
        }
        s->reply.append(s->chunk.data(), n);
        if (s->counter.feed({s->chunk.data(), n}) > 0) {
            s->took = Clock::now() - t0;
            break;
        }
    }
    s->done = true;
}

}  // namespace

RoundTripClient::RoundTripClient(asio::io_context& io, std::uint16_t port, ReplyEnd end)
    : io_(io), state_(std::make_shared<State>(io, end)) {
    state_->socket.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
    state_->socket.set_option(tcp::no_delay(true));
}

RoundTripClient::~RoundTripClient() {
    boost::system::error_code ignored;
    state_->socket.close(ignored);
}

Clock::duration RoundTripClient::round_trip(std::string_view request) {
    state_->done = false;
    state_->error.clear();
    asio::co_spawn(io_, one_round_trip(state_, std::string(request)),
                   report_failure("round trip", [s = state_](const std::string& message) {
                       s->error = message;
                       s->done = true;
                   }));
    if (!drive(io_, [&] { return state_->done; }, 10s)) throw std::runtime_error("round trip: no reply within 10 s");
    if (!state_->error.empty()) throw std::runtime_error("round trip: " + state_->error);
    return state_->took;
}

const std::string& RoundTripClient::last_reply() const { return state_->reply; }

// ---- C connections, a window of requests in flight on each -----------------------------------

namespace {

struct Load {
    Load(asio::io_context& io, const LoadSpec& spec) : io(io), spec(spec), all_done(io) {}
    asio::io_context& io;
    const LoadSpec& spec;
    std::vector<std::unique_ptr<tcp::socket>> sockets;
    asio::steady_timer all_done;
    std::size_t running = 0;
    std::uint64_t replied = 0;
    std::string error;
    LoadResult result;
    bool finished = false;

    void fail(std::string what) {
        if (error.empty()) error = std::move(what);
        boost::system::error_code ignored;
        for (auto& s : sockets) s->close(ignored);
    }
};

// A coroutine of the load that throws ends the load with its message.
FailureSink fails(std::shared_ptr<Load> load) {
    return [load = std::move(load)](const std::string& message) {
        load->fail(message);
        load->finished = true;
    };
}

asio::awaitable<void> worker(std::shared_ptr<Load> load, std::size_t connection, std::uint64_t quota) {
    tcp::socket& socket = *load->sockets[connection];
    const LoadSpec& spec = load->spec;
    ReplyCounter counter(spec.reply_end);
    std::string out;
    std::uint64_t sent = 0, received = 0;
    auto send_more = [&](std::uint64_t n) -> asio::awaitable<bool> {
        out.clear();
        for (std::uint64_t i = 0; i < n; ++i) spec.request(out, connection, sent + i);
        sent += n;
        auto [ec, written] = co_await asio::async_write(socket, asio::buffer(out), nothrow);
        (void)written;
        if (ec) load->fail("write: " + ec.message());
        co_return !ec;
    };
    std::array<char, 65536> chunk;
    if (quota > 0 && co_await send_more(std::min<std::uint64_t>(spec.window, quota))) {
        while (received < quota) {
            auto [ec, n] = co_await socket.async_read_some(asio::buffer(chunk), nothrow);
            if (ec) {
                load->fail("read: " + ec.message());
                break;
            }
            const std::size_t k = counter.feed({chunk.data(), n});
            received += k;
            load->replied += k;
            if (k > 0 && sent < quota && !co_await send_more(std::min<std::uint64_t>(k, quota - sent))) break;
        }
    }
    if (--load->running == 0) load->all_done.cancel();
}

asio::awaitable<void> run(std::shared_ptr<Load> load) {
    const LoadSpec& spec = load->spec;
    for (std::size_t i = 0; i < spec.connections; ++i) {
        auto socket = std::make_unique<tcp::socket>(load->io);
        const tcp::endpoint to(asio::ip::address_v4::loopback(), spec.ports[i % spec.ports.size()]);
        auto [ec] = co_await socket->async_connect(to, nothrow);
        if (ec) {
            load->fail("connect: " + ec.message());
            load->finished = true;
            co_return;
        }
        socket->set_option(tcp::no_delay(true), ec);
        load->sockets.push_back(std::move(socket));
    }
    load->all_done.expires_at(asio::steady_timer::time_point::max());
    load->running = spec.connections;
    load->result.start = Clock::now();
    const std::uint64_t base = spec.requests / spec.connections, extra = spec.requests % spec.connections;
    for (std::size_t i = 0; i < spec.connections; ++i)
        asio::co_spawn(load->io, worker(load, i, base + (i < extra ? 1 : 0)), report_failure("load worker", fails(load)));
    co_await load->all_done.async_wait(nothrow);
    load->result.replies = Clock::now();
    load->result.replied = load->replied;
    boost::system::error_code ignored;
    for (auto& s : load->sockets) s->close(ignored);
    load->finished = true;
}

}  // namespace

LoadResult run_load(asio::io_context& io, const LoadSpec& spec, Clock::duration limit) {
    if (spec.connections == 0 || spec.ports.empty() || !spec.request)
        throw std::invalid_argument("run_load: needs connections, ports and a request maker");
    auto load = std::make_shared<Load>(io, spec);
    asio::co_spawn(io, run(load), report_failure("load", fails(load)));
    const bool ended = drive(io, [&] { return load->finished; }, limit);
    if (!ended) {
        load->fail("no end within the time limit");
        drive(io, [&] { return load->finished; }, 5s);
    }
    if (!load->error.empty())
        throw std::runtime_error("load (" + std::to_string(spec.connections) + " connections): " + load->error +
                                 " after " + std::to_string(load->replied) + " of " + std::to_string(spec.requests) +
                                 " replies");
    return load->result;
}

}  // namespace herd::bench
