#pragma once
// POSIX times as exact integer nanoseconds: the protocol compares times exactly, never as floating point.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace herd {

using Nanos = std::int64_t;

// "1520023934", "1520023934.9", "1520023934.918963997": digits, then optionally '.' and 1 to 9 digits.
// No sign, no exponent; values past int64 nanoseconds (year 2262) are rejected.
std::optional<Nanos> parse_posix_time(std::string_view text);

// The signed difference as the AT line shows it: "+0.263873386", "-12.000000001", "+0.000000000".
std::string format_difference(Nanos difference);

// A time as POSIX seconds with all 9 decimals: "1520023934.918963997". `time` must be >= 0.
std::string format_posix_time(Nanos time);

// Appends the same text to `out` without a temporary (the per-message path).
void append_difference(std::string& out, Nanos difference);

}  // namespace herd
