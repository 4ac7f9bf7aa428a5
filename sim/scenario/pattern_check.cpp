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

// A back-reference (\1 ... \9...) anywhere: the non-recursive matcher the run uses cannot match
// one, and libstdc++ parses its number into a long that overflows.
bool has_back_reference(std::string_view pattern) {
    for (std::size_t i = 0; i + 1 < pattern.size(); ++i) {
        if (pattern[i] != '\\') continue;
        if (pattern[i + 1] >= '1' && pattern[i + 1] <= '9') return true;
        ++i;
    }
    return false;
}

// The largest count in a {n}, {n,} or {n,m} quantifier outside [...] classes (counts past the
// bound are not read to the end: libstdc++ parses them into a long that overflows).
long largest_repeat(std::string_view pattern) {
    long largest = 0;
    bool in_class = false, in_braces = false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '\\') ++i;
        else if (in_class) in_class = c != ']';
        else if (c == '[') in_class = true;
        else if (c == '{') in_braces = true;
        else if (c == '}') in_braces = false;
        else if (in_braces && c >= '0' && c <= '9') {
            long count = 0;
            for (; i < pattern.size() && pattern[i] >= '0' && pattern[i] <= '9' && count <= max_pattern_repeat; ++i)
                count = count * 10 + (pattern[i] - '0');
            largest = std::max(largest, count);
            --i;
        }
    }
    return largest;
}

}  // namespace

std::optional<std::string> pattern_problem(std::string_view pattern) {
    if (pattern.size() > max_pattern_bytes)
        return "a pattern is at most " + std::to_string(max_pattern_bytes) + " bytes, got " + std::to_string(pattern.size());
    if (const int depth = group_depth(pattern); depth > max_pattern_nesting)
        return "groups nested " + std::to_string(depth) + " deep; at most " + std::to_string(max_pattern_nesting);
    if (has_back_reference(pattern))
        return "back-references (\\1 ...) are not supported: replies are matched without recursion";
    if (largest_repeat(pattern) > max_pattern_repeat)
        return "a repetition count ({n}, {n,m}) is at most " + std::to_string(max_pattern_repeat);
    try {
        std::regex compiled(pattern.begin(), pattern.end(), std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
        return "not a valid ECMAScript regex (" + std::string(e.what()) + ")";
    }
    return std::nullopt;
}

}  // namespace herd::sim
