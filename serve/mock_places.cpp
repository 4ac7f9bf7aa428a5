#include "serve/mock_places.hpp"

#include <cstdint>
#include <map>
#include <string_view>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "async/accept_each.hpp"
#include "async/nothrow.hpp"
#include "async/report_failure.hpp"
#include "places/places_settings.hpp"

namespace herd::serve {

namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;


int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Form decoding, as Google reads a query string: %XX, and '+' is a space.
std::string query_decode(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            out += ' ';
        } else if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
                   hex_value(text[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

std::map<std::string, std::string> query_parameters(std::string_view query) {
    std::map<std::string, std::string> parameters;
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        const std::size_t eq = pair.find('=');
        const std::string_view value = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
        parameters.emplace(query_decode(pair.substr(0, eq)), query_decode(value));
        query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
    }
    return parameters;
}

// Collects every number in a JSON text under its dotted key path, as the text that was sent: a rule's
// "34.068930" then matches a body whose latitude is 34.068930, trailing zero included.
struct NumberTexts {
    using json = nlohmann::json;
    std::vector<std::string> keys;  // one per open object or array: its current key
    std::map<std::string, std::string> numbers;

    bool number(std::string text) {
        std::string path;
        for (const auto& key : keys) path += (path.empty() ? "" : ".") + key;
        numbers[path] = std::move(text);
        return true;
    }
    bool null() { return true; }
    bool boolean(bool) { return true; }
    bool number_integer(json::number_integer_t value) { return number(std::to_string(value)); }
    bool number_unsigned(json::number_unsigned_t value) { return number(std::to_string(value)); }
    bool number_float(json::number_float_t, const json::string_t& text) { return number(text); }
    bool string(json::string_t&) { return true; }
    bool binary(json::binary_t&) { return true; }
    bool start_object(std::size_t) { return open(); }
    bool key(json::string_t& key) {
        keys.back() = key;
        return true;
    }
    bool end_object() { return close(); }
    bool start_array(std::size_t) { return open(); }
    bool end_array() { return close(); }
    bool open() {
        keys.emplace_back();
        return true;
    }
    bool close() {
        keys.pop_back();
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }
};

std::string text_at(const std::map<std::string, std::string>& numbers, const std::string& path) {
    const auto found = numbers.find(path);
    return found == numbers.end() ? std::string{} : found->second;
}

void parse_legacy(MockPlacesRequest& record, std::string_view query) {
    const auto parameters = query_parameters(query);
    const auto get = [&](const std::string& name) {
        const auto found = parameters.find(name);
        return found == parameters.end() ? std::string{} : found->second;
    };
    record.location = get("location");
    record.radius = get("radius");
    record.key = get("key");
}

void parse_new(MockPlacesRequest& record) {
    NumberTexts texts;
    nlohmann::json::sax_parse(record.body, &texts, nlohmann::json::input_format_t::json, false);
    const std::string circle = "locationRestriction.circle.";
    const std::string latitude = text_at(texts.numbers, circle + "center.latitude");
    const std::string longitude = text_at(texts.numbers, circle + "center.longitude");
    if (!latitude.empty() && !longitude.empty()) record.location = latitude + "," + longitude;
    record.radius = text_at(texts.numbers, circle + "radius");
    record.key = record.api_key;
}

MockPlacesRequest record_of(const http::request<http::string_body>& request) {
    MockPlacesRequest record;
    record.method = std::string(request.method_string());
    record.target = std::string(request.target());
    record.host = std::string(request[http::field::host]);
    record.api_key = std::string(request["X-Goog-Api-Key"]);
    record.field_mask = std::string(request["X-Goog-FieldMask"]);
    record.content_type = std::string(request[http::field::content_type]);
    record.body = request.body();

    const std::string_view target = record.target;
    const std::size_t question = target.find('?');
    const std::string_view path = target.substr(0, question);
    if (path.ends_with(legacy_nearby_path)) {
        record.api = "legacy";
        parse_legacy(record, question == std::string_view::npos ? std::string_view{} : target.substr(question + 1));
    } else if (path.ends_with(new_search_path)) {
        record.api = "new";
        parse_new(record);
    }
    return record;
}

bool matches(const MockPlacesRule& rule, const MockPlacesRequest& request) {
    return (!rule.api || *rule.api == request.api) && (!rule.location || *rule.location == request.location) &&
           (!rule.radius || *rule.radius == request.radius);
}

// What one request gets.
struct Plan {
    enum class Action { answer, close, hold };
    Action action = Action::answer;
    std::chrono::milliseconds delay{0};
    unsigned status = 200;
    std::string body = MockPlaces::default_body;
    std::string content_type = "application/json; charset=UTF-8";
};

Plan plan_for(const MockPlacesRule& rule, int& failed) {
    Plan plan;
    plan.delay = rule.delay;
    if (rule.never_answer) plan.action = Plan::Action::hold;
    if (rule.close_without_answer) plan.action = Plan::Action::close;
    if (failed < rule.fail_first) {
        ++failed;
        plan.status = 500;
        plan.body =
            "mock Places: planned failure " + std::to_string(failed) + " of " + std::to_string(rule.fail_first) + "\n";
        plan.content_type = "text/plain";
        return plan;
    }
    plan.status = rule.status;
    if (rule.body) plan.body = *rule.body;
    if (rule.malformed) plan.body.resize(plan.body.size() / 2);
    return plan;
}

struct Connection {
    Connection(tcp::socket socket, std::uint64_t id)
        : socket(std::move(socket)), timer(this->socket.get_executor()), id(id) {}

    void close() {
        timer.cancel();
        boost::system::error_code ignored;
        socket.close(ignored);
    }

    tcp::socket socket;
    std::optional<ssl::stream<tcp::socket&>> tls;
    asio::steady_timer timer;  // a rule's delay
    std::uint64_t id;
};

std::unique_ptr<ssl::context> make_server_context(const MockPlacesTls& tls) {
    auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
    context->use_certificate_chain(asio::buffer(tls.certificate_chain_pem));
    context->use_private_key(asio::buffer(tls.private_key_pem), ssl::context::pem);
    return context;
}

}  // namespace

struct detail::MockPlacesState {
    struct Rule {
        MockPlacesRule rule;
        int failed = 0;
    };

    MockPlacesState(asio::any_io_executor executor, const MockPlacesOptions& options)
        : executor(executor),
          acceptor(executor, tcp::endpoint(asio::ip::address_v4::loopback(), options.port)),
          port(acceptor.local_endpoint().port()),
          tls(options.tls ? make_server_context(*options.tls) : nullptr),
          failed(options.failed) {}

    // Records the request and decides its answer.
    Plan take(const http::request<http::string_body>& request) {
        MockPlacesRequest& record = requests.emplace_back(record_of(request));
        for (std::size_t i = 0; i < rules.size(); ++i) {
            if (!matches(rules[i].rule, record)) continue;
            record.rule = i;
            return plan_for(rules[i].rule, rules[i].failed);
        }
        return Plan{};
    }

    asio::any_io_executor executor;
    tcp::acceptor acceptor;
    std::uint16_t port;  // kept: the closed acceptor no longer knows it
    std::unique_ptr<ssl::context> tls;
    FailureSink failed;
    std::vector<Rule> rules;
    std::vector<MockPlacesRequest> requests;
    std::map<std::uint64_t, std::shared_ptr<Connection>> connections;
    std::uint64_t next_id = 0;
    bool stopped = false;
};

namespace {

using State = detail::MockPlacesState;

// Swallows whatever else the client sends until it or stop() closes the connection.
template <class Stream>
asio::awaitable<void> hold(Stream& stream) {
    char scratch[512];
    for (;;) {
        const auto [ec, n] = co_await stream.async_read_some(asio::buffer(scratch), nothrow);
        if (ec) co_return;
    }
}

template <class Stream>
asio::awaitable<void> converse(State& state, Connection& connection, Stream& stream) {
    boost::beast::flat_buffer buffer;
    for (;;) {
        http::request<http::string_body> request;
        if (const auto [ec, n] = co_await http::async_read(stream, buffer, request, nothrow); ec || state.stopped)
            co_return;
        const Plan plan = state.take(request);
        if (plan.delay.count() > 0) {
            connection.timer.expires_after(plan.delay);
            if (const auto [ec] = co_await connection.timer.async_wait(nothrow); ec || state.stopped) co_return;
        }
        if (plan.action == Plan::Action::close) co_return;
        if (plan.action == Plan::Action::hold) co_return co_await hold(stream);

        http::response<http::string_body> response;
        response.version(request.version());
        response.result(plan.status);  // any three-digit code, not only those Beast names
        response.set(http::field::server, "herdsim-mock-places");
        response.set(http::field::content_type, plan.content_type);
        response.keep_alive(request.keep_alive());
        response.body() = plan.body;
        response.prepare_payload();
        if (const auto [ec, n] = co_await http::async_write(stream, response, nothrow); ec || !response.keep_alive())
            co_return;
    }
}

asio::awaitable<void> serve(std::shared_ptr<State> state, std::shared_ptr<Connection> connection) {
    if (state->tls) {
        auto& stream = connection->tls.emplace(connection->socket, *state->tls);
        if (const auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, nothrow); !ec)
            co_await converse(*state, *connection, stream);
    } else {
        co_await converse(*state, *connection, connection->socket);
    }
    connection->close();
    state->connections.erase(connection->id);
}

asio::awaitable<void> accept_loop(std::shared_ptr<State> state) {
    co_await accept_each(
        state->acceptor, [&] { return !state->stopped && state->acceptor.is_open(); },
        [&](tcp::socket socket) {
            auto connection = std::make_shared<Connection>(std::move(socket), ++state->next_id);
            state->connections.emplace(connection->id, connection);
            asio::co_spawn(state->executor, serve(state, std::move(connection)),
                           report_failure("mock Places: connection", state->failed));
        },
        [](boost::system::error_code) {});
}

}  // namespace

MockPlaces::MockPlaces(asio::any_io_executor executor, MockPlacesOptions options)
    : state_(std::make_shared<State>(std::move(executor), options)) {
    asio::co_spawn(state_->executor, accept_loop(state_), report_failure("mock Places: accept loop", state_->failed));
}

MockPlaces::~MockPlaces() { stop(); }

std::uint16_t MockPlaces::port() const { return state_->port; }

std::string MockPlaces::url() const {
    return (state_->tls ? "https://localhost:" : "http://127.0.0.1:") + std::to_string(port());
}

void MockPlaces::set_rules(std::vector<MockPlacesRule> rules) {
    state_->rules.clear();
    for (auto& rule : rules) state_->rules.push_back({std::move(rule)});
}

std::size_t MockPlaces::add_rule(MockPlacesRule rule) {
    state_->rules.push_back({std::move(rule)});
    return state_->rules.size() - 1;
}


const std::vector<MockPlacesRequest>& MockPlaces::requests() const { return state_->requests; }

std::size_t MockPlaces::request_count() const { return state_->requests.size(); }

std::size_t MockPlaces::open_connections() const { return state_->connections.size(); }

void MockPlaces::stop() {
    state_->stopped = true;
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
    for (auto& [id, connection] : state_->connections) connection->close();
}

}  // namespace herd::serve
