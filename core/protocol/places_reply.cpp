#include "protocol/places_reply.hpp"

#include <nlohmann/json.hpp>

namespace herd {

namespace {

std::string frame(std::string_view at_line, const std::string& json) {
    std::string reply;
    reply.reserve(at_line.size() + json.size() + 3);
    reply += at_line;
    reply += '\n';
    reply += json;
    reply += "\n\n";
    return reply;
}

std::string indented(const nlohmann::ordered_json& body) {
    return body.dump(3, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::size_t json_nesting(std::string_view json, std::size_t cap) {
    std::size_t depth = 0, deepest = 0;
    bool in_string = false, escaped = false;
    for (const char c : json) {
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > deepest && (deepest = depth) > cap) return deepest;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

std::string whatsat_failure_reply(std::string_view at_line, std::string_view what_went_wrong) {
    nlohmann::ordered_json body;
    body["html_attributions"] = nlohmann::ordered_json::array();
    body["results"] = nlohmann::ordered_json::array();
    body["status"] = "UNKNOWN_ERROR";
    body["error_message"] = std::string(what_went_wrong);
    return frame(at_line, indented(body));
}

std::string whatsat_reply(std::string_view at_line, std::string_view body, int bound, const PlacesReplyLimits& limits) {
    // Before the parse: nlohmann's writer and destructor recurse per level.
    if (json_nesting(body, limits.max_depth) > limits.max_depth)
        return whatsat_failure_reply(at_line, "the Places service answered JSON nested deeper than " +
                                                  std::to_string(limits.max_depth) + " levels");
    auto json = nlohmann::ordered_json::parse(body, nullptr, false);
    if (json.is_discarded()) return whatsat_failure_reply(at_line, "the Places service answered a body that is not JSON");
    if (!json.is_object())
        return whatsat_failure_reply(at_line, "the Places service answered JSON that is not an object");
    for (const char* key : {"results", "places"}) {
        auto it = json.find(key);
        if (it != json.end() && it->is_array() && it->size() > static_cast<std::size_t>(bound))
            it->erase(it->begin() + bound, it->end());
    }
    const std::string text = indented(json);
    if (text.size() > limits.max_reply_bytes)
        return whatsat_failure_reply(at_line, "the Places answer would make a reply of " + std::to_string(text.size()) +
                                                  " bytes, over the limit of " +
                                                  std::to_string(limits.max_reply_bytes));
    return frame(at_line, text);
}

}  // namespace herd
