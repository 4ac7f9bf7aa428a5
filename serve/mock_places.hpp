#pragma once
// A fake Places service: a real HTTP/1.1 (or HTTPS) server on 127.0.0.1 that the real Places client
// calls. It answers both the legacy Nearby Search and Places API (New) shapes by rules, and records
// every request. Single-threaded: everything runs on the executor it is given.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "async/report_failure.hpp"
#include "serve/mock_places_rule.hpp"

namespace herd::serve {

namespace detail {
struct MockPlacesState;
}

struct MockPlacesRequest {
    std::string method;      // "GET", "POST"
    std::string target;      // path and query, as sent
    std::string host;        // Host header
    std::string api_key;     // X-Goog-Api-Key header
    std::string field_mask;  // X-Goog-FieldMask header
    std::string content_type;
    std::string body;
    std::string api;                  // "legacy", "new" or "" (any other path)
    std::string key;                  // legacy: the "key" query parameter, decoded; new: the X-Goog-Api-Key header
    std::string location;             // "lat,lng": legacy from the query (decoded), new from the body's center
    std::string radius;               // metres as text, from the query or the body
    std::optional<std::size_t> rule;  // index of the rule that answered; empty: the default answer
};

struct MockPlacesTls {
    std::string certificate_chain_pem;
    std::string private_key_pem;
};

struct MockPlacesOptions {
    std::uint16_t port = 0;              // 0: the system picks one
    std::optional<MockPlacesTls> tls{};  // set: serve HTTPS
    FailureSink failed = print_failure;  // where a failure of its coroutines goes (the runner's ends the run)
};

class MockPlaces {
public:
    // The answer when no rule matches (HTTP 200).
    static constexpr const char* default_body = R"({"html_attributions": [], "results": [], "status": "ZERO_RESULTS"})";

    // Listens at once (so port() is known); serves once the executor runs. Throws
    // boost::system::system_error if it cannot listen or the TLS material is bad.
    explicit MockPlaces(boost::asio::any_io_executor executor, MockPlacesOptions options = {});
    ~MockPlaces();  // stop()s; destroy it before its execution context
    MockPlaces(const MockPlaces&) = delete;
    MockPlaces& operator=(const MockPlaces&) = delete;

    std::uint16_t port() const;
    std::string url() const;  // "http://127.0.0.1:PORT", or "https://localhost:PORT" with TLS

    // The first rule that matches a request answers it. Changes apply to the next request read;
    // set_rules() also restarts every fail_first count.
    void set_rules(std::vector<MockPlacesRule> rules);
    std::size_t add_rule(MockPlacesRule rule);  // returns its index

    const std::vector<MockPlacesRequest>& requests() const;
    std::size_t request_count() const;
    std::size_t open_connections() const;

    // Closes the listener and every connection (pending delays and never-answered requests too).
    void stop();

private:
    std::shared_ptr<detail::MockPlacesState> state_;
};

}  // namespace herd::serve
