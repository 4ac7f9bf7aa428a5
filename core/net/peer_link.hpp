#pragma once
// The outgoing link from one server to one neighbour: a queue of flood lines drained by one writer
// coroutine, which sends everything queued in one write. per_burst: it connects when there is
// something to send and closes once the queue stayed empty for the linger; persistent: it stays
// connected. Either way a new line triggers a connection attempt at once (a neighbour that is up is
// never skipped), and work for a neighbour that is down is retried with capped backoff.
//
// Nothing is lost (PROTOCOL.md, catch-up): a line counts as read only when the close handshake
// proves it (the neighbour's EOF after our FIN, per_burst only). Any other end of a connection on
// which lines were written (a reset, the neighbour's EOF first, no EOF within the close timeout, a
// cut), or a queue that overflowed, leaves the link owing the neighbour a catch-up, every record of
// the node's table sent again as flood lines; so does the neighbour's own request when it (re)starts. A neighbour that reads, but slowly, holds up this server's clients
// instead (wait_for_room); one that stops reading for the stall timeout no longer does.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/logger.h>

#include "net/server.hpp"
#include "protocol/catch_up.hpp"
#include "protocol/catch_up_pacing.hpp"
#include "protocol/peer_mac.hpp"

namespace herd {

class PeerLink : public std::enable_shared_from_this<PeerLink> {
public:
    // `table` is the node's: catch-ups walk it. It outlives the link's use of it (stop() comes first).
    PeerLink(boost::asio::any_io_executor executor, const ServerOptions& options, PeerAddress peer,
             const LocationTable& table, std::shared_ptr<spdlog::logger> log, ServerObserver* observer);

    // A link queues from construction; start() connects it, stop() ends it for good.
    void start();
    void stop(bool reset = false);  // `reset`: its connections end with RST (Server::stop)
    void set_address(const PeerAddress& peer) { peer_ = peer; }

    // Queues one '\n'-terminated flood line. Past the queue's bound (lines or bytes) the queue is
    // dropped and a catch-up is owed instead. Returns the line's ticket for wait_until_settled(),
    // 0 when there is nothing to wait for (not queued: dropped, or a catch-up about to send it).
    std::uint64_t send(std::string_view line);

    // Returns once the line of `ticket` is settled (written to the neighbour's socket, or known not
    // to go now: its connection failed or was lost), the link stopped, or `deadline` passed. A
    // client's reply waits here so that, once answered, it can ask a neighbour (PROTOCOL.md).
    boost::asio::awaitable<void> wait_until_settled(std::uint64_t ticket, std::chrono::steady_clock::time_point deadline);

    // This server (re)started: ask the neighbour for its records (sent before anything else).
    void request_catch_up(std::string line);
    // The neighbour asked: send it every record, at once or once the pacing allows
    // (catch_up_pacing.hpp). False when a catch-up was owed or under way already: the request
    // changes nothing, and never restarts a walk.
    bool owe_catch_up();

    // Returns once the queue is below the backpressure mark, or the neighbour is not taking lines
    // (not connected, or a write pending for the stall timeout): the server's client connections
    // wait here before reading more, so TCP flow control slows clients instead of floods being dropped.
    boost::asio::awaitable<void> wait_for_room();
    bool has_room() const { return stopped_ || !connected_ || pending_.size() <= backpressure_bytes_; }

    const std::string& peer_name() const { return peer_.name; }
    // Flood lines queued or being written, plus one while a catch-up or its request is still to send.
    std::size_t queued() const;

private:
    using Clock = boost::asio::steady_timer::clock_type;

    boost::asio::awaitable<void> run();
    boost::asio::awaitable<void> wait_for_work();
    boost::asio::awaitable<void> retry_pause(std::chrono::milliseconds& backoff);
    boost::asio::awaitable<boost::system::error_code> connect();
    boost::asio::awaitable<boost::system::error_code> connect_to(const std::vector<boost::asio::ip::tcp::endpoint>& endpoints);
    boost::asio::awaitable<void> write_until_idle();
    boost::asio::awaitable<void> watch_for_close();
    void hand_over_close();
    boost::asio::awaitable<void> confirm_close(std::shared_ptr<boost::asio::ip::tcp::socket> socket, bool wrote,
                                               bool sent_request);
    void next_batch();
    void sign_in_flight();
    void log_batch() const;
    void connection_lost();
    void owe_now();
    bool catch_up_due() const;
    bool has_work() const;
    Clock::time_point next_wake() const;
    void wake();
    void report(bool up);
    void settle(std::uint64_t upto);

    std::string self_;
    PeerAddress peer_;
    const LocationTable& table_;
    std::size_t limit_lines_;
    std::uint64_t limit_bytes_;
    std::uint64_t backpressure_bytes_;
    std::chrono::milliseconds stall_timeout_;
    bool persistent_;
    std::chrono::milliseconds linger_;
    std::chrono::milliseconds backoff_initial_;
    std::chrono::milliseconds backoff_max_;
    std::shared_ptr<spdlog::logger> log_;
    ServerObserver* observer_;

    std::optional<boost::asio::ip::address> source_;  // options.source_host
    boost::asio::ip::tcp::socket socket_;
    // per_burst connections half-closed and waiting for the neighbour's EOF (confirm_close).
    std::vector<std::shared_ptr<boost::asio::ip::tcp::socket>> closing_;
    boost::asio::steady_timer wake_;   // the writer sleeps on it while there is nothing to send
    boost::asio::steady_timer pause_;  // backoff between connection attempts; send() cuts it short
    boost::asio::steady_timer room_;   // never expires: wait_for_room() waits on it, cancel() wakes them
    boost::asio::steady_timer settled_;  // never expires: wait_until_settled() waits on it, cancel() wakes them

    std::string pending_;  // queued flood lines, in order
    std::size_t pending_lines_ = 0;
    // Tickets: lines queued by send() so far, the last of them in the current write, and how many
    // are settled (written, or their connection failed).
    std::uint64_t tickets_ = 0;
    std::uint64_t in_flight_upto_ = 0;
    std::uint64_t settled_upto_ = 0;
    std::string in_flight_;  // what the current write sends
    std::string signed_;     // in_flight_ being signed, swapped in
    std::size_t in_flight_lines_ = 0;
    bool in_flight_is_catch_up_ = false;
    std::string request_;          // the catch-up request line
    bool request_pending_ = false;
    CatchUpWalk walk_;
    CatchUpPacing pacing_;
    std::optional<PeerMac> mac_;   // with a peer secret: every line is signed as it is written
    bool owed_ = false;            // a catch-up walk is to (re)start...
    Clock::time_point owed_from_;  // ...once this time has come
    bool requested_ = false;       // the debt is a neighbour's request, paced
    bool overflowed_ = false;      // since the last completed catch-up; logged once per episode
    std::size_t dropped_ = 0;      // lines dropped in this episode

    // The current connection.
    bool connected_ = false;
    bool wrote_ = false;           // a write was started on it
    bool sent_request_ = false;    // the catch-up request went out on it
    std::optional<Clock::time_point> writing_since_;
    bool stall_logged_ = false;

    bool stopped_ = false;
    bool fresh_ = false;  // work arrived since the current connection attempt began
    bool idle_ = false;   // the writer ended because the linger passed, not because of an error
    std::optional<bool> reported_up_;  // what the observer was last told
};

}  // namespace herd
