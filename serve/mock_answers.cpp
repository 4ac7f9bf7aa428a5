#include "serve/mock_answers.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "config/herd_config.hpp"
#include "config/json_text.hpp"
#include "serve/sample_places.hpp"

namespace herd::serve {

namespace {

using json = nlohmann::ordered_json;

// The fields a Nearby Search result and a Places API (New) place both have, under their new names.
json place_of(const json& result) {
    json place = json::object();
    const auto copy = [&](const char* from, const char* to) {
        if (const auto it = result.find(from); it != result.end()) place[to] = *it;
    };
    copy("place_id", "id");
    if (const auto name = result.find("name"); name != result.end()) place["displayName"] = {{"text", *name}};
    copy("vicinity", "formattedAddress");
    const json location = result.value("/geometry/location"_json_pointer, json::object());
    if (location.contains("lat") && location.contains("lng"))
        place["location"] = {{"latitude", location["lat"]}, {"longitude", location["lng"]}};
    copy("types", "types");
    copy("rating", "rating");
    copy("user_ratings_total", "userRatingCount");
    return place;
}

}  // namespace

MockAnswers mock_answers(std::string_view legacy_body, std::string origin) {
    const auto fail = [&](const std::string& what) { throw ConfigError("--mock-places: " + origin + ": " + what); };
    json doc;
    try {
        doc = parse_json(legacy_body);
    } catch (const JsonTextError& e) {
        fail(e.what());  // with its line and column
    }
    const auto results = doc.is_object() ? doc.find("results") : doc.end();
    if (results == doc.end() || !results->is_array())
        fail("expected a Nearby Search answer: a JSON object with a \"results\" array");
    json places = json::array();
    for (std::size_t i = 0; i < results->size(); ++i) {
        if (!(*results)[i].is_object()) fail("results[" + std::to_string(i) + "]: expected an object");
        places.push_back(place_of((*results)[i]));
    }
    return {std::move(origin), std::string(legacy_body), json{{"places", places}}.dump(2)};
}

MockAnswers load_mock_answers(const std::string& file) {
    if (file.empty()) return mock_answers(sample_places_body, "the bundled " + std::string(sample_places_name));
    const auto fail = [&](const std::string& what) { throw ConfigError("--mock-places: " + file + ": " + what); };
    std::error_code ec;
    if (std::filesystem::exists(file, ec) && !std::filesystem::is_regular_file(file, ec)) fail("not a regular file");
    if (const auto size = std::filesystem::file_size(file, ec); !ec && size > max_mock_places_bytes)
        fail("larger than " + std::to_string(max_mock_places_bytes) + " bytes");
    std::ifstream in(file, std::ios::binary);
    if (!in) fail("cannot open the file");
    std::ostringstream text;
    text << in.rdbuf();
    return mock_answers(text.str(), file);
}

}  // namespace herd::serve
