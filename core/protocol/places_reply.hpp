#pragma once
// The WHATSAT reply: the stored AT line, then the Places JSON cut to the bound, then an empty line.
#include <cstddef>
#include <string>
#include <string_view>

namespace herd {

// What a Places answer may cost a server. A body past either bound is answered as a failure
// (UNKNOWN_ERROR naming the bound) before anything recursive touches it, so a hostile Places
// service can neither exhaust the stack nor block the event loop for long.
struct PlacesReplyLimits {
    // Nesting of arrays and objects. Real answers nest 6 deep (results > photos > attributions).
    std::size_t max_depth = 32;
    // The re-formatted JSON. A real 20-result answer is about 30 KB.
    std::size_t max_reply_bytes = 1024 * 1024;
};

// `body` is what the Places service answered with HTTP 200. Its "results" array (legacy Nearby
// Search) or "places" array (Places API New) is cut to the first `bound` entries; every other key
// and the key order are kept. The JSON is written with a 3-space indent, so it has no empty line
// and no trailing newline. A body that is not a JSON object, nests deeper than the limit or would
// be written larger than it is answered as a failure.
std::string whatsat_reply(std::string_view at_line, std::string_view body, int bound,
                          const PlacesReplyLimits& limits = {});

// The same framing around a Places-shaped error body with status UNKNOWN_ERROR.
std::string whatsat_failure_reply(std::string_view at_line, std::string_view what_went_wrong);

// The deepest nesting of arrays and objects in `json` text, counted in one pass without
// recursion (brackets inside strings do not count); stops counting past `cap`.
std::size_t json_nesting(std::string_view json, std::size_t cap);

}  // namespace herd
