// The server's limits (docs/PROTOCOL.md "Limits"), each hit on real loopback sockets: what the
// client sees, what the log says, and that a bystander client is still served.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <unistd.h>

#include "client/line_client.hpp"
#include "net/server.hpp"
#include "support/sink_server.hpp"

using namespace herd;
using herd::sim::LineClient;
using herd::sim::run_for;
using herd::sim::run_until;
using namespace std::chrono_literals;

namespace {

const std::regex at_reply(R"(AT Alford [+-]\d+\.\d{9} \S+ \+1\+1 1520023934\n)");

std::string iamat(const std::string& client) { return "IAMAT " + client + " +1+1 1520023934\n"; }

// A server with one neighbour (a sink), logging into a folder of its own.
struct Fixture {
    boost::asio::io_context io;
    std::filesystem::path log_dir;
    test::SinkServer neighbour{io};
    std::unique_ptr<Server> server;

    explicit Fixture(ServerLimits limits) {
        static int made = 0;
        log_dir = std::filesystem::temp_directory_path() /
                  ("herdsim-limits-" + std::to_string(::getpid()) + "-" + std::to_string(made++));
        std::filesystem::remove_all(log_dir);
        ServerOptions options;
        options.name = "Alford";
        options.peers = {{"Hamilton", "127.0.0.1", neighbour.port()}};
        options.log_dir = log_dir;
        options.limits = limits;
        server = std::make_unique<Server>(io, std::move(options));
        server->start();
    }
    ~Fixture() {
        server.reset();
        std::filesystem::remove_all(log_dir);
    }
    LineClient client() { return LineClient(io, server->port()); }

    std::string log() const {
        std::ifstream in(log_dir / "Alford.log");
        std::ostringstream s;
        s << in.rdbuf();
        return s.str();
    }
    // The log is flushed every 500 ms: run until it says `text`.
    bool log_says(const std::string& text) {
        return run_until(io, [&] { return log().find(text) != std::string::npos; });
    }
};

// The server closed the connection without writing a byte (refused, evicted or timed out).
bool closed_without_a_byte(LineClient& c) { return c.read_to_eof().empty() && c.eof(); }

bool served(LineClient& c, const std::string& client) {
    c.send(iamat(client));
    return std::regex_match(c.read_line(), at_reply);
}

// Sends one byte every 20 ms of a line that never ends, for up to 5 s: true once the server closed.
bool closed_while_trickling(Fixture& f, LineClient& c) {
    for (int i = 0; i < 250 && !c.eof(); ++i) {
        c.send("x");
        run_for(f.io, 20ms);
        c.read_to_eof(1ms);
    }
    return c.eof();
}

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("max_connections: past it and the peer slots a connection is closed at once, a flood line keeps a peer slot",
          "[limits][connections]") {
    ServerLimits limits;
    limits.max_connections = 2;
    limits.peer_slots = 1;
    limits.evict_idle_after = 0ms;  // however slowly the test runs, nothing is evicted
    Fixture f(limits);
    auto a = f.client();
    auto b = f.client();
    REQUIRE(served(a, "a"));
    REQUIRE(served(b, "b"));

    // The third takes the peer slot and keeps it: its first line is a flood line (stored, no reply).
    auto peer = f.client();
    peer.send("AT Welsh +0.5 flooded +1+1 1520023934 Welsh\n");
    REQUIRE(run_until(f.io, [&] { return f.server->node().table().find("flooded").has_value(); }));

    SECTION("a fourth is closed at once, without a byte, and the bystanders are still served") {
        auto refused = f.client();
        refused.send(iamat("refused"));
        CHECK(closed_without_a_byte(refused));
        CHECK(served(a, "a2"));
        CHECK_FALSE(peer.eof());
        CHECK(f.log_says("3 connections open (max_connections 2 + peer_slots 1): closing new ones at once"));
    }
    SECTION("a client in a peer slot is closed without a reply at its first line") {
        peer.close();
        auto client = f.client();  // the peer slot, once the server has seen the peer go; refused before
        client.send(iamat("intruder"));
        CHECK(closed_without_a_byte(client));
        CHECK_FALSE(f.server->node().table().find("intruder").has_value());
        CHECK(served(b, "b2"));
    }
    SECTION("a neighbour's catch-up request keeps a peer slot as a flood line does") {
        peer.close();
        // The close reaches the server at some point; until then a new connection is refused.
        bool kept = false;
        for (int i = 0; i < 200 && !kept; ++i) {
            auto next = f.client();
            next.send("HERDSIM-CATCHUP Hamilton\nAT Welsh +0.5 caught +1+1 1520023934 Welsh\n");
            next.read_to_eof(100ms);  // refused: EOF at once; kept: no byte, as for any flood line
            kept = f.server->node().table().find("caught").has_value();
        }
        CHECK(kept);
        CHECK(served(b, "b4"));
    }
    SECTION("a slot freed by a client serves a new client") {
        a.close();
        // The close reaches the server at some point; until then a new connection is refused.
        bool again = false;
        for (int i = 0; i < 200 && !again; ++i) {
            auto next = f.client();
            again = served(next, "next");
        }
        CHECK(again);
        CHECK(served(b, "b3"));
    }
}

TEST_CASE("evict_idle_ms: at max_connections a new client takes the slot of the connection idle longest",
          "[limits][connections]") {
    ServerLimits limits;
    limits.max_connections = 3;
    limits.peer_slots = 0;
    limits.evict_idle_after = 50ms;
    Fixture f(limits);
    // The idle flood: three connections that said one line each, oldest first; the neighbour's
    // link (a flood line) is the oldest of all, and still outlives them.
    auto link = f.client();
    link.send("AT Welsh +0.5 flooded +1+1 1520023934 Welsh\n");
    REQUIRE(run_until(f.io, [&] { return f.server->node().table().find("flooded").has_value(); }));
    auto idle1 = f.client();
    REQUIRE(served(idle1, "idle1"));
    auto idle2 = f.client();
    REQUIRE(served(idle2, "idle2"));
    // Only a connection at least 50 ms without a complete line is evicted.
    run_for(f.io, 60ms);

    auto bystander = f.client();
    CHECK(served(bystander, "bystander"));
    CHECK(closed_without_a_byte(idle1));
    auto second = f.client();
    CHECK(served(second, "second"));
    CHECK(closed_without_a_byte(idle2));
    CHECK(f.log_says("3 connections open (max_connections 3): closing conn 2, "));
    // Both evictions are one episode: one line, then the count when it is over.
    CHECK(f.log_says("idle connections closed for new ones: 1 more not logged; episode over"));
    CHECK(count_of(f.log(), "for a new one") == 1);

    SECTION("clients that never flooded go before the neighbour's link, however much younger") {
        // bystander and second are idle now as well (the log took a second), younger than the link.
        auto third = f.client();
        CHECK(served(third, "third"));
        CHECK(closed_without_a_byte(bystander));
        CHECK_FALSE(link.eof());
    }
    SECTION("with 0 nothing is evicted: the new connection is closed at once") {
        f.server->stop();
        ServerLimits never = limits;
        never.evict_idle_after = 0ms;
        Fixture g(never);
        auto a = g.client(), b = g.client(), c = g.client();
        REQUIRE(served(a, "a"));
        REQUIRE(served(b, "b"));
        REQUIRE(served(c, "c"));
        run_for(g.io, 60ms);
        auto refused = g.client();
        refused.send(iamat("refused"));
        CHECK(closed_without_a_byte(refused));
        CHECK(served(a, "a2"));
    }
}

TEST_CASE("Refused connections are logged once per episode, with a count", "[limits][connections][log]") {
    ServerLimits limits;
    limits.max_connections = 1;
    limits.peer_slots = 0;
    limits.evict_idle_after = 0ms;
    Fixture f(limits);
    auto a = f.client();
    REQUIRE(served(a, "a"));
    for (int i = 0; i < 20; ++i) {
        auto refused = f.client();
        CHECK(refused.read_to_eof() == "");
    }
    REQUIRE(f.log_says("refused connections: 19 more not logged; episode over"));
    CHECK(count_of(f.log(), "closing new ones at once") == 1);
    CHECK(served(a, "a2"));
}

TEST_CASE("The idle limit counts from the last complete line: a byte at a time does not reset it",
          "[limits][timeouts]") {
    ServerLimits limits;
    limits.idle_timeout = 300ms;
    limits.line_timeout = 0ms;
    Fixture f(limits);
    auto slow = f.client();
    REQUIRE(served(slow, "slow"));
    // Before, each byte pushed the limit back.
    CHECK(closed_while_trickling(f, slow));
    CHECK(f.log_says(": no complete line for 300 ms; closing"));
    auto bystander = f.client();
    CHECK(served(bystander, "bystander"));
}

TEST_CASE("The idle limit: complete lines keep a connection open", "[limits][timeouts]") {
    ServerLimits limits;
    limits.idle_timeout = 1000ms;
    Fixture f(limits);
    auto busy = f.client();
    for (int i = 0; i < 25; ++i) {  // 2.5 s in all, a line every 100 ms
        REQUIRE(served(busy, "busy"));
        run_for(f.io, 100ms);
    }
    CHECK_FALSE(busy.eof());
}

TEST_CASE("The line limit: a line unfinished for line_timeout closes the connection, however it trickles",
          "[limits][timeouts]") {
    ServerLimits limits;
    limits.line_timeout = 300ms;
    Fixture f(limits);
    auto slow = f.client();
    REQUIRE(served(slow, "slow"));
    slow.send("IAMAT never");
    CHECK(closed_while_trickling(f, slow));
    CHECK(f.log_says(": a line unfinished for 300 ms; closing"));
    auto bystander = f.client();
    CHECK(served(bystander, "bystander"));
}

TEST_CASE("A connection in a peer slot that sends nothing is closed after line_timeout", "[limits][timeouts]") {
    ServerLimits limits;
    limits.max_connections = 1;
    limits.peer_slots = 1;
    limits.line_timeout = 300ms;
    Fixture f(limits);
    auto a = f.client();
    REQUIRE(served(a, "a"));
    auto silent = f.client();
    CHECK(closed_without_a_byte(silent));
    CHECK(served(a, "a2"));
}

TEST_CASE("Field limits: a longer client ID or field gets '? ', nothing is stored or flooded", "[limits][fields]") {
    ServerLimits limits;
    limits.fields.max_client_id = 10;
    limits.fields.max_field = 20;
    Fixture f(limits);
    auto c = f.client();
    CHECK(served(c, "0123456789"));
    c.send(iamat("0123456789A"));
    CHECK(c.read_line() == "? IAMAT 0123456789A +1+1 1520023934\n");
    c.send("IAMAT x +1.000000000000000000+1 1520023934\n");
    CHECK(c.read_line() == "? IAMAT x +1.000000000000000000+1 1520023934\n");
    c.send("AT Welsh +0.5 0123456789AB +1+1 1520023934 Welsh\nWHATSAT 0123456789AB 10 1\n");
    CHECK(c.read_line() == "? AT Welsh +0.5 0123456789AB +1+1 1520023934 Welsh\n");
    CHECK(c.read_line() == "? WHATSAT 0123456789AB 10 1\n");
    CHECK_FALSE(f.server->node().table().find("0123456789AB").has_value());
    CHECK(f.server->node().table().size() == 1);
}

TEST_CASE("Logs: a line is cut to 200 bytes with its size, the first 16 invalid lines of an episode are logged, "
          "then a count", "[limits][log]") {
    Fixture f(ServerLimits{});
    auto c = f.client();
    std::string junk;
    for (int i = 0; i < 1000; ++i) junk += std::string(1000, 'J') + "\n";
    c.send(junk);
    for (int i = 0; i < 1000; ++i) REQUIRE(c.read_line().size() == 1003);
    REQUIRE(f.log_says("invalid lines: 984 more not logged (984000 bytes); episode over"));
    const std::string log = f.log();
    CHECK(log.find("received: " + std::string(200, 'J') + "\u2026 (1000 bytes)\n") != std::string::npos);
    CHECK(log.find("sent: ? " + std::string(198, 'J') + "\u2026 (1002 bytes)\n") != std::string::npos);
    CHECK(count_of(log, "received: ") == 16);
    CHECK(count_of(log, "sent: ") == 16);
    CHECK(log.size() < 12000);  // for 1 MB of junk: 16 times a received, a reason and a sent line of about 250 bytes
    CHECK(served(c, "bystander"));
}

TEST_CASE("Logs rotate at log_max_bytes, keeping log_files old files", "[limits][log]") {
    ServerLimits limits;
    limits.log_max_bytes = 4096;
    limits.log_files = 2;
    Fixture f(limits);
    auto c = f.client();
    for (int i = 0; i < 100; ++i) REQUIRE(served(c, "client" + std::to_string(i)));
    f.server->stop();  // flushes
    for (const char* name : {"Alford.log", "Alford.1.log", "Alford.2.log"}) {
        INFO(name);
        REQUIRE(std::filesystem::exists(f.log_dir / name));
        CHECK(std::filesystem::file_size(f.log_dir / name) <= 4096);
    }
    CHECK_FALSE(std::filesystem::exists(f.log_dir / "Alford.3.log"));
}

namespace {

// A client on another loopback address (127.0.0.2 reaches the server on 127.0.0.1 like any host):
// the per-address share of the client slots.
class ClientFrom {
public:
    ClientFrom(boost::asio::io_context& io, const char* address, std::uint16_t port) : io_(io), socket_(io) {
        using boost::asio::ip::tcp;
        socket_.open(tcp::v4());
        socket_.bind(tcp::endpoint(boost::asio::ip::make_address(address), 0));
        socket_.connect(tcp::endpoint(boost::asio::ip::address_v4::loopback(), port));
    }
    // The IAMAT's reply, or "" if the server closed the connection (or said nothing for 2 s).
    std::string iamat_reply(const std::string& client) {
        boost::asio::write(socket_, boost::asio::buffer(iamat(client)));
        std::string got;
        bool done = false;
        boost::asio::async_read_until(socket_, boost::asio::dynamic_buffer(got), '\n',
                                      [&](boost::system::error_code, std::size_t) { done = true; });
        run_until(io_, [&] { return done; }, 2000ms);
        if (!done) socket_.cancel();
        run_until(io_, [&] { return done; });
        return got;
    }

private:
    boost::asio::io_context& io_;
    boost::asio::ip::tcp::socket socket_;
};

// Keeps `connections` sending a blank line every 10 ms for `span`: the keepalive of the lock-out.
void keep_alive(Fixture& f, std::vector<LineClient>& connections, std::chrono::milliseconds span) {
    for (auto spent = 0ms; spent < span; spent += 10ms) {
        for (auto& c : connections) c.send("\n");
        run_for(f.io, 10ms);
    }
}

}  // namespace

TEST_CASE("Blank lines are not activity: connections that only send blank lines are evicted for new clients",
          "[limits][connections][hostile]") {
    ServerLimits limits;
    limits.max_connections = 2;
    limits.peer_slots = 1;
    limits.evict_idle_after = 200ms;
    Fixture f(limits);
    std::vector<LineClient> keepalive;
    keepalive.push_back(f.client());
    keepalive.push_back(f.client());
    keep_alive(f, keepalive, 300ms);
    // Each sent a blank line within the last 10 ms, and no line in its 300 ms of life that did anything.
    auto fresh = f.client();
    CHECK(served(fresh, "fresh"));
    auto second = f.client();
    CHECK(served(second, "second"));
    CHECK(closed_without_a_byte(keepalive[0]));
    CHECK(closed_without_a_byte(keepalive[1]));
}

TEST_CASE("A catch-up request that names no neighbour does not keep a peer slot", "[limits][connections][hostile]") {
    ServerLimits limits;
    limits.max_connections = 1;
    limits.peer_slots = 1;
    limits.evict_idle_after = 0ms;
    Fixture f(limits);
    auto a = f.client();
    REQUIRE(served(a, "a"));
    auto intruder = f.client();
    intruder.send("HERDSIM-CATCHUP Nobody\n");
    CHECK(closed_without_a_byte(intruder));
    // The slot it does not keep serves a neighbour's request (Hamilton is Alford's neighbour).
    bool kept = false;
    for (int i = 0; i < 200 && !kept; ++i) {
        auto next = f.client();
        next.send("HERDSIM-CATCHUP Hamilton\nAT Hamilton +0.5 caught +1+1 1520023934 Hamilton\n");
        next.read_to_eof(100ms);
        kept = f.server->node().table().find("caught").has_value();
    }
    CHECK(kept);
    CHECK(served(a, "a2"));
}

TEST_CASE("One address holds at most half of the client slots while another address wants one",
          "[limits][connections][hostile]") {
    ServerLimits limits;
    limits.max_connections = 4;
    limits.peer_slots = 0;
    limits.evict_idle_after = 0ms;  // no idle eviction: only the share frees a slot
    Fixture f(limits);
    std::vector<LineClient> busy;
    for (int i = 0; i < 4; ++i) {
        busy.push_back(f.client());
        REQUIRE(served(busy.back(), "busy" + std::to_string(i)));
    }
    ClientFrom other1(f.io, "127.0.0.2", f.server->port());
    CHECK(std::regex_match(other1.iamat_reply("other1"), at_reply));
    ClientFrom other2(f.io, "127.0.0.2", f.server->port());
    CHECK(std::regex_match(other2.iamat_reply("other2"), at_reply));
    // 127.0.0.1 is down to half: a third from 127.0.0.2 is refused, as is a fifth from 127.0.0.1.
    ClientFrom other3(f.io, "127.0.0.2", f.server->port());
    CHECK(other3.iamat_reply("other3") == "");
    auto again = f.client();
    again.send(iamat("again"));
    CHECK(closed_without_a_byte(again));
    // The two that went were the least recently active of 127.0.0.1: the first two.
    CHECK(closed_without_a_byte(busy[0]));
    CHECK(closed_without_a_byte(busy[1]));
    CHECK(served(busy[2], "busy2b"));
    CHECK(served(busy[3], "busy3b"));
}

TEST_CASE("10 MiB of blank lines cost a few KB of log", "[limits][log][hostile]") {
    Fixture f(ServerLimits{});
    auto c = f.client();
    c.send_async(std::string(10 << 20, '\n'));
    c.shutdown_send();
    c.read_to_eof(60000ms);
    REQUIRE(c.eof());
    f.server->stop();  // flushes
    const auto size = std::filesystem::file_size(f.log_dir / "Alford.log");
    INFO("log: " << f.log().substr(0, 2000));
    CHECK(size < 8192);
}

TEST_CASE("The first 16 lines of an episode log their reason each, WHATSAT for an unknown client included",
          "[limits][log][hostile]") {
    Fixture f(ServerLimits{});
    auto c = f.client();
    std::string lines = "WHATSAT nobody 10 5\n";
    for (int i = 1; i < 20; ++i) lines += "BAD" + std::to_string(i) + "\n";
    c.send(lines);
    for (int i = 0; i < 20; ++i) REQUIRE(c.read_line().starts_with("? "));
    REQUIRE(f.log_says("invalid lines: 4 more not logged"));
    const std::string log = f.log();
    CHECK(log.find("received: WHATSAT nobody 10 5\n") != std::string::npos);
    CHECK(log.find("invalid: WHATSAT for a client this server does not know") != std::string::npos);
    for (int i = 1; i < 16; ++i) {
        INFO(i);
        CHECK(log.find("received: BAD" + std::to_string(i) + "\n") != std::string::npos);
    }
    CHECK(count_of(log, "invalid: unknown command") == 15);
    CHECK(log.find("received: BAD16\n") == std::string::npos);
    CHECK(served(c, "bystander"));
}
