#include "protocol/places_reply.hpp"

#include <nlohmann/json.hpp>

namespace herd {

namespace {

std::string frame(std::string_view at_line, const nlohmann::ordered_json& body) {
    std::string reply(at_line);
    reply += '\n';
    reply += body.dump(3, ' ', false, nlohmann::json::error_handler_t::replace);
    reply += "\n\n";
    return reply;
}

}  // namespace

std::string whatsat_failure_reply(std::string_view at_line, std::string_view what_went_wrong) {
    nlohmann::ordered_json body;
    body["html_attributions"] = nlohmann::ordered_json::array();
    body["results"] = nlohmann::ordered_json::array();
    body["status"] = "UNKNOWN_ERROR";
    body["error_message"] = std::string(what_went_wrong);
    return frame(at_line, body);
}

std::string whatsat_reply(std::string_view at_line, std::string_view body, int bound) {
    auto json = nlohmann::ordered_json::parse(body, nullptr, false);
    if (json.is_discarded()) return whatsat_failure_reply(at_line, "the Places service answered a body that is not JSON");
    if (!json.is_object())
        return whatsat_failure_reply(at_line, "the Places service answered JSON that is not an object");
    for (const char* key : {"results", "places"}) {
        auto it = json.find(key);
        if (it != json.end() && it->is_array() && it->size() > static_cast<std::size_t>(bound))
            it->erase(it->begin() + bound, it->end());
    }
    return frame(at_line, json);
}

}  // namespace herd
