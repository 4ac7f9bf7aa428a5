// The send step: a client line written to a node, its reply read and judged, either before the
// step ends or in the background (wait_reply false).
#include <regex>
#include <sstream>

#include <boost/asio/co_spawn.hpp>

#include "client/reply.hpp"
#include "play/steps.hpp"
#include "protocol/command.hpp"

namespace herd::sim {

namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// Expectations see a reply without its final "\n" (a WHATSAT reply then ends in "}\n").
std::string without_final_newline(std::string text) {
    if (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
}

// A fresh connection, or the send's named one: reopened when the server has closed it, and only
// once the reply still pending on it is in (replies come back in order).
std::shared_ptr<LineClient> connection_for(RunContext& run, const SendStep& s, std::shared_ptr<NamedConnection>& named) {
    if (s.connection.empty()) return std::make_shared<LineClient>(run.io, run.herd->port(s.node));
    auto& slot = run.connections[s.connection];
    if (slot && !slot->dead && slot->reply_done)
        run.run_until([&] { return *slot->reply_done; }, std::chrono::hours(24));
    if (!slot || slot->dead || slot->client->eof()) {
        slot = std::make_shared<NamedConnection>(std::make_shared<LineClient>(run.io, run.herd->port(s.node)), s.node,
                                                 run.max_line);
    }
    named = slot;
    return slot->client;
}

// The reply (or why none came) goes with its request in the timeline.
void note_reply(RunContext& run, std::size_t exchange, std::string reply) {
    run.exchanges[exchange].reply_ms = run.now_ms();
    run.exchanges[exchange].reply = std::move(reply);
}

// `written_ms`: when the line was written, on the run's clock; a complete reply's time counts from it.
void judge(RunContext& run, const Step& step, const SendStep& s, const Reply& reply, double written_ms,
           std::size_t exchange) {
    if (s.keep_open && reply.end == Reply::End::closed && reply.bytes.empty()) {
        note_reply(run, exchange, "connection closed by the server before any byte");
        return run.verdict(step, "connection " + s.connection + " to " + s.node + " still open", false,
                           "the server closed it after the last reply on it: \"" + show_reply(s.line) +
                               "\" written on it got no byte before the close; a persistent client needs it to stay open");
    }
    const bool complete = reply.end == Reply::End::complete;
    const std::optional<double> reply_ms = complete ? std::optional<double>(run.now_ms() - written_ms) : std::nullopt;
    std::string took;
    if (reply_ms) {
        std::ostringstream text;
        text << "; reply in " << *reply_ms << " ms";
        took = text.str();
    }
    const std::string got = without_final_newline(reply.bytes);
    const std::string missing = complete ? "" : missing_reply(reply, s.reply_timeout);
    run.recorder->note(complete ? "reply" : "no-reply", s.node + ": " + (complete ? show_reply(got) : missing), {s.node});
    note_reply(run, exchange, complete ? show_reply(got) : missing);
    const std::string what = "reply to \"" + s.line + "\" at " + s.node;
    if (s.expect_reply) {
        const bool ok = complete && got == *s.expect_reply;
        run.verdict(step, what, ok,
                    !complete ? missing
                    : ok      ? "exact match" + took
                              : "expected \"" + show_reply(*s.expect_reply) + "\", got \"" + show_reply(got) + "\"" + took,
                    reply_ms);
    }
    if (s.expect_pattern) {
        const std::string matches = what + " matches /" + *s.expect_pattern + "/";
        if (!complete) return run.verdict(step, matches, false, missing);
        try {
            // The polynomial matcher: the default one recurses once per character of the reply,
            // and a reply of a few tens of KB overflows the stack.
            const std::regex pattern(*s.expect_pattern, std::regex::ECMAScript | std::regex_constants::__polynomial);
            const bool ok = std::regex_match(got, pattern);
            run.verdict(step, matches, ok, (ok ? "matched" : "got \"" + show_reply(got) + "\"") + took, reply_ms);
        } catch (const std::regex_error& e) {
            run.verdict(step, matches, false,
                        std::string("the pattern cannot be matched without recursion: ") + e.what(), reply_ms);
        }
    }
}

asio::awaitable<void> read_and_judge(RunContext& run, const Step& step, const SendStep& s,
                                     std::shared_ptr<LineClient> client, bool whatsat, Clock::time_point deadline,
                                     double written_ms, std::size_t exchange) {
    if (s.expect_no_reply) {
        const std::string got = co_await read_until_closed(*client, deadline);
        note_reply(run, exchange, got.empty() ? "(nothing)" : show_reply(got));
        run.verdict(step, "no reply to \"" + s.line + "\" at " + s.node, got.empty(),
                    got.empty() ? "nothing came back in " + std::to_string(s.reply_timeout.count()) + " ms"
                                : "got \"" + show_reply(got) + "\"");
        co_return;
    }
    judge(run, step, s, co_await read_reply(*client, whatsat, deadline), written_ms, exchange);
}

}  // namespace

void act(RunContext& run, const Step& step, const SendStep& s) {
    const std::string where = s.node + ": " + s.line;
    run.recorder->note("send", where, {s.node});
    const std::size_t exchange = run.exchanges.size();
    run.exchanges.push_back({step.index, s.connection.empty() ? "steps[" + std::to_string(step.index) + "]" : s.connection,
                             s.node, show_reply(s.line), run.now_ms(), std::nullopt, ""});
    const Command parsed = parse_line(s.line);
    if (const auto* iamat = std::get_if<IAmAt>(&parsed)) {
        auto& newest = run.newest_sent[std::string(iamat->client)];
        newest = std::max(newest, iamat->time);
    }
    const bool expects = s.expects_reply();
    if (s.keep_open) {
        const auto it = run.connections.find(s.connection);
        if (it != run.connections.end() && it->second && !it->second->dead && it->second->client->eof()) {
            note_reply(run, exchange, "not sent: the server closed the connection");
            return run.verdict(step, "connection " + s.connection + " to " + s.node + " still open", false,
                               "the server closed it after the last reply on it, before \"" + show_reply(s.line) +
                                   "\" was written; a persistent client needs it to stay open");
        }
    }
    std::shared_ptr<NamedConnection> named;
    std::shared_ptr<LineClient> client;
    double written_ms = 0;
    try {
        client = connection_for(run, s, named);
        const std::string bytes = s.newline ? s.line + "\n" : s.line;
        const bool half_close = s.half_close || (!named && run.options.target &&
                                                 run.options.target->client == target::ClientStyle::half_close);
        client->send(bytes);
        written_ms = run.now_ms();
        ClientLines fresh_lines(run.max_line);
        run.client_wrote(s.node, bytes, named ? named->lines : fresh_lines, half_close);
        if (named && named->lines.closed()) named->dead = true;
        if (half_close) client->shutdown_send();
    } catch (const std::exception& e) {
        note_reply(run, exchange, std::string("could not send: ") + e.what());
        if (expects)
            run.verdict(step, "reply to \"" + s.line + "\" at " + s.node, false, std::string("could not send: ") + e.what());
        else
            run.recorder->note("send-failed", where + ": " + e.what(), {s.node});
        return;
    }
    // A flood line is never answered: do not wait for what will not come.
    if (std::holds_alternative<At>(parsed) && !expects) return;

    auto done = std::make_shared<bool>(false);
    if (named) named->reply_done = done;
    ++run.pending_replies;
    asio::co_spawn(run.io,
                   read_and_judge(run, step, s, client, std::holds_alternative<WhatsAt>(parsed), Clock::now() + s.reply_timeout,
                                  written_ms, exchange),
                   [&run, done, report = report_failure("steps[" + std::to_string(step.index) + "].send: reading the reply",
                                                         run.failed())](std::exception_ptr failure) {
                       --run.pending_replies;
                       *done = true;
                       report(failure);  // a reader that threw ends the run, which could not run
                   });
    if (s.wait_reply) run.run_until([&] { return *done; }, std::chrono::hours(24));
}

}  // namespace herd::sim
