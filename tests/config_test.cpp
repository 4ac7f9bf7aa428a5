// Herd configuration: presets and files, with precise errors.
#include <catch2/catch.hpp>

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
