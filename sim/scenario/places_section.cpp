#include "scenario/loader_impl.hpp"

#include <regex>

namespace herd::sim::scenario_reading {

void Loader::read_places(const Json& doc, PlacesSpec& places) {
    if (!doc.contains("places")) return;
    const auto at = open(doc["places"], "places", "an object with api, timeout_ms, rules and the Places limits",
                         {"api", "timeout_ms", "rate_per_second", "burst", "max_in_flight", "cache_ttl_ms", "cache_entries",
                          "cache_bytes", "rules"});
    if (!at) return;
    std::string api;
    if (read_string(*at, "api", api, Need::optional, "\"legacy\" or \"new\"")) {
        if (auto parsed = places_api_from_string(api)) places.api = *parsed;
        else error("places.api", "expected \"legacy\" or \"new\", got " + in_quotes(api));
    }
    read_millis(*at, "timeout_ms", places.timeout, kPositiveMillisRule);
    read_places_limits(*at, places.limits);
    if (at->has("rules")) places.rules = read_rules(doc["places"]["rules"], "places.rules");
}

// The same keys and bounds as a herd config's "places" (serve reads them there).
void Loader::read_places_limits(const At& at, PlacesLimits& limits) {
    constexpr std::int64_t most = max_places_count;
    read_int(at, "rate_per_second", limits.rate_per_second, IntRule{0, most, "an integer from 0 to 1000000 (0: no rate limit)"});
    read_int(at, "burst", limits.burst, IntRule{1, most, "an integer from 1 to 1000000"});
    read_int(at, "max_in_flight", limits.max_in_flight, IntRule{0, most, "an integer from 0 to 1000000 (0: no bound)"});
    read_millis(at, "cache_ttl_ms", limits.cache_ttl,
                IntRule{0, max_places_cache_ttl.count(), "an integer from 0 to 86400000 (milliseconds, 0: no cache)"});
    read_int(at, "cache_entries", limits.cache_entries, IntRule{0, most, "an integer from 0 to 1000000 (0: no cache)"});
    read_int(at, "cache_bytes", limits.cache_bytes,
             IntRule{0, std::int64_t{max_places_cache_bytes}, "an integer from 0 to 1073741824 (0: no cache)"});
}

std::vector<serve::MockPlacesRule> Loader::read_rules(const Json& value, const std::string& path) {
    std::vector<serve::MockPlacesRule> rules;
    if (!value.is_array()) {
        error(path, "expected an array of rules, got " + shown(value));
        return rules;
    }
    for (std::size_t i = 0; i < value.size(); ++i)
        if (auto rule = read_rule(value[i], path + "[" + std::to_string(i) + "]")) rules.push_back(std::move(*rule));
    return rules;
}

std::optional<serve::MockPlacesRule> Loader::read_rule(const Json& value, const std::string& path) {
    const auto at = open(value, path, "a rule object",
                         {"match", "status", "body", "body_text", "body_file", "delay_ms", "fail_first", "malformed",
                          "never_answer", "close_without_answer"});
    if (!at) return std::nullopt;
    serve::MockPlacesRule rule;
    read_match(*at, rule);
    read_int(*at, "status", rule.status, IntRule{100, 599, "an HTTP status code from 100 to 599"});
    read_body(*at, rule);
    read_millis(*at, "delay_ms", rule.delay);
    read_int(*at, "fail_first", rule.fail_first, kCountRule);
    read_bool(*at, "malformed", rule.malformed);
    read_bool(*at, "never_answer", rule.never_answer);
    read_bool(*at, "close_without_answer", rule.close_without_answer);
    if (rule.never_answer && rule.close_without_answer)
        error(path, "never_answer and close_without_answer contradict each other: set one");
    return rule;
}

void Loader::read_match(const At& rule, serve::MockPlacesRule& out) {
    if (!rule.has("match")) return;
    const auto at = open(rule.json["match"], rule.field("match"), "an object with api, location, radius",
                         {"api", "location", "radius"});
    if (!at) return;
    std::string text;
    if (read_string(*at, "api", text, Need::optional, "\"legacy\" or \"new\"")) {
        if (text == "legacy" || text == "new") out.api = text;
        else error(at->field("api"), "expected \"legacy\" or \"new\", got " + in_quotes(text));
    }
    static const std::regex location(R"([-+]?[0-9]+(\.[0-9]+)?,[-+]?[0-9]+(\.[0-9]+)?)");
    const std::string_view location_expected = "\"lat,lng\" as the request carries it (\"34.068930,-118.445127\")";
    // Bounded before std::regex_match, which recurses once per character.
    if (read_short(*at, "location", text, max_location_bytes, Need::optional, location_expected)) {
        if (std::regex_match(text, location)) out.location = text;
        else error(at->field("location"), "expected " + std::string(location_expected) + ", got " + in_quotes(text));
    }
    // Radius in metres, as text ("10000", "2500", "0.5") or a whole number.
    static const std::regex metres(R"([0-9]+(\.[0-9]+)?)");
    if (const Json* radius = member(*at, "radius", Need::optional, "")) {
        if (radius->is_number_unsigned()) out.radius = std::to_string(radius->get<std::uint64_t>());
        else if (radius->is_string() && radius->get_ref<const std::string&>().size() <= max_location_bytes &&
                 std::regex_match(radius->get<std::string>(), metres))
            out.radius = radius->get<std::string>();
        else
            error(at->field("radius"), "expected metres as a whole number or text of at most " +
                                           std::to_string(max_location_bytes) + " bytes (10000, \"2500\", \"0.5\"), got " +
                                           shown(*radius));
    }
}

void Loader::read_body(const At& at, serve::MockPlacesRule& rule) {
    const int given = at.has("body") + at.has("body_text") + at.has("body_file");
    if (given > 1) error(at.path, "give at most one of body, body_text, body_file");
    if (at.has("body")) rule.body = at.json["body"].dump();  // any JSON value, key order kept
    std::string text;
    if (read_string(at, "body_text", text, Need::optional, "a string (sent verbatim, need not be JSON)"))
        rule.body = std::move(text);
    std::string file;
    if (read_string(at, "body_file", file, Need::optional, "a file name (relative to the scenario)")) {
        if (auto bytes = read_file_bytes(file, at.field("body_file"))) rule.body = std::move(*bytes);
    }
}

std::optional<StepAction> Loader::read_places_step(const Json& v, const std::string& path, std::size_t) {
    return PlacesStep{read_rules(v, path)};
}

}  // namespace herd::sim::scenario_reading
