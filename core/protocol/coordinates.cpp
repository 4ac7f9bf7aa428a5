#include "protocol/coordinates.hpp"

#include "protocol/ascii.hpp"

namespace herd {

namespace {

bool is_sign(char c) { return c == '+' || c == '-'; }

// Reads "[+-]D{1,max_digits}[.D*]" from the front of `rest`; checks |value| <= limit exactly.
std::optional<std::string_view> take_angle(std::string_view& rest, std::size_t max_digits, unsigned limit) {
    if (rest.empty() || !is_sign(rest[0])) return std::nullopt;
    std::size_t i = 1;
    unsigned whole = 0;
    while (i < rest.size() && is_ascii_digit(rest[i])) {
        if (i > max_digits) return std::nullopt;
        whole = whole * 10 + static_cast<unsigned>(rest[i] - '0');
        ++i;
    }
    if (i == 1) return std::nullopt;
    bool nonzero_fraction = false;
    if (i < rest.size() && rest[i] == '.') {
        ++i;
        while (i < rest.size() && is_ascii_digit(rest[i])) {
            nonzero_fraction = nonzero_fraction || rest[i] != '0';
            ++i;
        }
    }
    if (whole > limit || (whole == limit && nonzero_fraction)) return std::nullopt;
    std::string_view angle = rest.substr(0, i);
    rest.remove_prefix(i);
    return angle;
}

std::string_view without_plus(std::string_view angle) {
    return !angle.empty() && angle[0] == '+' ? angle.substr(1) : angle;
}

}  // namespace

std::string_view Coordinates::latitude_unsigned() const { return without_plus(latitude); }
std::string_view Coordinates::longitude_unsigned() const { return without_plus(longitude); }

std::optional<Coordinates> parse_coordinates(std::string_view token) {
    std::string_view rest = token;
    auto latitude = take_angle(rest, 2, 90);
    if (!latitude) return std::nullopt;
    auto longitude = take_angle(rest, 3, 180);
    if (!longitude || !rest.empty()) return std::nullopt;
    return Coordinates{*latitude, *longitude};
}

}  // namespace herd
