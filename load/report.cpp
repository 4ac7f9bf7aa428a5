#include "load/report.hpp"

#include <cstdio>

namespace herd::load {

namespace {

using json = nlohmann::json;

std::string fixed(double value, int decimals) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

double ms(std::uint64_t nanos) { return static_cast<double>(nanos) / 1e6; }

double throughput(const LoadReport& r) { return r.seconds > 0 ? static_cast<double>(r.replied) / r.seconds : 0.0; }

std::optional<double> cpu_per_request_us(const LoadReport& r) {
    if (!r.herd_cpu || r.replied == 0) return std::nullopt;
    return *r.herd_cpu / static_cast<double>(r.replied) * 1e6;
}

std::string mode(const LoadOptions& o) {
    if (o.rate) return "open loop at " + fixed(*o.rate, 0) + " requests/s";
    return "closed loop, " + std::to_string(o.pipeline) + " in flight per connection";
}

std::string until(const LoadOptions& o) {
    std::string text;
    if (o.requests) text = std::to_string(*o.requests) + " requests";
    if (o.duration) text += (text.empty() ? "" : " or ") + fixed(o.duration->count(), 1) + " s";
    return text;
}

}  // namespace

std::string report_text(const LoadReport& r) {
    const LoadOptions& o = r.options;
    std::string out = "load: " + std::to_string(o.servers.size()) + " servers, " + std::to_string(o.connections) +
                      " connections (" + std::string(client_style_name(o.client)) + "), " + mode(o) + ", until " +
                      until(o) + "\n";
    out += "  sent        " + std::to_string(r.sent()) + " (IAMAT " + std::to_string(r.sent_iamat) + ", WHATSAT " +
           std::to_string(r.sent_whatsat) + ")\n";
    out += "  replied     " + std::to_string(r.replied) + " in " + fixed(r.seconds, 3) + " s: " +
           fixed(throughput(r), 1) + " replies/s\n";
    if (r.latency.count() > 0)
        out += "  latency     p50 " + fixed(ms(r.latency.quantile(0.5)), 3) + " ms, p99 " +
               fixed(ms(r.latency.quantile(0.99)), 3) + " ms, max " + fixed(ms(r.latency.max()), 3) + " ms\n";
    if (o.rate) out += "  behind      at most " + fixed(r.max_send_lag * 1e3, 3) + " ms behind the schedule\n";
    out += "  errors      " + std::to_string(r.errors()) + " (connect failed " + std::to_string(r.connect_failed) +
           ", timed out " + std::to_string(r.timed_out) + ", closed by the server " + std::to_string(r.closed) +
           "); requests unanswered " + std::to_string(r.unanswered) + "\n";
    for (const auto& e : r.error_examples) out += "              " + e + "\n";
    out += "  wrong       " + std::to_string(r.wrong) + "\n";
    for (const auto& e : r.wrong_examples) out += "              " + e + "\n";
    if (const auto per = cpu_per_request_us(r))
        out += "  herd CPU    " + fixed(*r.herd_cpu, 2) + " s: " + fixed(*per, 1) + " us per request\n";
    out += "  own CPU     " + fixed(r.generator_cpu, 2) + " s\n";
    if (r.known) {
        out += "  known       " + std::to_string(r.known->known) + " of " + std::to_string(r.known->pairs) + " (client, server) pairs (" +
               std::to_string(r.known->clients) + " clients), " + (r.known->all() ? "all seen within " : "gave up after ") +
               fixed(r.known->seconds, 3) + " s, " + std::to_string(r.known->passes) + " passes\n";
        for (const auto& e : r.known->missing_examples) out += "              " + e + "\n";
    }
    return out;
}

json report_json(const LoadReport& r) {
    const LoadOptions& o = r.options;
    json servers = json::array();
    for (const auto& s : o.servers) servers.push_back({{"name", s.name}, {"host", s.host}, {"port", s.port}});
    json doc{
        {"servers", servers},
        {"connections", o.connections},
        {"client", client_style_name(o.client)},
        {"mode", o.rate ? "open-loop" : "closed-loop"},
        {"rate", o.rate ? json(*o.rate) : json(nullptr)},
        {"pipeline", o.rate ? json(nullptr) : json(o.pipeline)},
        {"duration_s", o.duration ? json(o.duration->count()) : json(nullptr)},
        {"requests", o.requests ? json(*o.requests) : json(nullptr)},
        {"clients_per_connection", o.clients},
        {"sent", {{"iamat", r.sent_iamat}, {"whatsat", r.sent_whatsat}, {"total", r.sent()}}},
        {"replied", r.replied},
        {"seconds", r.seconds},
        {"throughput", throughput(r)},
        {"latency_ms", r.latency.count() == 0 ? json(nullptr)
                                              : json{{"p50", ms(r.latency.quantile(0.5))},
                                                     {"p99", ms(r.latency.quantile(0.99))},
                                                     {"max", ms(r.latency.max())}}},
        {"max_send_lag_ms", o.rate ? json(r.max_send_lag * 1e3) : json(nullptr)},
        {"errors", {{"total", r.errors()},
                    {"connect_failed", r.connect_failed},
                    {"timed_out", r.timed_out},
                    {"closed", r.closed},
                    {"unanswered", r.unanswered},
                    {"examples", r.error_examples}}},
        {"wrong", {{"total", r.wrong}, {"examples", r.wrong_examples}}},
        {"cpu", {{"pids", o.pids},
                 {"herd_s", r.herd_cpu ? json(*r.herd_cpu) : json(nullptr)},
                 {"herd_us_per_request", cpu_per_request_us(r) ? json(*cpu_per_request_us(r)) : json(nullptr)},
                 {"generator_s", r.generator_cpu}}},
        {"known", r.known ? json{{"clients", r.known->clients},
                                 {"pairs", r.known->pairs},
                                 {"known", r.known->known},
                                 {"all", r.known->all()},
                                 {"passes", r.known->passes},
                                 {"seconds", r.known->seconds},
                                 {"examples", r.known->missing_examples}}
                          : json(nullptr)},
    };
    return doc;
}

}  // namespace herd::load
