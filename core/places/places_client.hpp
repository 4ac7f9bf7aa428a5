#pragma once
// The Places client: one HTTPS (or HTTP) request per WHATSAT, on the node's io_context.
// Beast and OpenSSL stay behind this header.
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "places/places_settings.hpp"
#include "protocol/node.hpp"

namespace herd {

struct PlacesAnswer {
    bool ok = false;        // HTTP 200 arrived: `body` is what the service sent, unparsed
    int http_status = 0;    // 0 when no HTTP answer came at all
    std::string body;
    std::string error;      // when !ok: what went wrong, for the client's UNKNOWN_ERROR body and the log
};

class PlacesClient {
public:
    // Throws std::invalid_argument with a precise message for a bad base URL or CA file.
    PlacesClient(boost::asio::any_io_executor executor, PlacesSettings settings);
    ~PlacesClient();
    PlacesClient(const PlacesClient&) = delete;
    PlacesClient& operator=(const PlacesClient&) = delete;

    // Never throws and never takes longer than settings.timeout (plus scheduling).
    boost::asio::awaitable<PlacesAnswer> fetch(const PlacesQuery& query);

    // The request as a log line: method and URL (and body for the new API), the key redacted.
    std::string describe(const PlacesQuery& query) const;

    const PlacesSettings& settings() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace herd
