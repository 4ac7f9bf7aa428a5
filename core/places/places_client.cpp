#include "places/places_client.hpp"

#include <charconv>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "async/nothrow.hpp"
#include "async/report_failure.hpp"

namespace herd {

namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

constexpr std::size_t max_body_bytes = 8 * 1024 * 1024;
constexpr std::string_view field_mask =
    "places.id,places.displayName,places.formattedAddress,places.location,places.types";

struct BaseUrl {
    bool tls = false;
    std::string host;       // without brackets for IPv6 ("::1")
    std::string port;       // always set: explicit or the scheme's default
    std::string authority;  // for messages and the Host header: "host" or "host:port"
    std::string prefix;     // "" or "/something", no trailing '/'

    std::string origin() const { return (tls ? "https://" : "http://") + authority; }
};

[[noreturn]] void bad_url(std::string_view url, std::string_view why) {
    throw std::invalid_argument("bad Places base URL \"" + std::string(url) + "\": " + std::string(why));
}

bool has_control(std::string_view text) {
    for (unsigned char c : text)
        if (c < 0x20 || c == 0x7f) return true;
    return false;
}

bool has_control_or_space(std::string_view text) {
    return has_control(text) || text.find(' ') != std::string_view::npos;
}

// "http://host[:port][/prefix]" or "https://...": nothing else, so a typo fails at startup and not
// on the first WHATSAT.
BaseUrl parse_base_url(std::string_view url) {
    if (has_control_or_space(url)) bad_url(url, "it contains a space or a control character");
    BaseUrl base;
    std::string_view rest = url;
    if (rest.starts_with("https://")) {
        base.tls = true;
        rest.remove_prefix(8);
    } else if (rest.starts_with("http://")) {
        rest.remove_prefix(7);
    } else {
        bad_url(url, "the scheme must be http:// or https://");
    }
    if (rest.find_first_of("?#") != std::string_view::npos) bad_url(url, "it must not have a query or a fragment");
    const std::size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
    if (authority.find('@') != std::string_view::npos) bad_url(url, "it must not have user information");

    std::string_view host = authority;
    std::optional<std::string_view> port;
    if (authority.starts_with("[")) {  // an IPv6 literal: "[::1]:8080"
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) bad_url(url, "the IPv6 address has no closing ']'");
        host = authority.substr(1, close - 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty() && after[0] != ':') bad_url(url, "unexpected text after the IPv6 address");
        if (!after.empty()) port = after.substr(1);
    } else if (const std::size_t colon = authority.find(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    if (host.empty()) bad_url(url, "it has no host");

    const char* const default_port = base.tls ? "443" : "80";
    base.host = std::string(host);
    base.port = default_port;
    if (port) {
        unsigned number = 0;
        const auto [end, error] = std::from_chars(port->data(), port->data() + port->size(), number);
        if (port->empty() || error != std::errc{} || end != port->data() + port->size() || number < 1 || number > 65535)
            bad_url(url, "the port \"" + std::string(*port) + "\" is not a number from 1 to 65535");
        base.port = std::to_string(number);
    }
    const std::string host_text = host.find(':') == std::string_view::npos ? base.host : "[" + base.host + "]";
    base.authority = base.port == default_port ? host_text : host_text + ":" + base.port;

    while (path.ends_with("/")) path.remove_suffix(1);
    base.prefix = std::string(path);
    return base;
}

// RFC 3986 unreserved characters pass; everything else is %XX. Coordinates and radii pass unchanged.
std::string url_encode(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                                c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xf];
        }
    }
    return out;
}

// A decimal as the client wrote it ("05.50", "12.") made a JSON number ("5.50", "12") without going
// through a double, so every digit the client sent reaches the service.
std::string json_number(std::string_view decimal) {
    std::string out;
    if (decimal.starts_with("-") || decimal.starts_with("+")) {
        if (decimal[0] == '-') out += '-';
        decimal.remove_prefix(1);
    }
    const std::size_t dot = decimal.find('.');
    std::string_view whole = decimal.substr(0, dot);
    std::string_view fraction = dot == std::string_view::npos ? std::string_view{} : decimal.substr(dot + 1);
    while (whole.size() > 1 && whole[0] == '0') whole.remove_prefix(1);
    out += whole.empty() ? std::string_view("0") : whole;
    if (!fraction.empty()) {
        out += '.';
        out += fraction;
    }
    return out;
}

std::string legacy_query(const PlacesQuery& query, std::string_view key) {
    return "?location=" + url_encode(query.latitude) + "," + url_encode(query.longitude) +
           "&radius=" + url_encode(query.radius_metres) + "&key=" + std::string(key);
}

std::string new_body(const PlacesQuery& query) {
    return R"({"maxResultCount": )" + std::to_string(query.bound) +
           R"(, "locationRestriction": {"circle": {"center": {"latitude": )" + json_number(query.latitude) +
           R"(, "longitude": )" + json_number(query.longitude) + R"(}, "radius": )" + json_number(query.radius_metres) +
           "}}}";
}

std::shared_ptr<ssl::context> make_tls_context(const std::string& ca_file) {
    auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
    context->set_verify_mode(ssl::verify_peer);
    boost::system::error_code ec;
    context->set_default_verify_paths(ec);
    if (ec) throw std::invalid_argument("cannot load the system's trusted certificates: " + ec.message());
    if (!ca_file.empty()) {
        context->load_verify_file(ca_file, ec);
        if (ec) throw std::invalid_argument("cannot use the CA file \"" + ca_file + "\": " + ec.message());
    }
    return context;
}

// Asio's host name check, plus the reason recorded where OpenSSL reports it, so a mismatch reads
// "hostname mismatch" and not only "certificate verify failed".
auto verify_host(const std::string& host) {
    return [check = ssl::host_name_verification(host)](bool preverified, ssl::verify_context& context) mutable {
        if (check(preverified, context)) return true;
        if (preverified) X509_STORE_CTX_set_error(context.native_handle(), X509_V_ERR_HOSTNAME_MISMATCH);
        return false;
    };
}

PlacesAnswer failure(std::string error, int http_status = 0) {
    PlacesAnswer answer;
    answer.http_status = http_status;
    answer.error = std::move(error);
    return answer;
}

// Everything one request holds. Shared with the watchdog, which may wake after fetch() returned.
struct Exchange {
    Exchange(const asio::any_io_executor& executor, std::shared_ptr<ssl::context> tls_context)
        : resolver(executor), socket(executor), deadline(executor), tls_context(std::move(tls_context)) {}

    tcp::resolver resolver;
    tcp::socket socket;
    std::optional<ssl::stream<tcp::socket&>> tls;
    asio::steady_timer deadline;
    std::shared_ptr<ssl::context> tls_context;  // kept alive as long as the stream that uses it
    bool expired = false;
};

// One deadline for the whole request: when it passes, whatever is pending fails at once.
asio::awaitable<void> watch(std::shared_ptr<Exchange> exchange) {
    const auto [ec] = co_await exchange->deadline.async_wait(nothrow);
    if (ec) co_return;  // the request finished first
    exchange->expired = true;
    exchange->resolver.cancel();
    boost::system::error_code ignored;
    exchange->socket.close(ignored);
}

std::string tls_failure(const std::string& authority, const boost::system::error_code& ec, SSL* ssl) {
    std::string why = ec.message();
    if (const long result = SSL_get_verify_result(ssl); result != X509_V_OK)
        why = std::string("certificate verify failed: ") + X509_verify_cert_error_string(result);
    return "TLS handshake with " + authority + " failed: " + why;
}

std::string read_failure(const boost::system::error_code& ec) {
    if (ec == http::error::end_of_stream) return "the Places service closed the connection without answering";
    if (ec == http::error::body_limit)
        return "the Places service answer is larger than " + std::to_string(max_body_bytes / (1024 * 1024)) + " MiB";
    if (ec == http::error::partial_message || ec == asio::error::eof || ec == ssl::error::stream_truncated)
        return "the Places service closed the connection in the middle of its answer";
    return "cannot read the Places service answer: " + ec.message();
}

template <class Stream>
asio::awaitable<PlacesAnswer> send_and_receive(Stream& stream, http::request<http::string_body>& request) {
    if (const auto [ec, sent] = co_await http::async_write(stream, request, nothrow); ec)
        co_return failure("cannot send the request to the Places service: " + ec.message());

    boost::beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_body_bytes);
    if (const auto [ec, received] = co_await http::async_read(stream, buffer, parser, nothrow); ec)
        co_return failure(read_failure(ec));

    auto response = parser.release();
    const int status = static_cast<int>(response.result_int());
    if (response.result() != http::status::ok) {
        // The status code's standard reason, never the phrase the service sent: a proxy that echoes
        // the request line would put the key in the client's reply and the log.
        std::string what = "the Places service answered HTTP " + std::to_string(status);
        if (http::int_to_status(static_cast<unsigned>(status)) != http::status::unknown)
            what += " " + std::string(http::obsolete_reason(response.result()));
        co_return failure(std::move(what), status);
    }
    PlacesAnswer answer;
    answer.ok = true;
    answer.http_status = status;
    answer.body = std::move(response.body());
    co_return answer;
}

}  // namespace

struct PlacesClient::Impl {
    Impl(asio::any_io_executor executor, PlacesSettings settings)
        : executor(std::move(executor)),
          settings(std::move(settings)),
          url(parse_base_url(this->settings.effective_url())) {
        // The key goes into a header or a query string: a control character there would forge a request.
        if (has_control(this->settings.api_key))
            throw std::invalid_argument("the Places API key contains a control character");
        if (url.tls) tls_context = make_tls_context(this->settings.ca_file);
    }

    bool legacy() const { return settings.api == PlacesApi::legacy; }

    std::string target(const PlacesQuery& query, std::string_view key) const {
        return legacy() ? url.prefix + std::string(legacy_nearby_path) + legacy_query(query, key)
                        : url.prefix + std::string(new_search_path);
    }

    http::request<http::string_body> request(const PlacesQuery& query) const {
        http::request<http::string_body> request{legacy() ? http::verb::get : http::verb::post,
                                                 target(query, url_encode(settings.api_key)), 11};
        request.set(http::field::host, url.authority);
        request.set(http::field::user_agent, "herdsim");
        request.set(http::field::accept, "application/json");
        if (!legacy()) {
            request.set("X-Goog-Api-Key", settings.api_key);
            request.set("X-Goog-FieldMask", field_mask);
            request.set(http::field::content_type, "application/json");
            request.body() = new_body(query);
        }
        request.prepare_payload();
        return request;
    }

    asio::awaitable<PlacesAnswer> run(Exchange& exchange, http::request<http::string_body>& request) const {
        const auto [resolve_error, endpoints] = co_await exchange.resolver.async_resolve(url.host, url.port, nothrow);
        if (resolve_error)
            co_return failure("cannot resolve the Places service host " + url.host + ": " + resolve_error.message());

        if (const auto [ec, endpoint] = co_await asio::async_connect(exchange.socket, endpoints, nothrow); ec)
            co_return failure("cannot connect to the Places service at " + url.authority + ": " + ec.message());
        if (!url.tls) co_return co_await send_and_receive(exchange.socket, request);

        auto& stream = exchange.tls.emplace(exchange.socket, *tls_context);
        boost::system::error_code not_an_address;
        asio::ip::make_address(url.host, not_an_address);
        if (not_an_address)
            SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str());  // SNI is for names only
        stream.set_verify_callback(verify_host(url.host));
        if (const auto [ec] = co_await stream.async_handshake(ssl::stream_base::client, nothrow); ec)
            co_return failure(tls_failure(url.authority, ec, stream.native_handle()));
        co_return co_await send_and_receive(stream, request);
    }

    asio::awaitable<PlacesAnswer> fetch(const PlacesQuery& query) const {
        auto request = this->request(query);
        auto exchange = std::make_shared<Exchange>(executor, tls_context);
        exchange->deadline.expires_at(places_deadline(std::chrono::steady_clock::now(), settings.timeout));
        // PlacesClient has no one to tell but stderr; the request's own failures are its answer.
        asio::co_spawn(executor, watch(exchange), report_failure("Places request watchdog", print_failure));

        PlacesAnswer answer = co_await run(*exchange, request);
        exchange->deadline.cancel();
        if (exchange->expired)
            answer =
                failure("the Places service did not answer within " + std::to_string(settings.timeout.count()) + " ms");
        co_return answer;
    }

    asio::any_io_executor executor;
    PlacesSettings settings;
    BaseUrl url;
    std::shared_ptr<ssl::context> tls_context;  // null for plain HTTP
};

PlacesClient::PlacesClient(asio::any_io_executor executor, PlacesSettings settings)
    : impl_(std::make_unique<Impl>(std::move(executor), std::move(settings))) {}

PlacesClient::~PlacesClient() = default;

asio::awaitable<PlacesAnswer> PlacesClient::fetch(const PlacesQuery& query) {
    try {
        co_return co_await impl_->fetch(query);
    } catch (const std::exception& e) {  // e.g. out of memory: still an answer, never an exception
        co_return failure(std::string("the Places request failed: ") + e.what());
    }
}

std::string PlacesClient::describe(const PlacesQuery& query) const {
    const std::string url = impl_->url.origin() + impl_->target(query, "REDACTED");
    return impl_->legacy() ? "GET " + url : "POST " + url + " " + new_body(query);
}

const PlacesSettings& PlacesClient::settings() const { return impl_->settings; }

}  // namespace herd
