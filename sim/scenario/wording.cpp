#include "scenario/wording.hpp"

#include <algorithm>
#include <cctype>

#include "scenario/edit_distance.hpp"

namespace herd::sim::scenario_reading {

std::string shown(const Json& value) {
    std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (text.size() > 60) text = text.substr(0, 57) + "...";
    return text;
}

std::string in_quotes(std::string_view text) { return shown(Json(std::string(text))); }

std::string join(const std::vector<std::string>& items, std::string_view separator) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : std::string(separator)) + item;
    return out;
}

std::string join(const Keys& keys) { return join(std::vector<std::string>(keys.begin(), keys.end())); }

bool has_whitespace(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char c) { return std::string_view(" \t\r\n\f\v").find(c) != std::string_view::npos; });
}

// A prefix counts as one edit: a forgotten unit suffix is the commonest slip.
std::optional<std::string_view> closest(std::string_view word, const Keys& known) {
    const std::size_t limit = word.size() <= 3 ? 1 : 2;
    std::optional<std::string_view> best;
    std::size_t best_distance = limit + 1;
    for (auto key : known) {
        const bool prefix = word.size() >= 3 && (key.starts_with(word) || word.starts_with(key));
        const std::size_t d = prefix ? 1 : edit_distance(word, key);
        if (d < best_distance) best = key, best_distance = d;
    }
    return best;
}

std::optional<std::size_t> step_of(std::string_view field) {
    constexpr std::string_view prefix = "steps[";
    if (!field.starts_with(prefix)) return std::nullopt;
    std::size_t index = 0, i = prefix.size();
    for (; i < field.size() && std::isdigit(static_cast<unsigned char>(field[i])); ++i) index = index * 10 + (field[i] - '0');
    if (i == prefix.size() || i >= field.size() || field[i] != ']') return std::nullopt;
    return index;
}

std::string at_step(std::size_t index) { return "steps[" + std::to_string(index) + "]"; }

}  // namespace herd::sim::scenario_reading
