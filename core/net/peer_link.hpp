#pragma once
// The outgoing link from one server to one neighbour, fed by a bounded queue and drained by one
// writer coroutine that sends everything queued in one gathered write. per_burst: it connects when
// a line is queued and closes once the queue stayed empty for the linger; persistent: it stays
// connected. Either way a new line triggers a connection attempt at once (a neighbour that is up
// is never skipped), and lines for a neighbour that is down are retried with capped backoff. A
// slow or dead neighbour only fills its own queue.
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/logger.h>

#include "net/server.hpp"

namespace herd {

class PeerLink : public std::enable_shared_from_this<PeerLink> {
public:
    PeerLink(boost::asio::any_io_executor executor, const ServerOptions& options, PeerAddress peer,
             std::shared_ptr<spdlog::logger> log, ServerObserver* observer);

    // A link queues from construction; start() connects it, stop() ends it for good.
    void start();
    void stop();
    void set_address(const PeerAddress& peer) { peer_ = peer; }

    // Queues one '\n'-terminated line (moved in: no copy); when the queue is full the oldest line is
    // dropped.
    void send(std::string line);

    const std::string& peer_name() const { return peer_.name; }
    std::size_t queued() const { return queue_.size() + in_flight_.size(); }

private:
    boost::asio::awaitable<void> run();
    boost::asio::awaitable<void> wait_for_lines();
    boost::asio::awaitable<void> retry_pause(std::chrono::milliseconds& backoff);
    boost::asio::awaitable<boost::system::error_code> connect();
    boost::asio::awaitable<void> write_until_idle();
    boost::asio::awaitable<void> watch_for_close();
    boost::asio::awaitable<void> close_idle();
    void requeue_in_flight();
    void report(bool up);

    std::string self_;
    PeerAddress peer_;
    std::size_t limit_;
    bool persistent_;
    std::chrono::milliseconds linger_;
    std::chrono::milliseconds backoff_initial_;
    std::chrono::milliseconds backoff_max_;
    std::shared_ptr<spdlog::logger> log_;
    ServerObserver* observer_;

    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer wake_;   // the writer sleeps on it while the queue is empty
    boost::asio::steady_timer pause_;  // backoff between connection attempts; send() cuts it short
    std::deque<std::string> queue_;
    std::vector<std::string> in_flight_;
    bool stopped_ = false;
    bool fresh_ = false;  // a line was queued since the current connection attempt began
    bool idle_ = false;   // the writer ended because the linger passed, not because of an error
    std::optional<bool> reported_up_;  // what the observer was last told
    std::size_t dropped_ = 0;  // since the queue last had room; logged sparsely
};

}  // namespace herd
