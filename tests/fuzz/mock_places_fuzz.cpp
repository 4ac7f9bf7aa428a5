// libFuzzer target for the `herdsim serve --mock-places FILE` loader: any bytes as the file. It must
// give the mock's two answers or a ConfigError naming the file, nothing else (no other exception,
// no crash, no stack overflow however deep the nesting).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "config/herd_config.hpp"
#include "serve/mock_answers.hpp"

namespace {
void require(bool ok) {
    if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const auto answers = herd::serve::mock_answers(text, "fuzz.json");
        require(answers.legacy == text);
        // The new API's answer is JSON the mock can serve: {"places": [...]}, one place per result.
        const auto places = nlohmann::json::parse(answers.places_new);
        require(places.is_object() && places.at("places").is_array());
        require(places["places"].size() == nlohmann::json::parse(text)["results"].size());
    } catch (const herd::ConfigError& e) {
        require(std::string_view(e.what()).starts_with("--mock-places: fuzz.json: "));
    }
    return 0;
}
