#include "config/herd_config.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "config/file_name.hpp"
#include "config/json_text.hpp"

namespace herd {

const ServerAddress* HerdConfig::find(std::string_view name) const {
    for (const auto& s : servers)
        if (s.name == name) return &s;
    return nullptr;
}

std::vector<std::string> HerdConfig::neighbours(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& [a, b] : links) {
        if (a == name) out.push_back(b);
        if (b == name) out.push_back(a);
    }
    return out;
}

namespace {

[[noreturn]] void fail(std::string_view origin, const std::string& what) {
    throw ConfigError(std::string(origin) + ": " + what);
}

const nlohmann::ordered_json& field(const nlohmann::ordered_json& object, const char* key, std::string_view where,
                            std::string_view origin) {
    auto it = object.find(key);
    if (it == object.end()) fail(origin, std::string(where) + ": missing field \"" + key + "\"");
    return *it;
}

std::string string_field(const nlohmann::ordered_json& object, const char* key, std::string_view where,
                         std::string_view origin, std::size_t max_bytes) {
    const auto& value = field(object, key, where, origin);
    if (!value.is_string()) fail(origin, std::string(where) + "." + key + ": expected a string, got " + value.dump());
    if (value.get_ref<const std::string&>().size() > max_bytes)
        fail(origin, std::string(where) + "." + key + ": longer than " + std::to_string(max_bytes) + " bytes");
    return value.get<std::string>();
}

void check_known_keys(const nlohmann::ordered_json& object, std::initializer_list<const char*> known, std::string_view where,
                      std::string_view origin) {
    for (const auto& item : object.items()) {
        const std::string& key = item.key();
        if (std::none_of(known.begin(), known.end(), [&](const char* k) { return key == k; }))
            fail(origin, std::string(where) + ": unknown field \"" + key + "\"");
    }
}

// places.<key>, when given: an integer from lo to hi. Read as unsigned, after the sign check, so a
// value above INT64_MAX cannot wrap into the range.
std::optional<std::uint64_t> places_integer(const nlohmann::ordered_json& places, const char* key, std::uint64_t lo,
                                            std::uint64_t hi, std::string_view unit, std::string_view origin) {
    const auto it = places.find(key);
    if (it == places.end()) return std::nullopt;
    const bool whole = it->is_number_unsigned() || (it->is_number_integer() && it->get<std::int64_t>() >= 0);
    const bool in_range = whole && it->get<std::uint64_t>() >= lo && it->get<std::uint64_t>() <= hi;
    if (!in_range)
        fail(origin, std::string("places.") + key + ": expected an integer from " + std::to_string(lo) + " to " +
                         std::to_string(hi) + std::string(unit) + ", got " + it->dump());
    return it->get<std::uint64_t>();
}

void read_places_numbers(const nlohmann::ordered_json& json, PlacesSettings& places, std::string_view origin) {
    using std::chrono::milliseconds;
    auto& limits = places.limits;
    if (auto v = places_integer(json, "timeout_ms", 1, max_places_timeout.count(), " (milliseconds)", origin))
        places.timeout = milliseconds(*v);
    if (auto v = places_integer(json, "rate_per_second", 0, max_places_count, " (0: no rate limit)", origin))
        limits.rate_per_second = static_cast<std::uint32_t>(*v);
    if (auto v = places_integer(json, "burst", 1, max_places_count, "", origin)) limits.burst = static_cast<std::uint32_t>(*v);
    if (auto v = places_integer(json, "max_in_flight", 0, max_places_count, " (0: no bound)", origin))
        limits.max_in_flight = static_cast<std::uint32_t>(*v);
    if (auto v = places_integer(json, "cache_ttl_ms", 0, max_places_cache_ttl.count(), " (milliseconds, 0: no cache)", origin))
        limits.cache_ttl = milliseconds(*v);
    if (auto v = places_integer(json, "cache_entries", 0, max_places_count, " (0: no cache)", origin))
        limits.cache_entries = static_cast<std::uint32_t>(*v);
    if (auto v = places_integer(json, "cache_bytes", 0, max_places_cache_bytes, " (0: no cache)", origin))
        limits.cache_bytes = *v;
}

// Unsigned first: a value above INT64_MAX must not wrap into the range.
bool whole_number_in(const nlohmann::ordered_json& v, std::uint64_t min, std::uint64_t max) {
    if (v.is_number_unsigned()) return v.get<std::uint64_t>() >= min && v.get<std::uint64_t>() <= max;
    return v.is_number_integer() && v.get<std::int64_t>() >= 0 && std::uint64_t(v.get<std::int64_t>()) >= min &&
           std::uint64_t(v.get<std::int64_t>()) <= max;
}

// "limits": every key one of limit_specs(), every value a whole number in its range.
ServerLimits parse_limits(const nlohmann::ordered_json& object, std::string_view origin) {
    if (!object.is_object()) fail(origin, "limits: expected an object such as {\"max_connections\": 1024}");
    ServerLimits limits;
    for (const auto& item : object.items()) {
        const auto specs = limit_specs();
        const auto spec = std::find_if(specs.begin(), specs.end(), [&](const LimitSpec& s) { return s.key == item.key(); });
        if (spec == specs.end()) fail(origin, "limits: unknown field \"" + item.key() + "\"");
        const auto& v = item.value();
        if (!whole_number_in(v, spec->min, spec->max))
            fail(origin, "limits." + item.key() + ": expected an integer from " + std::to_string(spec->min) + " to " +
                             std::to_string(spec->max) + ", got " + v.dump());
        spec->set(limits, v.get<std::uint64_t>());
    }
    return limits;
}

// A string of min_peer_secret_bytes or more: a short one could be guessed.
std::string peer_secret(const nlohmann::ordered_json& value, std::string_view origin) {
    const std::string expected = "peer_secret: expected a string of at least " + std::to_string(min_peer_secret_bytes) +
                                 " bytes";
    if (!value.is_string()) fail(origin, expected + ", got " + value.dump());
    const auto& text = value.get_ref<const std::string&>();
    if (text.size() < min_peer_secret_bytes) fail(origin, expected + ", got " + std::to_string(text.size()) + " bytes");
    if (text.size() > max_peer_secret_bytes)
        fail(origin, "peer_secret: longer than " + std::to_string(max_peer_secret_bytes) + " bytes");
    return text;
}

}  // namespace

void validate(const HerdConfig& config, std::string_view origin) {
    if (config.servers.empty()) fail(origin, "servers: a herd needs at least one server");
    std::set<std::string> names;
    std::map<std::pair<std::string, std::uint16_t>, std::string> ports;
    for (const auto& s : config.servers) {
        if (s.name.size() > max_server_name_bytes)
            fail(origin, "servers: server name \"" + s.name.substr(0, 40) + "...\" is longer than " +
                             std::to_string(max_server_name_bytes) + " bytes");
        if (s.name.empty() || std::any_of(s.name.begin(), s.name.end(), [](char c) {
                return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
            }))
            fail(origin, "servers: server name \"" + s.name + "\" must be non-empty with no whitespace");
        if (!safe_file_name(s.name))
            fail(origin, "servers: server name \"" + shown_name(s.name) + "\" is used as a file name: " +
                             std::string(file_name_rule));
        if (!names.insert(s.name).second) fail(origin, "servers: duplicate server \"" + s.name + "\"");
        if (s.port != 0) {
            auto [it, fresh] = ports.emplace(std::pair{s.host, s.port}, s.name);
            if (!fresh)
                fail(origin, "servers." + s.name + ".port: port " + std::to_string(s.port) + " on " + s.host +
                                 " is already taken by " + it->second);
        }
    }
    std::set<std::pair<std::string, std::string>> seen;
    for (std::size_t i = 0; i < config.links.size(); ++i) {
        const auto& [a, b] = config.links[i];
        const std::string where = "links[" + std::to_string(i) + "]";
        for (const auto& end : {a, b})
            if (!names.count(end)) fail(origin, where + ": unknown server \"" + end + "\"");
        if (a == b) fail(origin, where + ": a server cannot link to itself (\"" + a + "\")");
        if (!seen.insert(std::minmax(a, b)).second)
            fail(origin, where + ": duplicate link " + a + "-" + b);
    }
}

HerdConfig parse_config(std::string_view json_text, std::string_view origin) {
    nlohmann::ordered_json doc;
    try {
        doc = parse_json(json_text);
    } catch (const JsonTextError& e) {
        fail(origin, e.what());
    }
    if (!doc.is_object()) fail(origin, "expected a JSON object at the top level");
    check_known_keys(doc, {"servers", "links", "places", "limits", "peer_secret"}, "top level", origin);

    HerdConfig config;
    const auto& servers = field(doc, "servers", "top level", origin);
    if (!servers.is_object()) fail(origin, "servers: expected an object of name -> {host, port}");
    for (const auto& [name, spec] : servers.items()) {
        const std::string where = "servers." + name;
        if (!spec.is_object()) fail(origin, where + ": expected an object with \"host\" and \"port\"");
        check_known_keys(spec, {"host", "port"}, where, origin);
        ServerAddress address{name, string_field(spec, "host", where, origin, max_host_bytes), 0};
        const auto& port = field(spec, "port", where, origin);
        if (!port.is_number_integer() || port.get<long long>() < 1 || port.get<long long>() > 65535)
            fail(origin, where + ".port: expected an integer from 1 to 65535, got " + port.dump());
        address.port = static_cast<std::uint16_t>(port.get<int>());
        config.servers.push_back(std::move(address));
    }
    if (auto it = doc.find("links"); it != doc.end()) {
        if (!it->is_array()) fail(origin, "links: expected an array of [server, server] pairs");
        for (std::size_t i = 0; i < it->size(); ++i) {
            const auto& link = (*it)[i];
            if (!link.is_array() || link.size() != 2 || !link[0].is_string() || !link[1].is_string())
                fail(origin, "links[" + std::to_string(i) + "]: expected [\"A\", \"B\"], got " + link.dump());
            config.links.emplace_back(link[0].get<std::string>(), link[1].get<std::string>());
        }
    }
    if (auto it = doc.find("places"); it != doc.end()) {
        if (!it->is_object()) fail(origin, "places: expected an object with \"api\" and/or \"url\"");
        check_known_keys(*it,
                         {"api", "url", "timeout_ms", "rate_per_second", "burst", "max_in_flight", "cache_ttl_ms",
                          "cache_entries", "cache_bytes"},
                         "places", origin);
        if (it->contains("api")) {
            auto api = places_api_from_string(string_field(*it, "api", "places", origin, max_host_bytes));
            if (!api) fail(origin, "places.api: expected \"legacy\" or \"new\", got " + (*it)["api"].dump());
            config.places.api = *api;
        }
        if (it->contains("url")) config.places.base_url = string_field(*it, "url", "places", origin, max_url_bytes);
        read_places_numbers(*it, config.places, origin);
    }
    if (auto it = doc.find("limits"); it != doc.end()) config.limits = parse_limits(*it, origin);
    if (auto it = doc.find("peer_secret"); it != doc.end()) config.peer_secret = peer_secret(*it, origin);
    validate(config, origin);
    return config;
}

HerdConfig load_config_file(const std::filesystem::path& path) {
    // Only a regular file: /dev/zero or a FIFO would never end, or never start.
    std::error_code ec;
    if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec))
        throw ConfigError(path.string() + ": not a regular file");
    if (const auto size = std::filesystem::file_size(path, ec); !ec && size > max_config_file_bytes)
        throw ConfigError(path.string() + ": larger than " + std::to_string(max_config_file_bytes) + " bytes");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(path.string() + ": cannot open the file");
    std::ostringstream text;
    text << in.rdbuf();
    return parse_config(text.str(), path.string());
}

namespace {

struct PresetSpec {
    const char* name;
    std::uint16_t first_port;
    std::vector<const char*> servers;
    std::vector<std::pair<const char*, const char*>> links;
};

const std::vector<PresetSpec>& preset_specs() {
    static const std::vector<PresetSpec> specs = {
        {"fall17", 0, {"Alford", "Hamilton", "Welsh", "Ball", "Holiday"},
         {{"Alford", "Hamilton"}, {"Alford", "Welsh"}, {"Ball", "Holiday"}, {"Ball", "Welsh"}, {"Hamilton", "Holiday"}}},
        {"w18", 11800, {"Goloman", "Hands", "Holiday", "Welsh", "Wilkes"},
         {{"Goloman", "Hands"}, {"Goloman", "Holiday"}, {"Goloman", "Wilkes"}, {"Hands", "Wilkes"},
          {"Holiday", "Welsh"}, {"Holiday", "Wilkes"}}},
        {"w20", 12000, {"Hill", "Jaquez", "Smith", "Campbell", "Singleton"},
         {{"Hill", "Jaquez"}, {"Hill", "Smith"}, {"Singleton", "Jaquez"}, {"Singleton", "Smith"},
          {"Singleton", "Campbell"}, {"Smith", "Campbell"}}},
        {"s21", 12100, {"Riley", "Jaquez", "Juzang", "Campbell", "Bernard"},
         {{"Riley", "Jaquez"}, {"Riley", "Juzang"}, {"Bernard", "Jaquez"}, {"Bernard", "Juzang"},
          {"Bernard", "Campbell"}, {"Juzang", "Campbell"}}},
        {"w22", 12200, {"Juzang", "Bernard", "Jaquez", "Johnson", "Clark"},
         {{"Clark", "Jaquez"}, {"Clark", "Juzang"}, {"Bernard", "Juzang"}, {"Bernard", "Jaquez"},
          {"Bernard", "Johnson"}, {"Juzang", "Johnson"}}},
        {"w23", 12300, {"Bailey", "Bona", "Campbell", "Clark", "Jaquez"},
         {{"Clark", "Jaquez"}, {"Clark", "Bona"}, {"Campbell", "Bailey"}, {"Campbell", "Bona"},
          {"Campbell", "Jaquez"}, {"Bona", "Bailey"}}},
    };
    return specs;
}

}  // namespace

std::optional<HerdConfig> preset(std::string_view name) {
    for (const auto& spec : preset_specs()) {
        if (name != spec.name) continue;
        HerdConfig config;
        for (std::size_t i = 0; i < spec.servers.size(); ++i) {
            // The seed's logs fix fall17's ports: Alford 19625, Hamilton 19626, Welsh 19627,
            // Ball 19628, Holiday 19629 (its list order). Later terms count up from first_port.
            const std::uint16_t port =
                spec.first_port == 0 ? static_cast<std::uint16_t>(19625 + i) : static_cast<std::uint16_t>(spec.first_port + i);
            config.servers.push_back({spec.servers[i], "127.0.0.1", port});
        }
        for (const auto& [a, b] : spec.links) config.links.emplace_back(a, b);
        return config;
    }
    return std::nullopt;
}

const std::vector<std::string>& preset_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const auto& spec : preset_specs()) out.emplace_back(spec.name);
        return out;
    }();
    return names;
}

}  // namespace herd
