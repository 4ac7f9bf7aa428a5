#include <array>
#include <optional>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "async/nothrow.hpp"
#include "async/until_either.hpp"
#include "net/node_log.hpp"
#include "net/server_state.hpp"
#include "protocol/eof_tail.hpp"
#include "protocol/line_framer.hpp"
#include "protocol/peer_mac.hpp"
#include "protocol/places_reply.hpp"

namespace herd {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

Nanos posix_now() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

using Clock = asio::steady_timer::clock_type;

// Flood first: how long the reply to a client's update may wait for its flood lines to be written.
// A connect on loopback takes microseconds; past this the neighbour is slow, and the client is not
// held up for it.
constexpr std::chrono::milliseconds flood_first_limit{100};

class Connection {
public:
    Connection(std::shared_ptr<Server::State> state, tcp::socket socket, Slot slot, asio::ip::address address)
        : state_(std::move(state)), socket_(std::move(socket)), deadline_(socket_.get_executor()) {
        boost::system::error_code ec;
        auto remote = socket_.remote_endpoint(ec);
        id_ = state_->next_connection++;
        generation_ = state_->generation;
        name_ = "conn " + std::to_string(id_) + " " +
                (ec ? std::string("?") : remote.address().to_string() + ":" + std::to_string(remote.port()));
        open_ = &state_->connections[id_];
        open_->socket = &socket_;
        open_->slot = slot;
        open_->address = address;
        // In a peer slot the first line must come within line_timeout of the accept.
        if (slot == Slot::peer) partial_since_ = open_->last_line;
        on_probation_ = slot == Slot::peer;
        slot_ = slot;
    }
    ~Connection() {
        // An evicted connection's slot was given away when it was closed.
        if (!open_->evicted && slot_ == Slot::client) release_client_slot(*state_, open_->address);
        if (!open_->evicted && slot_ == Slot::peer) --state_->open_peer_slots;
        state_->connections.erase(id_);
        state_->heap.closed(state_->open_connections + state_->open_peer_slots);
    }

    asio::awaitable<void> run() {
        log().info("{}: open", name_);
        // Whichever ends first cancels the other; both have ended when this returns.
        co_await until_either(read_lines(), watch_deadlines());
        boost::system::error_code ignored;
        socket_.close(ignored);
        log().info("{}: closed", name_);
    }

private:
    spdlog::logger& log() { return *state_->log; }
    const ServerLimits& limits() const { return state_->options.limits; }

    // This connection belongs to the server as it runs now: not stopped, not restarted since.
    bool serving() const { return socket_.is_open() && state_->running && state_->generation == generation_; }

    asio::awaitable<void> read_lines() {
        std::array<char, 16384> chunk;
        LineFramer framer(limits().max_line);
        for (;;) {
            auto [ec, n] = co_await socket_.async_read_some(asio::buffer(chunk), nothrow);
            if (ec) {
                if (ec == asio::error::eof && serving()) {
                    if (const auto tail = framer.finish(); tail && !co_await handle_tail(tail->text)) co_return;
                    co_await flush();
                } else if (ec != asio::error::eof && state_->running) {
                    log().info("{}: read ended: {}", name_, ec.message());
                }
                co_return;
            }
            // stop() closes every connection at once, but a read that had already completed is
            // still delivered: a stopped (crashed) server must not act on it.
            if (!serving()) co_return;
            // One time for every line of a read: they were received together.
            const auto now = Clock::now();
            const Nanos received_at = posix_now();
            framer.feed({chunk.data(), n});
            bool ended_a_line = false;
            while (const auto frame = framer.next()) {
                if (frame->kind == Frame::Kind::overlong) co_return co_await reject_overlong(frame->text);
                ended_a_line = true;
                open_->last_line = now;
                open_->spoke = true;
                // Most lines (every flood line) are handled without a coroutine of their own.
                Effects effects;
                const Next next = act(frame->text, received_at, now, effects);
                if (next == Next::close) co_return;
                if (next != Next::done) co_await finish(effects, next);
                if (!serving()) co_return;
            }
            note_unfinished_line(now, ended_a_line, chunk[n - 1] != '\n');
            if (!out_.empty()) co_await flush();
            if (!serving()) co_return;
        }
    }

    // The partial-line clock: it starts with the first byte of a line not ended yet. A line begun
    // while none was pending moves the nearest deadline earlier, so the watcher re-arms.
    void note_unfinished_line(Clock::time_point now, bool ended_a_line, bool unfinished) {
        const bool was_pending = partial_since_.has_value();
        if (!unfinished)
            partial_since_.reset();
        else if (ended_a_line || !was_pending)
            partial_since_ = now;
        if (unfinished && !was_pending) {
            rearm_ = true;
            deadline_.cancel();
        }
    }

    // A connection past max_connections, in a peer slot, keeps it only if its first line is valid
    // from a neighbour: a flood line, or a catch-up request naming a neighbour of this server (and
    // with a peer secret, either with a valid MAC). So a flood of client connections, or of
    // connections that merely look like peers, cannot starve the herd's own links.
    bool keeps_peer_slot(const Command& first) {
        on_probation_ = false;
        if (std::holds_alternative<At>(first)) return true;
        if (const auto* request = std::get_if<CatchUp>(&first); request && state_->node.peer_index(request->sender))
            return true;
        if (state_->refused_connections.begin())
            log().warn("{}: in a peer slot (max_connections {} open) and its first line is neither a flood line nor a "
                       "neighbour's catch-up request; closing",
                       name_, limits().max_connections);
        return false;
    }

    // A command may end at EOF with no newline; a flood line may not (PROTOCOL.md).
    asio::awaitable<bool> handle_tail(std::string_view tail) {
        if (!processed_at_eof(tail)) {
            log().warn("{}: unterminated flood line at EOF dropped: {}", name_, printable(tail));
            co_return true;
        }
        Effects effects;
        const Next next = act(tail, posix_now(), Clock::now(), effects);
        if (next == Next::close) co_return false;
        if (next != Next::done) co_await finish(effects, next);
        co_return true;
    }

    // With a peer secret, a flood line or catch-up request is acted on only if it carries a valid
    // MAC, and then without the MAC field; any other line, and every line without a secret, as received.
    PeerMac::Checked authenticated(std::string_view received, Nanos now) const {
        if (!state_->mac || !is_peer_line(received)) return {received, {}};
        return state_->mac->check(received, now);
    }

    // What is left of a line once act() handled it.
    enum class Next {
        done,
        close,         // a peer slot's first line that is not from a neighbour
        wait_for_room,  // a client's update, flooded to a neighbour that is behind (flow control)
        answer,        // a WHATSAT: replies so far are written, then the Places answer is awaited
    };

    // Handles one line as far as it can without waiting. Lines that do nothing are logged per
    // episode (net/episode.hpp).
    Next act(std::string_view received, Nanos now, Clock::time_point at, Effects& effects) {
        const auto checked = authenticated(received, now);
        if (!checked.failure.empty()) {
            if (state_->unauthenticated_lines.begin(received.size()))
                log().warn("{}: flood line or catch-up request without a valid MAC ({}), ignored: {}", name_,
                           checked.failure, printable(received));
            return std::exchange(on_probation_, false) ? Next::close : Next::done;
        }
        const Command command = parse_line(checked.line, limits().fields);
        if (on_probation_ && !keeps_peer_slot(command)) return Next::close;
        effects = state_->node.handle(command, now);
        // A request while a catch-up is owed or under way changes nothing (PROTOCOL.md, catch-up).
        const bool honoured = !effects.catch_up_to || state_->peers[*effects.catch_up_to]->owe_catch_up();
        note_activity(command, effects, honoured, at);
        const bool logging = log_received(received, command, effects, honoured);
        if (state_->observer) state_->observer->on_handled(state_->options.name, command, effects);

        // Floods from peers never wait: two servers waiting on each other's queues would deadlock.
        const bool update = std::holds_alternative<IAmAt>(command);
        for (const std::size_t peer : effects.flood_to) {
            const auto& link = state_->peers[peer];
            if (const std::uint64_t ticket = link->send(effects.flood); update && ticket) unsettled_.emplace_back(link, ticket);
        }
        if (!effects.reply.empty()) queue_reply(effects.reply, logging);
        if (effects.places) return Next::answer;
        if (update)
            for (const std::size_t peer : effects.flood_to)
                if (!state_->peers[peer]->has_room()) return Next::wait_for_room;
        return Next::done;
    }

    asio::awaitable<void> finish(const Effects& effects, Next next) {
        if (next == Next::wait_for_room) co_return co_await wait_for_neighbours(effects);
        // Replies stay in order: what came before the WHATSAT is written first.
        co_await flush();
        co_await answer_whatsat(*effects.places);
    }

    // Eviction goes first for connections with no line that did anything, and by their last such
    // line: blank lines, refused lines and catch-up requests already owed keep no slot. A request
    // naming a neighbour still marks a neighbour's link, which goes after clients' connections.
    void note_activity(const Command& command, const Effects& effects, bool honoured, Clock::time_point at) {
        using Outcome = Effects::Outcome;
        const auto o = effects.outcome;
        if (effects.catch_up_to) open_->flood = true;
        if (o == Outcome::nothing || o == Outcome::rejected || (o == Outcome::catch_up && !honoured)) return;
        open_->last_active = at;
        open_->active = true;
        if (std::holds_alternative<At>(command)) open_->flood = true;
    }

    // Logs a line received, and why it did nothing if it did not; true if its reply is to be logged.
    // A line that did something is logged each time; the others (blank, refused, a request already
    // owed) per episode: the first ones each, then a count.
    bool log_received(std::string_view line, const Command& command, const Effects& effects, bool honoured) {
        if (!log().should_log(spdlog::level::info)) return false;  // no log folder: nothing made printable
        using Outcome = Effects::Outcome;
        if (effects.outcome == Outcome::nothing) {
            if (state_->blank_lines.begin(line.size())) log().info("{}: received a blank line: no reply", name_);
            return false;
        }
        Episode* episode = effects.outcome == Outcome::rejected ? &state_->invalid_lines
                           : honoured                           ? nullptr
                                                                : &state_->ignored_catch_ups;
        if (episode && !episode->begin(line.size())) return false;
        log().info("{}: received: {}", name_, printable(line));
        if (effects.outcome == Outcome::rejected) log().info("{}: invalid: {}", name_, effects.why);
        if (effects.outcome == Outcome::stale && std::holds_alternative<IAmAt>(command))
            log().info("{}: {}", name_, effects.why);
        if (!honoured)
            log().info("{}: a catch-up for {} is already owed or under way: request changes nothing", name_,
                       std::get<CatchUp>(command).sender);
        return true;
    }

    // Flood first: the replies to clients' updates go once their flood lines are written to the
    // neighbours' sockets (or their connection failed), so a client that has its answer can ask a
    // neighbour at once and find the update there (PROTOCOL.md). A neighbour that is behind holds
    // clients up by flow control instead (wait_for_room).
    asio::awaitable<void> wait_for_floods() {
        const auto deadline = Clock::now() + flood_first_limit;
        for (const auto& [link, ticket] : std::exchange(unsettled_, {}))
            if (link->has_room()) co_await link->wait_until_settled(ticket, deadline);
    }

    // A client's update waits while a neighbour that reads falls behind (flow control instead of
    // dropped floods).
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

    void queue_reply(const std::string& reply, bool logging = true) {
        if (logging && log().should_log(spdlog::level::info))
            log().info("{}: sent: {}", name_, printable(std::string_view(reply).substr(0, reply.find('\n'))));
        out_ += reply;
    }

    // Everything answered so far in one write: each reply whole, never split across writes.
    asio::awaitable<void> flush() {
        if (!unsettled_.empty()) co_await wait_for_floods();
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
        if (state_->overlong_lines.begin(line.size()))
            log().warn("{}: line longer than {} bytes; closing", name_, limits().max_line);
        std::string reply = "? ";
        reply += line.substr(0, 64);
        reply += '\n';
        out_ += reply;
        co_await flush();
    }

    // The idle limit counts from the last complete line, the line limit from the first byte of the
    // unfinished one: a byte a minute keeps neither at bay.
    struct Deadline {
        Clock::time_point at = Clock::time_point::max();
        bool idle = false;  // which one: idle_timeout, or line_timeout
    };
    Deadline nearest_deadline() const {
        Deadline nearest;
        if (const auto idle = limits().idle_timeout; idle.count() > 0) nearest = {open_->last_line + idle, true};
        if (const auto line = limits().line_timeout; line.count() > 0 && partial_since_ && *partial_since_ + line < nearest.at)
            nearest = {*partial_since_ + line, false};
        return nearest;
    }

    asio::awaitable<void> watch_deadlines() {
        for (;;) {
            deadline_.expires_at(nearest_deadline().at);
            auto [ec] = co_await deadline_.async_wait(nothrow);
            if (ec && !std::exchange(rearm_, false)) co_return;
            if (!ec) rearm_ = false;  // expired before the cancel: armed afresh below all the same
            // read_lines may have moved the deadline while the timer ran: look again.
            if (const auto due = nearest_deadline(); Clock::now() >= due.at) {
                if (due.idle)
                    log().info("{}: no complete line for {} ms; closing", name_, limits().idle_timeout.count());
                else
                    log().info("{}: a line unfinished for {} ms; closing", name_, limits().line_timeout.count());
                co_return;
            }
        }
    }

    std::shared_ptr<Server::State> state_;
    tcp::socket socket_;
    asio::steady_timer deadline_;  // the nearest of the idle and the line deadline
    OpenConnection* open_ = nullptr;  // its entry in state_->connections (map nodes stay put)
    std::optional<Clock::time_point> partial_since_;
    bool rearm_ = false;  // deadline_ was cancelled to be armed earlier, not to end
    Slot slot_ = Slot::client;
    bool on_probation_ = false;  // in a peer slot until its first line shows it is a neighbour's
    std::uint64_t id_ = 0;
    std::uint64_t generation_ = 0;
    std::string name_;
    std::string out_;
    std::vector<std::pair<std::shared_ptr<PeerLink>, std::uint64_t>> unsettled_;  // flood lines the reply waits for
};

}  // namespace

asio::awaitable<void> serve_connection(std::shared_ptr<Server::State> state, tcp::socket socket, Slot slot,
                                       asio::ip::address address) {
    Connection connection(std::move(state), std::move(socket), slot, address);
    co_await connection.run();
}

}  // namespace herd
