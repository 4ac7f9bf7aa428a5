// `herdsim serve` as a user runs it: the real binary as a child process, real loopback sockets,
// the exact reply bytes.
#include <csignal>
#include <cstdlib>
#include <iterator>
#include <sys/stat.h>
#include <fstream>

#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "client/line_client.hpp"
#include "config/herd_config.hpp"
#include "protocol/places_reply.hpp"
#include "serve/mock_answers.hpp"
#include "serve/sample_places.hpp"
#include "support/child_process.hpp"

namespace {

using namespace std::chrono_literals;
using herd::sim::LineClient;
using herd::test::ChildProcess;
using json = nlohmann::json;

const std::string iamat = "IAMAT kiwi.cs.ucla.edu +34.068930-118.445127 1520023934.918963997\n";
const std::string at_suffix = " kiwi.cs.ucla.edu +34.068930-118.445127 1520023934.918963997";

// A folder of its own for each test, away from the source tree: the binary must not need it.
std::filesystem::path fresh_folder(const std::string& name) {
    auto folder = std::filesystem::path(HERDSIM_TEST_WORK_DIR) / name;
    std::filesystem::remove_all(folder);
    std::filesystem::create_directories(folder);
    return folder;
}

// Ports the system has just handed out, so parallel tests do not collide on fixed ones.
std::vector<std::uint16_t> free_ports(boost::asio::io_context& io, std::size_t n) {
    std::vector<boost::asio::ip::tcp::acceptor> acceptors;
    std::vector<std::uint16_t> ports;
    for (std::size_t i = 0; i < n; ++i) {
        acceptors.emplace_back(io, boost::asio::ip::tcp::endpoint(boost::asio::ip::address_v4::loopback(), 0));
        ports.push_back(acceptors.back().local_endpoint().port());
    }
    return ports;
}

// fall17 (names, links) on free ports, as a config file in `folder`.
herd::HerdConfig write_fall17(boost::asio::io_context& io, const std::filesystem::path& file) {
    herd::HerdConfig config = *herd::preset("fall17");
    const auto ports = free_ports(io, config.servers.size());
    json doc{{"servers", json::object()}, {"links", json::array()}};
    for (std::size_t i = 0; i < config.servers.size(); ++i) {
        config.servers[i].port = ports[i];
        doc["servers"][config.servers[i].name] = {{"host", "127.0.0.1"}, {"port", ports[i]}};
    }
    for (const auto& [a, b] : config.links) doc["links"].push_back({a, b});
    std::ofstream(file) << doc.dump();
    return config;
}

std::vector<std::string> serve_args(const std::filesystem::path& config, std::vector<std::string> more) {
    std::vector<std::string> args{"serve", "--config", config.string()};
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

// One WHATSAT reply: the AT line, then the JSON; returns the AT line without its newline.
std::string at_line_of(const std::string& reply) { return reply.substr(0, reply.find('\n')); }

// The banner's last line comes once every server listens.
void wait_until_serving(ChildProcess& serve) {
    const bool serving = serve.wait_for_output("Ctrl-C stops\n", 10s);
    INFO("herdsim said: " << serve.output());
    REQUIRE(serving);
}

void stop_and_check_exit(ChildProcess& serve) {
    serve.send_signal(SIGTERM);
    CHECK(serve.wait_for_exit(10s) == 0);
    CHECK(serve.output().find("herdsim: signal 15, shutting down\n") != std::string::npos);
}

}  // namespace

TEST_CASE("serve --mock-places answers the README's WHATSAT on every node from the bundled sample, from any folder") {
    boost::asio::io_context io;
    const auto folder = fresh_folder("serve-mock-bundled");
    const auto config = write_fall17(io, folder / "herd.json");
    ChildProcess serve(io, HERDSIM_BINARY, serve_args(folder / "herd.json", {"--mock-places"}), folder);
    wait_until_serving(serve);
    CHECK(serve.output().find("(built-in mock answering with the bundled nearbysearch_ok_ucla_2022_bound5.json)") !=
          std::string::npos);

    for (const auto& server : config.servers) {
        INFO(server.name);
        LineClient client(io, server.port);
        client.send(iamat);
        const std::string at = client.read_line(10s);
        CHECK(at.starts_with("AT "));
        CHECK(at.ends_with(at_suffix + "\n"));
        client.send("WHATSAT kiwi.cs.ucla.edu 10 3\n");
        const std::string reply = client.read_until("}\n\n", 10s);
        REQUIRE(reply.ends_with("}\n\n"));
        CHECK(reply == herd::whatsat_reply(at_line_of(reply), herd::serve::sample_places_body, 3));
        const auto body = json::parse(reply.substr(reply.find('\n') + 1));
        CHECK(body["status"] == "OK");
        CHECK(body["results"].size() == 3);
        CHECK(body["results"][0]["name"] == json::parse(herd::serve::sample_places_body)["results"][0]["name"]);
        // The AT line is one the herd made for this report: this node's, or a neighbour's flood.
        CHECK(at_line_of(reply).ends_with(at_suffix));
    }
    // The sample has five results: a bound past them gets all five and no more.
    LineClient client(io, config.servers.front().port);
    client.send("WHATSAT kiwi.cs.ucla.edu 10 20\n");
    const std::string reply = client.read_until("}\n\n", 10s);
    REQUIRE(reply.ends_with("}\n\n"));
    CHECK(json::parse(reply.substr(reply.find('\n') + 1))["results"].size() == 5);
    CHECK(serve.output().find("no PLACES_API_KEY") == std::string::npos);
    stop_and_check_exit(serve);
}

TEST_CASE("serve --mock-places FILE --places-api new answers the file's results as Places API (New) places") {
    boost::asio::io_context io;
    const auto folder = fresh_folder("serve-mock-file-new");
    const auto config = write_fall17(io, folder / "herd.json");
    const std::string file = std::string(HERDSIM_TEST_DATA_DIR) + "/places/nearbysearch_ok_downtown_la_2018.json";
    ChildProcess serve(io, HERDSIM_BINARY,
                       serve_args(folder / "herd.json", {"--node", "Welsh", "--mock-places", file, "--places-api", "new"}),
                       folder);
    wait_until_serving(serve);
    CHECK(serve.output().find("herdsim: Places new at http://127.0.0.1:") != std::string::npos);

    LineClient client(io, config.find("Welsh")->port);
    client.send(iamat + "WHATSAT kiwi.cs.ucla.edu 10 4\n");
    const std::string at = client.read_line(10s);
    CHECK(at.starts_with("AT Welsh +"));
    const std::string reply = client.read_until("}\n\n", 10s);
    REQUIRE(reply.ends_with("}\n\n"));
    CHECK(at_line_of(reply) + "\n" == at);
    CHECK(reply == herd::whatsat_reply(at_line_of(at), herd::serve::load_mock_answers(file).places_new, 4));

    std::ifstream in(file);
    const auto results = json::parse(in)["results"];
    const auto places = json::parse(reply.substr(reply.find('\n') + 1))["places"];
    REQUIRE(places.size() == 4);
    for (std::size_t i = 0; i < places.size(); ++i) {
        CHECK(places[i]["displayName"]["text"] == results[i]["name"]);
        CHECK(places[i]["id"] == results[i]["place_id"]);
        CHECK(places[i]["location"]["latitude"] == results[i]["geometry"]["location"]["lat"]);
    }
    stop_and_check_exit(serve);
}

TEST_CASE("serve's Places limits come from the config's places section, and the flags override it") {
    boost::asio::io_context io;
    const auto folder = fresh_folder("serve-places-limits");
    const auto config = write_fall17(io, folder / "herd.json");
    json doc = json::parse(std::ifstream(folder / "herd.json"));
    doc["places"] = {{"rate_per_second", 1}, {"burst", 1}, {"cache_ttl_ms", 0}};
    std::ofstream(folder / "herd.json") << doc.dump();

    // Five WHATSATs in one write, far less than a second apart: each reply, with "answered" for the
    // mock's answer.
    const auto five_whatsats = [&](std::vector<std::string> flags) {
        flags.insert(flags.end(), {"--node", "Alford", "--mock-places"});
        ChildProcess serve(io, HERDSIM_BINARY, serve_args(folder / "herd.json", flags), folder);
        wait_until_serving(serve);
        LineClient client(io, config.find("Alford")->port);
        client.send(iamat);
        const std::string at = at_line_of(client.read_line(10s));
        std::string lines;
        for (int i = 0; i < 5; ++i) lines += "WHATSAT kiwi.cs.ucla.edu 10 1\n";
        client.send(lines);
        std::vector<std::string> replies;
        for (int i = 0; i < 5; ++i) {
            const std::string reply = client.read_until("}\n\n", 10s);
            replies.push_back(reply == herd::whatsat_reply(at, herd::serve::sample_places_body, 1) ? "answered" : reply);
        }
        stop_and_check_exit(serve);
        return std::make_pair(at, replies);
    };

    const auto [at, limited] = five_whatsats({});
    const std::string refused = herd::whatsat_failure_reply(
        at, "Places rate limit reached: this server sends at most 1 requests a second (bursts of 1)");
    CHECK(limited[0] == "answered");
    CHECK(limited[1] == refused);
    for (const auto& reply : limited) CHECK((reply == "answered" || reply == refused));

    const auto [unused, unlimited] = five_whatsats({"--places-burst", "5"});
    for (const auto& reply : unlimited) CHECK(reply == "answered");
}

TEST_CASE("serve --mock-places refuses a FIFO at once instead of waiting for a writer", "[serve][hostile]") {
    boost::asio::io_context io;
    const auto folder = fresh_folder("serve-mock-fifo");
    const auto config = write_fall17(io, folder / "herd.json");
    const auto fifo = folder / "places.json";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    ChildProcess serve(io, HERDSIM_BINARY, serve_args(folder / "herd.json", {"--mock-places", fifo.string()}), folder);
    const auto code = serve.wait_for_exit(10s);
    INFO("herdsim said: " << serve.output());
    CHECK(code == 2);
    CHECK(serve.output().find("herdsim serve: --mock-places: " + fifo.string() + ": not a regular file\n") !=
          std::string::npos);
}

namespace {

// Sets an environment variable for the children started while it lives.
struct ScopedEnv {
    ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
    ~ScopedEnv() { ::unsetenv(name_); }
    const char* name_;
};

}  // namespace

TEST_CASE("serve takes the peer secret from HERDSIM_PEER_SECRET: floods are signed, a forged flood line is ignored",
          "[serve][hostile][auth]") {
    boost::asio::io_context io;
    const auto folder = fresh_folder("serve-peer-secret");
    const auto config = write_fall17(io, folder / "herd.json");
    std::unique_ptr<ChildProcess> serve;
    {
        ScopedEnv secret("HERDSIM_PEER_SECRET", "correct horse battery staple");
        serve = std::make_unique<ChildProcess>(io, HERDSIM_BINARY, serve_args(folder / "herd.json", {"--mock-places"}), folder);
    }
    wait_until_serving(*serve);
    CHECK(serve->output().find("; peer lines signed and checked (HMAC-SHA-256 with the peer secret)") != std::string::npos);

    LineClient alford(io, config.find("Alford")->port);
    alford.send(iamat);
    const std::string at = alford.read_line(10s);
    REQUIRE(at.starts_with("AT Alford "));
    // Alford's flood reaches Hamilton, signed; a client's flood line with no MAC does not.
    LineClient hamilton(io, config.find("Hamilton")->port);
    std::string first = "? ";
    for (int i = 0; i < 200 && first.starts_with("? "); ++i) {  // until the flood has arrived
        hamilton.send("WHATSAT kiwi.cs.ucla.edu 10 1\n");
        first = hamilton.read_line(10s);
    }
    CHECK(first == at);
    hamilton.read_until("}\n\n", 10s);
    hamilton.send("AT Alford +0.000000001 forged +1+1 1520023934 Alford\nWHATSAT forged 10 1\n");
    CHECK(hamilton.read_line(10s) == "? WHATSAT forged 10 1\n");
    stop_and_check_exit(*serve);
    std::ifstream log(folder / "logs" / "Hamilton.log");
    const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    CHECK(text.find("flood line or catch-up request without a valid MAC (no MAC field), ignored: AT Alford "
                    "+0.000000001 forged") != std::string::npos);
    CHECK(text.find("correct horse") == std::string::npos);

    ScopedEnv short_secret("HERDSIM_PEER_SECRET", "short");
    ChildProcess refused(io, HERDSIM_BINARY, serve_args(folder / "herd.json", {}), folder);
    CHECK(refused.wait_for_exit(10s) == 2);
    CHECK(refused.output() == "herdsim serve: HERDSIM_PEER_SECRET: expected 16 to 1024 bytes, got 5\n");
}
