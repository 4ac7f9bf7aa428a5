#pragma once
// expect_pattern's check before a run: std::regex compiles (and later matches) by recursion, so a
// pattern nested 16,000 deep overflows the stack instead of failing. Bounded first, then compiled.
#include <optional>
#include <string>
#include <string_view>

namespace herd::sim {

// Why `pattern` cannot be an expect_pattern ("groups nested 40 deep; at most 32"), or nothing.
std::optional<std::string> pattern_problem(std::string_view pattern);

}  // namespace herd::sim
