#include "protocol/timestamp.hpp"

#include <limits>

#include "protocol/ascii.hpp"

namespace herd {

std::optional<Nanos> parse_posix_time(std::string_view text) {
    const auto dot = text.find('.');
    const std::string_view whole = text.substr(0, dot);
    const std::string_view fraction =
        dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    if (whole.empty()) return std::nullopt;
    if (dot != std::string_view::npos && (fraction.empty() || fraction.size() > 9)) return std::nullopt;

    constexpr std::uint64_t limit = std::numeric_limits<Nanos>::max();
    std::uint64_t seconds = 0;
    for (char c : whole) {
        if (!is_ascii_digit(c)) return std::nullopt;
        seconds = seconds * 10 + static_cast<std::uint64_t>(c - '0');
        if (seconds > limit / 1'000'000'000) return std::nullopt;
    }
    std::uint64_t nanos = 0;
    for (std::size_t i = 0; i < 9; ++i) {
        char c = i < fraction.size() ? fraction[i] : '0';
        if (!is_ascii_digit(c)) return std::nullopt;
        nanos = nanos * 10 + static_cast<std::uint64_t>(c - '0');
    }
    const std::uint64_t total_whole = seconds * 1'000'000'000;
    if (total_whole > limit - nanos) return std::nullopt;
    return static_cast<Nanos>(total_whole + nanos);
}

void append_difference(std::string& out, Nanos difference) {
    // Magnitude in unsigned arithmetic so that INT64_MIN has a magnitude too.
    const bool negative = difference < 0;
    const std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(difference)
                                             : static_cast<std::uint64_t>(difference);
    out.push_back(negative ? '-' : '+');
    out += std::to_string(magnitude / 1'000'000'000);
    out.push_back('.');
    char digits[9];
    std::uint64_t fraction = magnitude % 1'000'000'000;
    for (int i = 8; i >= 0; --i) {
        digits[i] = static_cast<char>('0' + fraction % 10);
        fraction /= 10;
    }
    out.append(digits, 9);
}

std::string format_posix_time(Nanos time) {
    std::string out;
    append_difference(out, time);
    return out.substr(1);  // the same digits without the sign
}

std::string format_difference(Nanos difference) {
    std::string out;
    append_difference(out, difference);
    return out;
}

}  // namespace herd
