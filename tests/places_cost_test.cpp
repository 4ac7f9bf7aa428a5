// What WHATSATs may cost a server, through real loopback sockets against a local mock Places: the
// rate and in-flight bounds, the answer cache, and serve's defaults under a burst.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "client/line_client.hpp"
#include "net/server.hpp"
#include "protocol/places_reply.hpp"
#include "serve/mock_places.hpp"

namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using herd::PlacesLimits;
using herd::whatsat_failure_reply;
using herd::whatsat_reply;
using herd::sim::LineClient;
using herd::serve::MockPlaces;
using herd::serve::MockPlacesRule;
using herd::sim::run_until;

const std::string ok_body =
    R"({"html_attributions": [], "results": [{"name": "A"}, {"name": "B"}, {"name": "C"}], "status": "OK"})";
const std::string rate_refusal =
    "Places rate limit reached: this server sends at most 1 requests a second (bursts of 2)";
const std::string in_flight_refusal =
    "Places in-flight limit reached: 1 requests of this server are already waiting for the Places service";

// One server whose Places service is a mock on loopback, logging into a folder of its own.
struct Limited {
    asio::io_context io;
    MockPlaces mock{io.get_executor()};
    fs::path log_dir = fs::temp_directory_path() / ("herdsim-places-cost-" + std::to_string(::getpid()));
    std::unique_ptr<herd::Server> server;

    explicit Limited(const PlacesLimits& limits, std::chrono::milliseconds timeout = 5000ms) {
        fs::remove_all(log_dir);
        herd::ServerOptions options;
        options.name = "Alford";
        options.log_dir = log_dir;
        options.places.base_url = mock.url();
        options.places.timeout = timeout;
        options.places.limits = limits;
        mock.set_rules({{.body = ok_body}});
        server = std::make_unique<herd::Server>(io, std::move(options));
        server->start();
    }
    ~Limited() {
        server->stop();
        fs::remove_all(log_dir);
    }
    LineClient client() { return LineClient(io, server->port()); }

    std::string log() {
        server->stop();  // flushes the log
        std::ifstream in(log_dir / "Alford.log");
        std::ostringstream text;
        text << in.rdbuf();
        return text.str();
    }
};

// Reports `client` at `location` on `c`; returns the stored AT line (no '\n').
std::string report(LineClient& c, const std::string& client, const std::string& location = "+34.068930-118.445127",
                   const std::string& time = "1520023934.918963997") {
    c.send("IAMAT " + client + " " + location + " " + time + "\n");
    std::string at = c.read_line();
    REQUIRE(at.starts_with("AT Alford "));
    at.pop_back();
    return at;
}

std::string whatsat(LineClient& c, const std::string& line) {
    c.send(line + "\n");
    return c.read_until("\n\n");
}

std::size_t count(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
    return n;
}

}  // namespace

TEST_CASE("serve's defaults answer 100 WHATSATs for different places at once in full", "[places_cost]") {
    Limited f(herd::serve_places_limits);
    // Slow enough that all 100 requests are in flight together.
    f.mock.set_rules({{.body = ok_body, .delay = 200ms}});
    auto reporter = f.client();
    std::vector<std::string> at_lines;
    for (int i = 0; i < 100; ++i)
        at_lines.push_back(report(reporter, "client" + std::to_string(i), "+34." + std::to_string(100000 + i) + "-118.445127"));
    std::vector<LineClient> clients;
    for (int i = 0; i < 100; ++i) clients.push_back(f.client());
    for (int i = 0; i < 100; ++i) clients[i].send("WHATSAT client" + std::to_string(i) + " 10 2\n");
    for (int i = 0; i < 100; ++i) CHECK(clients[i].read_until("\n\n", 20s) == whatsat_reply(at_lines[i], ok_body, 2));
    CHECK(f.mock.request_count() == 100);
}

TEST_CASE("Over the rate: UNKNOWN_ERROR naming the limit, no request, a bystander still served, one log line",
          "[places_cost]") {
    SECTION("with the limit") {
        Limited f(PlacesLimits{.rate_per_second = 1, .burst = 2});
        auto c = f.client();
        const std::string at = report(c, "kiwi");
        CHECK(whatsat(c, "WHATSAT kiwi 10 1") == whatsat_reply(at, ok_body, 1));
        CHECK(whatsat(c, "WHATSAT kiwi 10 2") == whatsat_reply(at, ok_body, 2));
        CHECK(whatsat(c, "WHATSAT kiwi 10 3") == whatsat_failure_reply(at, rate_refusal));
        CHECK(whatsat(c, "WHATSAT kiwi 10 3") == whatsat_failure_reply(at, rate_refusal));
        CHECK(f.mock.request_count() == 2);
        auto bystander = f.client();
        report(bystander, "bystander");
        const std::string log = f.log();
        CHECK(count(log, rate_refusal) == 1);
        CHECK(count(log, "Places request: GET") == 2);
    }
    SECTION("without it every WHATSAT asks") {
        Limited f(PlacesLimits{});
        auto c = f.client();
        const std::string at = report(c, "kiwi");
        for (int i = 0; i < 4; ++i) CHECK(whatsat(c, "WHATSAT kiwi 10 3") == whatsat_reply(at, ok_body, 3));
        CHECK(f.mock.request_count() == 4);
    }
}

TEST_CASE("Over the in-flight bound: UNKNOWN_ERROR naming it at once, and once the request ends, requests go again",
          "[places_cost]") {
    Limited f(PlacesLimits{.max_in_flight = 1}, 500ms);
    f.mock.set_rules({{.never_answer = true}});
    auto waiting = f.client();
    const std::string at = report(waiting, "kiwi");
    waiting.send("WHATSAT kiwi 10 1\n");
    REQUIRE(run_until(f.io, [&] { return f.mock.request_count() == 1; }, 10s));

    auto second = f.client();
    CHECK(whatsat(second, "WHATSAT kiwi 10 1") == whatsat_failure_reply(at, in_flight_refusal));
    auto bystander = f.client();
    report(bystander, "bystander");
    CHECK(f.mock.request_count() == 1);

    CHECK(waiting.read_until("\n\n", 10s) ==
          whatsat_failure_reply(at, "the Places service did not answer within 500 ms"));
    f.mock.set_rules({{.body = ok_body}});
    CHECK(whatsat(second, "WHATSAT kiwi 10 1") == whatsat_reply(at, ok_body, 1));
    CHECK(f.mock.request_count() == 2);
    const std::string log = f.log();
    CHECK(count(log, in_flight_refusal) == 1);
    CHECK(count(log, "Places in-flight limit: 1 WHATSAT(s) refused in ") == 1);
}

TEST_CASE("A cached answer costs no request, its bound cuts it, another radius or a non-OK answer asks again",
          "[places_cost]") {
    Limited f(PlacesLimits{.cache_ttl = 1h, .cache_entries = 16, .cache_bytes = 1 << 20});
    auto c = f.client();
    const std::string at = report(c, "kiwi");
    CHECK(whatsat(c, "WHATSAT kiwi 10 3") == whatsat_reply(at, ok_body, 3));
    CHECK(f.mock.request_count() == 1);
    CHECK(whatsat(c, "WHATSAT kiwi 10 1") == whatsat_reply(at, ok_body, 1));
    // A newer report from the same place: its own AT line, the cached places.
    const std::string newer = report(c, "kiwi", "+34.068930-118.445127", "1520023935");
    CHECK(whatsat(c, "WHATSAT kiwi 10 2") == whatsat_reply(newer, ok_body, 2));
    CHECK(f.mock.request_count() == 1);
    CHECK(whatsat(c, "WHATSAT kiwi 5 1") == whatsat_reply(newer, ok_body, 1));
    CHECK(f.mock.request_count() == 2);

    const std::string denied = R"({"results": [], "status": "OVER_QUERY_LIMIT"})";
    f.mock.set_rules({{.body = denied}});
    auto other = f.client();
    const std::string elsewhere = report(other, "elsewhere", "+10.5-20.5");
    CHECK(whatsat(other, "WHATSAT elsewhere 10 1") == whatsat_reply(elsewhere, denied, 1));
    CHECK(whatsat(other, "WHATSAT elsewhere 10 1") == whatsat_reply(elsewhere, denied, 1));
    CHECK(f.mock.request_count() == 4);

    f.server->clear_places_cache();
    f.mock.set_rules({{.body = ok_body}});
    CHECK(whatsat(c, "WHATSAT kiwi 10 1") == whatsat_reply(newer, ok_body, 1));
    CHECK(f.mock.request_count() == 5);
    CHECK(count(f.log(), "Places answer from the cache") == 2);
}

TEST_CASE("A cached answer past its TTL costs one request", "[places_cost]") {
    Limited f(PlacesLimits{.cache_ttl = 50ms, .cache_entries = 16, .cache_bytes = 1 << 20});
    auto c = f.client();
    const std::string at = report(c, "kiwi");
    CHECK(whatsat(c, "WHATSAT kiwi 10 1") == whatsat_reply(at, ok_body, 1));
    const auto answered = std::chrono::steady_clock::now();
    REQUIRE(f.mock.request_count() == 1);
    // The event this waits for is the TTL running out on the server's clock.
    run_until(f.io, [&] { return std::chrono::steady_clock::now() >= answered + 50ms; }, 10s);
    CHECK(whatsat(c, "WHATSAT kiwi 10 1") == whatsat_reply(at, ok_body, 1));
    CHECK(f.mock.request_count() == 2);
}

TEST_CASE("A crash forgets the cached answers", "[places_cost]") {
    Limited f(PlacesLimits{.cache_ttl = 1h, .cache_entries = 16, .cache_bytes = 1 << 20});
    {
        auto c = f.client();
        const std::string at = report(c, "kiwi");
        CHECK(whatsat(c, "WHATSAT kiwi 10 1") == whatsat_reply(at, ok_body, 1));
    }
    f.server->stop();
    f.server->start();
    auto c = f.client();
    const std::string at = report(c, "kiwi");
    CHECK(whatsat(c, "WHATSAT kiwi 10 1") == whatsat_reply(at, ok_body, 1));
    CHECK(f.mock.request_count() == 2);
}
