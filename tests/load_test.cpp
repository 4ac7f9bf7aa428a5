// `herdsim load` against real loopback sockets: an in-process herd for exact counts, tiny fake
// servers for wrong replies, closes and silence, a dead port for connect errors.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <functional>
#include <map>
#include <regex>
#include <random>
#include <sstream>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

#include "async/nothrow.hpp"
#include "client/line_client.hpp"
#include "herd/herd.hpp"
#include "load/generator.hpp"
#include "load/load_command.hpp"
#include "load/options.hpp"
#include "load/requests.hpp"
#include "serve/mock_places.hpp"
#include "support/sink_server.hpp"

using namespace herd;
using namespace herd::load;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Every flood line any server handled, to see that every IAMAT was a new update.
struct FloodCounter : ServerObserver {
    std::size_t at_lines = 0;
    void on_handled(std::string_view, const Command& command, const Effects&) override {
        at_lines += std::holds_alternative<At>(command);
    }
};

// The five fall17 servers on ports the system picks, peer links direct, WHATSAT answered by a mock.
struct InProcessHerd {
    asio::io_context io;
    std::mt19937_64 rng{7};
    serve::MockPlaces places{io.get_executor()};
    FloodCounter floods;
    std::unique_ptr<sim::Herd> herd;

    InProcessHerd() {
        sim::HerdOptions options;
        options.relays = false;
        options.rng = &rng;
        options.observer = &floods;
        options.server.places.base_url = places.url();
        herd = std::make_unique<sim::Herd>(io, *preset("fall17"), options);
        herd->start();
    }
    std::vector<Target> targets() const {
        std::vector<Target> out;
        for (const auto& name : herd->names()) out.push_back({name, "127.0.0.1", herd->port(name)});
        return out;
    }
};

// Runs the load on `io` until it has ended (at most `limit`).
LoadReport run_on(asio::io_context& io, LoadOptions options, std::chrono::milliseconds limit = 60000ms) {
    std::optional<LoadOutcome> outcome;
    start_load(io, std::move(options), [&](LoadOutcome o) { outcome = std::move(o); });
    REQUIRE(sim::run_until(io, [&] { return outcome.has_value(); }, limit));
    if (const auto* error = std::get_if<std::string>(&*outcome)) FAIL("could not run: " << *error);
    return std::get<LoadReport>(std::move(*outcome));
}

// A server of one line in, `answer(line)` out; an answer of nullopt closes the connection instead.
// As the course's servers read a client: every line as it comes (persistent), one line and then
// the close (per_command), or nothing until the client half-closes (until_eof).
class FakeServer {
public:
    using Answer = std::function<std::optional<std::string>(const std::string& line)>;
    enum class Reads { persistent, per_command, until_eof };
    FakeServer(asio::io_context& io, Answer answer, Reads reads = Reads::persistent)
        : acceptor_(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0)), answer_(std::move(answer)), reads_(reads) {
        asio::co_spawn(io, accept(), asio::detached);
    }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    std::size_t lines() const { return lines_; }
    std::size_t connections() const { return connections_; }

private:
    asio::awaitable<void> accept() {
        for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(herd::nothrow);
            if (ec) co_return;
            ++connections_;
            asio::co_spawn(acceptor_.get_executor(), serve(std::move(socket)), asio::detached);
        }
    }
    asio::awaitable<void> serve(tcp::socket socket) {
        std::string in;
        if (reads_ == Reads::until_eof) {
            auto [ec, n] = co_await asio::async_read(socket, asio::dynamic_buffer(in), herd::nothrow);
            (void)n;
            if (ec != asio::error::eof) co_return;
        }
        for (;;) {
            auto [ec, n] = co_await asio::async_read_until(socket, asio::dynamic_buffer(in), '\n',
                                                            herd::nothrow);
            if (ec) co_return;
            const std::string line = in.substr(0, n - 1);
            in.erase(0, n);
            ++lines_;
            const auto reply = answer_(line);
            if (!reply) co_return;
            co_await asio::async_write(socket, asio::buffer(*reply), herd::nothrow);
            if (reads_ == Reads::per_command) co_return;
        }
    }
    tcp::acceptor acceptor_;
    Answer answer_;
    Reads reads_;
    std::size_t lines_ = 0, connections_ = 0;
};

std::vector<std::string> fields(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> out;
    for (std::string f; in >> f;) out.push_back(f);
    return out;
}

// What a right server named `name` answers to an IAMAT.
std::string right_iamat_reply(const std::string& name, const std::string& line) {
    const auto f = fields(line);
    return "AT " + name + " +0.000000001 " + f[1] + " " + f[2] + " " + f[3] + "\n";
}

LoadOptions options_for(std::vector<Target> servers, std::size_t connections, std::uint64_t requests) {
    LoadOptions o;
    o.servers = std::move(servers);
    o.connections = connections;
    o.requests = requests;
    return o;
}

}  // namespace

TEST_CASE("Closed loop against an in-process herd: every request sent, answered right, flooded", "[load]") {
    InProcessHerd h;
    LoadOptions o = options_for(h.targets(), 10, 1000);
    o.pipeline = 4;
    o.clients = 5;
    o.whatsat_ppm = 100'000;  // iamat:0.9,whatsat:0.1
    o.pids = {static_cast<int>(::getpid())};
    const LoadReport r = run_on(h.io, o);
    CHECK(r.sent_iamat == 900);
    CHECK(r.sent_whatsat == 100);
    CHECK(r.replied == 1000);
    CHECK(r.latency.count() == 1000);
    CHECK(r.wrong == 0);
    CHECK(r.wrong_examples.empty());
    CHECK(r.errors() == 0);
    CHECK(r.unanswered == 0);
    CHECK(r.clean());
    REQUIRE(r.herd_cpu);
    CHECK(*r.herd_cpu >= 0);
    // Each connection's 90 IAMATs went round its 5 clients: all 50 clients are at every server,
    // with the same (newest) record, and every IAMAT was new, so each reached the 4 other servers.
    REQUIRE(sim::run_until(h.io, [&] {
        for (const auto& name : h.herd->names())
            if (h.herd->server(name).node().table().size() != 50) return false;
        return h.floods.at_lines >= 900 * 4;
    }));
    for (std::size_t c = 0; c < 10; ++c)
        for (std::size_t k = 0; k < 5; ++k) {
            const auto origin = h.herd->server("Alford").node().table().find(client_name(c, k));
            REQUIRE(origin);
            for (const auto& name : h.herd->names()) CHECK(h.herd->server(name).node().table().find(client_name(c, k))->time == origin->time);
        }
}

TEST_CASE("A server that answers wrongly: every reply counted wrong, with why, a right one: none", "[load]") {
    for (const std::string name : {"Other", "Fake"}) {
        INFO(name);
        asio::io_context io;
        // "Other": the reply names another server, the very mistake of a misnamed --servers entry.
        FakeServer fake(io, [&](const std::string& line) { return std::optional(right_iamat_reply(name, line)); });
        const LoadReport r = run_on(io, options_for({{"Fake", "127.0.0.1", fake.port()}}, 2, 50));
        CHECK(r.replied == 50);
        CHECK(r.errors() == 0);
        if (name == "Fake") {
            CHECK(r.wrong == 0);
            CHECK(r.clean());
            continue;
        }
        CHECK(r.wrong == 50);
        CHECK_FALSE(r.clean());
        REQUIRE(r.wrong_examples.size() == max_examples);
        CHECK_THAT(r.wrong_examples[0], Catch::Contains("server \"Other\", expected \"Fake\""));
    }
}

TEST_CASE("A dead address counts a connect failure per connection", "[load]") {
    asio::io_context io;
    const LoadReport r = run_on(io, options_for({{"Dead", "127.0.0.1", test::unused_port(io)}}, 3, 30));
    CHECK(r.connect_failed == 3);
    CHECK(r.sent() == 0);
    CHECK(r.replied == 0);
    CHECK_FALSE(r.clean());
    REQUIRE_FALSE(r.error_examples.empty());
    CHECK_THAT(r.error_examples[0], Catch::Contains("connect: Connection refused"));
}

TEST_CASE("A server that closes after its first reply: closed connections and unanswered requests", "[load]") {
    // The persistent client against a server that reads one command per connection.
    asio::io_context io;
    FakeServer fake(io, [](const std::string& line) { return std::optional(right_iamat_reply("Fake", line)); },
                    FakeServer::Reads::per_command);
    LoadOptions o = options_for({{"Fake", "127.0.0.1", fake.port()}}, 1, 10);
    o.pipeline = 10;
    const LoadReport r = run_on(io, o);
    CHECK(r.replied == 1);
    CHECK(r.closed == 1);
    CHECK(r.unanswered == 9);
    CHECK(r.wrong == 0);
}

TEST_CASE("Client per_command: a request per connection, so a server that closes after one command answers all", "[load]") {
    asio::io_context io;
    FakeServer fake(io, [](const std::string& line) { return std::optional(right_iamat_reply("Fake", line)); },
                    FakeServer::Reads::per_command);
    LoadOptions o = options_for({{"Fake", "127.0.0.1", fake.port()}}, 2, 20);
    SECTION("closed loop, three in flight per connection") { o.pipeline = 3; }
    SECTION("open loop") { o.rate = 2000; }
    o.client = ClientStyle::per_command;
    const LoadReport r = run_on(io, o);
    CHECK(r.replied == 20);
    CHECK(r.clean());
    CHECK(fake.lines() == 20);
    CHECK(fake.connections() == 20);
    CHECK(r.latency.count() == 20);
}

TEST_CASE("Client half_close: a server that answers only at the end of the stream answers every request", "[load]") {
    asio::io_context io;
    FakeServer fake(io, [](const std::string& line) { return std::optional(right_iamat_reply("Fake", line)); },
                    FakeServer::Reads::until_eof);
    LoadOptions o = options_for({{"Fake", "127.0.0.1", fake.port()}}, 2, 10);
    SECTION("half_close: every reply") {
        o.client = ClientStyle::half_close;
        const LoadReport r = run_on(io, o);
        CHECK(r.replied == 10);
        CHECK(r.clean());
        CHECK(fake.connections() == 10);
    }
    SECTION("per_command, without the half-close: no reply, each times out") {
        o.client = ClientStyle::per_command;
        o.timeout = std::chrono::duration<double>(0.2);
        const LoadReport r = run_on(io, o);
        CHECK(r.replied == 0);
        CHECK(r.timed_out == 10);
        CHECK(r.unanswered == 10);
        REQUIRE_FALSE(r.error_examples.empty());
        CHECK_THAT(r.error_examples[0], Catch::Contains("no reply within 0.2") && Catch::Contains("before any byte"));
    }
}

TEST_CASE("A server that never answers: the connection times out, its requests unanswered", "[load]") {
    asio::io_context io;
    test::SinkServer sink(io);
    LoadOptions o = options_for({{"Sink", "127.0.0.1", sink.port()}}, 2, 8);
    o.pipeline = 4;
    o.timeout = std::chrono::duration<double>(0.2);
    const LoadReport r = run_on(io, o);
    CHECK(r.timed_out == 2);
    CHECK(r.unanswered == 8);
    CHECK(r.replied == 0);
}

TEST_CASE("Open loop: latency counts from the intended send time, so a stalled generator shows", "[load]") {
    asio::io_context io;
    // The first request stalls the one thread for 100 ms (this is the fault injected, not a wait):
    // requests 1..49 were due at 1..49 ms, so each waits at least 51 ms for its reply, although it
    // is answered the moment it is written.
    FakeServer fake(io, [n = 0](const std::string& line) mutable {
        if (n++ == 0) std::this_thread::sleep_for(100ms);
        return std::optional(right_iamat_reply("Fake", line));
    });
    LoadOptions o = options_for({{"Fake", "127.0.0.1", fake.port()}}, 1, 50);
    o.rate = 1000;
    const LoadReport r = run_on(io, o);
    CHECK(r.replied == 50);
    CHECK(r.wrong == 0);
    CHECK(r.latency.quantile(0.5) >= 51'000'000);
    CHECK(r.max_send_lag >= 0.051);
}

TEST_CASE("Open loop: no request is written before it is due", "[load]") {
    asio::io_context io;
    FakeServer fake(io, [](const std::string& line) { return std::optional(right_iamat_reply("Fake", line)); });
    LoadOptions o = options_for({{"Fake", "127.0.0.1", fake.port()}}, 2, 20);
    o.rate = 200;  // 20 requests 5 ms apart: the last one is due at 95 ms
    const LoadReport r = run_on(io, o);
    CHECK(r.replied == 20);
    CHECK(r.seconds >= 0.095);
}

TEST_CASE("A closed loop with a duration ends by itself", "[load]") {
    asio::io_context io;
    FakeServer fake(io, [](const std::string& line) { return std::optional(right_iamat_reply("Fake", line)); });
    LoadOptions o = options_for({{"Fake", "127.0.0.1", fake.port()}}, 2, 0);
    o.requests.reset();
    o.duration = std::chrono::duration<double>(0.2);
    const LoadReport r = run_on(io, o);
    CHECK(r.replied > 0);
    CHECK(r.replied == r.sent());
    CHECK(r.clean());
}

TEST_CASE("The JSON report has every figure the text has", "[load]") {
    asio::io_context io;
    FakeServer fake(io, [](const std::string& line) { return std::optional(right_iamat_reply("Fake", line)); });
    LoadOptions o = options_for({{"Fake", "127.0.0.1", fake.port()}}, 2, 40);
    o.pids = {static_cast<int>(::getpid())};
    const auto doc = nlohmann::json::parse(report_json(run_on(io, o)).dump());
    CHECK(doc["sent"]["total"] == 40);
    CHECK(doc["sent"]["iamat"] == 40);
    CHECK(doc["replied"] == 40);
    CHECK(doc["errors"]["total"] == 0);
    CHECK(doc["wrong"]["total"] == 0);
    CHECK(doc["latency_ms"]["p50"].is_number());
    CHECK(doc["latency_ms"]["p99"] >= doc["latency_ms"]["p50"]);
    CHECK(doc["latency_ms"]["max"] >= doc["latency_ms"]["p99"]);
    CHECK(doc["cpu"]["herd_us_per_request"].is_number());
    CHECK(doc["mode"] == "closed-loop");
}

TEST_CASE("Latency quantiles: never below the exact value, less than 1% above", "[load]") {
    LatencyHistogram h;
    CHECK(h.quantile(0.5) == 0);
    for (std::uint64_t v = 1; v <= 100000; ++v) h.record(v * 37);
    for (const double q : {0.01, 0.5, 0.99, 0.999, 1.0}) {
        INFO(q);
        const double exact = std::ceil(q * 100000) * 37;
        CHECK(static_cast<double>(h.quantile(q)) >= exact);
        CHECK(static_cast<double>(h.quantile(q)) < exact * 1.01);
    }
    CHECK(h.max() == 3700000);
    CHECK(h.count() == 100000);
}

TEST_CASE("The flags --servers, --mix and --pids: what they accept and why they refuse", "[load]") {
    const auto servers = parse_servers("Alford=127.0.0.1:19625,Ball=localhost:19628");
    REQUIRE(std::holds_alternative<std::vector<Target>>(servers));
    const auto& list = std::get<std::vector<Target>>(servers);
    REQUIRE(list.size() == 2);
    CHECK((list[1].name == "Ball" && list[1].host == "localhost" && list[1].port == 19628));
    const auto refused = [](const auto& result) { return std::get<std::string>(result); };
    CHECK(refused(parse_servers("Alford")) == "\"Alford\" is not Name=host:port");
    CHECK(refused(parse_servers("A=h:0")) == "\"A=h:0\": the port must be a number from 1 to 65535");
    CHECK(refused(parse_servers("A=h:65536")) == "\"A=h:65536\": the port must be a number from 1 to 65535");
    CHECK(refused(parse_servers("A=:1")) == "\"A=:1\": the host is missing");
    CHECK(refused(parse_servers("=h:1")) == "\"=h:1\": a name is one word, not empty");
    CHECK(refused(parse_servers("A=h:1,A=g:2")) == "the name \"A\" is given twice");

    CHECK(std::get<std::uint32_t>(parse_mix("iamat:0.9,whatsat:0.1")) == 100000);
    CHECK(std::get<std::uint32_t>(parse_mix("iamat:9,whatsat:1")) == 100000);
    CHECK(std::get<std::uint32_t>(parse_mix("whatsat:1")) == 1000000);
    CHECK(std::get<std::uint32_t>(parse_mix("iamat:1")) == 0);
    CHECK(refused(parse_mix("iamat:-1")) == "\"iamat:-1\": the weight must be a number, 0 or more");
    CHECK(refused(parse_mix("iamat:0")) == "the weights are all 0");
    CHECK(refused(parse_mix("at:1")) == "\"at:1\": expected iamat:WEIGHT or whatsat:WEIGHT");
    CHECK(refused(parse_mix("iamat:1,iamat:2")) == "iamat is given twice");

    CHECK(std::get<std::vector<int>>(parse_pids(std::to_string(::getpid()))) == std::vector<int>{::getpid()});
    CHECK(refused(parse_pids("0")) == "\"0\" is not a process ID");
    CHECK(refused(parse_pids("12a")) == "\"12a\" is not a process ID");
    CHECK(refused(parse_pids("2147483647")) == "no process 2147483647 (cannot read /proc/2147483647/stat)");
}

TEST_CASE("What counts as the right reply to an IAMAT and to a WHATSAT", "[load]") {
    const Nanos t = 1520023934918963997;
    const std::string at = "AT Alford +0.263873386 kiwi +34.068930-118.445127 1520023934.918963997";
    CHECK_FALSE(wrong_iamat_reply(at + "\n", "Alford", "kiwi", t));
    CHECK_FALSE(wrong_iamat_reply("AT Alford 0.26 kiwi +34.068930-118.445127 1520023934.918963997\n", "Alford", "kiwi", t));
    CHECK(wrong_iamat_reply(at + "\n", "Ball", "kiwi", t) == "server \"Alford\", expected \"Ball\"");
    CHECK(wrong_iamat_reply(at + "\n", "Alford", "kiwi", t + 1) ==
          "time \"1520023934.918963997\", expected \"1520023934.918963998\"");
    CHECK(wrong_iamat_reply(at + "\n", "Alford", "kiwo", t) == "client \"kiwi\", expected \"kiwo\"");
    CHECK(wrong_iamat_reply("AT Alford +x kiwi +34.068930-118.445127 1520023934.918963997\n", "Alford", "kiwi", t) ==
          "difference \"+x\" is not a decimal number");
    CHECK(wrong_iamat_reply("AT Alford +0.1  kiwi +34.068930-118.445127 1520023934.918963997\n", "Alford", "kiwi", t) ==
          "not an AT line of 6 fields");
    CHECK(wrong_iamat_reply("? IAMAT kiwi +34.068930-118.445127 1520023934.918963997\n", "Alford", "kiwi", t) ==
          "not an AT line of 6 fields");

    const std::string body = "{\n   \"results\": []\n}";
    CHECK_FALSE(wrong_whatsat_reply(at + "\n" + body + "\n\n", "Alford", "kiwi", t));
    CHECK(wrong_whatsat_reply(at + "\n" + body + "\n", "Alford", "kiwi", t) == "no empty line after the JSON");
    CHECK(wrong_whatsat_reply(at + "\n[1]\n\n", "Alford", "kiwi", t) == "the Places part is not a JSON object");
    CHECK(wrong_whatsat_reply(at + "\n" + body + "\n\n", "Alford", "kiwi", t - 1) ==
          "time \"1520023934.918963997\", expected \"1520023934.918963996\"");
    // "? " is right only for a client this connection never reported; then any AT line for it is too.
    CHECK(wrong_whatsat_reply("? WHATSAT kiwi 10 1\n", "Alford", "kiwi", t) ==
          "not an AT line (the client was reported on this connection)");
    CHECK_FALSE(wrong_whatsat_reply("? WHATSAT kiwi 10 1\n", "Alford", "kiwi", std::nullopt));
    CHECK_FALSE(wrong_whatsat_reply(at + "\n" + body + "\n\n", "Ball", "kiwi", std::nullopt));
    CHECK(wrong_whatsat_reply("? WHATSAT kiwo 10 1\n", "Alford", "kiwi", std::nullopt) ==
          "neither \"? \" and the request nor an AT line");
}

TEST_CASE("Every example in herdsim load --help runs clean against a herd (sizes cut down)", "[load]") {
    InProcessHerd h;
    std::map<std::string, std::string> ports;  // fall17's fixed port -> the one this herd has
    std::string servers;
    const HerdConfig fall17 = *preset("fall17");
    for (const auto& s : fall17.servers) {
        ports[std::to_string(s.port)] = std::to_string(h.herd->port(s.name));
        servers += (servers.empty() ? "" : ",") + s.name + "=127.0.0.1:" + ports[std::to_string(s.port)];
    }
    auto guard = asio::make_work_guard(h.io);
    std::thread herd_thread([&] { h.io.run(); });

    const auto parser = [](std::function<int()>& action) {
        auto app = std::make_unique<CLI::App>("herdsim", "herdsim");
        add_load_command(*app, action);
        return app;
    };
    std::function<int()> action;
    std::istringstream help(parser(action)->get_subcommand("load")->help());
    std::size_t examples = 0;
    for (std::string line; std::getline(help, line);) {
        if (line.rfind("  herdsim load ", 0) != 0) continue;
        INFO(line);
        line = std::regex_replace(line, std::regex(R"(\$\([^)]*\))"), std::to_string(::getpid()));
        std::vector<std::string> args;
        const auto words = fields(line);
        for (std::size_t i = 2; i < words.size(); ++i) {
            std::string word = words[i];
            const std::string flag = args.empty() ? "" : args.back();
            if (word == "--preset" && words[i + 1] == "fall17") {
                args.insert(args.end(), {"--servers", servers});
                ++i;
                continue;
            }
            if (flag == "--servers")
                for (const auto& [fixed, actual] : ports) word = std::regex_replace(word, std::regex(":" + fixed + "\\b"), ":" + actual);
            if (flag == "--requests") word = std::to_string(std::min<std::uint64_t>(std::stoull(word), 500));
            if (flag == "--duration") word = "0.2";
            args.push_back(word);
        }
        std::reverse(args.begin(), args.end());
        std::vector<std::string> command{"load"};
        command.insert(command.begin(), args.begin(), args.end());
        action = nullptr;
        const auto app = parser(action);  // a fresh one: CLI11 keeps the values an earlier parse set
        REQUIRE_NOTHROW(app->parse(command));
        REQUIRE(action);
        CHECK(action() == 0);
        ++examples;
    }
    guard.reset();
    h.io.stop();
    herd_thread.join();
    CHECK(examples >= 5);
}

TEST_CASE("With --check-known every server is asked for every client: all seen on a herd, not on two unlinked servers", "[load]") {
    {
        InProcessHerd h;
        LoadOptions o = options_for(h.targets(), 10, 1000);
        o.clients = 5;
        o.check_known = true;
        const LoadReport r = run_on(h.io, o);
        REQUIRE(r.known);
        CHECK(r.known->clients == 50);
        CHECK(r.known->pairs == 250);
        CHECK(r.known->known == 250);
        CHECK(r.known->missing_examples.empty());
        CHECK(r.clean());
    }
    // A and B share no link: what A was told, B never learns.
    asio::io_context io;
    std::mt19937_64 rng{7};
    sim::HerdOptions options;
    options.relays = false;
    options.rng = &rng;
    sim::Herd herd(io, HerdConfig{{{"A", "127.0.0.1", 0}, {"B", "127.0.0.1", 0}}, {}, {}, {}, {}}, options);
    herd.start();
    LoadOptions o = options_for({{"A", "127.0.0.1", herd.port("A")}, {"B", "127.0.0.1", herd.port("B")}}, 1, 20);
    o.clients = 4;
    o.check_known = true;
    o.timeout = std::chrono::duration<double>(0.3);
    const LoadReport r = run_on(io, o);
    REQUIRE(r.known);
    CHECK(r.known->clients == 4);
    CHECK(r.known->pairs == 8);
    CHECK(r.known->known == 4);
    REQUIRE(r.known->missing_examples.size() == 1);
    CHECK_THAT(r.known->missing_examples[0], Catch::StartsWith("4 clients unseen at B (first: load-0-0); last: load-0-"));
    CHECK_THAT(r.known->missing_examples[0], Catch::Contains("not an AT line"));
    CHECK_FALSE(r.clean());
}
