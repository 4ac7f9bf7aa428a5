// Named node groups ("groups": {"left": "N0..N11"}) and the node lists that may use them: a list
// of names, ranges and group names, or one range or group name alone. A big herd's partition is
// then written with two words instead of every name.
#include "scenario/loader_impl.hpp"

#include <cctype>

namespace herd::sim::scenario_reading {

namespace {

struct Numbered {
    std::string prefix;
    std::uint64_t number = 0;
};

// "N12" -> {"N", 12}; no trailing digits (or too many): none.
std::optional<Numbered> numbered(std::string_view name) {
    std::size_t digits = name.size();
    while (digits > 0 && std::isdigit(static_cast<unsigned char>(name[digits - 1]))) --digits;
    if (digits == name.size() || name.size() - digits > 9) return std::nullopt;
    return Numbered{std::string(name.substr(0, digits)), std::stoull(std::string(name.substr(digits)))};
}

constexpr std::string_view kRange = "..";

}  // namespace

// A group's name, a range "N0..N11" (both ends with the same prefix, the first not above the
// last), or a node's name.
std::optional<std::vector<std::string>> Loader::resolve_names(const std::string& text, const std::string& field) {
    if (auto group = groups_.find(text); group != groups_.end()) return group->second;
    const auto dots = text.find(kRange);
    if (dots == std::string::npos) {
        if (herd_ && !groups_.empty() && !herd_->index.count(text)) {
            std::vector<std::string> known;
            for (const auto& [name, members] : groups_) known.push_back(name);
            error(field, "unknown node or group " + in_quotes(text) + " (expected " + herd_->expected_names() +
                             ", or a group: " + join(known) + ")");
            return std::nullopt;
        }
        if (!check_node(text, field)) return std::nullopt;
        return std::vector<std::string>{text};
    }
    const auto first = numbered(std::string_view(text).substr(0, dots));
    const auto last = numbered(std::string_view(text).substr(dots + kRange.size()));
    if (!first || !last || first->prefix != last->prefix || first->number > last->number) {
        error(field, in_quotes(text) + " is not a range: expected FIRST..LAST with one prefix and the first number "
                                       "not above the last (\"N0..N11\"), or a group's name");
        return std::nullopt;
    }
    std::vector<std::string> names;
    for (auto n = first->number; n <= last->number; ++n) {
        names.push_back(first->prefix + std::to_string(n));
        // One error for a range that runs past the herd, not one per missing name.
        if (!check_node(names.back(), field)) return std::nullopt;
    }
    return names;
}

std::optional<std::vector<std::string>> Loader::read_node_list(const Json& value, const std::string& path) {
    constexpr std::string_view expected = "an array of node names, ranges (\"N0..N11\") and group names, or one range or group name";
    if (value.is_string()) return resolve_names(value.get<std::string>(), path);
    if (!value.is_array() || value.empty()) {
        error(path, "expected " + std::string(expected) + ", got " + shown(value));
        return std::nullopt;
    }
    std::vector<std::string> names;
    bool ok = true;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string field = path + "[" + std::to_string(i) + "]";
        auto text = string_value(value[i], field, "a node name, a range or a group name");
        auto resolved = text ? resolve_names(*text, field) : std::nullopt;
        if (!resolved) {
            ok = false;
            continue;
        }
        names.insert(names.end(), resolved->begin(), resolved->end());
    }
    if (!ok) return std::nullopt;
    return names;
}

void Loader::read_groups(const Json& doc) {
    if (!doc.contains("groups")) return;
    const Json& groups = doc["groups"];
    if (!is_object(groups, "groups", "an object: group name -> node names (\"left\": \"N0..N11\")")) return;
    for (const auto& item : groups.items()) {
        const std::string name = item.key();
        const std::string field = "groups." + name;
        if (name.empty() || name.size() > max_word_bytes || has_whitespace(name) ||
            name.find(kRange) != std::string::npos) {
            error(field, "a group's name is 1 to " + std::to_string(max_word_bytes) + " bytes without whitespace or \"..\"");
            continue;
        }
        if (herd_ && herd_->index.count(name)) {
            error(field, in_quotes(name) + " is a node's name; a group needs a name of its own");
            continue;
        }
        if (auto names = read_node_list(item.value(), field)) groups_[name] = std::move(*names);
    }
}

}  // namespace herd::sim::scenario_reading
