// Herd configuration: presets and files, with precise errors.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "config/herd_config.hpp"

using namespace herd;

namespace {
std::string error_of(std::string_view text) {
    try {
        parse_config(text, "herd.json");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST_CASE("fall17 is the seed's herd: a ring of five on 19625-19629", "[config]") {
    auto c = preset("fall17");
    REQUIRE(c);
    CHECK(c->find("Alford")->port == 19625);
    CHECK(c->find("Hamilton")->port == 19626);
    CHECK(c->find("Welsh")->port == 19627);
    CHECK(c->find("Ball")->port == 19628);
    CHECK(c->find("Holiday")->port == 19629);
    CHECK(c->neighbours("Alford") == std::vector<std::string>{"Hamilton", "Welsh"});
    CHECK(c->neighbours("Ball") == std::vector<std::string>{"Holiday", "Welsh"});
    CHECK(c->neighbours("Hamilton") == std::vector<std::string>{"Alford", "Holiday"});
    CHECK(c->links.size() == 5);
    CHECK(preset_names().front() == "fall17");
}

TEST_CASE("Every preset is a valid herd of five", "[config]") {
    for (const auto& name : preset_names()) {
        INFO(name);
        auto c = preset(name);
        REQUIRE(c);
        CHECK(c->servers.size() == 5);
        CHECK_NOTHROW(validate(*c, name));
    }
    auto w22 = preset("w22");
    CHECK(w22->neighbours("Bernard") == std::vector<std::string>{"Juzang", "Jaquez", "Johnson"});
    CHECK(w22->find("Juzang")->port == 12200);
    CHECK_FALSE(preset("nope"));
}

TEST_CASE("A config file is read in order, places included", "[config]") {
    auto c = parse_config(R"({"servers": {"Alford": {"host": "127.0.0.1", "port": 19625}, "Hamilton": {"host": "127.0.0.1", "port": 19626}},
     "links": [["Alford", "Hamilton"]],
     "places": {"api": "new", "url": "http://127.0.0.1:8080"}})",
                          "herd.json");
    REQUIRE(c.servers.size() == 2);
    CHECK(c.servers[0].name == "Alford");
    CHECK(c.servers[1].port == 19626);
    CHECK(c.neighbours("Hamilton") == std::vector<std::string>{"Alford"});
    CHECK(c.places.api == PlacesApi::places_new);
    CHECK(c.places.effective_url() == "http://127.0.0.1:8080");
}

TEST_CASE("Bad config files get precise errors", "[config]") {
    CHECK_THAT(error_of("{\"servers\": {\n  \"A\": {\"host\": \"x\" \"port\": 1}}}"),
               Catch::Contains("herd.json: not valid JSON") && Catch::Contains("line 2"));
    CHECK_THAT(error_of(R"({"servers": {"A": {"host": "127.0.0.1", "port": 1}}, "links": [["A", "B"]]})"),
               Catch::Contains("links[0]: unknown server \"B\""));
    CHECK_THAT(error_of(R"({"servers": {"A": {"host": "127.0.0.1", "port": 1}, "B": {"host": "127.0.0.1", "port": 1}}})"),
               Catch::Contains("servers.B.port: port 1 on 127.0.0.1 is already taken by A"));
    CHECK_THAT(error_of(R"({"servers": {"A": {"host": "127.0.0.1"}}})"),
               Catch::Contains("servers.A: missing field \"port\""));
    CHECK_THAT(error_of(R"({"servers": {"A": {"port": 5}}})"), Catch::Contains("servers.A: missing field \"host\""));
    CHECK_THAT(error_of(R"({"links": []})"), Catch::Contains("top level: missing field \"servers\""));
    CHECK_THAT(error_of(R"({"servers": {"A": {"host": "127.0.0.1", "port": 70000}}})"),
               Catch::Contains("servers.A.port: expected an integer from 1 to 65535, got 70000"));
    CHECK_THAT(error_of(R"({"servers": {"A": {"host": "127.0.0.1", "port": 1}}, "links": [["A"]]})"),
               Catch::Contains("links[0]: expected [\"A\", \"B\"]"));
    CHECK_THAT(error_of(R"({"servers": {"A": {"host": "127.0.0.1", "port": 1}}, "links": [["A", "A"]]})"),
               Catch::Contains("cannot link to itself"));
    CHECK_THAT(error_of(R"({"servers": {"A": {"host": "127.0.0.1", "port": 1}}, "places": {"api": "v3"}})"),
               Catch::Contains("places.api: expected \"legacy\" or \"new\""));
    CHECK_THAT(error_of(R"({"servers": {"A": {"host": "127.0.0.1", "port": 1}}, "extra": 1})"),
               Catch::Contains("unknown field \"extra\""));
    CHECK_THAT(error_of("[]"), Catch::Contains("expected a JSON object"));
    CHECK_THAT(error_of(R"({"servers": {}})"), Catch::Contains("at least one server"));
}

TEST_CASE("A missing file says so", "[config]") {
    CHECK_THROWS_WITH(load_config_file("/nonexistent/herd.json"), Catch::Contains("cannot open the file"));
}

// Files that used to overflow the stack, escape as an exception without a position, or set a
// timeout that overflowed the Places deadline: each is refused with a precise error.
TEST_CASE("Hostile config files get a precise error instead of a crash", "[config][limits]") {
    const std::string one_server = R"("servers": {"A": {"host": "127.0.0.1", "port": 1}})";
    const std::string links = "{" + one_server + ", \"links\": ";
    // The 65th level is the 64th bracket of the links.
    CHECK(error_of(links + std::string(1'000'000, '[') + std::string(1'000'000, ']') + "}") ==
          "herd.json: line 1, column " + std::to_string(links.size() + 64) + ": nested deeper than 64 levels of arrays and objects");
    CHECK(error_of("{\"servers\": {\"A\": {\"host\": \"127.0.0.1\",\n \"port\": 1e400}}}") ==
          "herd.json: line 2, column 10: number 1e400 is out of range (a number must fit a double: at most about 1.8e308)");
    for (const char* timeout : {"0", "86400001", "9223372036854775807", "18446744073709551615", "-1", "1.5"})
        CHECK(error_of("{" + one_server + R"(, "places": {"timeout_ms": )" + timeout + "}}") ==
              std::string("herd.json: places.timeout_ms: expected an integer from 1 to 86400000 (milliseconds), got ") + timeout);
    CHECK(parse_config("{" + one_server + R"(, "places": {"timeout_ms": 86400000}})", "herd.json").places.timeout ==
          std::chrono::milliseconds(86'400'000));
    CHECK(error_of(R"({"servers": {")" + std::string(65, 'n') + R"(": {"host": "127.0.0.1", "port": 1}}})") ==
          "herd.json: servers: server name \"" + std::string(40, 'n') + "...\" is longer than 64 bytes");
    CHECK(error_of(R"({"servers": {"A": {"host": ")" + std::string(256, 'h') + R"(", "port": 1}}})") ==
          "herd.json: servers.A.host: longer than 255 bytes");
    CHECK(error_of("{" + one_server + R"(, "places": {"url": ")" + std::string(2049, 'u') + "\"}}") ==
          "herd.json: places.url: longer than 2048 bytes");
    CHECK_THROWS_WITH(load_config_file("/dev/zero"), "/dev/zero: not a regular file");
}

TEST_CASE("The Places deadline saturates instead of overflowing", "[config][limits]") {
    using Clock = std::chrono::steady_clock;
    using std::chrono::milliseconds;
    const auto now = Clock::now();
    CHECK(places_deadline(now, milliseconds(5000)) == now + milliseconds(5000));
    CHECK(places_deadline(now, max_places_timeout) == now + max_places_timeout);
    CHECK(places_deadline(now, milliseconds::max()) == Clock::time_point::max());
    CHECK(places_deadline(now, milliseconds(0)) == now);
    CHECK(places_deadline(Clock::time_point::max() - milliseconds(1), milliseconds(2)) == Clock::time_point::max());
}

TEST_CASE("The limits section: every key read, defaults kept for the others", "[config][limits]") {
    const std::string one_server = R"("servers": {"A": {"host": "127.0.0.1", "port": 1}})";
    const auto c = parse_config("{" + one_server + R"(, "limits": {"max_connections": 7, "idle_timeout_ms": 0,
        "line_timeout_ms": 250, "max_line_bytes": 300, "max_client_id_bytes": 9, "max_field_bytes": 17,
        "peer_slots": 0, "log_max_bytes": 5000, "log_files": 3, "peer_queue_lines": 8, "peer_queue_bytes": 4096,
        "backpressure_bytes": 0, "stall_timeout_ms": 60000, "evict_idle_ms": 0}})",
                                "herd.json");
    CHECK(c.limits.max_connections == 7);
    CHECK(c.limits.idle_timeout == std::chrono::milliseconds(0));
    CHECK(c.limits.line_timeout == std::chrono::milliseconds(250));
    CHECK(c.limits.max_line == 300);
    CHECK(c.limits.fields.max_client_id == 9);
    CHECK(c.limits.fields.max_field == 17);
    CHECK(c.limits.peer_slots == 0);
    CHECK(c.limits.log_max_bytes == 5000);
    CHECK(c.limits.log_files == 3);
    CHECK(c.limits.peer_queue_lines == 8);
    CHECK(c.limits.peer_queue_bytes == 4096);
    CHECK(c.limits.backpressure_bytes == 0);
    CHECK(c.limits.stall_timeout == std::chrono::milliseconds(60000));
    CHECK(c.limits.evict_idle_after == std::chrono::milliseconds(0));
    // Each key sets its own limit and no other: every spec reads back what it set.
    for (const auto& spec : limit_specs()) {
        INFO(spec.key);
        ServerLimits l;
        spec.set(l, spec.min);
        CHECK(spec.get(l) == spec.min);
        spec.set(l, spec.max);
        CHECK(spec.get(l) == spec.max);
    }
    const auto d = parse_config("{" + one_server + "}", "herd.json");
    CHECK(d.limits.max_connections == 1024);
    CHECK(d.limits.idle_timeout == std::chrono::minutes(10));
}

TEST_CASE("The limits section: unknown keys and values out of range are refused, naming the key", "[config][limits]") {
    const std::string one_server = R"({"servers": {"A": {"host": "127.0.0.1", "port": 1}}, "limits": )";
    CHECK(error_of(one_server + R"({"max_conections": 5}})") == R"(herd.json: limits: unknown field "max_conections")");
    CHECK(error_of(one_server + R"([]})") == R"(herd.json: limits: expected an object such as {"max_connections": 1024})");
    CHECK(error_of(one_server + R"({"peer_queue_bytes": 100}})") ==
          "herd.json: limits.peer_queue_bytes: expected an integer from 4096 to 1099511627776, got 100");
    CHECK(error_of(one_server + R"({"max_connections": 0}})") ==
          "herd.json: limits.max_connections: expected an integer from 1 to 1000000, got 0");
    CHECK(error_of(one_server + R"({"idle_timeout_ms": -1}})") ==
          "herd.json: limits.idle_timeout_ms: expected an integer from 0 to 86400000, got -1");
    CHECK(error_of(one_server + R"({"line_timeout_ms": 1.5}})") ==
          "herd.json: limits.line_timeout_ms: expected an integer from 0 to 86400000, got 1.5");
    CHECK(error_of(one_server + R"({"max_line_bytes": "64k"}})") ==
          "herd.json: limits.max_line_bytes: expected an integer from 256 to 16777216, got \"64k\"");
    CHECK(error_of(one_server + R"({"log_files": 18446744073709551615}})") ==
          "herd.json: limits.log_files: expected an integer from 1 to 100, got 18446744073709551615");
    CHECK(error_of(one_server + R"({"max_connections": 1000000}})").empty());
}

TEST_CASE("Server names become file names: '/', '..' and control characters are refused", "[config][hostile]") {
    const auto herd_of = [](const std::string& name) {
        return nlohmann::json{{"servers", {{name, {{"host", "127.0.0.1"}, {"port", 1}}}}}}.dump();
    };
    CHECK(error_of(herd_of("../../etc/x")) ==
          "herd.json: servers: server name \"../../etc/x\" is used as a file name: it must not contain '/', '\\', "
          "'..' or control characters");
    CHECK_THAT(error_of(herd_of("a/b")), Catch::Contains("server name \"a/b\" is used as a file name"));
    CHECK_THAT(error_of(herd_of("a\\b")), Catch::Contains("is used as a file name"));
    CHECK_THAT(error_of(herd_of("..")), Catch::Contains("is used as a file name"));
    CHECK_THAT(error_of(herd_of(std::string("bell\x07"))), Catch::Contains("server name \"bell\\x07\" is used as a file name"));
    CHECK_THAT(error_of(herd_of(std::string("nul\x7f"))), Catch::Contains("is used as a file name"));
    CHECK(error_of(herd_of("Alford.2")).empty());  // one dot is a name
    HerdConfig generated;
    generated.servers.push_back({"../x", "127.0.0.1", 0});
    CHECK_THROWS_WITH(validate(generated, "generated"), Catch::Contains("is used as a file name"));
}
TEST_CASE("The peer secret: from the config, at least 16 bytes, the future-time bound is a limit", "[config][hostile][auth]") {
    const std::string one_server = R"({"servers": {"A": {"host": "127.0.0.1", "port": 1}}, )";
    const auto c = parse_config(one_server + R"("peer_secret": "correct horse battery staple"})", "herd.json");
    CHECK(c.peer_secret == "correct horse battery staple");
    CHECK(parse_config(one_server + R"("links": []})", "herd.json").peer_secret.empty());
    CHECK(error_of(one_server + R"("peer_secret": "short"})") ==
          "herd.json: peer_secret: expected a string of at least 16 bytes, got 5 bytes");
    CHECK(error_of(one_server + R"("peer_secret": 12345678901234567890})") ==
          "herd.json: peer_secret: expected a string of at least 16 bytes, got 12345678901234567890");
    const auto l = parse_config(one_server + R"("limits": {"max_time_ahead_ms": 60000, "catch_up_interval_ms": 700,
                                                           "max_address_share_percent": 100}})", "herd.json");
    CHECK(l.limits.max_time_ahead == std::chrono::milliseconds(60000));
    CHECK(l.limits.catch_up_interval == std::chrono::milliseconds(700));
    CHECK(l.limits.max_address_share_percent == 100);
    const auto d = parse_config(one_server + R"("links": []})", "herd.json");
    CHECK(d.limits.max_time_ahead == std::chrono::hours(24));
    CHECK(d.limits.catch_up_interval == std::chrono::seconds(1));
    CHECK(d.limits.max_address_share_percent == 50);
}
