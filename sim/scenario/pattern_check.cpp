#include "scenario/pattern_check.hpp"

#include <algorithm>
#include <regex>

#include "scenario/limits.hpp"

namespace herd::sim {

namespace {

// The deepest nesting of groups, counting only unescaped parentheses outside [...] classes, as
// ECMAScript reads them.
int group_depth(std::string_view pattern) {
    int depth = 0, deepest = 0;
    bool in_class = false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '\\') ++i;
        else if (in_class) in_class = c != ']';
        else if (c == '[') in_class = true;
        else if (c == '(') deepest = std::max(deepest, ++depth);
        else if (c == ')') depth = std::max(depth - 1, 0);
    }
    return deepest;
}

}  // namespace

std::optional<std::string> pattern_problem(std::string_view pattern) {
    if (pattern.size() > max_pattern_bytes)
        return "a pattern is at most " + std::to_string(max_pattern_bytes) + " bytes, got " + std::to_string(pattern.size());
    if (const int depth = group_depth(pattern); depth > max_pattern_nesting)
        return "groups nested " + std::to_string(depth) + " deep; at most " + std::to_string(max_pattern_nesting);
    try {
        std::regex compiled(pattern.begin(), pattern.end(), std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
        return "not a valid ECMAScript regex (" + std::string(e.what()) + ")";
    }
    return std::nullopt;
}

}  // namespace herd::sim
