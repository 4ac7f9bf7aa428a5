// What WHATSATs may cost, pure: the token bucket, the answer cache, the gate and what is cached.
// Time is passed in, so every boundary is pinned to the nanosecond.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "config/herd_config.hpp"
#include "places/answer_cache.hpp"
#include "places/cache_policy.hpp"
#include "places/places_gate.hpp"
#include "places/token_bucket.hpp"

using namespace herd;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

const Clock::time_point t0 = Clock::time_point{} + 1000h;

std::string nested(std::size_t depth) {
    return R"({"status": "OK", "x": )" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
}

}  // namespace

TEST_CASE("TokenBucket: starts full, refills at the rate, never holds more than the burst", "[places_limits]") {
    TokenBucket bucket(10, 3, t0);
    CHECK(bucket.take(t0));
    CHECK(bucket.take(t0));
    CHECK(bucket.take(t0));
    CHECK_FALSE(bucket.take(t0));
    // 10 a second: a token every 100 ms, not a nanosecond sooner.
    CHECK_FALSE(bucket.take(t0 + 99'999'999ns));
    CHECK(bucket.take(t0 + 100ms));
    CHECK_FALSE(bucket.take(t0 + 100ms));
    CHECK(bucket.tokens(t0 + 300ms) == 2);
    // Idle for years: still only the burst, and no overflow.
    CHECK(bucket.tokens(t0 + 24h * 365 * 100) == 3);
}

TEST_CASE("TokenBucket: a rate that does not divide a second is exact, and time never runs back", "[places_limits]") {
    TokenBucket bucket(3, 1, t0);
    REQUIRE(bucket.take(t0));
    CHECK_FALSE(bucket.take(t0 + 333'333'333ns));  // 0.999999999 tokens
    CHECK(bucket.take(t0 + 333'333'334ns));
    CHECK_FALSE(bucket.take(t0));  // a `now` before the last one adds nothing
    CHECK(bucket.tokens(t0 + 333'333'334ns + 333'333'333ns) == 0);
}

TEST_CASE("AnswerCache: an answer is reused for less than the TTL, then dropped", "[places_limits]") {
    AnswerCache cache(30s, 10, 1 << 20);
    CHECK(cache.find("k", t0) == nullptr);
    cache.store("k", "body", t0);
    REQUIRE(cache.find("k", t0 + 30s - 1ns) != nullptr);
    CHECK(*cache.find("k", t0 + 30s - 1ns) == "body");
    CHECK(cache.find("k", t0 + 30s) == nullptr);
    CHECK(cache.size() == 0);
    CHECK(cache.bytes() == 0);
}

TEST_CASE("AnswerCache: past max_entries the least recently used goes", "[places_limits]") {
    AnswerCache cache(30s, 2, 1 << 20);
    cache.store("a", "A", t0);
    cache.store("b", "B", t0);
    REQUIRE(cache.find("a", t0) != nullptr);  // a is now the most recently used
    cache.store("c", "C", t0);
    CHECK(cache.size() == 2);
    CHECK(cache.find("b", t0) == nullptr);
    CHECK(cache.find("a", t0) != nullptr);
    CHECK(cache.find("c", t0) != nullptr);
}

TEST_CASE("AnswerCache: past max_bytes of keys and bodies the least recently used goes", "[places_limits]") {
    AnswerCache cache(30s, 10, 10);
    cache.store("k1", "12345", t0);  // 7 bytes
    CHECK(cache.bytes() == 7);
    cache.store("k2", "12345", t0);  // 14 > 10: k1 goes
    CHECK(cache.size() == 1);
    CHECK(cache.bytes() == 7);
    CHECK(cache.find("k1", t0) == nullptr);
    cache.store("k3", "123456789", t0);  // 11 bytes alone: not kept, and k2 stays
    CHECK(cache.find("k3", t0) == nullptr);
    CHECK(cache.find("k2", t0) != nullptr);
    cache.store("k2", "1", t0 + 1s);  // replaced: new body, new age, bytes recounted
    CHECK(cache.bytes() == 3);
    CHECK(*cache.find("k2", t0 + 30s) == "1");
    cache.clear();
    CHECK(cache.size() == 0);
    CHECK(cache.bytes() == 0);
    CHECK(cache.find("k2", t0 + 1s) == nullptr);
}

TEST_CASE("AnswerCache: with no entries allowed nothing is kept", "[places_limits]") {
    AnswerCache cache(30s, 0, 1 << 20);
    cache.store("k", "body", t0);
    CHECK(cache.size() == 0);
    CHECK(cache.find("k", t0) == nullptr);
}

TEST_CASE("PlacesGate: everything off admits any number at once", "[places_limits]") {
    PlacesGate gate(PlacesLimits{}, t0);
    for (int i = 0; i < 1000; ++i) {
        const auto verdict = gate.admit(t0);
        REQUIRE_FALSE(verdict.refusal);
        REQUIRE(verdict.log.empty());
    }
    CHECK(gate.in_flight() == 1000);
}

TEST_CASE("PlacesGate: over the in-flight bound, refused naming it, logged once per episode with its count",
          "[places_limits]") {
    PlacesGate gate(PlacesLimits{.max_in_flight = 2}, t0);
    CHECK_FALSE(gate.admit(t0).refusal);
    CHECK_FALSE(gate.admit(t0).refusal);
    const std::string reason =
        "Places in-flight limit reached: 2 requests of this server are already waiting for the Places service";
    const auto first = gate.admit(t0 + 5ms);
    CHECK(first.refusal == reason);
    REQUIRE(first.log.size() == 1);
    CHECK(first.log[0] == reason + "; WHATSATs get UNKNOWN_ERROR until a request is allowed again");
    const auto second = gate.admit(t0 + 6ms);
    CHECK(second.refusal == reason);
    CHECK(second.log.empty());
    CHECK(gate.admit(t0 + 7ms).log.empty());
    gate.finished();
    const auto again = gate.admit(t0 + 1255ms);
    CHECK_FALSE(again.refusal);
    REQUIRE(again.log.size() == 1);
    CHECK(again.log[0] == "Places in-flight limit: 3 WHATSAT(s) refused in 1250 ms; requests are allowed again");
    CHECK(gate.admit(t0 + 1256ms).refusal == reason);  // a new episode
    CHECK(gate.in_flight() == 2);
}

TEST_CASE("PlacesGate: over the rate, refused naming it until a token is back", "[places_limits]") {
    PlacesGate gate(PlacesLimits{.rate_per_second = 1, .burst = 2}, t0);
    CHECK_FALSE(gate.admit(t0).refusal);
    CHECK_FALSE(gate.admit(t0).refusal);
    const auto refused = gate.admit(t0);
    CHECK(refused.refusal ==
          "Places rate limit reached: this server sends at most 1 requests a second (bursts of 2)");
    CHECK(refused.log.size() == 1);
    CHECK(gate.admit(t0 + 999ms).refusal);
    const auto allowed = gate.admit(t0 + 1s);
    CHECK_FALSE(allowed.refusal);
    REQUIRE(allowed.log.size() == 1);
    CHECK(allowed.log[0] == "Places rate limit: 2 WHATSAT(s) refused in 1000 ms; requests are allowed again");
    // Finished requests give no tokens back: the rate counts requests sent, not waiting.
    gate.finished();
    gate.finished();
    gate.finished();
    CHECK(gate.admit(t0 + 1s).refusal);
}

TEST_CASE("PlacesGate: a request refused for the in-flight bound spends no token", "[places_limits]") {
    PlacesGate gate(PlacesLimits{.rate_per_second = 1, .burst = 2, .max_in_flight = 1}, t0);
    CHECK_FALSE(gate.admit(t0).refusal);
    CHECK_THAT(*gate.admit(t0).refusal, Catch::StartsWith("Places in-flight limit reached"));
    CHECK_THAT(*gate.admit(t0).refusal, Catch::StartsWith("Places in-flight limit reached"));
    gate.finished();
    CHECK_FALSE(gate.admit(t0).refusal);  // the second token was still there
}

TEST_CASE("answer_key: API, location as written, radius, and the new API's bound too", "[places_limits]") {
    const PlacesQuery query{"AT ...", "34.068930", "-118.445127", "10000", 5};
    CHECK(answer_key(PlacesApi::legacy, query) == "legacy 34.068930,-118.445127 10000");
    CHECK(answer_key(PlacesApi::places_new, query) == "new 34.068930,-118.445127 10000 5");
    PlacesQuery other_bound = query;
    other_bound.bound = 20;
    CHECK(answer_key(PlacesApi::legacy, other_bound) == answer_key(PlacesApi::legacy, query));
    PlacesQuery written_otherwise = query;
    written_otherwise.latitude = "34.06893";
    CHECK(answer_key(PlacesApi::legacy, written_otherwise) != answer_key(PlacesApi::legacy, query));
}

TEST_CASE("worth_caching: OK and ZERO_RESULTS answers only, and new API answers without an error", "[places_limits]") {
    const auto legacy = [](const std::string& body) { return worth_caching(PlacesApi::legacy, body); };
    CHECK(legacy(R"({"html_attributions": [], "results": [{"name": "x"}], "status": "OK"})"));
    CHECK(legacy(R"({"results": [], "status": "ZERO_RESULTS"})"));
    CHECK_FALSE(legacy(R"({"results": [], "status": "OVER_QUERY_LIMIT"})"));
    CHECK_FALSE(legacy(R"({"results": [], "status": "REQUEST_DENIED", "error_message": "bad key"})"));
    CHECK_FALSE(legacy(R"({"results": [], "status": "UNKNOWN_ERROR"})"));
    CHECK_FALSE(legacy(R"({"results": [{"status": "OK"}]})"));  // not at the top level
    CHECK_FALSE(legacy(R"({"results": []})"));
    CHECK_FALSE(legacy(R"([{"status": "OK"}])"));
    CHECK_FALSE(legacy(R"({"status": "OK")"));
    CHECK_FALSE(legacy("not json"));
    CHECK(legacy(nested(32)));
    CHECK_FALSE(legacy(nested(33)));
    CHECK_FALSE(legacy(nested(1'000'000)));

    const auto places_new = [](const std::string& body) { return worth_caching(PlacesApi::places_new, body); };
    CHECK(places_new(R"({"places": [{"id": "x"}]})"));
    CHECK(places_new("{}"));
    CHECK_FALSE(places_new(R"({"error": {"code": 403, "status": "PERMISSION_DENIED"}})"));
    CHECK_FALSE(places_new(R"(["places"])"));
}

TEST_CASE("Herd config: places limits default to serve's, and each key is bounded with a precise error", "[places_limits][config]") {
    const auto parse = [](const std::string& places) {
        return herd::parse_config(R"({"servers": {"A": {"host": "127.0.0.1", "port": 1}}, "places": )" + places + "}",
                                  "herd.json");
    };
    const auto defaults = parse("{}").places.limits;
    CHECK(defaults.rate_per_second == 10);
    CHECK(defaults.burst == 200);
    CHECK(defaults.max_in_flight == 128);
    CHECK(defaults.cache_ttl == 30s);
    CHECK(defaults.cache_entries == 1024);
    CHECK(defaults.cache_bytes == 16u << 20);
    CHECK(herd::preset("fall17")->places.limits.rate_per_second == 10);

    const auto set = parse(R"({"rate_per_second": 0, "burst": 1, "max_in_flight": 0, "cache_ttl_ms": 0,
                               "cache_entries": 5, "cache_bytes": 1073741824, "timeout_ms": 7})")
                         .places;
    CHECK(set.limits.rate_per_second == 0);
    CHECK(set.limits.burst == 1);
    CHECK(set.limits.max_in_flight == 0);
    CHECK_FALSE(set.limits.caching());
    CHECK(set.limits.cache_entries == 5);
    CHECK(set.limits.cache_bytes == 1u << 30);
    CHECK(set.timeout == 7ms);

    CHECK_THROWS_WITH(parse(R"({"burst": 0})"), "herd.json: places.burst: expected an integer from 1 to 1000000, got 0");
    CHECK_THROWS_WITH(parse(R"({"rate_per_second": -1})"),
                      "herd.json: places.rate_per_second: expected an integer from 0 to 1000000 (0: no rate limit), got -1");
    CHECK_THROWS_WITH(parse(R"({"max_in_flight": 18446744073709551615})"),
                      "herd.json: places.max_in_flight: expected an integer from 0 to 1000000 (0: no bound), got "
                      "18446744073709551615");
    CHECK_THROWS_WITH(parse(R"({"cache_ttl_ms": 86400001})"),
                      "herd.json: places.cache_ttl_ms: expected an integer from 0 to 86400000 (milliseconds, 0: no "
                      "cache), got 86400001");
    CHECK_THROWS_WITH(parse(R"({"cache_entries": "5"})"),
                      "herd.json: places.cache_entries: expected an integer from 0 to 1000000 (0: no cache), got \"5\"");
    CHECK_THROWS_WITH(parse(R"({"cache_bytes": 1073741825})"),
                      "herd.json: places.cache_bytes: expected an integer from 0 to 1073741824 (0: no cache), got 1073741825");
    CHECK_THROWS_WITH(parse(R"({"timeout_ms": 0})"),
                      "herd.json: places.timeout_ms: expected an integer from 1 to 86400000 (milliseconds), got 0");
    CHECK_THROWS_WITH(parse(R"({"cache": {}})"), "herd.json: places: unknown field \"cache\"");
}
