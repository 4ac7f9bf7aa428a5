#pragma once
// A directed link relay: node A's outgoing link to node B connects here, and the relay forwards
// A's bytes to B's real port. Faults live here, never in node code: the nodes only see what a real
// network would do to them. The relay is line-aware (the herd protocol is lines), so delays and
// drops apply per message. Everything runs on one io_context; no threads.
//
// Faults (delay, drops, stall, reset_after) apply to the A -> B direction only, the one nodes write on.
// B's bytes are passed to A as they come, unchanged. An end passes on as TCP would: A's EOF reaches B
// (after every line still held), B's EOF reaches A; a read or write error on either side resets the
// other. The relay is destroyed before its io_context.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "async/report_failure.hpp"

namespace boost::asio {
class io_context;
}

namespace herd::sim {

// How a link's delay varies per line: uniformly within +/- jitter around it, or exponentially
// with the delay as its mean (Maelstrom's --latency-dist exponential; no jitter).
enum class DelayDistribution { uniform, exponential };

// How long one line is held: delay + U(-jitter, +jitter) (std::uniform_int_distribution<int64_t>
// over whole microseconds, no draw when jitter is 0), or Exp(mean = delay) rounded to whole
// microseconds (std::exponential_distribution<double>, no draw when delay is 0); never below 0.
std::chrono::microseconds draw_hold(std::chrono::microseconds delay, std::chrono::microseconds jitter,
                                    DelayDistribution distribution, std::mt19937_64& rng);

struct RelayStats {
    std::uint64_t connections = 0;      // accepted from A, including those closed at once (B refused)
    std::uint64_t messages = 0;         // whole lines delivered to B
    std::uint64_t bytes = 0;            // bytes delivered to B (B -> A bytes are not counted anywhere)
    std::uint64_t dropped = 0;          // lines dropped by a drop rule, or lost to a cut, reset, stop or error
    std::uint64_t resets = 0;           // connections reset by reset_after or after a dropped line
};

class Relay {
public:
    // `rng` is the run's one random source (jitter), owned by the caller and outliving the relay.
    // What one of its coroutines throws goes to `failed` (a run's ends the run).
    Relay(boost::asio::io_context& io, std::string from, std::string to, std::mt19937_64& rng,
          FailureSink failed = print_failure);
    ~Relay();
    Relay(const Relay&) = delete;
    Relay& operator=(const Relay&) = delete;

    std::uint16_t listen();                 // binds 127.0.0.1:0, starts accepting; returns the port. Once.
    // Or A's connections come from a listener shared by every relay into B (RelayListener), which
    // passes each one here as its socket's descriptor, now the relay's. While the relay refuses,
    // the connection is reset at once instead of relayed.
    void adopt(int descriptor);
    // B's real port (127.0.0.1), used by connections accepted from then on. Each connection from A
    // gets its own connection to B; when B refuses anyway (or no target is set) A's connection is
    // closed, so A sees EOF and retries with its own backoff.
    void set_target(std::uint16_t port);
    // Called with each whole line (without its "\n") once it has been written to B: a herd that
    // cannot watch its servers from inside sees its floods here.
    void on_delivered(std::function<void(std::string_view line)> hook);
    void stop();                            // closes the acceptor and resets every connection, for good; idempotent

    // The relay refuses A, as a dead route or a dead host does, while the link is cut or B is down:
    // existing connections are closed at once, lines held (delay queue, stall, a write to B under
    // way, a line not ended yet) are dropped, and the relay stops listening, so A's connects are
    // refused and A keeps its lines queued. The port stays bound meanwhile (reserve_port), so no
    // other socket on the machine, another herd's listener say, takes it and A's connects. A
    // connection that held nothing ends with EOF on both sides; one that lost bytes ends with RST,
    // so A knows its lines did not all arrive (a dead host resets a connection whose data it never
    // read). It listens on the same port again once neither holds; A then reconnects on its own
    // backoff. A relay behind a shared listener cannot refuse alone: A's connects succeed and are
    // reset at once, as through a proxy whose route is down.
    void cut();
    void heal();
    bool is_cut() const;
    // Whether B is up: the herd says so when B crashes and restarts. Up from the start.
    void set_target_up(bool up);
    bool target_up() const;

    // Every line is held for draw_hold() (one draw from the run's rng per line), measured from the
    // moment the relay read it; order is kept (a line never overtakes the one before it on its
    // connection: it is released at the later of its own time and the previous line's). Lines
    // released at the same time go in one write. Applies to lines read after the call.
    void set_delay(std::chrono::microseconds delay, std::chrono::microseconds jitter,
                   DelayDistribution distribution = DelayDistribution::uniform);

    // Drops lines whose first word equals `command` (empty: any) and whose client field (4th word
    // of an AT line, 2nd of IAMAT/WHATSAT) equals `client` (empty: any); only the first `first`
    // matches when first >= 0. Rules add up; clear_faults() removes them. The words are the fields
    // the protocol core splits a line into (line_subject). A line goes to the first rule, in the order added, that
    // matches it and has matches left; only that rule counts it. Lines of other commands have no client,
    // so a rule with a client never drops them. An unterminated tail sent before A's EOF is a line too.
    // A drop is never silent: once the lines read before the dropped one are written, the
    // connection is reset on both sides (the lines after it on that connection are lost with it),
    // so A learns that what it wrote may not have arrived, and owes B a catch-up.
    void add_drop(std::string command, std::string client, int first);

    // After `bytes` more bytes have been delivered to B (counted across this relay's connections),
    // every open connection is reset on both sides (SO_LINGER 0, close: both peers see RST).
    // Exactly `bytes` bytes go out, even if that ends in the middle of a line (that line counts as
    // dropped). With 0, the next write to B sends nothing and resets. One-shot.
    void reset_after(std::uint64_t bytes);

    // Stop reading from A (its socket buffers fill, its writes eventually block), or resume. A read
    // already under way when the stall begins is held back too, so nothing A sends after stall(true)
    // reaches B before stall(false); lines already held are still delivered. Read time (for the
    // delay) is when the relay takes the bytes after the stall.
    void stall(bool stalled);

    void clear_faults();  // heal, no delay, no drops, no pending reset, not stalled

    // True when no line is held or being written and no byte from A waits, unread in the socket or
    // read and held back by a stall: a stall that holds bytes keeps the relay busy until it ends. A
    // partial line waiting for its '\n' does not count. For "wait for quiet".
    bool idle() const;
    // Whole lines read from A and held back (a delay, a stall), not yet written to B: what a cut now
    // would drop.
    std::size_t held_lines() const;
    const RelayStats& stats() const;
    const std::string& from() const;
    const std::string& to() const;

    struct State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace herd::sim
