#pragma once
// JSON text as herd config and scenario files are read: nlohmann's parser behind two bounds it does
// not enforce itself, so no file can exhaust the stack or escape as an exception without a position.
#include <stdexcept>
#include <string_view>

#include <nlohmann/json.hpp>

namespace herd {

// Arrays and objects nest at most this deep. Real files nest less than ten; the recursive code
// that walks a document (dump, comparison) must never meet 50,000 levels.
constexpr int max_json_depth = 64;

// "not valid JSON: parse error at line 3, column 14: ...", "line 1, column 65: nested deeper than
// 64 ...": where and what, ready to follow "FILE: ".
struct JsonTextError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Parses `text`; throws JsonTextError for a syntax error, nesting past max_json_depth, or a number
// too large for a double (1e400). `on_event` is nlohmann's parser callback (may be empty).
nlohmann::ordered_json parse_json(std::string_view text,
                                  const nlohmann::ordered_json::parser_callback_t& on_event = nullptr);

}  // namespace herd
