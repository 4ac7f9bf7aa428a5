#pragma once
// The state of one scenario run, shared by the runner's timeline and its steps (steps.hpp).
// Internal to play/.
#include <map>
#include <memory>
#include <random>
#include <set>

#include <boost/asio/io_context.hpp>

#include "async/report_failure.hpp"
#include "client/line_client.hpp"
#include "herd/run_herd.hpp"
#include "play/runner.hpp"
#include "record/messages_log.hpp"
#include "record/recorder.hpp"
#include "record/recovery.hpp"
#include "record/run_record.hpp"
#include "serve/mock_places.hpp"

namespace herd::sim {

// Forwards every hook to the recorder (stores to the recovery watches, handled lines to the message
// log, after it), and keeps the coroutine failures that end the run.
class RunObserver : public ServerObserver {
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
    std::shared_ptr<LineClient> client;
    std::string node;
    std::size_t unterminated = 0;  // bytes written since the last "\n": the server's line so far
    std::string partial;           // those bytes, while they are not too many to be a line
    // The server has closed it or will (it crashed, or was sent an overlong line): the next send
    // opens a new connection rather than write into a dead one.
    bool dead = false;
    std::shared_ptr<bool> reply_done;  // the last send's reply has been read (or given up on)
};

struct RunContext {
    RunContext(const Scenario& scenario, const RunOptions& options, std::uint64_t seed);

    const Scenario& scenario;
    const RunOptions& options;
    std::uint64_t seed;
    boost::asio::io_context io;
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

    // A client wrote `bytes` to `node`: each whole line (completing `partial`, the connection's
    // unterminated tail so far; with `eof`, the tail too) names its client if it is an IAMAT or an
    // AT, and goes to the herd (a herd of processes cannot see inside its servers).
    void client_wrote(const std::string& node, std::string_view bytes, std::string& partial, bool eof);

    double now_ms() const { return recorder->ms_since_start(recorder->now()); }
    bool interrupted() const { return options.interrupt && options.interrupt->raised(); }
    void verdict(const Step& step, std::string description, bool passed, std::string detail,
                 std::optional<double> reply_ms = std::nullopt);
    // A fault window on `subject` opens now, unless one of that kind is open there already.
    void open_fault(const Step& step, FaultWindow::Kind kind, const std::string& subject);
    void end_fault(FaultWindow::Kind kind, const std::string& subject);  // the one open there, if any
    void end_link_faults();                                              // every open window but the crashes
    void end_window(std::size_t index);  // ends faults[index] now and starts watching its recovery
    void begin_phase(const std::string& name);
    // The updates a gate judges: those born in `phase` (by name), or all when it is empty.
    Summary summarize(const std::string& phase) const;
    // The sink for the runner's own coroutines: a failure ends the run as a server's does.
    FailureSink failed() {
        return [this](const std::string& message) { observer->fail(message); };
    }

    // Runs the herd until `done()`, `limit`, or a coroutine failure; refreshes the progress line.
    bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit);
    void progress_line(bool final = false);
    bool progress_shown = false;
    std::chrono::steady_clock::time_point last_progress{};
};

}  // namespace herd::sim
