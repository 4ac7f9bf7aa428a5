#pragma once
// The WHATSAT reply: the stored AT line, then the Places JSON cut to the bound, then an empty line.
#include <string>
#include <string_view>

namespace herd {

// `body` is what the Places service answered with HTTP 200. Its "results" array (legacy Nearby
// Search) or "places" array (Places API New) is cut to the first `bound` entries; every other key
// and the key order are kept. The JSON is written with a 3-space indent, so it has no empty line
// and no trailing newline. A body that is not a JSON object is answered as a failure.
std::string whatsat_reply(std::string_view at_line, std::string_view body, int bound);

// The same framing around a Places-shaped error body with status UNKNOWN_ERROR.
std::string whatsat_failure_reply(std::string_view at_line, std::string_view what_went_wrong);

}  // namespace herd
