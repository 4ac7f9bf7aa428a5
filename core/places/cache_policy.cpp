#include "places/cache_policy.hpp"

#include <cstddef>

#include <nlohmann/json.hpp>

#include "protocol/places_reply.hpp"

namespace herd {

std::string answer_key(PlacesApi api, const PlacesQuery& query) {
    std::string key(to_string(api));
    key += ' ';
    key += query.latitude;
    key += ',';
    key += query.longitude;
    key += ' ';
    key += query.radius_metres;
    if (api == PlacesApi::places_new) key += ' ' + std::to_string(query.bound);
    return key;
}

namespace {

// Reads the top level only; nlohmann's SAX parser keeps its own stack, so depth costs no recursion.
class TopLevel : public nlohmann::json_sax<nlohmann::json> {
public:
    std::string status;
    bool has_error = false;
    bool object = false;

    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t& value) override {
        if (depth_ == 1 && key_ == "status") status = value;
        return true;
    }
    bool binary(binary_t&) override { return true; }
    bool start_object(std::size_t) override {
        if (depth_ == 0) object = true;
        return enter();
    }
    bool key(string_t& value) override {
        if (depth_ == 1) {
            key_ = value;
            has_error = has_error || value == "error";
        }
        return true;
    }
    bool end_object() override { return leave(); }
    bool start_array(std::size_t) override { return enter(); }
    bool end_array() override { return leave(); }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

private:
    bool enter() { return ++depth_ <= PlacesReplyLimits{}.max_depth; }
    bool leave() {
        --depth_;
        return true;
    }
    std::size_t depth_ = 0;
    std::string key_;
};

}  // namespace

bool worth_caching(PlacesApi api, std::string_view body) {
    TopLevel top;
    if (!nlohmann::json::sax_parse(body, &top) || !top.object) return false;
    if (api == PlacesApi::places_new) return !top.has_error;
    return top.status == "OK" || top.status == "ZERO_RESULTS";
}

}  // namespace herd
