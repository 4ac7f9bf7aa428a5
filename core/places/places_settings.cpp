#include "places/places_settings.hpp"

#include <algorithm>

namespace herd {

std::string_view to_string(PlacesApi api) { return api == PlacesApi::legacy ? "legacy" : "new"; }

std::optional<PlacesApi> places_api_from_string(std::string_view text) {
    if (text == "legacy") return PlacesApi::legacy;
    if (text == "new") return PlacesApi::places_new;
    return std::nullopt;
}

std::chrono::steady_clock::time_point places_deadline(std::chrono::steady_clock::time_point now,
                                                      std::chrono::milliseconds timeout) {
    using Clock = std::chrono::steady_clock;
    if (timeout <= std::chrono::milliseconds::zero()) return now;
    // Compared in milliseconds: converting a huge timeout to the clock's nanoseconds is what overflows.
    const Clock::duration room = Clock::time_point::max() - std::max(now, Clock::time_point{});
    if (timeout >= std::chrono::floor<std::chrono::milliseconds>(room)) return Clock::time_point::max();
    return now + timeout;
}

std::string PlacesSettings::effective_url() const {
    if (!base_url.empty()) return base_url;
    return api == PlacesApi::legacy ? "https://maps.googleapis.com" : "https://places.googleapis.com";
}

}  // namespace herd
