#pragma once
// What `herdsim serve --mock-places [FILE]` answers: FILE (or the bundled sample), a legacy Nearby
// Search answer, to the legacy API, and the same places in the Places API (New) shape to the new.
#include <cstdint>
#include <string>
#include <string_view>

namespace herd::serve {

struct MockAnswers {
    std::string origin;      // the file's name, or the bundled sample's
    std::string legacy;      // the body exactly as given
    std::string places_new;  // {"places": [...]}: one place per result, in order
};

// A mock answer file is at most what the Places client takes from the service.
constexpr std::uintmax_t max_mock_places_bytes = 8 << 20;

// Throws ConfigError ("--mock-places: <origin>: ...") for a body that is not a JSON object with a
// "results" array of objects, and, read as the herd config is (config/json_text.hpp), for nesting
// past its depth or a number beyond a double, with the line and column.
MockAnswers mock_answers(std::string_view legacy_body, std::string origin);

// FILE's answers; an empty name: the bundled sample's. Throws ConfigError for a file it cannot read,
// that is not a regular file (a FIFO would block for ever), or larger than max_mock_places_bytes.
MockAnswers load_mock_answers(const std::string& file);

}  // namespace herd::serve
