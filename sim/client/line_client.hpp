#pragma once
// A line client on real loopback sockets, driven from the caller's own thread (tests, the scenario
// runner): writes are plain blocking writes (the kernel buffers them), reads run the shared
// io_context until the expected bytes arrive, so the servers make progress while the caller waits.
#include <chrono>
#include <functional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "async/report_failure.hpp"

namespace herd::sim {

using namespace std::chrono_literals;

// Runs `io` until `done()` holds or `limit` passes; returns done().
bool run_until(boost::asio::io_context& io, const std::function<bool()>& done, std::chrono::milliseconds limit = 5000ms);

// Runs `io` for `span`, for "nothing happens" checks.
void run_for(boost::asio::io_context& io, std::chrono::milliseconds span);

class LineClient {
public:
    // Connects at once (throws when it cannot). What fails in the background goes to `failed`.
    LineClient(boost::asio::io_context& io, std::uint16_t port, FailureSink failed = print_failure);

    void send(std::string_view bytes);
    // Writes `bytes` in the background, for bursts bigger than the socket buffers: the server reads
    // them on this same io_context, so a blocking send() could never finish. A write that fails is
    // reported to `failed`, as a spawned coroutine's failure is (report_failure).
    void send_async(std::string bytes);
    // Reads until `count` '\n'-terminated lines arrived, or `limit` passed; returns how many did and
    // how many of them begin with `prefix`. The lines are consumed.
    struct LineCount {
        std::size_t lines = 0;
        std::size_t matching = 0;
    };
    LineCount count_lines(std::size_t count, std::string_view prefix, std::chrono::milliseconds limit = 60000ms);
    void shutdown_send();  // half-close: the server sees EOF
    void close();

    // Everything received until `terminator` has arrived (returned up to and including it).
    // Returns what arrived so far if `limit` passes first.
    std::string read_until(std::string_view terminator, std::chrono::milliseconds limit = 5000ms);
    std::string read_line(std::chrono::milliseconds limit = 5000ms) { return read_until("\n", limit); }

    // Everything until the server closes the connection or `limit` passes (so also: "what came
    // back within `limit`", for checks that nothing does).
    std::string read_to_eof(std::chrono::milliseconds limit = 5000ms);
    bool eof() const { return state_->eof; }

    // For readers on the io_context itself (a coroutine, not the caller's thread): waits until
    // more bytes arrived, the server closed the connection, or `deadline` passed. The bytes
    // collect in received(), where the reader takes what it consumes.
    boost::asio::awaitable<void> wait_for_bytes(std::chrono::steady_clock::time_point deadline);
    std::string& received() { return state_->received; }

private:
    void start_read();

    // Shared with the pending read, which may complete after the client is gone.
    struct State {
        explicit State(boost::asio::io_context& io) : socket(io), wake(io) {}
        boost::asio::ip::tcp::socket socket;
        boost::asio::steady_timer wake;  // wait_for_bytes sleeps on it; a completed read cancels it
        std::string received;
        std::string sending;  // send_async's bytes, alive until written
        char chunk[8192];
        bool reading = false;
        bool eof = false;
    };
    boost::asio::io_context& io_;
    FailureSink failed_;
    std::shared_ptr<State> state_;
};

}  // namespace herd::sim
