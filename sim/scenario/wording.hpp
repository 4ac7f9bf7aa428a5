#pragma once
// How the loader's error messages show what a file said and name what it meant: values cut to a
// readable length, lists, the known word a typo most likely meant, step paths.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace herd::sim::scenario_reading {

using Json = nlohmann::ordered_json;
using Keys = std::vector<std::string_view>;

// A value as JSON text, cut to 60 characters: `got "Bal"`, `got {"node": ...`.
std::string shown(const Json& value);
std::string in_quotes(std::string_view text);
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");
std::string join(const Keys& keys);
bool has_whitespace(std::string_view text);

// The known key a typo most likely meant ("at_m" -> "at_ms", "delay" -> "delay_ms"), if one is
// close enough.
std::optional<std::string_view> closest(std::string_view word, const Keys& known);

// "steps[3].send.node" -> 3
std::optional<std::size_t> step_of(std::string_view field);
// 3 -> "steps[3]"
std::string at_step(std::size_t index);

}  // namespace herd::sim::scenario_reading
