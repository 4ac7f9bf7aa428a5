#include <array>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "net/node_log.hpp"
#include "net/server_state.hpp"
#include "net/until_either.hpp"
#include "protocol/eof_tail.hpp"
#include "protocol/line_framer.hpp"
#include "protocol/places_reply.hpp"

namespace herd {

namespace asio = boost::asio;
using asio::ip::tcp;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

namespace {

Nanos posix_now() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

class Connection {
public:
    Connection(std::shared_ptr<Server::State> state, tcp::socket socket)
        : state_(std::move(state)), socket_(std::move(socket)), idle_(socket_.get_executor()) {
        boost::system::error_code ec;
        auto remote = socket_.remote_endpoint(ec);
        id_ = state_->next_connection++;
        generation_ = state_->generation;
        name_ = "conn " + std::to_string(id_) + " " +
                (ec ? std::string("?") : remote.address().to_string() + ":" + std::to_string(remote.port()));
        state_->connections[id_] = &socket_;
    }
    ~Connection() { state_->connections.erase(id_); }

    asio::awaitable<void> run() {
        log().info("{}: open", name_);
        // Whichever ends first cancels the other; both have ended when this returns.
        co_await until_either(read_lines(), watch_idle());
        boost::system::error_code ignored;
        socket_.close(ignored);
        log().info("{}: closed", name_);
    }

private:
    spdlog::logger& log() { return *state_->log; }

    // This connection belongs to the server as it runs now: not stopped, not restarted since.
    bool serving() const { return socket_.is_open() && state_->running && state_->generation == generation_; }

    asio::awaitable<void> read_lines() {
        std::array<char, 16384> chunk;
        LineFramer framer(state_->options.max_line);
        for (;;) {
            auto [ec, n] = co_await socket_.async_read_some(asio::buffer(chunk), nothrow);
            if (ec) {
                if (ec == asio::error::eof && serving()) {
                    if (const auto tail = framer.finish()) co_await handle_tail(tail->text);
                    co_await flush();
                } else if (ec != asio::error::eof && state_->running) {
                    log().info("{}: read ended: {}", name_, ec.message());
                }
                co_return;
            }
            // stop() closes every connection at once, but a read that had already completed is
            // still delivered: a stopped (crashed) server must not act on it.
            if (!serving()) co_return;
            last_read_ = asio::steady_timer::clock_type::now();
            framer.feed({chunk.data(), n});
            while (const auto frame = framer.next()) {
                if (frame->kind == Frame::Kind::overlong) co_return co_await reject_overlong(frame->text);
                co_await handle(frame->text);
                if (!serving()) co_return;
            }
            co_await flush();
            if (!serving()) co_return;
        }
    }

    // A command may end at EOF with no newline; a flood line may not (PROTOCOL.md).
    asio::awaitable<void> handle_tail(std::string_view tail) {
        if (processed_at_eof(tail)) co_return co_await handle(tail);
        log().warn("{}: unterminated flood line at EOF dropped: {}", name_, printable(tail));
    }

    asio::awaitable<void> handle(std::string_view line) {
        // The logger may be off (no log folder): then no line is made printable for it.
        const bool logging = log().should_log(spdlog::level::info);
        if (logging) log().info("{}: received: {}", name_, printable(line));
        const Command command = parse_line(line);
        Effects effects = state_->node.handle(command, posix_now());
        if (const auto* invalid = std::get_if<Invalid>(&command)) log().info("{}: invalid: {}", name_, invalid->reason);
        if (state_->observer) state_->observer->on_handled(state_->options.name, command, effects);

        for (const std::size_t peer : effects.flood_to) state_->peers[peer]->send(effects.flood);
        if (effects.catch_up_to) state_->peers[*effects.catch_up_to]->owe_catch_up();
        if (!effects.reply.empty()) queue_reply(effects.reply);
        // A client's update waits here while a neighbour that reads falls behind (flow control
        // instead of dropped floods). Floods from peers never wait: two servers waiting on each
        // other's queues would deadlock.
        if (std::holds_alternative<IAmAt>(command) && !effects.flood_to.empty()) co_await wait_for_neighbours(effects);
        if (effects.places) {
            // Replies stay in order: what came before the WHATSAT is written first.
            co_await flush();
            co_await answer_whatsat(*effects.places);
        }
    }

    asio::awaitable<void> wait_for_neighbours(const Effects& effects) {
        bool flushed = false;
        for (const std::size_t peer : effects.flood_to) {
            const auto link = state_->peers[peer];  // a stop() meanwhile must not destroy it under us
            if (link->has_room()) continue;
            if (!std::exchange(flushed, true)) co_await flush();  // replies are not held for it
            co_await link->wait_for_room();
            if (!serving()) co_return;
        }
    }

    asio::awaitable<void> answer_whatsat(const PlacesQuery& query) {
        const PlacesAnswer answer = co_await state_->places.fetch(query, name_);
        queue_reply(answer.ok ? whatsat_reply(query.at_line, answer.body, query.bound)
                              : whatsat_failure_reply(query.at_line, answer.error));
        co_await flush();
    }

    void queue_reply(const std::string& reply) {
        if (log().should_log(spdlog::level::info))
            log().info("{}: sent: {}", name_, printable(std::string_view(reply).substr(0, reply.find('\n'))));
        out_ += reply;
    }

    // Everything answered so far in one write: each reply whole, never split across writes.
    asio::awaitable<void> flush() {
        if (out_.empty() || !socket_.is_open()) co_return;
        auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(out_), nothrow);
        (void)n;
        out_.clear();
        if (ec) {
            log().info("{}: write failed: {}", name_, ec.message());
            boost::system::error_code ignored;
            socket_.close(ignored);
        }
    }

    asio::awaitable<void> reject_overlong(std::string_view line) {
        log().warn("{}: line longer than {} bytes; closing", name_, state_->options.max_line);
        std::string reply = "? ";
        reply += line.substr(0, 64);
        reply += '\n';
        out_ += reply;
        co_await flush();
    }

    asio::awaitable<void> watch_idle() {
        const auto limit = state_->options.idle_timeout;
        for (;;) {
            if (limit.count() > 0)
                idle_.expires_at(last_read_ + limit);
            else
                idle_.expires_at(asio::steady_timer::time_point::max());
            auto [ec] = co_await idle_.async_wait(nothrow);
            if (ec) co_return;
            if (asio::steady_timer::clock_type::now() >= last_read_ + limit) {
                log().info("{}: idle for {} ms; closing", name_, limit.count());
                co_return;
            }
        }
    }

    std::shared_ptr<Server::State> state_;
    tcp::socket socket_;
    asio::steady_timer idle_;
    asio::steady_timer::time_point last_read_ = asio::steady_timer::clock_type::now();
    std::uint64_t id_ = 0;
    std::uint64_t generation_ = 0;
    std::string name_;
    std::string out_;
};

}  // namespace

asio::awaitable<void> serve_connection(std::shared_ptr<Server::State> state, tcp::socket socket) {
    Connection connection(std::move(state), std::move(socket));
    co_await connection.run();
}

}  // namespace herd
