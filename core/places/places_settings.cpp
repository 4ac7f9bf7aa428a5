#include "places/places_settings.hpp"

namespace herd {

std::string_view to_string(PlacesApi api) { return api == PlacesApi::legacy ? "legacy" : "new"; }

std::optional<PlacesApi> places_api_from_string(std::string_view text) {
    if (text == "legacy") return PlacesApi::legacy;
    if (text == "new") return PlacesApi::places_new;
    return std::nullopt;
}

std::string PlacesSettings::effective_url() const {
    if (!base_url.empty()) return base_url;
    return api == PlacesApi::legacy ? "https://maps.googleapis.com" : "https://places.googleapis.com";
}

}  // namespace herd
