// Out of file descriptors (a server, a relay, the mock Places). An accept that fails must not be
// retried at once: the connection stays in the listening socket's backlog, so the next accept fails
// at once too, and a loop that re-arms at once spins at 100% CPU inside io_context::poll and
// starves everything else on the loop (the process's descriptor limit is lowered and every
// descriptor under it taken, then given back). And a herd bigger than the process's descriptors is
// refused at its start, saying how many it needs.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <utility>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <random>
#include <string>
#include <vector>

#include <sys/resource.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "herd/herd.hpp"
#include "herd/relay.hpp"
#include "net/server.hpp"
#include "serve/mock_places.hpp"
#include "scenario/topology.hpp"
#include "support/child_process.hpp"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// Takes every descriptor the process may still open, under a soft limit lowered for the test, and
// gives them (and the limit) back when destroyed.
class DescriptorsExhausted {
public:
    DescriptorsExhausted() {
        getrlimit(RLIMIT_NOFILE, &saved_);
        rlimit low = saved_;
        low.rlim_cur = std::min<rlim_t>(saved_.rlim_cur, 512);
        setrlimit(RLIMIT_NOFILE, &low);
        const int first = open("/dev/null", O_RDONLY);
        if (first < 0) return;
        taken_.push_back(first);
        for (int fd; (fd = dup(first)) >= 0;) taken_.push_back(fd);
    }
    ~DescriptorsExhausted() { give_back(); }
    void give_back() {
        for (int fd : taken_) close(fd);
        taken_.clear();
        setrlimit(RLIMIT_NOFILE, &saved_);
    }
    std::size_t taken() const { return taken_.size(); }

private:
    rlimit saved_{};
    std::vector<int> taken_;
};

// A connection that waits in `port`'s backlog: the kernel completes the handshake without an accept.
tcp::socket connect_to(asio::io_context& io, std::uint16_t port) {
    tcp::socket socket(io);
    socket.connect({asio::ip::address_v4::loopback(), port});
    return socket;
}

// Handlers the loop runs in a fixed span: an accept loop that spins runs hundreds of thousands; one
// that waits between attempts a handful.
std::size_t handlers_in(asio::io_context& io, std::chrono::milliseconds span) {
    io.restart();
    return io.run_for(span);
}

}  // namespace

TEST_CASE("A relay out of descriptors does not spin on its accept, and accepts once they are back") {
    asio::io_context io;
    std::mt19937_64 rng(1);
    herd::sim::Relay relay(io, "A", "B", rng);
    const auto port = relay.listen();
    auto client = connect_to(io, port);
    {
        DescriptorsExhausted exhausted;
        REQUIRE(exhausted.taken() > 0);
        CHECK(handlers_in(io, 300ms) < 100);
        CHECK(relay.stats().connections == 0);
        exhausted.give_back();
        for (int i = 0; i < 50 && relay.stats().connections == 0; ++i) handlers_in(io, 20ms);
    }
    CHECK(relay.stats().connections == 1);
    relay.stop();
}

TEST_CASE("A server out of descriptors does not spin on its accept, and serves once they are back") {
    asio::io_context io;
    herd::ServerOptions options;
    options.name = "Alford";
    herd::Server server(io, options);
    const auto port = server.listen();
    auto client = connect_to(io, port);
    {
        DescriptorsExhausted exhausted;
        REQUIRE(exhausted.taken() > 0);
        CHECK(handlers_in(io, 300ms) < 100);
    }
    asio::write(client, asio::buffer(std::string("WHATSAT nobody 10 5\n")));
    std::string reply(64, '\0');
    std::size_t got = 0;
    client.non_blocking(true);
    for (int i = 0; i < 100 && (got == 0 || reply[got - 1] != '\n'); ++i) {
        handlers_in(io, 10ms);
        boost::system::error_code ec;
        got += client.read_some(asio::buffer(reply.data() + got, reply.size() - got), ec);
    }
    CHECK(reply.substr(0, got) == "? WHATSAT nobody 10 5\n");
    server.stop();
}

TEST_CASE("The mock Places service out of descriptors does not spin on its accept, and serves once they are back") {
    asio::io_context io;
    herd::serve::MockPlaces places(io.get_executor());
    auto client = connect_to(io, places.port());
    {
        DescriptorsExhausted exhausted;
        REQUIRE(exhausted.taken() > 0);
        CHECK(handlers_in(io, 300ms) < 100);
        CHECK(places.open_connections() == 0);
    }
    for (int i = 0; i < 50 && places.open_connections() == 0; ++i) handlers_in(io, 20ms);
    CHECK(places.open_connections() == 1);
    places.stop();
}

namespace {

// `herdsim run` on a random herd of `nodes` nodes, as a user runs it from a shell whose descriptor
// limit (soft and hard) is 1024; returns the exit code and the output.
std::pair<std::optional<int>, std::string> run_with_1024_descriptors(int nodes) {
    const auto folder = std::filesystem::path(HERDSIM_TEST_WORK_DIR) / ("descriptors-" + std::to_string(nodes));
    std::filesystem::remove_all(folder);
    std::filesystem::create_directories(folder);
    std::ofstream(folder / "big.json") << R"({"name": "big", "description": "an empty herd, started and stopped", "seed": 1,
  "herd": {"topology": {"kind": "random", "nodes": )" << nodes << R"(, "degree": 4}},
  "steps": [{"at_ms": 0, "wait_quiet": {"quiet_ms": 10, "timeout_ms": 10000}}]})";
    asio::io_context io;
    herd::test::ChildProcess run(
        io, "/bin/sh",
        {"-c", std::string("ulimit -n 1024 && ulimit -Hn 1024 && exec ") + HERDSIM_BINARY + " run big.json --out out"},
        folder);
    const auto code = run.wait_for_exit(60s);
    return {code, run.output()};
}

}  // namespace

TEST_CASE("A herd that needs more descriptors than the process may open is refused, saying how many") {
    // 300 nodes of degree 4 with relays and logs: 64 + 3 * 300 + 4 * 1200 descriptors.
    const auto [code, output] = run_with_1024_descriptors(300);
    CHECK(code == 2);
    CHECK_THAT(output, Catch::Contains("a herd of 300 nodes and 600 links needs about 5764 file descriptors, and "
                                       "this process may open 1024"));
    // 25 nodes: 64 + 75 + 4 * 100 fit.
    const auto [small_code, small_output] = run_with_1024_descriptors(25);
    CHECK(small_code == 0);
    CHECK_THAT(small_output, !Catch::Contains("file descriptors"));
}

namespace {

std::size_t open_descriptors() {
    const auto fds = std::filesystem::directory_iterator("/proc/self/fd");
    return static_cast<std::size_t>(std::distance(begin(fds), end(fds)));
}

// Sockets in TIME_WAIT (state 06 in /proc/net/tcp) with either end on one of `ports`.
std::size_t time_waits_on(const std::set<std::uint16_t>& ports) {
    std::ifstream table("/proc/net/tcp");
    std::string line;
    std::getline(table, line);  // the header
    std::size_t count = 0;
    while (std::getline(table, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state;
        fields >> slot >> local >> remote >> state;
        const auto port_of = [](const std::string& end) {
            return static_cast<std::uint16_t>(std::stoul(end.substr(end.find(':') + 1), nullptr, 16));
        };
        if (state == "06" && (ports.count(port_of(local)) || ports.count(port_of(remote)))) ++count;
    }
    return count;
}

}  // namespace

TEST_CASE("A herd takes per node one descriptor, or two with relays, and per link direction two, or four with "
          "relays, and leaves no connection of its links in TIME_WAIT when it stops") {
    const bool relays = GENERATE(true, false);
    INFO((relays ? "relayed" : "direct"));
    asio::io_context io;
    std::mt19937_64 rng(1);
    herd::sim::HerdOptions options;
    options.rng = &rng;
    options.relays = relays;
    const auto config = herd::sim::make_topology({.kind = "ring", .nodes = 5});
    herd::sim::Herd herd(io, config, options);
    const std::size_t before_herd = open_descriptors();  // the event loop's own are open by now
    herd.start();
    // Per node its listener (and the one of the relays into it); per link direction the sender's
    // socket and the receiver's (and the relay's two). Reached once every link is up.
    const std::size_t wanted = (relays ? 2 : 1) * config.servers.size() + (relays ? 4 : 2) * 2 * config.links.size();
    for (int i = 0; i < 500 && open_descriptors() - before_herd != wanted; ++i) handlers_in(io, 10ms);
    REQUIRE(open_descriptors() - before_herd == wanted);
    // Both ends of every link: the one that closed first would be left in TIME_WAIT. A port the
    // system gave a server may still have another process's old connections in TIME_WAIT on it;
    // those only go.
    std::set<std::uint16_t> ports;
    for (const auto& s : config.servers) ports.insert(herd.port(s.name));
    const std::size_t before = time_waits_on(ports);
    herd.stop();
    // Every close finished: the run returns once nothing is left to do (a bound only against a hang).
    io.run_for(30s);
    CHECK(io.stopped());
    CHECK(time_waits_on(ports) <= before);
}
