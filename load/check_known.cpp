#include "load/check_known.hpp"

#include <array>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>

#include "async/nothrow.hpp"
#include "load/ask_alone.hpp"
#include "load/requests.hpp"
#include "load/timed_io.hpp"
#include "protocol/reply_text.hpp"

namespace herd::load {

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::size_t window = 64;               // WHATSATs written at once on a server's connection
constexpr auto pass_pause = std::chrono::milliseconds(50);  // between passes that left some unseen

struct ServerCheck {
    const Target& server;
    std::vector<std::size_t> unseen;  // indices into the clients
    std::string why;                  // what the last unseen pair got, for the report
    Clock::time_point last_seen;
    int passes = 0;
};

// One pass over `check.unseen` on `socket`: the clients whose newest record came back leave it.
// Returns why the connection failed; empty if it did not.
asio::awaitable<std::string> one_pass(tcp::socket& socket, ServerCheck& check, const std::vector<Reported>& clients,
                                      Clock::duration timeout) {
    std::vector<std::size_t> still;
    std::string in, out;
    std::array<char, 65536> chunk;
    asio::steady_timer timer(socket.get_executor());
    const auto keep_rest = [&](std::size_t from) {
        still.insert(still.end(), check.unseen.begin() + static_cast<std::ptrdiff_t>(from), check.unseen.end());
        check.unseen = std::move(still);
    };
    for (std::size_t from = 0; from < check.unseen.size(); from += window) {
        const std::size_t to = std::min(check.unseen.size(), from + window);
        out.clear();
        for (std::size_t i = from; i < to; ++i) append_whatsat(out, clients[check.unseen[i]].client);
        auto [write_ec, written] = co_await asio::async_write(socket, asio::buffer(out), nothrow);
        (void)written;
        if (write_ec) {
            keep_rest(from);
            co_return "write: " + write_ec.message();
        }
        for (std::size_t i = from; i < to;) {
            if (const auto end = reply_end(in, true)) {
                const Reported& r = clients[check.unseen[i]];
                if (auto wrong = wrong_record(std::string_view(in).substr(0, *end), r.client, r.time)) {
                    still.push_back(check.unseen[i]);
                    check.why = r.client + " got \"" + show_reply(in.substr(0, *end)) + "\": " + *wrong;
                } else {
                    check.last_seen = Clock::now();
                }
                in.erase(0, *end);
                ++i;
                continue;
            }
            auto [read_ec, n] = co_await read_before(socket, asio::buffer(chunk), timer, Clock::now() + timeout);
            if (n == 0) {
                keep_rest(i);
                co_return read_ec == asio::error::operation_aborted ? "no reply within the timeout" : "read: " + read_ec.message();
            }
            in.append(chunk.data(), n);
        }
    }
    check.unseen = std::move(still);
    co_return "";
}

// The same pass with each WHATSAT on a socket of its own (per_command and half_close).
asio::awaitable<void> one_pass_alone(const tcp::resolver::results_type& address, ServerCheck& check,
                                     const std::vector<Reported>& clients, Clock::duration timeout, bool half_close) {
    std::vector<std::size_t> still;
    for (const std::size_t i : check.unseen) {
        const Reported& r = clients[i];
        std::string request;
        append_whatsat(request, r.client);
        const AloneReply reply = co_await ask_alone(address, std::move(request), half_close, true, timeout);
        const auto wrong = reply.end == AloneReply::End::whole ? wrong_record(reply.bytes, r.client, r.time)
                                                               : std::optional<std::string>("no whole reply");
        if (!wrong) {
            check.last_seen = Clock::now();
            continue;
        }
        still.push_back(i);
        check.why = r.client + " got \"" + show_reply(reply.bytes) + "\": " + *wrong + (reply.why.empty() ? "" : " (" + reply.why + ")");
    }
    check.unseen = std::move(still);
}

asio::awaitable<void> check_server(ServerCheck& check, const std::vector<Reported>& clients, Clock::duration timeout,
                                   ClientStyle style) {
    const auto executor = co_await asio::this_coro::executor;
    tcp::resolver resolver(executor);
    auto [resolve_ec, endpoints] =
        co_await resolver.async_resolve(check.server.host, std::to_string(check.server.port), nothrow);
    if (resolve_ec) {
        check.why = "cannot resolve the host";
        co_return;
    }
    tcp::socket socket(executor);
    asio::steady_timer pause(executor);
    auto progress = Clock::now();
    while (!check.unseen.empty()) {
        ++check.passes;
        const std::size_t before = check.unseen.size();
        std::string failed;
        if (style != ClientStyle::persistent)
            co_await one_pass_alone(endpoints, check, clients, timeout, style == ClientStyle::half_close);
        else if (!socket.is_open())
            failed = co_await connect_within(socket, endpoints, timeout);
        if (style == ClientStyle::persistent && failed.empty()) failed = co_await one_pass(socket, check, clients, timeout);
        if (!failed.empty()) {
            check.why = "connection: " + failed;
            boost::system::error_code ignored;
            socket.close(ignored);
        }
        if (check.unseen.size() < before) progress = Clock::now();
        if (check.unseen.empty() || Clock::now() - progress > timeout) break;
        pause.expires_after(pass_pause);
        co_await pause.async_wait(nothrow);
    }
}

}  // namespace

asio::awaitable<KnownCheck> check_known(const LoadOptions& options, const std::vector<Reported>& clients,
                                        Clock::time_point since) {
    const auto executor = co_await asio::this_coro::executor;
    const auto timeout = std::chrono::duration_cast<Clock::duration>(options.timeout);
    // As many connections per server as the load had (at least one), each asking for its share.
    const std::size_t shares = std::max<std::size_t>(1, options.connections / options.servers.size());
    std::vector<ServerCheck> checks;
    for (const Target& server : options.servers)
        for (std::size_t share = 0; share < shares; ++share) {
            checks.push_back({server, {}, {}, since, 0});
            for (std::size_t i = share; i < clients.size(); i += shares) checks.back().unseen.push_back(i);
        }
    using Spawned = decltype(asio::co_spawn(executor, check_server(checks.front(), clients, timeout, options.client), asio::deferred));
    std::vector<Spawned> servers;
    for (ServerCheck& check : checks) servers.push_back(asio::co_spawn(executor, check_server(check, clients, timeout, options.client), asio::deferred));
    auto [order, errors] = co_await asio::experimental::make_parallel_group(std::move(servers))
                               .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
    (void)order;
    for (const auto& error : errors)
        if (error) std::rethrow_exception(error);

    KnownCheck known;
    known.clients = clients.size();
    known.pairs = clients.size() * options.servers.size();
    auto last = since;
    for (auto check = checks.begin(); check != checks.end(); check += static_cast<std::ptrdiff_t>(shares)) {
        std::size_t unseen = 0;
        const ServerCheck* first_unseen = nullptr;
        for (auto share = check; share != check + static_cast<std::ptrdiff_t>(shares); ++share) {
            unseen += share->unseen.size();
            known.passes = std::max(known.passes, share->passes);
            last = std::max(last, share->last_seen);
            if (!first_unseen && !share->unseen.empty()) first_unseen = &*share;
        }
        known.known += clients.size() - unseen;
        if (first_unseen && known.missing_examples.size() < max_examples)
            known.missing_examples.push_back(std::to_string(unseen) + " clients unseen at " + check->server.name + " (first: " +
                                             clients[first_unseen->unseen.front()].client + "); last: " + first_unseen->why);
    }
    known.seconds = std::chrono::duration<double>((known.known == known.pairs ? last : Clock::now()) - since).count();
    co_return known;
}

}  // namespace herd::load
