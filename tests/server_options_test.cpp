// The one mapping from a herd config to a server's options, and what --mock-places answers.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "serve/descriptor_limit.hpp"
#include "serve/mock_answers.hpp"
#include "serve/server_options.hpp"

namespace {

herd::HerdConfig three_nodes() {
    return herd::parse_config(R"({"servers": {"A": {"host": "127.0.0.1", "port": 9001},
                                              "B": {"host": "127.0.0.2", "port": 9002},
                                              "C": {"host": "127.0.0.3", "port": 9003}},
                                  "links": [["B", "A"], ["A", "C"]],
                                  "places": {"api": "new", "url": "http://127.0.0.1:8080", "timeout_ms": 700},
                                  "limits": {"max_connections": 5, "idle_timeout_ms": 0}})",
                              "three");
}

}  // namespace

TEST_CASE("server_options: the node's address, its neighbours in link order, the herd's Places and limits, tunables kept") {
    herd::ServerOptions tunables;
    tunables.log_dir = "logs";
    tunables.limits.max_line = 100;
    tunables.link_linger = std::chrono::milliseconds(7);
    tunables.reconnect_max = std::chrono::milliseconds(90);
    tunables.peers = {{"stale", "10.0.0.1", 1}};
    const auto o = herd::server_options(three_nodes(), "A", tunables);
    CHECK(o.name == "A");
    CHECK(o.host == "127.0.0.1");
    CHECK(o.port == 9001);
    REQUIRE(o.peers.size() == 2);
    CHECK((o.peers[0].name == "B" && o.peers[0].host == "127.0.0.2" && o.peers[0].port == 9002));
    CHECK((o.peers[1].name == "C" && o.peers[1].host == "127.0.0.3" && o.peers[1].port == 9003));
    CHECK(o.places.api == herd::PlacesApi::places_new);
    CHECK(o.places.base_url == "http://127.0.0.1:8080");
    CHECK(o.places.timeout == std::chrono::milliseconds(700));
    CHECK(o.log_dir == "logs");
    CHECK(o.limits.max_connections == 5);
    CHECK(o.limits.idle_timeout == std::chrono::milliseconds(0));
    CHECK(o.limits.max_line == herd::ServerLimits{}.max_line);  // the herd's, not the tunables'
    CHECK(o.limits.line_timeout == herd::ServerLimits{}.line_timeout);
    CHECK(o.link_linger == std::chrono::milliseconds(7));
    CHECK(o.limits.peer_queue_lines == herd::ServerLimits{}.peer_queue_lines);
    CHECK(o.reconnect_max == std::chrono::milliseconds(90));

    const auto b = herd::server_options(three_nodes(), "B");
    REQUIRE(b.peers.size() == 1);
    CHECK(b.peers[0].name == "A");
    CHECK_THROWS_AS(herd::server_options(three_nodes(), "D"), std::out_of_range);
}

TEST_CASE("mock answers: the legacy body verbatim, and each result as a Places API (New) place") {
    const std::string legacy = R"({"results": [{"place_id": "p1", "name": "Royce Hall", "vicinity": "340 Royce Dr",
        "geometry": {"location": {"lat": 34.07, "lng": -118.44}}, "types": ["point_of_interest"], "rating": 4.8,
        "user_ratings_total": 12}, {"name": "Nameless"}], "status": "OK"})";
    const auto answers = herd::serve::mock_answers(legacy, "test.json");
    CHECK(answers.origin == "test.json");
    CHECK(answers.legacy == legacy);
    CHECK(nlohmann::ordered_json::parse(answers.places_new).dump() ==
          R"({"places":[{"id":"p1","displayName":{"text":"Royce Hall"},"formattedAddress":"340 Royce Dr",)"
          R"("location":{"latitude":34.07,"longitude":-118.44},"types":["point_of_interest"],"rating":4.8,)"
          R"("userRatingCount":12},{"displayName":{"text":"Nameless"}}]})");
}

TEST_CASE("mock answers: a body that is not a Nearby Search answer is refused, naming the file and what is wrong") {
    using Catch::Matchers::Equals;
    using Catch::Matchers::StartsWith;
    using herd::serve::mock_answers;
    CHECK_THROWS_WITH(mock_answers("{\"results\": [", "f.json"),
                      StartsWith("--mock-places: f.json: not valid JSON: ") && Catch::Matchers::Contains("line 1, column 14"));
    CHECK_THROWS_WITH(mock_answers("[]", "f.json"),
                      Equals("--mock-places: f.json: expected a Nearby Search answer: a JSON object with a \"results\" array"));
    CHECK_THROWS_WITH(mock_answers(R"({"results": {}})", "f.json"),
                      Equals("--mock-places: f.json: expected a Nearby Search answer: a JSON object with a \"results\" array"));
    CHECK_THROWS_WITH(mock_answers(R"({"results": [{}, 3]})", "f.json"),
                      Equals("--mock-places: f.json: results[1]: expected an object"));
    CHECK_THROWS_WITH(herd::serve::load_mock_answers("no/such/file.json"),
                      Equals("--mock-places: no/such/file.json: cannot open the file"));
    CHECK_NOTHROW(herd::serve::load_mock_answers(""));
}

TEST_CASE("fit_connections: the cap is lowered to what the process may open, and said, a cap that fits is kept") {
    herd::ServerLimits limits;  // 1024 connections, 16 peer slots
    CHECK(herd::fit_connections(limits, 5, 5, 1'048'576).empty());
    CHECK(limits.max_connections == 1024);
    // 1024 - 32 reserved - 2 x 5 link ends - 5 x (2 + 16) = 892; / 5 servers / 2 = 89.
    CHECK(herd::fit_connections(limits, 5, 5, 1024) ==
          "max_connections 1024 lowered to 89: 5 server(s) in a process that may open 1024 file descriptors (RLIMIT_NOFILE)");
    CHECK(limits.max_connections == 89);
    CHECK(herd::fit_connections(limits, 5, 5, 10) ==
          "max_connections 89 lowered to 1: 5 server(s) in a process that may open 10 file descriptors (RLIMIT_NOFILE)");
    CHECK(herd::raise_descriptor_limit() >= 64);
}
