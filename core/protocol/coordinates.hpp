#pragma once
// ISO 6709 decimal-degree coordinates as one token: "+34.068930-118.445127".
#include <optional>
#include <string_view>

namespace herd {

struct Coordinates {
    // Views into the parsed token, each with its sign: "+34.068930" and "-118.445127".
    std::string_view latitude;
    std::string_view longitude;

    // The form a URL query or JSON number takes: a leading '+' dropped ("34.068930").
    std::string_view latitude_unsigned() const;
    std::string_view longitude_unsigned() const;
};

// Both signs required; latitude 1-2 integer digits in [-90, 90], longitude 1-3 in [-180, 180]
// (ISO 6709's leading zeros optional); any number of decimals, none included. Range checks are
// exact on the decimal text, so "+90.0000000000000001" is out of range.
std::optional<Coordinates> parse_coordinates(std::string_view token);

}  // namespace herd
