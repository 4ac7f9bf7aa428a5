// The WHATSAT reply: AT line, Places JSON cut to the bound, "\n\n".
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "protocol/places_reply.hpp"

using namespace herd;

namespace {
const std::string at = "AT Alford +0.263873386 kiwi.cs.ucla.edu +34.068930-118.445127 1520023934.918963997";

std::string sample(const std::string& name) {
    std::ifstream in(std::string(HERDSIM_TEST_DATA_DIR) + "/places/" + name);
    REQUIRE(in);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string json_part(const std::string& reply) {
    REQUIRE(reply.rfind(at + "\n", 0) == 0);
    REQUIRE(reply.size() >= 2);
    REQUIRE(reply.substr(reply.size() - 3) == "}\n\n");
    return reply.substr(at.size() + 1, reply.size() - at.size() - 3);
}
}  // namespace

TEST_CASE("The reply cuts results to the bound and keeps every other key in order", "[places]") {
    for (const char* file : {"nearbysearch_ok_downtown_la_2018.json", "nearbysearch_ok_mumbai_2013_raw.json",
                             "nearbysearch_ok_ucla_2022_bound5.json"}) {
        INFO(file);
        const std::string body = sample(file);
        const auto original = nlohmann::ordered_json::parse(body);
        for (int bound : {1, 3, 20}) {
            const std::string reply = whatsat_reply(at, body, bound);
            const std::string json = json_part(reply);
            CHECK(json.find("\n\n") == std::string::npos);
            CHECK(json.back() == '}');
            const auto cut = nlohmann::ordered_json::parse(json);
            CHECK(cut["results"].size() == std::min<std::size_t>(bound, original["results"].size()));
            for (std::size_t i = 0; i < cut["results"].size(); ++i) CHECK(cut["results"][i] == original["results"][i]);
            std::vector<std::string> keys, original_keys;
            for (auto& [k, v] : cut.items()) keys.push_back(k);
            for (auto& [k, v] : original.items()) original_keys.push_back(k);
            CHECK(keys == original_keys);
            CHECK(cut["status"] == original["status"]);
        }
    }
}

TEST_CASE("The JSON is written with a 3-space indent, byte for byte", "[places]") {
    const std::string reply =
        whatsat_reply(at, R"({"html_attributions": [], "results": [{"name": "A"}, {"name": "B"}], "status": "OK"})", 1);
    CHECK(reply == at +
                       "\n{\n   \"html_attributions\": [],\n   \"results\": [\n      {\n         \"name\": \"A\"\n      }\n"
                       "   ],\n   \"status\": \"OK\"\n}\n\n");
}

TEST_CASE("Non-OK Places statuses pass on as they are", "[places]") {
    const std::string reply = whatsat_reply(
        at, R"({"html_attributions": [], "results": [], "status": "REQUEST_DENIED", "error_message": "The provided API key is invalid."})", 5);
    const auto json = nlohmann::ordered_json::parse(json_part(reply));
    CHECK(json["status"] == "REQUEST_DENIED");
    CHECK(json["error_message"] == "The provided API key is invalid.");
}

TEST_CASE("Places API (New) answers are cut on \"places\"", "[places]") {
    const std::string reply = whatsat_reply(at, R"({"places": [{"id": "1"}, {"id": "2"}, {"id": "3"}]})", 2);
    CHECK(nlohmann::json::parse(json_part(reply))["places"].size() == 2);
}

TEST_CASE("Failures get a Places-shaped UNKNOWN_ERROR body", "[places]") {
    CHECK(whatsat_failure_reply(at, "the Places service answered HTTP 500") ==
          at + "\n{\n   \"html_attributions\": [],\n   \"results\": [],\n   \"status\": \"UNKNOWN_ERROR\",\n"
               "   \"error_message\": \"the Places service answered HTTP 500\"\n}\n\n");
    for (const char* bad : {"<html>oops</html>", "{\"results\": [", "", "[1, 2]", "\"text\""}) {
        INFO(bad);
        const auto json = nlohmann::json::parse(json_part(whatsat_reply(at, bad, 5)));
        CHECK(json["status"] == "UNKNOWN_ERROR");
        CHECK(json["results"].empty());
        CHECK_FALSE(json["error_message"].get<std::string>().empty());
    }
}

namespace {
// {"results":[],"status":"OK","x":[[[...]]]} with `levels` levels in all.
std::string nested_body(std::size_t levels) {
    return R"({"results":[],"status":"OK","x":)" + std::string(levels - 1, '[') + std::string(levels - 1, ']') + "}";
}

std::string error_message(const std::string& reply) {
    const auto json = nlohmann::json::parse(json_part(reply));
    CHECK(json["status"] == "UNKNOWN_ERROR");
    CHECK(json["results"].empty());
    return json["error_message"].get<std::string>();
}
}  // namespace

TEST_CASE("Nesting is counted in one pass, brackets in strings left out", "[places][limits]") {
    CHECK(json_nesting("{}", 100) == 1);
    CHECK(json_nesting(R"({"a": [1, {"b": [[]]}]})", 100) == 5);
    CHECK(json_nesting(R"({"a": "[[[{{{\"[[["})", 100) == 1);
    CHECK(json_nesting("", 100) == 0);
    CHECK(json_nesting(std::string(1'000'000, '['), 40) == 41);  // stops past the cap
}

TEST_CASE("A Places answer nested past the limit is an UNKNOWN_ERROR, never a crash", "[places][limits]") {
    const PlacesReplyLimits limits;
    // At the limit it is an answer; one level more is refused.
    CHECK(nlohmann::json::parse(json_part(whatsat_reply(at, nested_body(limits.max_depth), 5)))["status"] == "OK");
    CHECK(error_message(whatsat_reply(at, nested_body(limits.max_depth + 1), 5)) ==
          "the Places service answered JSON nested deeper than 32 levels");
    // The hostile answer that took a server down: 1,000,000 levels, 2 MB.
    CHECK(error_message(whatsat_reply(at, nested_body(1'000'000), 5)) ==
          "the Places service answered JSON nested deeper than 32 levels");
}

TEST_CASE("A Places answer that would make a reply over the limit is an UNKNOWN_ERROR", "[places][limits]") {
    // 20,000 one-character strings at depth 31: each becomes a line of about 100 bytes.
    std::string body = R"({"results":[],"status":"OK","x":)" + std::string(30, '[');
    for (int i = 0; i < 20'000; ++i) body += i ? ",\"a\"" : "\"a\"";
    body += std::string(30, ']') + "}";
    const std::string whole = whatsat_reply(at, body, 5, {.max_depth = 32, .max_reply_bytes = 10 * 1024 * 1024});
    const std::size_t json_size = whole.size() - at.size() - 3;
    REQUIRE(json_size > 1024 * 1024);
    CHECK(error_message(whatsat_reply(at, body, 5)) == "the Places answer would make a reply of " +
                                                           std::to_string(json_size) +
                                                           " bytes, over the limit of 1048576");
    // At exactly the size it passes.
    CHECK(whatsat_reply(at, body, 5, {.max_depth = 32, .max_reply_bytes = json_size}) == whole);
}
