#include "scenario/loader_impl.hpp"

#include "scenario/pattern_check.hpp"

namespace herd::sim::scenario_reading {

std::optional<StepAction> Loader::read_send(const Json& v, const std::string& path, std::size_t step) {
    const auto at = open(v, path, "an object with node and line",
                         {"node", "line", "connection", "keep_open", "newline", "half_close", "expect", "expect_pattern",
                          "expect_no_reply", "reply_timeout_ms", "wait_reply"});
    if (!at) return std::nullopt;
    SendStep send;
    read_node(*at, "node", send.node);
    read_string(*at, "line", send.line, Need::required, "a string (the line to send, without its newline)");
    read_string(*at, "connection", send.connection, Need::optional, "a string (a name to reuse the connection by)");
    read_bool(*at, "keep_open", send.keep_open);
    if (send.keep_open && send.connection.empty())
        error(at->field("keep_open"), "needs a connection: only a named connection is kept open across steps");
    read_bool(*at, "newline", send.newline);
    read_bool(*at, "half_close", send.half_close);
    read_reply_expectation(*at, send);
    read_millis(*at, "reply_timeout_ms", send.reply_timeout, kPositiveMillisRule);
    read_bool(*at, "wait_reply", send.wait_reply);
    track_connection(send, path, step);
    return send;
}

void Loader::read_reply_expectation(const At& at, SendStep& send) {
    if (at.has("expect") + at.has("expect_pattern") + at.has("expect_no_reply") > 1)
        error(at.path, "give at most one of expect, expect_pattern, expect_no_reply");
    std::string text;
    if (read_string(at, "expect", text, Need::optional, "a string (the exact reply, without its final newline)"))
        send.expect_reply = text;
    if (read_string(at, "expect_pattern", text, Need::optional, "a string (an ECMAScript regex)")) {
        if (auto problem = pattern_problem(text)) error(at.field("expect_pattern"), *problem + ": " + in_quotes(text));
        else send.expect_pattern = text;
    }
    read_bool(at, "expect_no_reply", send.expect_no_reply);
}

// A named connection belongs to one node; once half-closed, nothing more can go out on it.
void Loader::track_connection(const SendStep& send, const std::string& path, std::size_t step) {
    if (send.connection.empty() || send.node.empty()) return;
    const std::string field = path + ".connection";
    if (send.connection.size() > max_word_bytes) {
        error(field, "expected a connection name of at most " + std::to_string(max_word_bytes) + " bytes, got " +
                         std::to_string(send.connection.size()) + " bytes");
        return;
    }
    auto [it, fresh] = connections_.try_emplace(send.connection, Connection{send.node, step, std::nullopt});
    if (!fresh && it->second.node != send.node)
        error(field, in_quotes(send.connection) + " is a connection to " + it->second.node + " (opened at " +
                         at_step(it->second.opened) + "); name another connection for " + send.node);
    else if (!fresh && it->second.half_closed)
        error(field, in_quotes(send.connection) + " was half-closed at " + at_step(*it->second.half_closed) +
                         "; nothing more can be sent on it");
    if (send.half_close) it->second.half_closed = step;
}

std::optional<StepAction> Loader::read_workload(const Json& v, const std::string& path, std::size_t) {
    const auto at = open(v, path, "an object with updates and rate_per_s", {"updates", "rate_per_s", "clients", "nodes", "may_fall_behind"});
    if (!at) return std::nullopt;
    WorkloadStep workload;
    read_int(*at, "updates", workload.updates, IntRule{1, 10'000'000, "a positive integer (how many IAMATs)"}, Need::required);
    const NumberRule rate{min_rate_per_s, max_rate_per_s, "a number greater than 0 (reports per second, from 0.001 to 1000000)"};
    read_number(*at, "rate_per_s", workload.rate, rate, Need::required);
    read_int(*at, "clients", workload.clients, IntRule{1, 1'000'000, "a positive integer (how many client IDs)"});
    read_bool(*at, "may_fall_behind", workload.may_fall_behind);
    if (const Json* nodes = member(*at, "nodes", Need::optional, ""))
        if (auto names = read_node_list(*nodes, at->field("nodes"))) workload.nodes = std::move(*names);
    return workload;
}

}  // namespace herd::sim::scenario_reading
