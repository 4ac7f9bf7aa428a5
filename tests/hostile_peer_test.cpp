// A client that pretends to be, or abuses, the herd itself: catch-up requests from anyone, forged
// flood lines, and the optional peer secret that makes both need a MAC. Real loopback sockets.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <boost/asio/io_context.hpp>
#include <unistd.h>

#include "config/herd_config.hpp"
#include "client/line_client.hpp"
#include "net/server.hpp"
#include "protocol/catch_up_pacing.hpp"
#include "protocol/peer_mac.hpp"
#include "serve/server_options.hpp"
#include "support/sink_server.hpp"

using namespace herd;
using herd::sim::LineClient;
using herd::sim::run_for;
using herd::sim::run_until;
using namespace std::chrono_literals;

namespace {

std::filesystem::path fresh_log_dir() {
    static int made = 0;
    auto dir = std::filesystem::temp_directory_path() /
               ("herdsim-hostile-" + std::to_string(::getpid()) + "-" + std::to_string(made++));
    std::filesystem::remove_all(dir);
    return dir;
}

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::size_t lines_in(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

// Alford, with a sink as its one neighbour Hamilton, holding `records` clients.
struct Fixture {
    boost::asio::io_context io;
    std::filesystem::path log_dir = fresh_log_dir();
    test::SinkServer hamilton{io};
    std::unique_ptr<Server> server;

    explicit Fixture(int records) {
        ServerOptions options;
        options.name = "Alford";
        options.peers = {{"Hamilton", "127.0.0.1", hamilton.port()}};
        options.log_dir = log_dir;
        server = std::make_unique<Server>(io, std::move(options));
        server->start();
        std::string lines;
        for (int i = 0; i < records; ++i) lines += "IAMAT c" + std::to_string(i) + " +1+1 1520023934\n";
        LineClient c(io, server->port());
        c.send_async(lines);
        REQUIRE(c.count_lines(records, "AT ").matching == static_cast<std::size_t>(records));
        // The start's catch-up request, then every record's flood line.
        REQUIRE(run_until(io, [&] { return lines_in(hamilton.received()) == static_cast<std::size_t>(records) + 1; }, 30000ms));
    }
    ~Fixture() {
        server.reset();
        std::filesystem::remove_all(log_dir);
    }
    std::string log() const { return read_text(log_dir / "Alford.log"); }
};

}  // namespace

TEST_CASE("Catch-up requests from anyone: a request while one is owed or under way is a no-op, and one is "
          "honoured at most once per interval", "[catch-up][hostile]") {
    constexpr int records = 2000;
    Fixture f(records);
    const std::size_t base = lines_in(f.hamilton.received());
    LineClient attacker(f.io, f.server->port());
    const auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < 5; ++i) {
        const std::size_t before = lines_in(f.hamilton.received());
        attacker.send("HERDSIM-CATCHUP Hamilton\n");
        run_until(f.io, [&] { return lines_in(f.hamilton.received()) >= before + records; }, 200ms);
    }
    run_for(f.io, 300ms);
    const auto spent = std::chrono::steady_clock::now() - started;
    const std::size_t walks = (lines_in(f.hamilton.received()) - base) / records;
    INFO("walks " << walks << " in " << std::chrono::duration_cast<std::chrono::milliseconds>(spent).count() << " ms");
    CHECK(walks >= 1);
    // One at once, then at most one per second (the default interval).
    CHECK(walks <= 1 + static_cast<std::size_t>(spent / 1s));
    CHECK(f.log().find("catch-up owed to Hamilton: every record will be sent in ") != std::string::npos);
    CHECK(attacker.read_to_eof(10ms).empty());  // no reply to a request from a neighbour's name
}

TEST_CASE("A catch-up request during a walk never restarts it: every record arrives before any arrives twice",
          "[catch-up][hostile]") {
    constexpr int records = 20000;  // about 1.2 MB: several 256 KiB batches
    Fixture f(records);
    const std::size_t base = f.hamilton.received().size();
    LineClient attacker(f.io, f.server->port());
    attacker.send("HERDSIM-CATCHUP Hamilton\n");
    REQUIRE(run_until(f.io, [&] { return f.hamilton.received().size() > base; }));
    for (int i = 0; i < 20; ++i) {
        attacker.send("HERDSIM-CATCHUP Hamilton\nHERDSIM-CATCHUP Hamilton\n");
        run_for(f.io, 1ms);
    }
    REQUIRE(run_until(f.io, [&] { return lines_in(f.hamilton.received().substr(base)) >= records; }, 30000ms));
    std::set<std::string> seen;
    std::istringstream walk(f.hamilton.received().substr(base));
    std::string line;
    while (seen.size() < records && std::getline(walk, line)) {
        INFO(line);
        REQUIRE(seen.insert(line).second);  // a repeat before the last record: the walk restarted
    }
    CHECK(seen.size() == records);
}

TEST_CASE("Without a peer secret a flood line is accepted from any connection, one that began as a client too",
          "[flood][hostile]") {
    Fixture f(0);
    LineClient c(f.io, f.server->port());
    c.send("IAMAT victim +1+1 1520023934\n");
    REQUIRE(c.read_line().starts_with("AT Alford "));
    c.send("AT Hamilton +0.000000001 victim +48.858370+002.294481 1520023935 Hamilton\n");
    REQUIRE(run_until(f.io, [&] { return f.server->node().table().find("victim")->at_line.find("+48.858370") !=
                                         std::string::npos; }));
    CHECK(c.read_to_eof(50ms).empty());  // a flood line gets no reply
}

namespace {

const std::string secret_herd = R"({"servers": {"Alford": {"host": "127.0.0.1", "port": 1},
                                                 "Hamilton": {"host": "127.0.0.1", "port": 2}},
                                     "links": [["Alford", "Hamilton"]],
                                     "peer_secret": "correct horse battery staple"})";

// Alford and Hamilton of `config` on ports the OS picks, linked directly.
struct Pair {
    boost::asio::io_context io;
    std::filesystem::path log_dir = fresh_log_dir();
    std::unique_ptr<Server> alford, hamilton;

    explicit Pair(const HerdConfig& config) {
        ServerOptions tunables;
        tunables.log_dir = log_dir;
        auto a = server_options(config, "Alford", tunables);
        auto h = server_options(config, "Hamilton", tunables);
        a.port = h.port = 0;
        alford = std::make_unique<Server>(io, a);
        hamilton = std::make_unique<Server>(io, h);
        alford->listen();
        hamilton->listen();
        alford->set_peer_addresses({{"Hamilton", "127.0.0.1", hamilton->port()}});
        hamilton->set_peer_addresses({{"Alford", "127.0.0.1", alford->port()}});
        alford->start();
        hamilton->start();
    }
    ~Pair() {
        alford.reset();
        hamilton.reset();
        std::filesystem::remove_all(log_dir);
    }
    std::string log(const char* name) const { return read_text(log_dir / (std::string(name) + ".log")); }
};

}  // namespace

TEST_CASE("With a peer secret, servers flood to each other and a forged flood line is ignored and logged",
          "[flood][hostile][auth]") {
    const HerdConfig config = parse_config(secret_herd, "herd.json");
    Pair herd(config);
    LineClient client(herd.io, herd.alford->port());
    client.send("IAMAT kiwi +1+1 1520023934\n");
    REQUIRE(client.read_line().starts_with("AT Alford "));
    CHECK(run_until(herd.io, [&] { return herd.hamilton->node().table().find("kiwi").has_value(); }));

    LineClient forger(herd.io, herd.hamilton->port());
    forger.send("AT Alford +0.000000001 kiwi +48.858370+002.294481 1520023935 Alford\n"
                "HERDSIM-CATCHUP Alford\n");
    CHECK(forger.read_to_eof(200ms).empty());
    CHECK(herd.hamilton->node().table().find("kiwi")->at_line.find("+48.858370") == std::string::npos);
    CHECK(run_until(herd.io, [&] { return herd.log("Hamilton").find("without a valid MAC") != std::string::npos; }));
}

TEST_CASE("PeerMac: the wire form, checked against OpenSSL's command line, every change to the line fails",
          "[auth][hostile]") {
    const PeerMac mac("correct horse battery staple");
    const Nanos now = 1520023935000000000;
    std::string signed_line;
    mac.sign("AT Alford +0.5 c +1+1 1520023934 Alford", now, signed_line);
    // printf 'AT Alford +0.5 c +1+1 1520023934 Alford mac:1520023935000:' |
    //   openssl dgst -sha256 -hmac "correct horse battery staple"
    CHECK(signed_line == "AT Alford +0.5 c +1+1 1520023934 Alford mac:1520023935000:"
                         "e8766a0d49b5221764ebafaf4fe227aab43354742455fd54b00f8c188bddd918");
    const auto good = mac.check(signed_line, now);
    CHECK(good.failure.empty());
    CHECK(good.line == "AT Alford +0.5 c +1+1 1520023934 Alford");
    CHECK(mac.check(signed_line + " \r", now + 299'000'000'000).failure.empty());  // trailing blanks, 299 s later

    CHECK(mac.check("AT Alford +0.5 c +1+1 1520023934 Alford", now).failure == "no MAC field");
    std::string forged = signed_line;
    forged[15] = '2';  // the client's coordinates
    CHECK(mac.check(forged, now).failure == "a MAC that does not match");
    CHECK(PeerMac("another secret of 16+").check(signed_line, now).failure == "a MAC that does not match");
    CHECK(mac.check(signed_line.substr(0, signed_line.size() - 1), now).failure == "a malformed MAC field");
    CHECK(mac.check(signed_line, now + 301'000'000'000).failure == "a MAC made more than 5 minutes from this server's clock");
    CHECK(mac.check(signed_line, now - 301'000'000'000).failure == "a MAC made more than 5 minutes from this server's clock");
    std::string later_stamp = signed_line;
    later_stamp.replace(later_stamp.find("1520023935000"), 13, "1520023936000");  // a replay with a fresh time
    CHECK(mac.check(later_stamp, now).failure == "a MAC that does not match");

    std::string batch;
    mac.sign_lines("HERDSIM-CATCHUP Alford\nAT Alford +0.5 c +1+1 1520023934 Alford\n", now, batch);
    const std::string first = batch.substr(0, batch.find('\n'));
    CHECK(first.starts_with("HERDSIM-CATCHUP Alford mac:1520023935000:"));
    CHECK(mac.check(first, now).line == "HERDSIM-CATCHUP Alford");
    CHECK(batch.substr(first.size() + 1) == signed_line + "\n");
    CHECK(is_peer_line("  AT x"));
    CHECK(is_peer_line("HERDSIM-CATCHUP"));
    CHECK_FALSE(is_peer_line("IAMAT AT"));
    CHECK_FALSE(is_peer_line("ATX"));
}

TEST_CASE("CatchUpPacing: requested walks at most once per interval, an early one waiting for it, and at "
          "most half the time", "[catch-up][hostile]") {
    using Clock = CatchUpPacing::Clock;
    CatchUpPacing pacing(1000ms);
    const Clock::time_point t0{};
    CHECK(pacing.earliest() == Clock::time_point::min());  // the first request: at once
    pacing.walk_began(t0, true);
    pacing.walk_ended(t0 + 10ms);
    CHECK(pacing.earliest() == t0 + 1000ms);  // the second waits for the interval...
    pacing.walk_began(t0 + 1000ms, true);
    pacing.walk_ended(t0 + 1010ms);
    CHECK(pacing.earliest() == t0 + 2000ms);  // ...and so on, one per interval
    // A walk of this server's own debt does not start the interval, but counts for the half.
    pacing.walk_began(t0 + 10'000ms, false);
    pacing.walk_ended(t0 + 13'000ms);
    CHECK(pacing.earliest() == t0 + 16'000ms);  // three seconds long: three more after it ended
    pacing.walk_began(t0 + 16'000ms, true);
    pacing.walk_ended(t0 + 16'010ms);
    CHECK(pacing.earliest() == t0 + 17'000ms);
    CatchUpPacing none(0ms);
    none.walk_began(t0, true);
    none.walk_ended(t0);
    CHECK(none.earliest() == t0);
}

TEST_CASE("With a peer secret, every line on a link is signed when written, the start's request first",
          "[flood][hostile][auth]") {
    boost::asio::io_context io;
    test::SinkServer hamilton(io);
    ServerOptions options;
    options.name = "Alford";
    options.peers = {{"Hamilton", "127.0.0.1", hamilton.port()}};
    options.peer_secret = "correct horse battery staple";
    Server alford(io, options);
    alford.start();
    LineClient client(io, alford.port());
    client.send("IAMAT kiwi +1+1 1520023934\n");
    const std::string at = client.read_line();
    REQUIRE(run_until(io, [&] { return lines_in(hamilton.received()) == 2; }));
    std::istringstream lines(hamilton.received());
    std::string request, flood;
    std::getline(lines, request);
    std::getline(lines, flood);
    const PeerMac mac(options.peer_secret);
    const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
    CHECK(mac.check(request, now).failure.empty());
    CHECK(mac.check(request, now).line == "HERDSIM-CATCHUP Alford");
    CHECK(mac.check(flood, now).failure.empty());
    CHECK(mac.check(flood, now).line == at.substr(0, at.size() - 1) + " Alford");
}
