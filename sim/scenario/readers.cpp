#include "scenario/loader_impl.hpp"

#include <fstream>
#include <sstream>

#include "config/json_text.hpp"
#include "scenario/duplicate_keys.hpp"

namespace herd::sim::scenario_reading {

std::optional<Json> Loader::parse(std::string_view text) {
    DuplicateKeys duplicates;
    try {
        Json doc = parse_json(text, [&](int, Json::parse_event_t event, Json& parsed) {
            return duplicates.on_event(event, parsed);
        });
        for (const auto& path : duplicates.found()) error(path, "duplicate key (each key may appear once per object)");
        return doc;
    } catch (const JsonTextError& e) {
        error("", e.what());
        return std::nullopt;
    }
}

bool Loader::is_object(const Json& value, const std::string& path, std::string_view expected) {
    if (value.is_object()) return true;
    error(path, "expected " + std::string(expected) + ", got " + shown(value));
    return false;
}

void Loader::known_keys(const At& at, const Keys& keys) {
    for (const auto& [key, _] : at.json.items()) {
        if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
        const auto guess = closest(key, keys);
        error(at.field(key), "unknown key" + (guess ? " (did you mean " + in_quotes(*guess) + "?)"
                                                    : " (expected one of: " + join(keys) + ")"));
    }
}

std::optional<At> Loader::open(const Json& value, const std::string& path, std::string_view expected, const Keys& keys) {
    if (!is_object(value, path, expected)) return std::nullopt;
    At at{value, path};
    known_keys(at, keys);
    return at;
}

const Json* Loader::member(const At& at, std::string_view key, Need need, std::string_view expected) {
    const auto it = at.json.find(key);
    if (it != at.json.end()) return &*it;
    if (need == Need::required) error(at.field(key), "missing; expected " + std::string(expected));
    return nullptr;
}

std::optional<std::string> Loader::string_value(const Json& value, const std::string& path, std::string_view expected) {
    if (!value.is_string()) {
        error(path, "expected " + std::string(expected) + ", got " + shown(value));
        return std::nullopt;
    }
    if (value.get_ref<const std::string&>().size() > max_string_bytes) {
        error(path, "longer than " + std::to_string(max_string_bytes) + " bytes (the most any string may hold)");
        return std::nullopt;
    }
    return value.get<std::string>();
}

// A string with a tighter bound than every string's (a name, a matcher that std::regex reads).
bool Loader::read_short(const At& at, std::string_view key, std::string& out, std::size_t max_bytes, Need need,
                        std::string_view expected) {
    std::string text;
    if (!read_string(at, key, text, need, expected)) return false;
    if (text.size() > max_bytes) {
        error(at.field(key), "expected " + std::string(expected) + " (at most " + std::to_string(max_bytes) +
                                 " bytes), got " + std::to_string(text.size()) + " bytes");
        return false;
    }
    out = std::move(text);
    return true;
}

std::optional<std::int64_t> Loader::int_value(const Json& value, const std::string& path, const IntRule& rule) {
    const std::string expected = "expected " + std::string(rule.expected);
    if (!value.is_number_integer()) {
        error(path, expected + ", got " + shown(value));
        return std::nullopt;
    }
    const bool above = value.is_number_unsigned() ? value.get<std::uint64_t>() > std::uint64_t(rule.hi)
                                                  : value.get<std::int64_t>() > rule.hi;
    if (above) {
        error(path, expected + " of at most " + std::to_string(rule.hi) + ", got " + shown(value));
        return std::nullopt;
    }
    if (value.get<std::int64_t>() < rule.lo) {
        error(path, expected + ", got " + shown(value));
        return std::nullopt;
    }
    return value.get<std::int64_t>();
}

bool Loader::read_string(const At& at, std::string_view key, std::string& out, Need need, std::string_view expected) {
    const Json* value = member(at, key, need, expected);
    if (!value) return false;
    auto text = string_value(*value, at.field(key), expected);
    if (text) out = std::move(*text);
    return text.has_value();
}

// A protocol field: non-empty, no whitespace (a client ID, a command word).
bool Loader::read_word(const At& at, std::string_view key, std::string& out, Need need, std::string_view expected,
                       std::size_t max_bytes) {
    std::string word;
    if (!read_short(at, key, word, max_bytes, need, expected)) return false;
    if (word.empty() || has_whitespace(word)) {
        error(at.field(key), "expected " + std::string(expected) + ", got " + in_quotes(word));
        return false;
    }
    out = std::move(word);
    return true;
}

bool Loader::read_millis(const At& at, std::string_view key, Millis& out, const IntRule& rule, Need need) {
    std::int64_t n = 0;
    if (!read_int(at, key, n, rule, need)) return false;
    out = Millis(n);
    return true;
}

bool Loader::read_distribution(const At& at, Millis jitter) {
    std::string distribution;
    if (!read_string(at, "distribution", distribution, Need::optional, "\"uniform\" or \"exponential\"")) return false;
    if (distribution != "uniform" && distribution != "exponential") {
        error(at.field("distribution"), "expected \"uniform\" or \"exponential\", got " + in_quotes(distribution));
        return false;
    }
    if (distribution == "exponential" && jitter.count() > 0)
        error(at.field("jitter_ms"), "an exponential delay takes no jitter_ms: its spread follows from its mean, delay_ms");
    return distribution == "exponential";
}

bool Loader::read_bool(const At& at, std::string_view key, bool& out) {
    const Json* value = member(at, key, Need::optional, "true or false");
    if (!value) return false;
    if (!value->is_boolean()) {
        error(at.field(key), "expected true or false, got " + shown(*value));
        return false;
    }
    out = value->get<bool>();
    return true;
}

bool Loader::read_number(const At& at, std::string_view key, double& out, const NumberRule& rule, Need need) {
    const Json* value = member(at, key, need, rule.expected);
    if (!value) return false;
    if (!value->is_number() || value->get<double>() < rule.lo || value->get<double>() > rule.hi) {
        error(at.field(key), "expected " + std::string(rule.expected) + ", got " + shown(*value));
        return false;
    }
    out = value->get<double>();
    return true;
}

// Flags that only make sense set: {"heal_all": true}, {"expect_converged": true}.
bool Loader::read_true(const Json& value, const std::string& path) {
    if (value.is_boolean() && value.get<bool>()) return true;
    error(path, "expected true, got " + shown(value) + " (leave the step out instead)");
    return false;
}

std::optional<std::string> Loader::read_file_bytes(const std::string& relative, const std::string& field) {
    const fs::path path = folder_ / relative;
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
        error(field, "no file \"" + path.string() + "\" (paths are relative to the scenario's folder)");
        return std::nullopt;
    }
    if (fs::file_size(path, ec) > max_file_bytes) {
        error(field, "\"" + path.string() + "\" is larger than " + std::to_string(max_file_bytes) + " bytes");
        return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in) {
        error(field, "cannot read \"" + path.string() + "\"");
        return std::nullopt;
    }
    return bytes.str();
}

}  // namespace herd::sim::scenario_reading
