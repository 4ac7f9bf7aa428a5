#pragma once
// The state of one scenario run, shared by the runner's timeline and its steps (steps.hpp).
// Internal to play/.
#include <map>
#include <memory>
#include <random>
#include <set>

#include "async/report_failure.hpp"
#include "client/client_lines.hpp"
#include "herd/run_herd.hpp"
#include "play/runner.hpp"
#include "record/messages_log.hpp"
#include "record/recorder.hpp"
#include "record/recovery.hpp"
#include "record/run_record.hpp"

// Only pointers and references here, so that the steps' files (faults.cpp, checks.cpp, steps.cpp)
// compile without Asio.
namespace boost::asio {
class io_context;
}
namespace herd::serve {
class MockPlaces;
}

namespace herd::sim {

struct WindowKey;  // play/steps.hpp

class LineClient;

// Forwards every hook, from the servers in this process (ServerObserver) or from a herd watched
// from outside (StoreSink), to the recorder (stores to the recovery watches, handled lines to the
// message log, after it), and keeps the coroutine failures that end the run.
class RunObserver : public ServerObserver, public StoreSink {
public:
    RunObserver(Recorder& recorder, Recoveries& recoveries, MessageLog& messages)
        : recorder_(recorder), recoveries_(recoveries), messages_(messages) {}
    void on_handled(std::string_view node, const Command& command, const Effects& effects) override {
        recorder_.on_handled(node, command, effects);
        recoveries_.on_handled(node, command, effects, recorder_.ms_since_start(recorder_.now()));
        messages_.on_handled(node, command, effects);
    }
    void on_peer_link(std::string_view node, std::string_view peer, bool up) override {
        recorder_.on_peer_link(node, peer, up);
    }
    void on_peer_overflow(std::string_view node, std::string_view peer, std::size_t count) override {
        recorder_.on_peer_overflow(node, peer, count);
    }
    void stored(std::string_view node, const ClientReport& report) override {
        recorder_.stored(node, report);
        recoveries_.stored(node, report.client, report.time, recorder_.ms_since_start(recorder_.now()));
    }
    void flooded(std::string_view node, std::string_view sender, const ClientReport& report, bool fresh) override {
        recorder_.flooded(node, sender, report, fresh);
        if (fresh) recoveries_.stored(node, report.client, report.time, recorder_.ms_since_start(recorder_.now()));
        messages_.flooded(node, sender, report, fresh);
    }

    // A coroutine failed (a server's, or the runner's own): the run ends, and could not run.
    void on_failure(std::string_view, std::string_view message) override { fail(std::string(message)); }
    void fail(std::string message) { failures_.push_back(std::move(message)); }
    const std::vector<std::string>& failures() const { return failures_; }

private:
    Recorder& recorder_;
    Recoveries& recoveries_;
    MessageLog& messages_;
    std::vector<std::string> failures_;
};

// A client connection a scenario names, reused by later sends to the same node.
struct NamedConnection {
    NamedConnection(std::shared_ptr<LineClient> client, std::string node, std::size_t max_line)
        : client(std::move(client)), node(std::move(node)), lines(max_line) {}
    std::shared_ptr<LineClient> client;
    std::string node;
    ClientLines lines;  // what the server makes of the bytes written on it
    // The server has closed it or will (it crashed, or was sent a line over its limit): the next
    // send opens a new connection rather than write into a dead one.
    bool dead = false;
    std::shared_ptr<bool> reply_done;  // the last send's reply has been read (or given up on)
};

struct RunContext {
    RunContext(const Scenario& scenario, const RunOptions& options, std::uint64_t seed);
    ~RunContext();
    RunContext(const RunContext&) = delete;
    RunContext& operator=(const RunContext&) = delete;

    const Scenario& scenario;
    const RunOptions& options;
    std::uint64_t seed;
    std::unique_ptr<boost::asio::io_context> io_storage;
    boost::asio::io_context& io;  // every server, relay, client and timer of the run
    // What wakes run_until when no handler does: an alarm at the time it waits for, and Ctrl-C.
    struct Waker;
    std::unique_ptr<Waker> waker;
    std::mt19937_64 link_rng;      // relay jitter
    std::mt19937_64 workload_rng;  // workload choices: apart from jitter so that a run's workload
                                   // is the same whatever the timing
    std::unique_ptr<serve::MockPlaces> places;
    std::unique_ptr<Recorder> recorder;
    std::unique_ptr<MessageLog> messages;
    std::vector<ClientExchange> exchanges;  // the send steps' requests and replies, in send order
    std::unique_ptr<RunObserver> observer;
    std::unique_ptr<RunHerd> herd;
    std::map<std::string, std::shared_ptr<NamedConnection>> connections;
    std::size_t max_line = 0;         // the servers' line limit: a longer line closes the connection
    std::map<std::string, Nanos, std::less<>> newest_sent;            // per client: newest IAMAT time sent
    std::set<std::string> clients;    // every client an IAMAT or AT line written by a client named
    std::vector<Verdict> verdicts;
    std::vector<FaultWindow> faults;
    Recoveries recoveries;        // one watch per fault window that ended, by its index in `faults`
    std::vector<Span> phases;     // in the order they began; only the last may be open
    std::size_t active_workloads = 0;
    std::size_t pending_replies = 0;  // sends whose reply is still being read
    // The last step that changed the herd or its network (a fault, a restart, a send): a flood it
    // sets off may not have reached any node yet, so "quiet" is counted from it too.
    std::chrono::steady_clock::time_point last_change = std::chrono::steady_clock::now();
    std::size_t step_number = 0;   // for the progress line
    double start_up_ms = 0;        // the herd's start-up exchange
    std::vector<Lateness> behind;  // where the run fell behind, in the order noticed

    // The run fell behind: noted in the event log, and every verdict given from now on whose
    // premise that breaks is unchecked.
    void fell_behind(Lateness lateness);
    // The lateness that broke what a verdict of `step` assumes, if any: a step or a workload behind
    // so far breaks every verdict; a slow start-up, the speed gates (expect_latency, expect_recovery).
    const Lateness* broken_premise(const Step& step) const;

    // A client wrote `bytes` to `node` on a connection framed by `lines` (with `eof`, then
    // half-closed it): each line the server takes names its client if it is an IAMAT or an AT, and
    // goes to the herd (a herd of processes cannot see inside its servers).
    void client_wrote(const std::string& node, std::string_view bytes, ClientLines& lines, bool eof);

    double now_ms() const { return recorder->ms_since_start(recorder->now()); }
    bool interrupted() const { return options.interrupt && options.interrupt->raised(); }
    void verdict(const Step& step, std::string description, VerdictKind kind, std::string detail,
                 std::optional<double> reply_ms = std::nullopt);
    void verdict(const Step& step, std::string description, bool passed, std::string detail,
                 std::optional<double> reply_ms = std::nullopt) {
        verdict(step, std::move(description), passed ? VerdictKind::pass : VerdictKind::fail, std::move(detail), reply_ms);
    }
    // A check that saw nothing it could judge: why, and what it saw.
    void unchecked(const Step& step, std::string description, std::string detail) {
        verdict(step, std::move(description), VerdictKind::unchecked, std::move(detail));
    }
    // A fault window on `subject` opens now, unless one of that kind is open there already.
    void open_fault(const Step& step, const WindowKey& key);
    void end_fault(FaultWindow::Kind kind, const std::string& subject);  // the one open there, if any
    void end_link_faults();                                              // every open window but the crashes and pauses
    void end_window(std::size_t index);  // ends faults[index] now and starts watching its recovery
    void begin_phase(const std::string& name);
    // The updates a gate judges: those born in `phase` (by name), or all when it is empty.
    Summary summarize(const std::string& phase) const;
    // The sink for the runner's own coroutines: a failure ends the run as a server's does.
    FailureSink failed() {
        return [this](const std::string& message) { observer->fail(message); };
    }

    // Runs the herd until `done()`, `limit`, a coroutine failure or an interruption; refreshes the
    // progress line. Event-driven: done() is asked again after each burst of handlers the herd runs,
    // and at `wake()` when one is given: the moment done() may come true with nothing else happening
    // (a time it waits for). Returns whether it ended before `limit`, with no failure.
    using WakeAt = std::function<std::chrono::steady_clock::time_point()>;
    bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit, const WakeAt& wake = {});
    void progress_line(bool final = false);
    bool progress_shown = false;
    std::chrono::steady_clock::time_point last_progress{};
};

}  // namespace herd::sim
