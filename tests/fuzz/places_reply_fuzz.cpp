// libFuzzer target for the WHATSAT reply path: any Places body (and bound) through parse, cut and
// re-format. Checks what PROTOCOL.md promises of every reply, whatever the Places service answered.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "protocol/places_reply.hpp"

namespace {
void require(bool ok) {
    if (!ok) std::abort();
}

const std::string at_line = "AT Alford +0.263873386 kiwi.cs.ucla.edu +34.068930-118.445127 1520023934.918963997";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    // The first byte picks the bound (1..20), the rest is the body.
    const int bound = 1 + data[0] % 20;
    const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
    // Small limits, so the fuzzer reaches both bounds with small inputs.
    const herd::PlacesReplyLimits limits{.max_depth = 8, .max_reply_bytes = 4096};
    const std::string reply = herd::whatsat_reply(at_line, body, bound, limits);

    // The framing: the AT line, a newline, a JSON object with no empty line inside, "\n\n".
    require(reply.starts_with(at_line + "\n{"));
    require(reply.ends_with("}\n\n"));
    const std::string_view json(reply.data() + at_line.size() + 1, reply.size() - at_line.size() - 3);
    require(json.find("\n\n") == std::string_view::npos);
    const auto parsed = nlohmann::ordered_json::parse(json, nullptr, false);
    require(parsed.is_object());
    // Within the limit: an answer over it is replaced by the (small) Places-shaped failure.
    require(json.size() <= limits.max_reply_bytes);
    for (const char* key : {"results", "places"})
        if (auto it = parsed.find(key); it != parsed.end() && it->is_array())
            require(it->size() <= static_cast<std::size_t>(bound));
    return 0;
}
