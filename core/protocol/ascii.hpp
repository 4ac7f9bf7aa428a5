#pragma once

namespace herd {

// The protocol's digits are ASCII whatever the locale, so not std::isdigit.
constexpr bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace herd
