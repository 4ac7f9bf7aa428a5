#include <array>
#include <optional>
#include <string>

#include "protocol/command.hpp"

namespace herd {

namespace {

constexpr std::size_t max_fields = 8;  // one more than the longest command, to see "too many"

struct Fields {
    std::array<std::string_view, max_fields> at;
    std::size_t count = 0;
};

Fields split(std::string_view line) {
    Fields fields;
    std::size_t i = 0;
    while (i < line.size() && fields.count < max_fields) {
        while (i < line.size() && is_protocol_space(line[i])) ++i;
        if (i == line.size()) break;
        std::size_t start = i;
        while (i < line.size() && !is_protocol_space(line[i])) ++i;
        fields.at[fields.count++] = line.substr(start, i - start);
    }
    return fields;
}

bool all_digits(std::string_view text) {
    if (text.empty()) return false;
    for (char c : text)
        if (c < '0' || c > '9') return false;
    return true;
}

// "D+[.D*]" or ".D+", greater than 0 and at most 50, decided on the text.
bool valid_radius(std::string_view text) {
    const auto dot = text.find('.');
    std::string_view whole = text.substr(0, dot);
    std::string_view fraction = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    if (whole.empty() && fraction.empty()) return false;
    if (!whole.empty() && !all_digits(whole)) return false;
    if (!fraction.empty() && !all_digits(fraction)) return false;
    while (!whole.empty() && whole.front() == '0') whole.remove_prefix(1);
    bool fraction_nonzero = fraction.find_first_not_of('0') != std::string_view::npos;
    if (whole.size() > 2) return false;
    unsigned value = 0;
    for (char c : whole) value = value * 10 + static_cast<unsigned>(c - '0');
    if (value == 0 && !fraction_nonzero) return false;
    return value < 50 || (value == 50 && !fraction_nonzero);
}

// An integer from 1 to 20; leading zeros allowed.
int parse_bound(std::string_view text) {
    if (!all_digits(text)) return 0;
    while (text.size() > 1 && text.front() == '0') text.remove_prefix(1);
    if (text.size() > 2) return 0;
    int value = 0;
    for (char c : text) value = value * 10 + (c - '0');
    return value >= 1 && value <= 20 ? value : 0;
}

// "+0.263873386": an optional sign, digits, optional fraction.
bool valid_difference(std::string_view text) {
    if (!text.empty() && (text[0] == '+' || text[0] == '-')) text.remove_prefix(1);
    const auto dot = text.find('.');
    if (!all_digits(text.substr(0, dot))) return false;
    return dot == std::string_view::npos || dot + 1 == text.size() || all_digits(text.substr(dot + 1));
}

// The client ID is field `client`; each field past the command word is held to its limit.
std::optional<std::string_view> too_long(const Fields& f, std::size_t client, const FieldLimits& limits) {
    for (std::size_t i = 1; i < f.count; ++i) {
        if (i == client && f.at[i].size() > limits.max_client_id) return "client ID longer than the limit";
        if (i != client && f.at[i].size() > limits.max_field) return "a field is longer than the limit";
    }
    return std::nullopt;
}

Command parse_iamat(std::string_view line, const Fields& f, const FieldLimits& limits) {
    if (f.count != 4) return Invalid{line, "IAMAT takes exactly 3 arguments"};
    if (const auto why = too_long(f, 1, limits)) return Invalid{line, *why};
    auto coordinates = parse_coordinates(f.at[2]);
    if (!coordinates) return Invalid{line, "IAMAT coordinates are not ISO 6709 within range"};
    auto time = parse_posix_time(f.at[3]);
    if (!time) return Invalid{line, "IAMAT time is not POSIX seconds with up to 9 decimals"};
    return IAmAt{line, f.at[1], f.at[2], *coordinates, f.at[3], *time};
}

Command parse_whatsat(std::string_view line, const Fields& f, const FieldLimits& limits) {
    if (f.count != 4) return Invalid{line, "WHATSAT takes exactly 3 arguments"};
    if (const auto why = too_long(f, 1, limits)) return Invalid{line, *why};
    if (!valid_radius(f.at[2])) return Invalid{line, "WHATSAT radius must be a number in (0, 50] km"};
    int bound = parse_bound(f.at[3]);
    if (bound == 0) return Invalid{line, "WHATSAT bound must be an integer from 1 to 20"};
    return WhatsAt{line, f.at[1], f.at[2], bound};
}

Command parse_at(std::string_view line, const Fields& f, const FieldLimits& limits) {
    if (f.count != 6 && f.count != 7) return Invalid{line, "AT takes 5 or 6 arguments"};
    if (const auto why = too_long(f, 3, limits)) return Invalid{line, *why};
    if (!valid_difference(f.at[2])) return Invalid{line, "AT time difference is not a signed decimal"};
    auto coordinates = parse_coordinates(f.at[4]);
    if (!coordinates) return Invalid{line, "AT coordinates are not ISO 6709 within range"};
    auto time = parse_posix_time(f.at[5]);
    if (!time) return Invalid{line, "AT time is not POSIX seconds with up to 9 decimals"};
    return At{line, f.at[1], f.at[2], f.at[3], f.at[4], *coordinates, f.at[5], *time,
              f.count == 7 ? f.at[6] : std::string_view{}};
}

}  // namespace

Command parse_line(std::string_view line, const FieldLimits& limits) {
    const Fields f = split(line);
    if (f.count == 0) return Blank{};
    const std::string_view word = f.at[0];
    if (word == "IAMAT") return parse_iamat(line, f, limits);
    if (word == "WHATSAT") return parse_whatsat(line, f, limits);
    if (word == "AT") return parse_at(line, f, limits);
    if (word == catch_up_word) {
        if (f.count != 2) return Invalid{line, "HERDSIM-CATCHUP takes exactly 1 argument"};
        return CatchUp{line, f.at[1]};
    }
    return Invalid{line, "unknown command"};
}

LineSubject line_subject(std::string_view line) {
    const Fields f = split(line);
    if (f.count == 0) return {};
    const std::string_view word = f.at[0];
    const std::size_t client = word == "AT" ? 3 : word == "IAMAT" || word == "WHATSAT" ? 1 : 0;
    return {word, client > 0 && client < f.count ? f.at[client] : std::string_view{}};
}

std::string radius_metres(std::string_view radius_km) {
    const auto dot = radius_km.find('.');
    std::string digits(radius_km.substr(0, dot));
    std::string fraction(dot == std::string_view::npos ? std::string_view{} : radius_km.substr(dot + 1));
    fraction.resize(std::max<std::size_t>(fraction.size(), 3), '0');
    digits += fraction.substr(0, 3);
    std::string rest = fraction.substr(3);
    while (!rest.empty() && rest.back() == '0') rest.pop_back();
    const auto first = digits.find_first_not_of('0');
    digits = first == std::string::npos ? "0" : digits.substr(first);
    return rest.empty() ? digits : digits + "." + rest;
}

}  // namespace herd
