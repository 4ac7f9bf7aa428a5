#pragma once
// What the answer cache keeps, and under which key. Pure.
#include <string>
#include <string_view>

#include "places/places_settings.hpp"
#include "protocol/node.hpp"

namespace herd {

// The request's own terms: the API, latitude and longitude as the client wrote them, the radius,
// and for the new API the bound too (its request asks for that many places).
std::string answer_key(PlacesApi api, const PlacesQuery& query);

// Only answers a repeat would get again: a JSON object whose top-level "status" is "OK" or
// "ZERO_RESULTS" (legacy), or a JSON object with no top-level "error" (new API, whose answers have
// no status), nested no deeper than a WHATSAT reply allows. One pass, no recursion.
bool worth_caching(PlacesApi api, std::string_view body);

}  // namespace herd
