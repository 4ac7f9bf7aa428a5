// The Places client against the mock Places service, over real loopback sockets (HTTP and HTTPS).
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

#include "client/line_client.hpp"
#include "places/places_client.hpp"
#include "serve/mock_places.hpp"
#include "support/test_certificate.hpp"

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Catch::Contains;
using herd::PlacesAnswer;
using herd::PlacesApi;
using herd::PlacesClient;
using herd::PlacesQuery;
using herd::PlacesSettings;
using herd::serve::MockPlaces;
using herd::serve::MockPlacesOptions;
using herd::serve::MockPlacesRule;
using herd::serve::MockPlacesTls;
using herd::sim::run_until;
using herd::test::make_test_certificate;
using herd::test::TemporaryFile;

// Characters a query string must escape, so the test sees the encoding.
const std::string api_key = "test key/+&=";
const std::string encoded_key = "test%20key%2F%2B%26%3D";
const std::string legacy_target =
    "/maps/api/place/nearbysearch/json?location=34.068930,-118.445127&radius=10000&key=" + encoded_key;
const std::string new_body =
    R"({"maxResultCount": 5, "locationRestriction": {"circle": {"center": {"latitude": 34.068930, )"
    R"("longitude": -118.445127}, "radius": 10000}}})";

PlacesQuery ucla() {
    return {"AT Alford +0.263873386 kiwi.cs.ucla.edu +34.068930-118.445127 1520023934.918963997", "34.068930",
            "-118.445127", "10000", 5};
}

PlacesSettings settings_for(const std::string& url, PlacesApi api = PlacesApi::legacy) {
    PlacesSettings settings;
    settings.api = api;
    settings.base_url = url;
    settings.api_key = api_key;
    settings.timeout = 3000ms;
    return settings;
}

std::string sample(const std::string& name) {
    std::ifstream file(std::string(HERDSIM_TEST_DATA_DIR) + "/places/" + name, std::ios::binary);
    REQUIRE(file);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

// Fetches `times` times in a row, then stops the mock. Bounded: a fetch that never returns fails
// the test instead of hanging it.
std::vector<PlacesAnswer> fetch(asio::io_context& io, PlacesClient& client, MockPlaces* mock, int times = 1,
                                const PlacesQuery& query = ucla()) {
    std::vector<PlacesAnswer> answers;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            for (int i = 0; i < times; ++i) answers.push_back(co_await client.fetch(query));
            if (mock) mock->stop();
        },
        asio::detached);
    run_until(io, [&] { return answers.size() == static_cast<std::size_t>(times); }, 10s);
    REQUIRE(answers.size() == static_cast<std::size_t>(times));
    for (const auto& answer : answers) CHECK_THAT(answer.error, !Contains(api_key));
    return answers;
}

PlacesAnswer fetch_one(asio::io_context& io, PlacesClient& client, MockPlaces* mock) {
    return fetch(io, client, mock).front();
}

MockPlacesOptions tls_options(const herd::test::TestCertificate& certificate) {
    MockPlacesOptions options;
    options.tls = MockPlacesTls{certificate.certificate_pem, certificate.private_key_pem};
    return options;
}

std::uint16_t closed_port(asio::io_context& io) {
    asio::ip::tcp::acceptor acceptor(io, {asio::ip::address_v4::loopback(), 0});
    return acceptor.local_endpoint().port();  // closed when `acceptor` goes
}

}  // namespace

TEST_CASE("legacy API: GET with the exact target, the key URL-encoded", "[places_client]") {
    asio::io_context io;
    MockPlaces mock(io.get_executor());
    PlacesClient client(io.get_executor(), settings_for(mock.url()));

    const auto answer = fetch_one(io, client, &mock);
    REQUIRE(answer.ok);
    CHECK(answer.http_status == 200);
    CHECK(answer.body == MockPlaces::default_body);

    REQUIRE(mock.request_count() == 1);
    const auto& request = mock.requests().front();
    CHECK(request.method == "GET");
    CHECK(request.target == legacy_target);
    CHECK(request.host == "127.0.0.1:" + std::to_string(mock.port()));
    CHECK(request.api == "legacy");
    CHECK(request.location == "34.068930,-118.445127");
    CHECK(request.radius == "10000");
    CHECK(request.key == api_key);
    CHECK(request.api_key.empty());
    CHECK(request.body.empty());
    CHECK_FALSE(request.rule.has_value());
}

TEST_CASE("a base URL prefix goes in front of the API path", "[places_client]") {
    asio::io_context io;
    MockPlaces mock(io.get_executor());
    PlacesClient client(io.get_executor(), settings_for(mock.url() + "/google/"));

    REQUIRE(fetch_one(io, client, &mock).ok);
    CHECK(mock.requests().at(0).target == "/google" + legacy_target);
}

TEST_CASE("new API: POST with the key and field mask headers and the exact JSON body", "[places_client]") {
    asio::io_context io;
    MockPlaces mock(io.get_executor());
    PlacesClient client(io.get_executor(), settings_for(mock.url(), PlacesApi::places_new));

    REQUIRE(fetch_one(io, client, &mock).ok);
    REQUIRE(mock.request_count() == 1);
    const auto& request = mock.requests().front();
    CHECK(request.method == "POST");
    CHECK(request.target == "/v1/places:searchNearby");
    CHECK(request.api == "new");
    CHECK(request.api_key == api_key);
    CHECK(request.key == api_key);
    CHECK_THAT(request.field_mask,
               Contains("places.displayName") && Contains("places.formattedAddress") && Contains("places.location"));
    CHECK(request.content_type == "application/json");
    CHECK(request.body == new_body);
    CHECK(request.location == "34.068930,-118.445127");
    CHECK(request.radius == "10000");
}

TEST_CASE("new API: every decimal the client sent becomes a valid JSON number", "[places_client]") {
    asio::io_context io;
    MockPlaces mock(io.get_executor());
    PlacesClient client(io.get_executor(), settings_for(mock.url(), PlacesApi::places_new));
    const PlacesQuery query{"AT ...", "05.50", "-007.", "2500.5", 20};

    REQUIRE(fetch(io, client, &mock, 1, query).front().ok);
    const auto& request = mock.requests().at(0);
    REQUIRE(nlohmann::json::accept(request.body));
    CHECK(request.location == "5.50,-7");
    CHECK(request.radius == "2500.5");
    CHECK(nlohmann::json::parse(request.body).at("maxResultCount") == 20);
}

TEST_CASE("an HTTP 200 body is passed on byte for byte", "[places_client]") {
    asio::io_context io;
    MockPlaces mock(io.get_executor());
    const std::string body = sample("nearbysearch_ok_mumbai_2013_raw.json");
    mock.add_rule({.body = body});
    PlacesClient client(io.get_executor(), settings_for(mock.url()));

    const auto answer = fetch_one(io, client, &mock);
    REQUIRE(answer.ok);
    CHECK(answer.body == body);
    CHECK(mock.requests().at(0).rule == 0u);
}

TEST_CASE("rules match on API, location and radius, the first match answers", "[places_client]") {
    asio::io_context io;
    MockPlaces mock(io.get_executor());
    mock.set_rules({
        {.radius = "5000", .body = "radius 5000"},
        {.api = "legacy", .location = "34.068930,-118.445127", .body = "legacy UCLA"},
        {.location = "34.068930,-118.445127", .body = "any UCLA"},
    });
    PlacesClient legacy(io.get_executor(), settings_for(mock.url()));
    PlacesClient places_new(io.get_executor(), settings_for(mock.url(), PlacesApi::places_new));

    std::vector<PlacesAnswer> answers;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            answers.push_back(co_await legacy.fetch(ucla()));
            answers.push_back(co_await places_new.fetch(ucla()));
            mock.stop();
        },
        asio::detached);
    run_until(io, [&] { return answers.size() == 2; }, 10s);
    REQUIRE(answers.size() == 2);
    CHECK(answers[0].body == "legacy UCLA");
    CHECK(answers[1].body == "any UCLA");
    CHECK(mock.requests().at(0).rule == 1u);
    CHECK(mock.requests().at(1).rule == 2u);
}

TEST_CASE("HTTPS with the test's own CA verifies and fetches", "[places_client][tls]") {
    const auto certificate = make_test_certificate();
    const TemporaryFile ca(certificate.certificate_pem);
    asio::io_context io;
    MockPlaces mock(io.get_executor(), tls_options(certificate));
    REQUIRE(mock.url().starts_with("https://localhost:"));

    SECTION("by name") {
        auto settings = settings_for(mock.url());
        settings.ca_file = ca.path().string();
        PlacesClient client(io.get_executor(), settings);
        const auto answer = fetch_one(io, client, &mock);
        INFO(answer.error);
        REQUIRE(answer.ok);
        CHECK(answer.body == MockPlaces::default_body);
        CHECK(mock.requests().at(0).host == "localhost:" + std::to_string(mock.port()));
    }
    SECTION("by IP address") {
        auto settings = settings_for("https://127.0.0.1:" + std::to_string(mock.port()), PlacesApi::places_new);
        settings.ca_file = ca.path().string();
        PlacesClient client(io.get_executor(), settings);
        const auto answer = fetch_one(io, client, &mock);
        INFO(answer.error);
        REQUIRE(answer.ok);
        CHECK(mock.requests().at(0).body == new_body);
    }
}

TEST_CASE("HTTPS without the CA fails certificate verification", "[places_client][tls]") {
    const auto certificate = make_test_certificate();
    asio::io_context io;
    MockPlaces mock(io.get_executor(), tls_options(certificate));
    PlacesClient client(io.get_executor(), settings_for(mock.url()));

    const auto answer = fetch_one(io, client, &mock);
    CHECK_FALSE(answer.ok);
    CHECK(answer.http_status == 0);
    CHECK(answer.error == "TLS handshake with localhost:" + std::to_string(mock.port()) +
                              " failed: certificate verify failed: self-signed certificate");
    CHECK(mock.request_count() == 0);
}

TEST_CASE("HTTPS to a host the certificate does not name fails", "[places_client][tls]") {
    const auto certificate =
        make_test_certificate({.common_name = "herd.invalid", .dns_names = {"herd.invalid"}, .ip_addresses = {}});
    const TemporaryFile ca(certificate.certificate_pem);
    asio::io_context io;
    MockPlaces mock(io.get_executor(), tls_options(certificate));
    auto settings = settings_for(mock.url());
    settings.ca_file = ca.path().string();
    PlacesClient client(io.get_executor(), settings);

    const auto answer = fetch_one(io, client, &mock);
    CHECK_FALSE(answer.ok);
    CHECK(answer.error == "TLS handshake with localhost:" + std::to_string(mock.port()) +
                              " failed: certificate verify failed: hostname mismatch");
    CHECK(mock.request_count() == 0);
}

TEST_CASE("a non-200 answer is a failure with its status", "[places_client]") {
    asio::io_context io;
    MockPlaces mock(io.get_executor());
    PlacesClient client(io.get_executor(), settings_for(mock.url()));

    SECTION("500") {
        mock.add_rule({.status = 500, .body = "oops"});
        const auto answer = fetch_one(io, client, &mock);
        CHECK_FALSE(answer.ok);
        CHECK(answer.http_status == 500);
        CHECK(answer.error == "the Places service answered HTTP 500 Internal Server Error");
    }
    SECTION("429") {
        mock.add_rule({.status = 429});
        const auto answer = fetch_one(io, client, &mock);
        CHECK_FALSE(answer.ok);
        CHECK(answer.http_status == 429);
        CHECK(answer.error == "the Places service answered HTTP 429 Too Many Requests");
    }
}

TEST_CASE("fail_first: the first N matching requests get HTTP 500, then the rule answers", "[places_client]") {
    asio::io_context io;
    MockPlaces mock(io.get_executor());
    mock.add_rule({.body = R"({"results": [], "status": "OK"})", .fail_first = 2});
    PlacesClient client(io.get_executor(), settings_for(mock.url()));

    const auto answers = fetch(io, client, &mock, 3);
    CHECK(answers[0].http_status == 500);
    CHECK(answers[1].http_status == 500);
    CHECK_FALSE(answers[1].ok);
    REQUIRE(answers[2].ok);
    CHECK(answers[2].body == R"({"results": [], "status": "OK"})");
    CHECK(mock.request_count() == 3);
}

TEST_CASE("a malformed body is still an HTTP 200 answer at this layer", "[places_client]") {
    asio::io_context io;
    MockPlaces mock(io.get_executor());
    mock.add_rule({.malformed = true});
    PlacesClient client(io.get_executor(), settings_for(mock.url()));

    const auto answer = fetch_one(io, client, &mock);
    REQUIRE(answer.ok);
    CHECK_FALSE(answer.body.empty());
    CHECK_FALSE(nlohmann::json::accept(answer.body));
}

TEST_CASE("a delayed answer within the timeout arrives", "[places_client]") {
    asio::io_context io;
    MockPlaces mock(io.get_executor());
    mock.add_rule({.body = "late", .delay = 100ms});
    PlacesClient client(io.get_executor(), settings_for(mock.url()));

    const auto answer = fetch_one(io, client, &mock);
    REQUIRE(answer.ok);
    CHECK(answer.body == "late");
}

TEST_CASE("a timeout too large for the clock still waits for the answer", "[places_client]") {
    // milliseconds::max() used to overflow the deadline into the past: every request failed at once.
    asio::io_context io;
    MockPlaces mock(io.get_executor());
    auto settings = settings_for(mock.url());
    settings.timeout = std::chrono::milliseconds::max();
    PlacesClient client(io.get_executor(), settings);
    const auto answer = fetch_one(io, client, &mock);
    CHECK(answer.error.empty());
    CHECK(answer.ok);
}

TEST_CASE("no answer at all ends in the timeout", "[places_client]") {
    asio::io_context io;
    MockPlaces mock(io.get_executor());
    auto settings = settings_for(mock.url());
    settings.timeout = 300ms;

    SECTION("the service reads the request and never answers") { mock.add_rule({.never_answer = true}); }
    SECTION("the answer comes after the timeout") { mock.add_rule({.delay = 5s}); }
    PlacesClient client(io.get_executor(), settings);

    const auto start = std::chrono::steady_clock::now();
    const auto answer = fetch_one(io, client, &mock);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK_FALSE(answer.ok);
    CHECK(answer.error == "the Places service did not answer within 300 ms");
    CHECK(elapsed < 3s);
    CHECK(mock.request_count() == 1);
}

TEST_CASE("a TLS handshake that never completes ends in the timeout", "[places_client][tls]") {
    asio::io_context io;
    // Listening but never accepting: the kernel completes the TCP connection, nobody speaks TLS.
    asio::ip::tcp::acceptor silent(io, {asio::ip::address_v4::loopback(), 0});
    auto settings = settings_for("https://127.0.0.1:" + std::to_string(silent.local_endpoint().port()));
    settings.timeout = 300ms;
    PlacesClient client(io.get_executor(), settings);

    const auto answer = fetch_one(io, client, nullptr);
    CHECK_FALSE(answer.ok);
    CHECK(answer.error == "the Places service did not answer within 300 ms");
}

TEST_CASE("a connection closed without an answer is a clear failure", "[places_client]") {
    asio::io_context io;
    MockPlaces mock(io.get_executor());
    mock.add_rule({.close_without_answer = true});
    PlacesClient client(io.get_executor(), settings_for(mock.url()));

    const auto answer = fetch_one(io, client, &mock);
    CHECK_FALSE(answer.ok);
    CHECK(answer.http_status == 0);
    CHECK(answer.error == "the Places service closed the connection without answering");
}

TEST_CASE("a refused connection is a clear failure", "[places_client]") {
    asio::io_context io;
    const std::string port = std::to_string(closed_port(io));
    PlacesClient client(io.get_executor(), settings_for("http://127.0.0.1:" + port));

    const auto answer = fetch_one(io, client, nullptr);
    CHECK_FALSE(answer.ok);
    CHECK(answer.http_status == 0);
    CHECK(answer.error == "cannot connect to the Places service at 127.0.0.1:" + port + ": Connection refused");
}

TEST_CASE("an answer larger than the cap is refused", "[places_client]") {
    asio::io_context io;
    MockPlaces mock(io.get_executor());
    mock.add_rule({.body = std::string(9 * 1024 * 1024, 'x')});
    PlacesClient client(io.get_executor(), settings_for(mock.url()));

    const auto answer = fetch_one(io, client, &mock);
    CHECK_FALSE(answer.ok);
    CHECK(answer.error == "the Places service answer is larger than 8 MiB");
}

TEST_CASE("bad settings throw std::invalid_argument with a precise message", "[places_client]") {
    asio::io_context io;
    const auto make = [&](const std::string& url) { PlacesClient client(io.get_executor(), settings_for(url)); };

    CHECK_THROWS_WITH(make("ftp://example.com"), Contains("the scheme must be http:// or https://"));
    CHECK_THROWS_WITH(make("example.com"), Contains("the scheme must be http:// or https://"));
    CHECK_THROWS_WITH(make("http://"), Contains("it has no host"));
    CHECK_THROWS_WITH(make("http://:8080/x"), Contains("it has no host"));
    CHECK_THROWS_WITH(make("http://localhost:0"), Contains("the port \"0\" is not a number from 1 to 65535"));
    CHECK_THROWS_WITH(make("http://localhost:65536"), Contains("is not a number from 1 to 65535"));
    CHECK_THROWS_WITH(make("http://localhost:http"), Contains("is not a number from 1 to 65535"));
    CHECK_THROWS_WITH(make("http://localhost:"), Contains("is not a number from 1 to 65535"));
    CHECK_THROWS_WITH(make("http://[::1"), Contains("no closing ']'"));
    CHECK_THROWS_WITH(make("http://localhost/x?y=1"), Contains("query or a fragment"));
    CHECK_THROWS_WITH(make("http://user@localhost"), Contains("user information"));
    CHECK_THROWS_WITH(make("http://local host"), Contains("a space or a control character"));
    CHECK_THROWS_AS(make("ftp://example.com"), std::invalid_argument);
    CHECK_NOTHROW(make("http://[::1]:8080/prefix"));

    auto settings = settings_for("https://localhost");
    settings.ca_file = "/nonexistent/ca.pem";
    CHECK_THROWS_WITH(PlacesClient(io.get_executor(), settings),
                      Contains("cannot use the CA file \"/nonexistent/ca.pem\""));
    settings = settings_for("https://localhost");
    settings.api_key = "key\r\nX-Injected: 1";
    CHECK_THROWS_WITH(PlacesClient(io.get_executor(), settings), "the Places API key contains a control character");
    CHECK_THROWS_AS(PlacesClient(io.get_executor(), settings), std::invalid_argument);
}

TEST_CASE("describe() shows the request with the key redacted", "[places_client]") {
    asio::io_context io;
    PlacesSettings settings;
    settings.api_key = "AIzaSecret";

    SECTION("legacy, Google's host by default") {
        PlacesClient client(io.get_executor(), settings);
        CHECK(client.describe(ucla()) ==
              "GET https://maps.googleapis.com/maps/api/place/nearbysearch/json"
              "?location=34.068930,-118.445127&radius=10000&key=REDACTED");
    }
    SECTION("new API, with a base URL") {
        settings.api = PlacesApi::places_new;
        settings.base_url = "http://[::1]:8080/prefix/";
        PlacesClient client(io.get_executor(), settings);
        CHECK(client.describe(ucla()) == "POST http://[::1]:8080/prefix/v1/places:searchNearby " + new_body);
        CHECK_THAT(client.describe(ucla()), !Contains("AIzaSecret"));
    }
    SECTION("new API, Google's host by default") {
        settings.api = PlacesApi::places_new;
        PlacesClient client(io.get_executor(), settings);
        CHECK_THAT(client.describe(ucla()), Contains("POST https://places.googleapis.com/v1/places:searchNearby {"));
    }
}

TEST_CASE("MockPlaces: stop() closes a connection it never answered", "[mock_places]") {
    asio::io_context io;
    MockPlaces mock(io.get_executor());
    mock.add_rule({.never_answer = true});
    asio::ip::tcp::socket socket(io);
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            co_await socket.async_connect({asio::ip::address_v4::loopback(), mock.port()}, asio::use_awaitable);
            const std::string request =
                "GET /maps/api/place/nearbysearch/json?location=1,2 HTTP/1.1\r\nHost: x\r\n\r\n";
            co_await asio::async_write(socket, asio::buffer(request), asio::use_awaitable);
        },
        asio::detached);
    // The mock has read the request and holds the connection, unanswered.
    REQUIRE(run_until(io, [&] { return mock.request_count() == 1; }, 10s));
    CHECK(mock.open_connections() == 1);
    mock.stop();
    std::optional<boost::system::error_code> read_error;
    char byte;
    asio::async_read(socket, asio::buffer(&byte, 1), [&](boost::system::error_code ec, std::size_t) { read_error = ec; });
    REQUIRE(run_until(io, [&] { return read_error.has_value(); }, 10s));
    CHECK(*read_error == asio::error::eof);
    CHECK(mock.open_connections() == 0);
    CHECK(mock.requests().at(0).location == "1,2");
}

TEST_CASE("A failed answer's reason phrase never reaches the client or the log: only its status and a fixed reason",
          "[places_client][hostile]") {
    // A proxy that echoes the request line, key and all, as its reason phrase.
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, {asio::ip::address_v4::loopback(), 0});
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            auto socket = co_await acceptor.async_accept(asio::use_awaitable);
            std::string request;
            co_await asio::async_read_until(socket, asio::dynamic_buffer(request), "\r\n\r\n", asio::use_awaitable);
            const std::string echoed = request.substr(0, request.find("\r\n"));
            const std::string answer = "HTTP/1.1 403 Blocked: " + echoed + "\r\nContent-Length: 0\r\n\r\n";
            co_await asio::async_write(socket, asio::buffer(answer), asio::use_awaitable);
        },
        asio::detached);
    PlacesClient client(io.get_executor(),
                        settings_for("http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port())));
    const auto answer = fetch_one(io, client, nullptr);
    CHECK_FALSE(answer.ok);
    CHECK(answer.http_status == 403);
    CHECK(answer.error == "the Places service answered HTTP 403 Forbidden");
    CHECK_THAT(answer.error, !Contains(encoded_key));
}
