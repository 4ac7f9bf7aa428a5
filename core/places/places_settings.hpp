#pragma once
// How a node reaches the Places service. Plain data: the configuration layer fills it in, the
// Places client reads it.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace herd {

// The request paths of the two APIs, below the base URL.
constexpr std::string_view legacy_nearby_path = "/maps/api/place/nearbysearch/json";
constexpr std::string_view new_search_path = "/v1/places:searchNearby";

enum class PlacesApi {
    legacy,  // GET /maps/api/place/nearbysearch/json (the original project's shape)
    places_new,  // POST /v1/places:searchNearby (Places API New)
};

std::string_view to_string(PlacesApi api);
std::optional<PlacesApi> places_api_from_string(std::string_view text);  // "legacy" | "new"

// The longest Places timeout a config file, `serve --places-timeout` or a scenario may set: one day.
constexpr std::chrono::milliseconds max_places_timeout{86'400'000};

// When a request started at `now` times out: now + timeout, saturated at the clock's end, so no
// timeout however large wraps the deadline into the past (which would fail every request at once).
std::chrono::steady_clock::time_point places_deadline(std::chrono::steady_clock::time_point now,
                                                      std::chrono::milliseconds timeout);

struct PlacesSettings {
    PlacesApi api = PlacesApi::legacy;
    std::string base_url;  // "http(s)://host[:port][/prefix]"; empty: Google's own host for `api`
    std::chrono::milliseconds timeout{5000};
    std::string api_key;   // from the environment (PLACES_API_KEY); never logged
    std::string ca_file;   // a PEM bundle trusted besides the system store; empty: system store only

    std::string effective_url() const;
};

}  // namespace herd
