// One herd server on real loopback sockets: framing, replies byte for byte, floods, Places.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <boost/asio/write.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "async/nothrow.hpp"
#include "async/report_failure.hpp"
#include "client/line_client.hpp"
#include "net/server.hpp"
#include "protocol/places_reply.hpp"
#include "serve/mock_places.hpp"
#include "support/sink_server.hpp"

using namespace herd;
using namespace herd::test;
using herd::sim::LineClient;
using herd::sim::run_for;
using herd::sim::run_until;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

const std::string catch_up_request = "HERDSIM-CATCHUP Alford\n";

const std::string iamat = "IAMAT kiwi.cs.ucla.edu +34.068930-118.445127 1520023934.918963997";
const std::regex at_reply(
    R"(AT Alford [+-]\d+\.\d{9} kiwi\.cs\.ucla\.edu \+34\.068930-118\.445127 1520023934\.918963997\n)");

struct Fixture {
    boost::asio::io_context io;
    serve::MockPlaces places{io.get_executor()};
    std::unique_ptr<SinkServer> neighbour = std::make_unique<SinkServer>(io);
    std::unique_ptr<Server> server;

    explicit Fixture(ServerOptions options = {}, ServerObserver* observer = nullptr) {
        if (options.name.empty()) options.name = "Alford";
        options.peers = {{"Hamilton", "127.0.0.1", neighbour->port()}};
        options.places.base_url = places.url();
        options.places.timeout = std::chrono::milliseconds(400);
        server = std::make_unique<Server>(io, std::move(options), observer);
        server->start();
    }
    LineClient client() { return LineClient(io, server->port()); }
};

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string sample_body() {
    return read_text(std::string(HERDSIM_TEST_DATA_DIR) + "/places/nearbysearch_ok_ucla_2022_bound5.json");
}

std::string status_of(const std::string& reply) {
    std::smatch m;
    static const std::regex status(R"re("status": "([A-Z_]+)")re");
    return std::regex_search(reply, m, status) ? m[1].str() : "";
}

}  // namespace

TEST_CASE("IAMAT is answered with one exact AT line", "[server]") {
    Fixture f;
    auto c = f.client();
    c.send(iamat + "\n");
    const std::string reply = c.read_line();
    INFO(reply);
    CHECK(std::regex_match(reply, at_reply));
}

TEST_CASE("The time difference is the server's receipt time minus the client's", "[server]") {
    Fixture f;
    auto c = f.client();
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const long long seconds = std::chrono::duration_cast<std::chrono::seconds>(now).count();
    c.send("IAMAT c +1+1 " + std::to_string(seconds - 5) + "\n");
    std::smatch m;
    const std::string reply = c.read_line();
    REQUIRE(std::regex_match(reply, m, std::regex(R"(AT Alford \+(\d+)\.\d{9} c \+1\+1 \d+\n)")));
    CHECK(std::stoi(m[1]) >= 5);
    CHECK(std::stoi(m[1]) <= 60);
}

TEST_CASE("A command split across writes is answered once complete", "[server][framing]") {
    Fixture f;
    auto c = f.client();
    c.send("IAMAT kiwi.cs.ucla.edu +34.068");
    run_for(f.io, 50ms);
    c.send("930-118.445127 1520023934.9");
    CHECK(c.read_to_eof(50ms).empty());
    c.send("18963997\n");
    CHECK(std::regex_match(c.read_line(), at_reply));
}

TEST_CASE("Several commands in one write are answered in order", "[server][framing]") {
    Fixture f;
    auto c = f.client();
    c.send(iamat + "\nHELLO there\n\n   \nIAMAT Clark +12-118\n" + iamat + "\n");
    CHECK(std::regex_match(c.read_line(), at_reply));
    CHECK(c.read_line() == "? HELLO there\n");
    CHECK(c.read_line() == "? IAMAT Clark +12-118\n");
    CHECK(std::regex_match(c.read_line(), at_reply));
}

TEST_CASE("An unterminated command is processed at half-close", "[server][framing]") {
    Fixture f;
    auto c = f.client();
    c.send(iamat);
    c.shutdown_send();
    const std::string all = c.read_to_eof();
    CHECK(std::regex_match(all, at_reply));
    CHECK(c.eof());
}

TEST_CASE("CRLF line ends: the CR is not part of the line", "[server][framing]") {
    Fixture f;
    auto c = f.client();
    c.send(iamat + "\r\nBAD line\r\n");
    CHECK(std::regex_match(c.read_line(), at_reply));
    CHECK(c.read_line() == "? BAD line\n");
}

TEST_CASE("Blank lines get no reply", "[server][framing]") {
    Fixture f;
    auto c = f.client();
    c.send("\n \t \r\n\n");
    CHECK(c.read_to_eof(100ms).empty());
    c.send("X\n");
    CHECK(c.read_line() == "? X\n");
}

TEST_CASE("An over-long line gets '? ' and its first 64 bytes, then the connection closes", "[server][framing]") {
    ServerOptions options;
    options.limits.max_line = 1000;
    Fixture f(options);
    SECTION("without a newline") {
        auto c = f.client();
        c.send(std::string(1500, 'A'));
        CHECK(c.read_to_eof() == "? " + std::string(64, 'A') + "\n");
        CHECK(c.eof());
    }
    SECTION("with a newline, after a good line") {
        auto c = f.client();
        c.send(iamat + "\n" + std::string(1001, 'B') + "\n" + iamat + "\n");
        const std::string all = c.read_to_eof();
        CHECK(std::regex_search(all, std::regex(R"(^AT Alford )")));
        CHECK(all.substr(all.find('\n') + 1) == "? " + std::string(64, 'B') + "\n");
    }
    SECTION("a line of exactly the limit is fine") {
        auto c = f.client();
        c.send(std::string(1000, 'C') + "\n");
        CHECK(c.read_line() == "? " + std::string(1000, 'C') + "\n");
    }
}

TEST_CASE("The connection stays open across many commands", "[server]") {
    Fixture f;
    auto c = f.client();
    for (int i = 0; i < 5; ++i) {
        c.send("IAMAT c" + std::to_string(i) + " +1+1 1520023934\n");
        CHECK(c.read_line().rfind("AT Alford ", 0) == 0);
        run_for(f.io, 10ms);
    }
    CHECK_FALSE(c.eof());
}

TEST_CASE("A new record is flooded to the neighbour with the sender's name, a stale one is not", "[server][flood]") {
    Fixture f;
    auto c = f.client();
    c.send(iamat + "\n");
    const std::string reply = c.read_line();
    // First the catch-up request every server sends its neighbours when it starts, then the flood.
    const std::string flooded = catch_up_request + reply.substr(0, reply.size() - 1) + " Alford\n";
    REQUIRE(run_until(f.io, [&] { return f.neighbour->received().size() >= flooded.size(); }));
    CHECK(f.neighbour->received() == flooded);

    c.send(iamat + "\n");  // the same time: answered, not flooded
    c.read_line();
    c.send("IAMAT kiwi.cs.ucla.edu +1+1 1520023934.918963996\n");  // older
    c.read_line();
    run_for(f.io, 100ms);
    CHECK(f.neighbour->received() == flooded);
}

TEST_CASE("A flood line is stored and never answered", "[server][flood]") {
    Fixture f;
    auto c = f.client();
    c.send("AT Welsh +0.5 kiwi +1+1 1520023934 Welsh\n");
    CHECK(c.read_to_eof(100ms).empty());
    REQUIRE(run_until(f.io, [&] { return f.neighbour->received().find('\n', catch_up_request.size()) != std::string::npos; }));
    CHECK(f.neighbour->received() == catch_up_request + "AT Welsh +0.5 kiwi +1+1 1520023934 Alford\n");
    c.send("WHATSAT kiwi 1 1\n");
    CHECK(c.read_until("\n\n").rfind("AT Welsh +0.5 kiwi +1+1 1520023934\n{", 0) == 0);
}

TEST_CASE("A dead neighbour never delays a reply, it gets the flood when it comes up", "[server][flood]") {
    boost::asio::io_context io;
    const std::uint16_t later = unused_port(io);
    ServerOptions options;
    options.name = "Alford";
    options.peers = {{"Hamilton", "127.0.0.1", later}};
    options.reconnect_initial = std::chrono::milliseconds(10);
    options.reconnect_max = std::chrono::milliseconds(50);
    Server server(io, options);
    server.start();
    LineClient c(io, server.port());
    c.send(iamat + "\n");
    CHECK(std::regex_match(c.read_line(), at_reply));
    run_for(io, 100ms);
    CHECK(server.queued_to("Hamilton") == 2);  // the catch-up request and the flood line

    SinkServer hamilton(io, later);
    REQUIRE(run_until(io, [&] { return hamilton.received().find('\n', catch_up_request.size()) != std::string::npos; }));
    CHECK(hamilton.received().rfind(catch_up_request + "AT Alford ", 0) == 0);
    c.send("IAMAT other +1+1 1520023934\n");
    c.read_line();
    REQUIRE(run_until(io, [&] { return hamilton.received().find("other") != std::string::npos; }));
    CHECK(server.queued_to("Hamilton") == 0);
}

TEST_CASE("WHATSAT: the stored AT line, the Places JSON cut to the bound, an empty line", "[server][places]") {
    Fixture f;
    const std::string body = sample_body();
    f.places.set_rules({serve::MockPlacesRule{.location = "34.068930,-118.445127", .radius = "10000", .body = body}});
    auto c = f.client();
    c.send(iamat + "\n");
    const std::string at = c.read_line();
    c.send("WHATSAT kiwi.cs.ucla.edu 10 2\n");
    const std::string reply = c.read_until("\n\n");
    CHECK(reply == whatsat_reply(at.substr(0, at.size() - 1), body, 2));
    REQUIRE(f.places.request_count() == 1);
    CHECK(f.places.requests()[0].rule == std::optional<std::size_t>(0));
}

TEST_CASE("WHATSAT for an unknown client or out of range is invalid", "[server][places]") {
    Fixture f;
    auto c = f.client();
    c.send("WHATSAT nobody 10 5\nWHATSAT nobody 51 5\nWHATSAT nobody 10 21\n");
    CHECK(c.read_line() == "? WHATSAT nobody 10 5\n");
    CHECK(c.read_line() == "? WHATSAT nobody 51 5\n");
    CHECK(c.read_line() == "? WHATSAT nobody 10 21\n");
    CHECK(f.places.request_count() == 0);
}

TEST_CASE("Places failures are answered with UNKNOWN_ERROR within the timeout", "[server][places]") {
    Fixture f;
    auto c = f.client();
    c.send(iamat + "\n");
    const std::string at = c.read_line();
    const std::string first_line = at;
    serve::MockPlacesRule rule;
    SECTION("HTTP 500") { rule.status = 500; }
    SECTION("garbage body") { rule.malformed = true; }
    SECTION("no answer") { rule.never_answer = true; }
    SECTION("connection closed") { rule.close_without_answer = true; }
    f.places.set_rules({rule});
    c.send("WHATSAT kiwi.cs.ucla.edu 10 5\n");
    const std::string reply = c.read_until("\n\n", 3000ms);
    CHECK(reply.rfind(first_line, 0) == 0);
    CHECK(status_of(reply) == "UNKNOWN_ERROR");
    CHECK(reply.size() > 3);
    CHECK(reply.substr(reply.size() - 3) == "}\n\n");
    // And the connection still works.
    c.send("X\n");
    CHECK(c.read_line() == "? X\n");
}

TEST_CASE("A Places non-OK status passes through", "[server][places]") {
    Fixture f;
    f.places.set_rules({serve::MockPlacesRule{
        .body = R"({"html_attributions": [], "results": [], "status": "REQUEST_DENIED", "error_message": "bad key"})"}});
    auto c = f.client();
    c.send(iamat + "\nWHATSAT kiwi.cs.ucla.edu 10 5\n");
    c.read_line();
    const std::string reply = c.read_until("\n\n");
    CHECK(status_of(reply) == "REQUEST_DENIED");
}

TEST_CASE("Replies stay in order around a slow WHATSAT", "[server][places]") {
    Fixture f;
    f.places.set_rules({serve::MockPlacesRule{.delay = std::chrono::milliseconds(100)}});
    auto c = f.client();
    c.send(iamat + "\nWHATSAT kiwi.cs.ucla.edu 10 5\nBAD\n");
    CHECK(std::regex_match(c.read_line(), at_reply));
    CHECK(c.read_until("\n\n").find("ZERO_RESULTS") != std::string::npos);
    CHECK(c.read_line() == "? BAD\n");
}

TEST_CASE("A second server on a taken port says which", "[server]") {
    Fixture f;
    ServerOptions options;
    options.name = "Hamilton";
    options.port = f.server->port();
    Server clash(f.io, options);
    CHECK_THROWS_WITH(clash.start(), Catch::Contains("Hamilton: cannot listen on 127.0.0.1:" +
                                                     std::to_string(f.server->port())) &&
                                         Catch::Contains("in use"));
}

TEST_CASE("stop() is a crash: connections close, memory goes, start() serves the same port again", "[server]") {
    Fixture f;
    const auto port = f.server->port();
    auto c = f.client();
    c.send(iamat + "\n");
    c.read_line();
    f.server->stop();
    c.read_to_eof(1000ms);
    CHECK(c.eof());
    f.server->start();
    CHECK(f.server->port() == port);
    auto d = f.client();
    d.send("WHATSAT kiwi.cs.ucla.edu 10 5\n");
    CHECK(d.read_line() == "? WHATSAT kiwi.cs.ucla.edu 10 5\n");
}

TEST_CASE("The log has every line in and out, and never the API key", "[server][log]") {
    const auto dir = std::filesystem::temp_directory_path() / ("herdsim-log-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    {
        ServerOptions options;
        options.log_dir = dir;
        options.places.api_key = "SECRET-KEY-123";
        Fixture f(options);
        auto c = f.client();
        c.send(iamat + "\nWHATSAT kiwi.cs.ucla.edu 10 5\nBAD\n");
        c.read_line();
        c.read_until("\n\n");
        c.read_line();
        REQUIRE(run_until(f.io, [&] { return !f.neighbour->received().empty(); }));
        f.server->stop();
    }
    const std::string log = read_text(dir / "Alford.log");
    CHECK(log.find("received: " + iamat) != std::string::npos);
    CHECK(log.find("sent: AT Alford") != std::string::npos);
    CHECK(log.find("received: BAD") != std::string::npos);
    CHECK(log.find("sent: ? BAD") != std::string::npos);
    CHECK(log.find("link to peer Hamilton") != std::string::npos);
    CHECK(log.find("Places request: GET") != std::string::npos);
    CHECK(log.find("Places answered HTTP 200") != std::string::npos);
    CHECK(log.find("SECRET-KEY-123") == std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("A Places failure's body is the documented bytes: 3-space indent, four keys in order", "[server][places]") {
    Fixture f;
    f.places.set_rules({serve::MockPlacesRule{.malformed = true}});
    auto c = f.client();
    c.send(iamat + "\n");
    const std::string at = c.read_line();
    c.send("WHATSAT kiwi.cs.ucla.edu 10 5\n");
    CHECK(c.read_until("\n\n") == at +
                                      "{\n"
                                      "   \"html_attributions\": [],\n"
                                      "   \"results\": [],\n"
                                      "   \"status\": \"UNKNOWN_ERROR\",\n"
                                      "   \"error_message\": \"the Places service answered a body that is not JSON\"\n"
                                      "}\n\n");
}

namespace {

// A coroutine that throws `error` (after its first resumption, as a real one would), or returns.
asio::awaitable<void> end_with(std::exception_ptr error) {
    co_await asio::post(asio::use_awaitable);
    if (error) std::rethrow_exception(error);
}

std::exception_ptr system_error(boost::system::error_code ec) {
    return std::make_exception_ptr(boost::system::system_error(ec));
}

}  // namespace

TEST_CASE("report_failure: what a coroutine throws reaches the sink, a return or an expected end does not",
          "[failure]") {
    asio::io_context io;
    std::vector<std::string> messages;
    auto sink = [&](const std::string& message) { messages.push_back(message); };
    asio::co_spawn(io, end_with(std::make_exception_ptr(std::runtime_error("boom"))), report_failure("here", sink));
    asio::co_spawn(io, end_with(system_error(asio::error::connection_reset)), report_failure("there", sink));
    asio::co_spawn(io, end_with(nullptr), report_failure("returned", sink));
    asio::co_spawn(io, end_with(system_error(asio::error::operation_aborted)), report_failure("aborted", sink));
    asio::co_spawn(io, end_with(system_error(asio::error::eof)), report_failure("eof", sink));
    io.run();
    REQUIRE(messages.size() == 2);
    CHECK(messages[0] == "here: boom");
    CHECK_THAT(messages[1], Catch::StartsWith("there: ") && Catch::Contains("reset"));
}

namespace {

// A bug in whatever a server calls back: the observer throws from inside the server's coroutines.
struct ThrowingObserver : ServerObserver {
    bool throw_on_handled = false;
    bool throw_on_link = false;
    std::vector<std::pair<std::string, std::string>> failures;

    void on_handled(std::string_view, const Command&, const Effects&) override {
        if (throw_on_handled) throw std::runtime_error("observer bug in on_handled");
    }
    void on_peer_link(std::string_view, std::string_view, bool) override {
        if (throw_on_link) throw std::runtime_error("observer bug in on_peer_link");
    }
    void on_failure(std::string_view node, std::string_view message) override {
        failures.emplace_back(node, message);
    }
};

}  // namespace

TEST_CASE("A server coroutine that throws is reported to the observer and the node log", "[server][failure]") {
    const auto dir = std::filesystem::temp_directory_path() / ("herdsim-failure-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    ThrowingObserver observer;
    ServerOptions options;
    options.log_dir = dir;
    std::string where;
    SECTION("a connection") {
        observer.throw_on_handled = true;
        where = "Alford: connection from 127.0.0.1:";
    }
    SECTION("a peer link") {
        observer.throw_on_link = true;
        where = "Alford: link to Hamilton: ";
    }
    {
        Fixture f(options, &observer);
        auto c = f.client();
        c.send(iamat + "\n");
        REQUIRE(run_until(f.io, [&] { return !observer.failures.empty(); }));
        CHECK(observer.failures.front().first == "Alford");
        CHECK_THAT(observer.failures.front().second, Catch::StartsWith(where) && Catch::Contains("observer bug"));
        // The server goes on: a new connection is served.
        if (observer.throw_on_handled) {
            observer.throw_on_handled = false;
            auto d = f.client();
            d.send(iamat + "\n");
            CHECK(std::regex_match(d.read_line(), at_reply));
        }
    }
    CHECK_THAT(read_text(dir / "Alford.log"), Catch::Contains(" error " + observer.failures.front().second));
    std::filesystem::remove_all(dir);
}

TEST_CASE("An AT tail at EOF is dropped and logged, never stored, a client command tail is still answered",
          "[server][framing]") {
    const auto dir = std::filesystem::temp_directory_path() / ("herdsim-tail-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    const std::string cut_flood = "AT Alford +0.1 kiwi +34-118 1520023934.91";
    {
        ServerOptions options;
        options.log_dir = dir;
        Fixture f(options);
        auto peer = f.client();
        peer.send(cut_flood);
        peer.shutdown_send();
        // The server closes the connection once it has dealt with the tail.
        CHECK(peer.read_to_eof().empty());
        REQUIRE(peer.eof());
        CHECK_FALSE(f.server->node().table().find("kiwi").has_value());
        auto client = f.client();
        client.send("WHATSAT kiwi 10 5\n");
        CHECK(client.read_line() == "? WHATSAT kiwi 10 5\n");

        // The rule is for flood lines only: other tails are processed as if their '\n' had come.
        auto other = f.client();
        other.send("IAMAT kiwi +34-118 1520023934.91\r");
        other.shutdown_send();
        CHECK(std::regex_match(other.read_to_eof(), std::regex(R"(AT Alford [+-]\d+\.\d{9} kiwi \+34-118 1520023934\.91\n)")));
        auto invalid = f.client();
        invalid.send("ATX kiwi");
        invalid.shutdown_send();
        CHECK(invalid.read_to_eof() == "? ATX kiwi\n");
        f.server->stop();
    }
    const std::string log = read_text(dir / "Alford.log");
    CHECK_THAT(log, Catch::Contains("unterminated flood line at EOF dropped: " + cut_flood));
    CHECK_THAT(log, !Catch::Contains("dropped: IAMAT"));
    std::filesystem::remove_all(dir);
}

namespace {

// A neighbour that counts the connections it accepted and the EOFs it saw on them, so a test can
// tell from the receiving side that the sender closed its link (while the sender keeps running).
struct EofNeighbour {
    boost::asio::ip::tcp::acceptor acceptor;
    std::string received;
    std::size_t accepted = 0;
    std::size_t eofs = 0;
    bool course_server = false;  // answers every line it does not know "? <line>", as a course server does
    std::size_t answered = 0;    // bytes of `received` already looked at for such lines

    explicit EofNeighbour(boost::asio::io_context& io)
        : acceptor(io, {boost::asio::ip::address_v4::loopback(), 0}) {
        boost::asio::co_spawn(io, accept_loop(), boost::asio::detached);
    }
    std::uint16_t port() const { return acceptor.local_endpoint().port(); }
    std::size_t lines() const { return static_cast<std::size_t>(std::count(received.begin(), received.end(), '\n')); }

    boost::asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] = co_await acceptor.async_accept(herd::nothrow);
            if (ec) co_return;
            ++accepted;
            boost::asio::co_spawn(acceptor.get_executor(), read_to_eof(std::move(socket)), boost::asio::detached);
        }
    }
    boost::asio::awaitable<void> answer_unknown_lines(boost::asio::ip::tcp::socket& socket) {
        for (std::size_t end; (end = received.find('\n', answered)) != std::string::npos; answered = end + 1) {
            const std::string line = received.substr(answered, end - answered);
            if (line.rfind("AT ", 0) == 0) continue;
            const std::string reply = "? " + line + "\n";
            co_await boost::asio::async_write(socket, boost::asio::buffer(reply),
                                              herd::nothrow);
        }
    }
    boost::asio::awaitable<void> read_to_eof(boost::asio::ip::tcp::socket socket) {
        char chunk[4096];
        for (;;) {
            auto [ec, n] = co_await socket.async_read_some(boost::asio::buffer(chunk),
                                                           herd::nothrow);
            received.append(chunk, n);
            if (course_server && !ec) co_await answer_unknown_lines(socket);
            if (ec == boost::asio::error::eof) ++eofs;
            if (ec) co_return;
        }
    }
};

// Alford with one neighbour, Hamilton, at `port`.
ServerOptions alford_linked_to(std::uint16_t port, LinkPolicy policy) {
    ServerOptions options;
    options.name = "Alford";
    options.peers = {{"Hamilton", "127.0.0.1", port}};
    options.link_policy = policy;
    options.link_linger = 5ms;
    return options;
}

}  // namespace

TEST_CASE("A neighbour that comes up after many failed attempts gets the very next flood at once",
          "[server][flood][link]") {
    const auto policy = GENERATE(LinkPolicy::per_burst, LinkPolicy::persistent);
    boost::asio::io_context io;
    const std::uint16_t later = unused_port(io);
    ServerOptions options = alford_linked_to(later, policy);
    // Background retries so rare that within the limit below only the new flood's own attempt
    // can deliver: no backoff window may skip a neighbour that is up.
    options.reconnect_initial = std::chrono::minutes(1);
    options.reconnect_max = std::chrono::minutes(1);
    Server server(io, options);
    server.start();
    LineClient c(io, server.port());
    for (int i = 0; i < 5; ++i) {  // every one of them tries to connect, and is refused
        c.send("IAMAT down" + std::to_string(i) + " +1+1 1520023934\n");
        REQUIRE(c.read_line().rfind("AT Alford ", 0) == 0);
    }
    CHECK(server.queued_to("Hamilton") == 6);  // the catch-up request and five flood lines

    SinkServer hamilton(io, later);
    c.send("IAMAT next +1+1 1520023934\n");
    REQUIRE(c.read_line().rfind("AT Alford ", 0) == 0);
    const bool delivered = run_until(io, [&] { return hamilton.received().find(" next ") != std::string::npos; }, 3000ms);
    INFO("policy " << (policy == LinkPolicy::per_burst ? "per_burst" : "persistent") << ", Hamilton received: "
                   << hamilton.received());
    CHECK(delivered);
    // The catch-up request and the queued lines go first, in order, then the new one.
    REQUIRE(hamilton.received().rfind(catch_up_request, 0) == 0);
    std::size_t at = 0;
    for (const char* who : {" down0 ", " down1 ", " down2 ", " down3 ", " down4 ", " next "}) {
        INFO(who);
        at = hamilton.received().find(who, at);
        REQUIRE(at != std::string::npos);
    }
    CHECK(std::count(hamilton.received().begin(), hamilton.received().end(), '\n') == 7);
    CHECK(server.queued_to("Hamilton") == 0);
}

TEST_CASE("Flood first: when a client has the reply to its IAMAT, the flood line is already at the neighbour",
          "[server][flood][link]") {
    // The course's client asks a neighbour right after the reply. The server runs on a thread of its
    // own and the neighbour is a bare acceptor read without waiting, so the check sees exactly what
    // the neighbour's socket holds the moment the reply is read: with the reply written first (and
    // a per_burst link still connecting), nothing.
    boost::asio::io_context io;
    auto work = boost::asio::make_work_guard(io);
    boost::asio::io_context mine;
    boost::asio::ip::tcp::acceptor hamilton(mine, {boost::asio::ip::address_v4::loopback(), 0});
    Server server(io, alford_linked_to(hamilton.local_endpoint().port(), LinkPolicy::per_burst));
    server.start();
    std::thread thread([&] { io.run(); });
    struct Join {
        boost::asio::io_context& io;
        std::thread& thread;
        ~Join() {
            io.stop();
            thread.join();
        }
    } join{io, thread};

    // The start's catch-up request, on a connection of its own, read to its close.
    auto first = hamilton.accept();
    std::string request;
    boost::system::error_code ec;
    for (char chunk[256]; !ec;) request.append(chunk, first.read_some(boost::asio::buffer(chunk), ec));
    REQUIRE(request == catch_up_request);
    first.close();

    hamilton.non_blocking(true);
    for (int i = 0; i < 20; ++i) {
        const std::string client = "first" + std::to_string(i);
        boost::asio::ip::tcp::socket c(mine);
        c.connect({boost::asio::ip::address_v4::loopback(), server.port()});
        boost::asio::write(c, boost::asio::buffer("IAMAT " + client + " +1+1 1520023934\n"));
        std::string reply;
        for (char chunk[256]; reply.find('\n') == std::string::npos;) reply.append(chunk, c.read_some(boost::asio::buffer(chunk)));
        REQUIRE(reply.rfind("AT Alford ", 0) == 0);

        auto flood = hamilton.accept(ec);
        INFO("update " << i << ": " << (ec ? "no connection from Alford yet: " + ec.message() : "connected"));
        REQUIRE(!ec);
        flood.non_blocking(true);
        char chunk[4096];
        const std::size_t n = flood.read_some(boost::asio::buffer(chunk), ec);
        INFO("Hamilton holds: " << std::string(chunk, ec ? 0 : n));
        CHECK(std::string(chunk, ec ? 0 : n) == reply.substr(0, reply.size() - 1) + " Alford\n");
        // Alford's FIN after the linger, then ours: the close handshake proves every line read.
        flood.non_blocking(false);
        ec = {};
        for (char more[256]; !ec;) flood.read_some(boost::asio::buffer(more), ec);
        CHECK(ec == boost::asio::error::eof);
    }
}

TEST_CASE("Flood first holds a reply only briefly: a neighbour whose connect hangs does not keep it",
          "[server][flood][link]") {
    // A listener whose accept queue is full drops new SYNs, so a connect to it hangs until its 3 s
    // timeout, when the link reports the neighbour down: the reply must come before that, while
    // the flood line is still queued for it.
    struct Links : ServerObserver {
        std::vector<std::string> reports;
        void on_handled(std::string_view, const Command&, const Effects&) override {}
        void on_peer_link(std::string_view, std::string_view peer, bool up) override {
            reports.push_back(std::string(peer) + (up ? " up" : " down"));
        }
    } links;
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor hamilton(io);
    hamilton.open(boost::asio::ip::tcp::v4());
    hamilton.bind({boost::asio::ip::address_v4::loopback(), 0});
    hamilton.listen(0);
    boost::asio::ip::tcp::socket filler(io);
    filler.connect(hamilton.local_endpoint());  // the one connection the queue takes, never accepted
    Server server(io, alford_linked_to(hamilton.local_endpoint().port(), LinkPolicy::per_burst), &links);
    server.start();
    LineClient c(io, server.port());
    c.send(iamat + "\n");
    CHECK(std::regex_match(c.read_line(), at_reply));
    INFO("link reports before the reply: " << links.reports.size());
    CHECK(std::find(links.reports.begin(), links.reports.end(), "Hamilton down") == links.reports.end());
    CHECK(server.queued_to("Hamilton") >= 1);
}

TEST_CASE("Once nothing is left to send, a per_burst link closes (EOF after every line), a persistent one stays open",
          "[server][flood][link]") {
    const auto policy = GENERATE(LinkPolicy::per_burst, LinkPolicy::persistent);
    boost::asio::io_context io;
    EofNeighbour hamilton(io);
    Server server(io, alford_linked_to(hamilton.port(), policy));
    server.start();
    // The start's catch-up request comes first; per_burst closes its connection too.
    REQUIRE(run_until(io, [&] { return hamilton.lines() == 1; }));
    if (policy == LinkPolicy::per_burst) REQUIRE(run_until(io, [&] { return hamilton.eofs == 1; }));
    LineClient c(io, server.port());
    std::string burst;
    for (int i = 0; i < 200; ++i) burst += "IAMAT c" + std::to_string(i) + " +1+1 1520023934\n";
    c.send(burst);
    CHECK(c.read_until("c199 +1+1 1520023934\n").size() > 0);
    REQUIRE(run_until(io, [&] { return hamilton.lines() == 201; }));

    if (policy == LinkPolicy::persistent) {
        CHECK_FALSE(run_until(io, [&] { return hamilton.eofs > 0; }, 300ms));
        CHECK(hamilton.accepted == 1);
        return;
    }
    REQUIRE(run_until(io, [&] { return hamilton.eofs == 2; }));
    CHECK(server.running());
    CHECK(hamilton.accepted == 2);
    CHECK(hamilton.lines() == 201);
    CHECK(server.queued_to("Hamilton") == 0);

    // The next flood opens a new connection, which closes in turn.
    c.send("IAMAT later +1+1 1520023934\n");
    c.read_line();
    REQUIRE(run_until(io, [&] { return hamilton.eofs == 3; }));
    CHECK(hamilton.accepted == 3);
    CHECK(hamilton.lines() == 202);
    CHECK_THAT(hamilton.received, Catch::StartsWith(catch_up_request + "AT Alford ") &&
                                      Catch::EndsWith(" later +1+1 1520023934 Alford\n"));
}

TEST_CASE("A stopped server keeps its port: connects are refused, no other socket takes it, start() listens again",
          "[server][link]") {
    boost::asio::io_context io;
    ServerOptions options;
    options.name = "Alford";
    Server server(io, options);
    const std::uint16_t port = server.listen();
    io.poll();  // the accept loop is under way, as in a running herd
    server.stop();
    namespace ip = boost::asio::ip;
    const ip::tcp::endpoint endpoint(ip::address_v4::loopback(), port);
    // What the kernel does when it picks this port as an outgoing connection's ephemeral one.
    ip::tcp::socket other(io);
    other.open(ip::tcp::v4());
    boost::system::error_code ec;
    other.bind(endpoint, ec);
    CHECK(ec == boost::asio::error::address_in_use);
    ip::tcp::socket probe(io);
    probe.connect(endpoint, ec);
    CHECK(ec == boost::asio::error::connection_refused);

    server.start();
    CHECK(server.port() == port);
    LineClient c(io, port);
    c.send(iamat + "\n");
    const std::string reply = c.read_line();
    INFO(reply);
    CHECK(std::regex_match(reply, at_reply));
}

TEST_CASE("A course server as a neighbour answers the catch-up request '? ...': ignored, no resend, links close cleanly",
          "[server][flood][link][catch-up]") {
    boost::asio::io_context io;
    EofNeighbour hamilton(io);
    hamilton.course_server = true;
    Server server(io, alford_linked_to(hamilton.port(), LinkPolicy::per_burst));
    server.start();
    REQUIRE(run_until(io, [&] { return hamilton.lines() == 1 && hamilton.eofs == 1; }));
    LineClient c(io, server.port());
    for (const char* who : {"one", "two", "three"}) {
        c.send(std::string("IAMAT ") + who + " +1+1 1520023934\n");
        c.read_line();
    }
    REQUIRE(run_until(io, [&] { return hamilton.lines() == 4 && server.queued_to("Hamilton") == 0; }));
    // Had the answer counted as a lost link, a catch-up would send the three records again.
    CHECK_FALSE(run_until(io, [&] { return hamilton.lines() > 4; }, 300ms));
    CHECK(hamilton.received.rfind(catch_up_request, 0) == 0);
    for (const char* who : {" one ", " two ", " three "}) {
        INFO(who);
        const auto at = hamilton.received.find(who);
        CHECK((at != std::string::npos && hamilton.received.find(who, at + 1) == std::string::npos));
    }
}
