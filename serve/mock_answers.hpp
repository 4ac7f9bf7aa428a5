#pragma once
// What `herdsim serve --mock-places [FILE]` answers: FILE (or the bundled sample), a legacy Nearby
// Search answer, to the legacy API, and the same places in the Places API (New) shape to the new.
#include <string>
#include <string_view>

namespace herd::serve {

struct MockAnswers {
    std::string origin;      // the file's name, or the bundled sample's
    std::string legacy;      // the body exactly as given
    std::string places_new;  // {"places": [...]}: one place per result, in order
};

// Throws ConfigError ("--mock-places: <origin>: ...") for a body that is not a JSON object with a
// "results" array of objects.
MockAnswers mock_answers(std::string_view legacy_body, std::string origin);

// FILE's answers; an empty name: the bundled sample's. Throws ConfigError for a file it cannot read.
MockAnswers load_mock_answers(const std::string& file);

}  // namespace herd::serve
