// The link relay on real loopback sockets: a plain client socket plays node A, a sink server that only
// collects what it receives plays node B. Each test has its own io_context and bounded run loops.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "async/nothrow.hpp"
#include "client/line_client.hpp"
#include "herd/relay.hpp"
#include "herd/relay_listener.hpp"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using herd::sim::Relay;
using herd::sim::LineClient;
using herd::sim::run_until;
using namespace std::chrono_literals;

const tcp::endpoint loopback_any(asio::ip::address_v4::loopback(), 0);

// Node B: accepts, collects every byte with its arrival time, closes on EOF or error.
struct Sink : std::enable_shared_from_this<Sink> {
    struct Peer {
        explicit Peer(tcp::socket s) : socket(std::move(s)) {}
        tcp::socket socket;
        std::string data;
        std::vector<std::pair<std::size_t, Clock::time_point>> arrivals;  // (bytes so far, when)
        bool closed = false;
        boost::system::error_code error;  // how the read ended: eof, connection_reset, ...
        char chunk[4096];

        // When the byte at `offset` arrived.
        Clock::time_point arrival_of(std::size_t offset) const {
            for (const auto& [size, at] : arrivals)
                if (size > offset) return at;
            return Clock::time_point::max();
        }
    };

    explicit Sink(asio::io_context& io) : acceptor(io, loopback_any) {}

    static std::shared_ptr<Sink> start(asio::io_context& io) {
        auto sink = std::make_shared<Sink>(io);
        asio::co_spawn(io, sink->accept(), asio::detached);
        return sink;
    }

    std::uint16_t port() const { return acceptor.local_endpoint().port(); }

    std::string all() const {
        std::string out;
        for (const auto& peer : peers) out += peer->data;
        return out;
    }

    asio::awaitable<void> accept() {
        auto self = shared_from_this();
        for (;;) {
            auto [ec, socket] = co_await acceptor.async_accept(herd::nothrow);
            if (ec) co_return;
            auto peer = peers.emplace_back(std::make_shared<Peer>(std::move(socket)));
            asio::co_spawn(acceptor.get_executor(), read(self, peer), asio::detached);
        }
    }

    static asio::awaitable<void> read(std::shared_ptr<Sink>, std::shared_ptr<Peer> peer) {
        for (;;) {
            auto [ec, n] = co_await peer->socket.async_read_some(asio::buffer(peer->chunk), herd::nothrow);
            if (ec) {
                peer->error = ec;
                peer->closed = true;
                peer->socket.close(ec);
                co_return;
            }
            peer->data.append(peer->chunk, n);
            peer->arrivals.emplace_back(peer->data.size(), Clock::now());
        }
    }

    tcp::acceptor acceptor;
    std::vector<std::shared_ptr<Peer>> peers;
};

// Runs every handler that is ready until none is. On loopback a write is readable at the other end
// as soon as it returns, so afterwards everything the relay would pass on at once has arrived:
// "nothing got through" is then a fact, not a guess about timing. Bounded, in case something spins.
void settle(asio::io_context& io) {
    for (int round = 0; round < 10000; ++round) {
        io.restart();
        if (io.poll() == 0) return;
    }
    FAIL("the io_context never ran out of ready work");
}

// A port nothing listens on.
std::uint16_t closed_port(asio::io_context& io) {
    tcp::acceptor probe(io, loopback_any);
    return probe.local_endpoint().port();
}

struct Fixture {
    asio::io_context io;
    std::mt19937_64 rng{42};
    std::shared_ptr<Sink> sink = Sink::start(io);
    Relay relay{io, "Alford", "Hamilton", rng};
    std::uint16_t port = relay.listen();

    Fixture() { relay.set_target(sink->port()); }

    bool delivered(const std::string& expected, std::chrono::milliseconds limit = 3000ms) {
        return run_until(io, [&] { return sink->all() == expected; }, limit);
    }
};

}  // namespace

TEST_CASE("relay forwards bytes exactly, split on lines however they were written", "[relay]") {
    Fixture f;
    CHECK(f.relay.from() == "Alford");
    CHECK(f.relay.to() == "Hamilton");
    LineClient a(f.io, f.port);

    a.send("AT Alford +0.263873386 kiwi");
    a.send(".cs.ucla.edu +34.068930-118.445127 1520023934.918963997 Alford\n");
    a.send("one\ntwo\r\nthree\n");
    const std::string expected =
        "AT Alford +0.263873386 kiwi.cs.ucla.edu +34.068930-118.445127 1520023934.918963997 Alford\n"
        "one\ntwo\r\nthree\n";
    REQUIRE(f.delivered(expected));
    REQUIRE(run_until(f.io, [&] { return f.relay.idle(); }));

    const auto& stats = f.relay.stats();
    CHECK(stats.connections == 1);
    CHECK(stats.messages == 4);
    CHECK(stats.bytes == expected.size());
    CHECK(stats.dropped == 0);
    CHECK(stats.resets == 0);
    REQUIRE(f.sink->peers.size() == 1);

    SECTION("B's bytes reach A, and B's close reaches A as EOF") {
        asio::write(f.sink->peers[0]->socket, asio::buffer(std::string("hello\n")));
        CHECK(a.read_line() == "hello\n");
        f.sink->peers[0]->socket.close();
        CHECK(a.read_to_eof().empty());
        CHECK(a.eof());
    }

    SECTION("an unterminated tail goes through when A half-closes, and B sees EOF after it") {
        a.send("tail without newline");
        settle(f.io);
        CHECK(f.relay.idle());  // read, and a partial line does not count
        CHECK(f.sink->all() == expected);  // a partial line waits for the rest
        CHECK(f.sink->peers[0]->socket.available() == 0);
        a.shutdown_send();
        REQUIRE(run_until(f.io, [&] { return f.sink->peers[0]->closed; }));
        CHECK(f.sink->all() == expected + "tail without newline");
        CHECK(f.sink->peers[0]->error == asio::error::eof);
        CHECK(f.relay.stats().messages == 5);
        a.read_to_eof();  // the sink closed in turn: its EOF comes back to A
        CHECK(a.eof());
    }
}

TEST_CASE("relay carries concurrent connections independently", "[relay]") {
    Fixture f;
    LineClient a1(f.io, f.port);
    LineClient a2(f.io, f.port);
    a1.send("first ");
    a2.send("second ");
    a1.send("from one\n");
    a2.send("from two\n");
    const std::vector<std::string> expected{"first from one\n", "second from two\n"};
    REQUIRE(run_until(f.io, [&] { return f.sink->all().size() == expected[0].size() + expected[1].size(); }));
    REQUIRE(f.sink->peers.size() == 2);
    std::vector<std::string> got{f.sink->peers[0]->data, f.sink->peers[1]->data};
    std::sort(got.begin(), got.end());
    CHECK(got == expected);
    CHECK(f.relay.stats().connections == 2);
    CHECK(f.relay.stats().messages == 2);
}

TEST_CASE("relay delays every line by at least the delay, measured from when it read it", "[relay]") {
    Fixture f;
    f.relay.set_delay(150ms, 0us);
    LineClient a(f.io, f.port);

    const auto first_sent = Clock::now();
    a.send("one\n");
    settle(f.io);
    CHECK_FALSE(f.relay.idle());  // read and held
    CHECK(f.sink->all().empty());
    const auto second_sent = Clock::now();
    a.send("two\n");  // read while "one" is still held: its delay counts from its own read
    REQUIRE(f.delivered("one\ntwo\n"));
    CHECK(f.relay.idle());

    const auto& peer = *f.sink->peers.at(0);
    const auto first_at = peer.arrival_of(0);
    const auto second_at = peer.arrival_of(4);
    CHECK(first_at - first_sent >= 150ms);
    CHECK(second_at - second_sent >= 150ms);
    CHECK(first_at - first_sent < 1500ms);
}

TEST_CASE("relay jitter never reorders lines", "[relay]") {
    Fixture f;
    SECTION("delay with jitter") { f.relay.set_delay(20ms, 20ms); }
    SECTION("jitter larger than the delay (clipped at zero)") { f.relay.set_delay(0ms, 30ms); }
    LineClient a(f.io, f.port);
    std::string expected;
    for (int i = 0; i < 60; ++i) {
        const std::string line = "line " + std::to_string(i) + "\n";
        expected += line;
        a.send(line);
        if (i % 10 == 9) settle(f.io);  // the relay reads in several batches, each with its own draws
    }
    REQUIRE(f.delivered(expected));
    CHECK(f.relay.stats().messages == 60);
}

TEST_CASE("relay drops lines by command, client and count", "[relay]") {
    Fixture f;
    const std::vector<std::string> lines{
        "IAMAT kiwi +1+1 1\n",
        "WHATSAT kiwi 10 5\n",
        "AT Alford +0.1 kiwi +1+1 1 Alford\n",
        "AT Alford +0.1 lemon +1+1 2 Alford\n",
        "IAMAT lemon +1+1 3\n",
        "AT Ball +0.1 kiwi +1+1 4\n",
        "END\n",
    };
    std::vector<bool> keep(lines.size(), true);
    SECTION("by command") {
        f.relay.add_drop("IAMAT", "", -1);
        keep[0] = keep[4] = false;
    }
    SECTION("by client: the 4th word of AT, the 2nd of IAMAT and WHATSAT") {
        f.relay.add_drop("", "kiwi", -1);
        keep[0] = keep[1] = keep[2] = keep[5] = false;
    }
    SECTION("by command and client") {
        f.relay.add_drop("AT", "lemon", -1);
        keep[3] = false;
    }
    SECTION("only the first N matches") {
        f.relay.add_drop("AT", "", 2);
        keep[2] = keep[3] = false;
    }
    SECTION("rules add up; clear_faults removes them") {
        f.relay.add_drop("WHATSAT", "", -1);
        f.relay.add_drop("", "lemon", 1);
        keep[1] = keep[3] = false;
    }
    SECTION("first = 0 drops nothing") { f.relay.add_drop("", "", 0); }

    // Each line on a connection of its own: a drop resets the connection it happened on.
    std::string expected;
    std::uint64_t dropped = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        LineClient a(f.io, f.port);
        a.send(lines[i]);
        if (keep[i])
            expected += lines[i];
        else
            ++dropped;
        REQUIRE(f.delivered(expected));
        REQUIRE(run_until(f.io, [&] { return f.relay.idle(); }));
    }
    CHECK(f.relay.stats().dropped == dropped);
    CHECK(f.relay.stats().resets == dropped);
    CHECK(f.relay.stats().messages == lines.size() - dropped);

    f.relay.clear_faults();
    LineClient a(f.io, f.port);
    a.send(lines[0]);
    CHECK(f.delivered(expected + lines[0]));
}

namespace {

// What A's next read says: how the relay ended A's connection (reset, EOF).
boost::system::error_code how_it_ends(asio::io_context& io, tcp::socket& a) {
    char byte;
    boost::system::error_code error;
    bool done = false;
    a.async_read_some(asio::buffer(&byte, 1), [&](boost::system::error_code ec, std::size_t) {
        error = ec;
        done = true;
    });
    REQUIRE(run_until(io, [&] { return done; }));
    return error;
}

}  // namespace

// A line dropped in silence is one the sender believes was read: it never sends it again, and the
// update is lost for good. So the relay resets the connection right after it, as a route that lost
// a segment and gave up does; the lines before it still arrive, the ones after it go with the reset.
TEST_CASE("relay resets the connection after the line it dropped, so the sender knows", "[relay]") {
    Fixture f;
    f.relay.add_drop("AT", "", 1);
    tcp::socket a(f.io);
    a.connect(tcp::endpoint(asio::ip::address_v4::loopback(), f.port));
    asio::write(a, asio::buffer(std::string("IAMAT kiwi +1+1 1\nAT Alford +0.1 kiwi +1+1 1 Alford\nIAMAT lemon +1+1 2\n")));

    const boost::system::error_code a_error = how_it_ends(f.io, a);
    CHECK(a_error == asio::error::connection_reset);
    REQUIRE(run_until(f.io, [&] { return f.sink->peers.at(0)->closed; }));
    CHECK(f.sink->all() == "IAMAT kiwi +1+1 1\n");
    CHECK(f.sink->peers[0]->error == asio::error::connection_reset);

    const auto& stats = f.relay.stats();
    CHECK(stats.messages == 1);
    CHECK(stats.resets == 1);
    CHECK(stats.dropped == 2);  // the dropped line, and the one after it lost with the reset

    // The rule is spent: the next connection carries everything.
    LineClient again(f.io, f.port);
    again.send("AT Alford +0.1 kiwi +1+1 1 Alford\n");
    CHECK(f.delivered("IAMAT kiwi +1+1 1\nAT Alford +0.1 kiwi +1+1 1 Alford\n"));
}



TEST_CASE("relay refuses connections while cut or while its target is down, until neither holds", "[relay]") {
    Fixture f;
    LineClient a(f.io, f.port);
    a.send("before\n");
    REQUIRE(f.delivered("before\n"));

    // Either reason ends the open connection (both ends see EOF) and stops the listener, so a
    // reconnect is refused, as on a dead route or to a dead host.
    const auto refuses = [&] {
        CHECK(a.read_to_eof().empty());
        CHECK(a.eof());
        REQUIRE(run_until(f.io, [&] { return f.sink->peers.at(0)->closed; }));
        CHECK(f.sink->peers[0]->error == asio::error::eof);
        CHECK_THROWS_AS(LineClient(f.io, f.port), boost::system::system_error);
        CHECK(f.sink->peers.size() == 1);  // never reached B
    };
    SECTION("cut") {
        f.relay.cut();
        CHECK(f.relay.is_cut());
        refuses();
        SECTION("healed") { f.relay.heal(); }
        SECTION("target down meanwhile: the heal is not enough") {
            f.relay.set_target_up(false);
            f.relay.heal();
            CHECK_THROWS_AS(LineClient(f.io, f.port), boost::system::system_error);
            f.relay.set_target_up(true);
        }
    }
    SECTION("target down") {
        f.relay.set_target_up(false);
        CHECK_FALSE(f.relay.target_up());
        refuses();
        SECTION("back up") { f.relay.set_target_up(true); }
        SECTION("cut meanwhile: the target coming back is not enough") {
            f.relay.cut();
            f.relay.set_target_up(true);
            CHECK_THROWS_AS(LineClient(f.io, f.port), boost::system::system_error);
            f.relay.heal();
        }
    }

    CHECK_FALSE(f.relay.is_cut());
    CHECK(f.relay.target_up());
    LineClient again(f.io, f.port);
    again.send("after\n");
    REQUIRE(f.delivered("before\nafter\n"));
    CHECK(f.relay.stats().connections == 2);  // the refused attempts were never accepted
    CHECK(f.relay.stats().messages == 2);
}

TEST_CASE("relay cut drops the lines it holds", "[relay]") {
    Fixture f;
    f.relay.set_delay(1s, 0us);
    LineClient a(f.io, f.port);
    a.send("held one\nheld two\n");
    // Read and held, not merely arrived: bytes still unread in the socket are not the relay's lines.
    REQUIRE(run_until(f.io, [&] { return f.relay.held_lines() == 2; }));
    f.relay.cut();
    CHECK(f.relay.idle());
    CHECK(f.relay.stats().dropped == 2);
    a.read_to_eof();
    CHECK(a.eof());
    REQUIRE(run_until(f.io, [&] { return f.sink->peers.size() == 1 && f.sink->peers[0]->closed; }));
    CHECK(f.sink->all().empty());
    CHECK(f.relay.stats().messages == 0);
}

TEST_CASE("relay closes A's connection when B is down", "[relay]") {
    Fixture f;
    f.relay.set_target(closed_port(f.io));
    LineClient a(f.io, f.port);
    a.read_to_eof();
    CHECK(a.eof());
    CHECK(f.relay.stats().connections == 1);
}

TEST_CASE("relay loses what a stall holds when its target goes down, and is idle then", "[relay]") {
    Fixture f;
    LineClient a(f.io, f.port);
    REQUIRE(run_until(f.io, [&] { return f.sink->peers.size() == 1; }));
    f.relay.stall(true);
    a.send("held\n");
    settle(f.io);
    CHECK_FALSE(f.relay.idle());

    f.relay.set_target_up(false);
    CHECK(f.relay.idle());
    a.read_to_eof();
    CHECK(a.eof());
    REQUIRE(run_until(f.io, [&] { return f.sink->peers[0]->closed; }));
    CHECK(f.sink->all().empty());
}

TEST_CASE("relay reset_after resets both sides after exactly N bytes, once", "[relay]") {
    Fixture f;
    f.relay.reset_after(10);
    tcp::socket a(f.io);
    a.connect(tcp::endpoint(asio::ip::address_v4::loopback(), f.port));
    asio::write(a, asio::buffer(std::string("0123456\n")));
    asio::write(a, asio::buffer(std::string("abcdefgh\n")));

    const boost::system::error_code a_error = how_it_ends(f.io, a);
    CHECK((a_error == asio::error::connection_reset || a_error == asio::error::eof));

    REQUIRE(run_until(f.io, [&] { return f.sink->peers.at(0)->closed; }));
    CHECK(f.sink->all() == "0123456\nab");
    CHECK((f.sink->peers[0]->error == asio::error::connection_reset || f.sink->peers[0]->error == asio::error::eof));

    const auto& stats = f.relay.stats();
    CHECK(stats.resets == 1);
    CHECK(stats.bytes == 10);
    CHECK(stats.messages == 1);
    CHECK(stats.dropped == 1);  // the line cut off in the middle

    // One-shot: the next connection carries everything.
    LineClient again(f.io, f.port);
    again.send("0123456789 0123456789\n");
    REQUIRE(f.delivered("0123456\nab0123456789 0123456789\n"));
    CHECK(f.relay.stats().resets == 1);
}

TEST_CASE("relay stall stops delivery until resumed, then everything arrives in order", "[relay]") {
    Fixture f;
    LineClient a(f.io, f.port);
    a.send("a\n");
    REQUIRE(f.delivered("a\n"));

    f.relay.stall(true);
    a.send("b\n");  // the relay's read was already under way: it is held all the same
    a.send("c\n");
    settle(f.io);
    CHECK(f.sink->all() == "a\n");
    CHECK(f.sink->peers[0]->socket.available() == 0);
    CHECK_FALSE(f.relay.idle());

    f.relay.stall(false);
    REQUIRE(f.delivered("a\nb\nc\n"));
}

TEST_CASE("relay stall builds backpressure until A's writes block", "[relay]") {
    Fixture f;
    f.relay.stall(true);
    tcp::socket a(f.io);
    a.connect(tcp::endpoint(asio::ip::address_v4::loopback(), f.port));
    REQUIRE(run_until(f.io, [&] { return f.sink->peers.size() == 1; }));  // the relay connected to B
    a.non_blocking(true);

    std::string stream;
    const std::string line = std::string(999, 'x') + "\n";
    bool blocked = false;
    while (!blocked && stream.size() < 64 * 1024 * 1024) {
        std::string chunk;
        for (int i = 0; i < 64; ++i) chunk += std::to_string(stream.size() / line.size() + i) + line;
        boost::system::error_code ec;
        const std::size_t n = a.write_some(asio::buffer(chunk), ec);
        stream += chunk.substr(0, n);
        blocked = ec == asio::error::would_block;
        if (ec && !blocked) FAIL(ec.message());
        f.io.restart();
        f.io.poll();
    }
    CHECK(blocked);
    CHECK(f.sink->all().empty());

    a.shutdown(tcp::socket::shutdown_send);  // whatever the kernel took, the relay must deliver
    f.relay.stall(false);
    REQUIRE(run_until(f.io, [&] { return f.sink->all().size() == stream.size(); }));
    CHECK(f.sink->all() == stream);
}

TEST_CASE("relay stop closes everything, twice is fine, and nothing dangles after destruction", "[relay]") {
    asio::io_context io;
    std::mt19937_64 rng{7};
    auto sink = Sink::start(io);
    auto relay = std::make_unique<Relay>(io, "Ball", "Welsh", rng);
    const auto port = relay->listen();
    relay->set_target(sink->port());
    relay->set_delay(500ms, 100ms);

    LineClient a(io, port);
    a.send("held\n");
    REQUIRE(run_until(io, [&] { return !relay->idle(); }));

    SECTION("stop") {
        relay->stop();
        relay->stop();
        CHECK(relay->idle());
        a.read_to_eof();
        CHECK(a.eof());
        CHECK(relay->stats().dropped == 1);
    }
    SECTION("destroy with a line held and a connection open") {
        relay.reset();
        a.read_to_eof();
        CHECK(a.eof());
    }
    REQUIRE(run_until(io, [&] { return sink->peers.size() == 1 && sink->peers[0]->closed; }));
    CHECK(sink->all().empty());
}

// The draws alone, from a seeded source: the same every run, whatever the machine.
TEST_CASE("relay delays: uniform within the jitter, exponential with the delay as its mean", "[relay]") {
    std::mt19937_64 rng{7};
    using herd::sim::DelayDistribution;
    using herd::sim::draw_hold;
    constexpr int draws = 20000;
    SECTION("exponential: mean 100 ms, about e^-1 of the lines held longer than it, none below 0") {
        double sum = 0;
        int above = 0;
        std::chrono::microseconds longest{0};
        for (int i = 0; i < draws; ++i) {
            const auto hold = draw_hold(100ms, 0ms, DelayDistribution::exponential, rng);
            REQUIRE(hold.count() >= 0);
            sum += static_cast<double>(hold.count());
            above += hold > 100ms;
            longest = std::max(longest, hold);
        }
        CHECK(sum / draws == Approx(100000).epsilon(0.03));
        CHECK(static_cast<double>(above) / draws == Approx(0.3679).epsilon(0.05));
        CHECK(longest > 500ms);  // a tail a uniform delay never has
    }
    SECTION("exponential with no delay holds nothing") {
        CHECK(draw_hold(0ms, 0ms, DelayDistribution::exponential, rng) == 0ms);
    }
    SECTION("uniform: within delay +/- jitter, clipped at 0") {
        for (int i = 0; i < draws; ++i) {
            const auto hold = draw_hold(10ms, 30ms, DelayDistribution::uniform, rng);
            REQUIRE(hold >= 0ms);
            REQUIRE(hold <= 40ms);
        }
        CHECK(draw_hold(10ms, 0ms, DelayDistribution::uniform, rng) == 10ms);
    }
}

namespace {

// Node A on a host of its own: a connection from `source` (a loopback address) to `port`.
tcp::socket connect_from(asio::io_context& io, const char* source, std::uint16_t port) {
    tcp::socket socket(io);
    socket.open(tcp::v4());
    socket.bind({asio::ip::make_address(source), 0});
    socket.connect({asio::ip::address_v4::loopback(), port});
    return socket;
}

// How the connection ends, read until it does (bounded); empty when bytes came instead.
boost::system::error_code end_of(asio::io_context& io, tcp::socket& socket) {
    boost::system::error_code ec;
    char byte;
    socket.non_blocking(true);
    run_until(io, [&] {
        const auto n = socket.read_some(asio::buffer(&byte, 1), ec);
        return n > 0 || ec != asio::error::would_block;
    });
    return ec == asio::error::would_block ? boost::system::error_code{} : ec;
}

}  // namespace

TEST_CASE("relays into one node share a listener that tells their connections apart by the sender's address",
          "[relay]") {
    asio::io_context io;
    std::mt19937_64 rng{42};
    auto sink = Sink::start(io);
    Relay from_alford{io, "Alford", "Hamilton", rng};
    Relay from_ball{io, "Ball", "Hamilton", rng};
    from_alford.set_target(sink->port());
    from_ball.set_target(sink->port());
    herd::sim::RelayListener listener{io, herd::print_failure};
    const auto port = listener.listen();
    listener.add("127.1.0.1", from_alford);
    listener.add("127.1.0.2", from_ball);

    auto alford = connect_from(io, "127.1.0.1", port);
    auto ball = connect_from(io, "127.1.0.2", port);
    asio::write(alford, asio::buffer(std::string("from alford\n")));
    asio::write(ball, asio::buffer(std::string("from ball\n")));
    REQUIRE(run_until(io, [&] { return sink->all().size() == std::string("from alford\nfrom ball\n").size(); }));
    CHECK(from_alford.stats().connections == 1);
    CHECK(from_alford.stats().messages == 1);
    CHECK(from_ball.stats().connections == 1);
    CHECK(from_ball.stats().messages == 1);

    SECTION("a cut relay resets its sender's connection at once; the other link goes on") {
        from_alford.cut();
        CHECK(end_of(io, alford) == asio::error::eof);  // it held nothing: EOF, as behind its own listener
        auto again = connect_from(io, "127.1.0.1", port);
        CHECK(end_of(io, again) == asio::error::connection_reset);
        CHECK(from_alford.stats().connections == 1);  // never relayed
        asio::write(ball, asio::buffer(std::string("still\n")));
        REQUIRE(run_until(io, [&] { return from_ball.stats().messages == 2; }));
        from_alford.heal();
        auto healed = connect_from(io, "127.1.0.1", port);
        asio::write(healed, asio::buffer(std::string("healed\n")));
        CHECK(run_until(io, [&] { return from_alford.stats().messages == 2; }));
        CHECK(sink->peers.size() == 3);
    }
    SECTION("while the node is down every sender is refused, and the same port listens once it is back") {
        for (Relay* relay : {&from_alford, &from_ball}) relay->set_target_up(false);
        listener.set_open(false);
        CHECK(end_of(io, alford) == asio::error::eof);
        CHECK_THROWS_AS(connect_from(io, "127.1.0.1", port), boost::system::system_error);
        CHECK_THROWS_AS(connect_from(io, "127.1.0.2", port), boost::system::system_error);
        for (Relay* relay : {&from_alford, &from_ball}) relay->set_target_up(true);
        listener.set_open(true);
        auto back = connect_from(io, "127.1.0.1", port);
        asio::write(back, asio::buffer(std::string("back\n")));
        CHECK(run_until(io, [&] { return from_alford.stats().messages == 2; }));
    }
    SECTION("a sender no relay was added for is reset") {
        auto stranger = connect_from(io, "127.1.0.3", port);
        CHECK(end_of(io, stranger) == asio::error::connection_reset);
        CHECK(sink->peers.size() == 2);
    }
    listener.stop();
    from_alford.stop();
    from_ball.stop();
}

namespace {

// How a bind of `port` on 127.0.0.1 ends for another process's socket (one of another
// io_context, without SO_REUSEADDR): what a listener or connection elsewhere on the machine
// would get if it were handed the port now.
boost::system::error_code bind_elsewhere(std::uint16_t port) {
    asio::io_context other;
    tcp::acceptor probe(other);
    boost::system::error_code ec;
    probe.open(tcp::v4(), ec);
    if (!ec) probe.bind({asio::ip::address_v4::loopback(), port}, ec);
    return ec;
}

}  // namespace

// A relay that let its port go while refusing could see another herd's listener take it; the
// senders' connects would then reach that herd. Checked before any connection closes, so that no
// connection in TIME_WAIT holds the port instead.
TEST_CASE("relay keeps its port bound while it refuses, so no other socket takes it", "[relay]") {
    Fixture f;
    SECTION("cut") { f.relay.cut(); }
    SECTION("target down") { f.relay.set_target_up(false); }
    CHECK(bind_elsewhere(f.port) == asio::error::address_in_use);
    CHECK_THROWS_AS(LineClient(f.io, f.port), boost::system::system_error);  // refused, as by a dead host
    f.relay.heal();
    f.relay.set_target_up(true);
    LineClient a(f.io, f.port);
    a.send("back\n");
    REQUIRE(f.delivered("back\n"));
    f.relay.stop();
    a.read_to_eof();
    CHECK_FALSE(bind_elsewhere(f.port));  // the port is let go for good only at the end
}

TEST_CASE("a shared relay listener keeps its port bound while its node is down", "[relay]") {
    asio::io_context io;
    std::mt19937_64 rng{42};
    auto sink = Sink::start(io);
    Relay from_alford{io, "Alford", "Hamilton", rng};
    from_alford.set_target(sink->port());
    herd::sim::RelayListener listener{io, herd::print_failure};
    const auto port = listener.listen();
    listener.add("127.1.0.1", from_alford);

    from_alford.set_target_up(false);
    listener.set_open(false);
    CHECK(bind_elsewhere(port) == asio::error::address_in_use);
    CHECK_THROWS_AS(connect_from(io, "127.1.0.1", port), boost::system::system_error);
    from_alford.set_target_up(true);
    listener.set_open(true);
    auto back = connect_from(io, "127.1.0.1", port);
    asio::write(back, asio::buffer(std::string("back\n")));
    CHECK(run_until(io, [&] { return sink->all() == "back\n"; }));
    listener.stop();
    from_alford.stop();
    CHECK(end_of(io, back) == asio::error::connection_reset);
    CHECK_FALSE(bind_elsewhere(port));
}
