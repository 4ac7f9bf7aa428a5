// A seeded storm of client reports, run in the background while the timeline goes on (so crashes
// and partitions can land in the middle of it).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "async/nothrow.hpp"
#include "client/reply.hpp"
#include "play/steps.hpp"

namespace herd::sim {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// How long a workload client waits for a server's reply or close before it gives up on it: the
// course's graders' client timeout.
constexpr auto reply_limit = std::chrono::seconds(20);

// The workload's clients still reading, each until its server replied or closed: the workload
// ends only once none is, so no client closes a connection the server has not finished with.
struct Readers {
    explicit Readers(asio::io_context& io) : wake(io) {}
    asio::steady_timer wake;
    std::size_t left = 0;
    void done() {
        if (--left == 0) wake.cancel();
    }
    asio::awaitable<void> all_done() {
        while (left > 0) {
            wake.expires_at(std::chrono::steady_clock::time_point::max());
            co_await wake.async_wait(nothrow);
        }
    }
};

// Replies are read and discarded so that a node never blocks writing to a workload client, until
// the server closes the connection (then the next report opens a new one).
asio::awaitable<void> discard_replies(std::shared_ptr<tcp::socket> socket, std::shared_ptr<Readers> readers) {
    char scratch[4096];
    for (;;) {
        auto [ec, n] = co_await socket->async_read_some(asio::buffer(scratch), nothrow);
        (void)n;
        if (ec) break;
    }
    boost::system::error_code ignored;
    socket->close(ignored);
    readers->done();
}

// Once the last report is written: each persistent connection is half-closed, so the server reads
// every line before its end of stream, and closed once the server closed it or the limit passed.
asio::awaitable<void> finish(asio::io_context& io, std::map<std::string, std::shared_ptr<tcp::socket>>& sockets,
                             std::shared_ptr<Readers> readers) {
    for (auto& [node, socket] : sockets) {
        boost::system::error_code ignored;
        if (socket && socket->is_open()) socket->shutdown(tcp::socket::shutdown_send, ignored);
    }
    asio::steady_timer limit(io);
    limit.expires_after(reply_limit);
    limit.async_wait([readers](boost::system::error_code) {
        readers->wake.cancel();  // checked again below: the limit has passed
    });
    const auto deadline = std::chrono::steady_clock::now() + reply_limit;
    while (readers->left > 0 && std::chrono::steady_clock::now() < deadline) {
        readers->wake.expires_at(std::chrono::steady_clock::time_point::max());
        co_await readers->wake.async_wait(nothrow);
    }
    limit.cancel();
    for (auto& [node, socket] : sockets) {
        boost::system::error_code ignored;
        if (socket) socket->close(ignored);
    }
    co_await readers->all_done();  // the readers see their sockets closed
}

// One report on a connection of its own, for a server that reads one command per connection: the
// line (then the half-close when `half_close`), and its reply read until it is complete, the
// server closed the connection or the limit passed; only then is the connection closed. The report
// is born when the server has read it, which its reply or its close proves: a server that reads
// late must not have the wait before its read counted as flood latency. One that did neither within
// the limit is noted, and never counted as given.
asio::awaitable<void> report_alone(RunContext& run, std::string node, std::string line, bool half_close,
                                   std::shared_ptr<Readers> readers) {
    struct Done {
        Readers& readers;
        ~Done() { readers.done(); }
    } done{*readers};
    std::shared_ptr<LineClient> client;
    try {
        client = std::make_shared<LineClient>(run.io, run.herd->port(node), run.failed());
        client->send(line);
    } catch (const std::exception& e) {
        run.recorder->note("workload-unsent", node + ": " + e.what(), {node});
        co_return;
    }
    if (half_close) client->shutdown_send();
    const Reply reply = co_await read_reply(*client, false, std::chrono::steady_clock::now() + reply_limit);
    client->close();
    if (reply.end == Reply::End::timed_out) {
        run.recorder->note("workload-unanswered", node + ": no reply and no close within " + std::to_string(reply_limit.count()) +
                                                      " s to \"" + show_reply(line) + "\": not counted as given", {node});
        co_return;
    }
    ClientLines lines(run.max_line);
    run.client_wrote(node, line, lines, half_close);
}

std::uint64_t draw(std::mt19937_64& rng, std::uint64_t bound) { return rng() % bound; }

std::string coordinate(std::mt19937_64& rng, int degrees, int leading_digits) {
    const long micro = static_cast<long>(draw(rng, static_cast<std::uint64_t>(degrees) * 2'000'000)) - degrees * 1'000'000L;
    char text[32];
    std::snprintf(text, sizeof text, "%c%0*ld.%06ld", micro < 0 ? '-' : '+', leading_digits, std::labs(micro) / 1'000'000,
                  std::labs(micro) % 1'000'000);
    return text;
}

// How far behind its schedule a workload fell: the run fell behind once the runner wakes to send a
// report more than the bound after it was due; the entry then keeps the furthest it fell. A report
// is due at its time in the schedule, or once the write before it ended if the server held that
// write up (TCP flow control: the socket did not take it at once) and it ended later: that is the
// herd's doing, not the run falling behind.
class Schedule {
public:
    Schedule(RunContext& run, std::size_t step, bool may_fall_behind)
        : run_(run), step_(step), may_fall_behind_(may_fall_behind) {}
    void woke(int report, std::chrono::steady_clock::time_point due) {
        const auto late = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - due);
        if (late <= worst_) return;
        worst_ = late;
        if (may_fall_behind_ || late <= run_.options.late_bounds.step) return;
        const std::string what = "the workload of steps[" + std::to_string(step_) + "] fell " +
                                 std::to_string(late.count()) + " ms behind its schedule (at report " +
                                 std::to_string(report + 1) + "; bound " +
                                 std::to_string(run_.options.late_bounds.step.count()) + " ms)";
        if (!entry_) {
            entry_ = run_.behind.size();
            run_.fell_behind({Lateness::Kind::workload, step_, run_.now_ms(), 0, what});
        }
        run_.behind[*entry_].behind_ms = static_cast<double>(late.count());
        run_.behind[*entry_].detail = what;
    }
    std::chrono::milliseconds worst() const { return worst_; }

private:
    RunContext& run_;
    std::size_t step_;
    bool may_fall_behind_;
    std::chrono::milliseconds worst_{0};
    std::optional<std::size_t> entry_;  // in run_.behind
};

asio::awaitable<void> run_workload(RunContext& run, WorkloadStep w, std::size_t step, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::map<std::string, std::shared_ptr<tcp::socket>> sockets;
    std::map<std::string, ClientLines> lines;  // per node, framing what its socket was written
    asio::steady_timer timer(run.io);
    const auto start = std::chrono::steady_clock::now();
    const auto spacing = std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 / w.rate));
    std::size_t sent = 0, skipped = 0;
    Schedule schedule(run, step, w.may_fall_behind);

    std::optional<std::chrono::steady_clock::time_point> held_until;  // the end of a write the server held up
    const auto style = run.options.target ? run.options.target->client : target::ClientStyle::persistent;
    auto readers = std::make_shared<Readers>(run.io);

    for (int i = 0; i < w.updates; ++i) {
        const auto due = std::max(start + i * spacing, held_until.value_or(start));
        held_until.reset();
        timer.expires_at(due);
        co_await timer.async_wait(nothrow);
        schedule.woke(i, due);
        // Without `nodes`, any node that is up now: the draws then depend on the seed and on which
        // nodes are up when each report is due, nothing else.
        std::vector<std::string> candidates = w.nodes;
        if (candidates.empty())
            for (const auto& name : run.herd->names())
                if (run.herd->is_up(name)) candidates.push_back(name);
        if (candidates.empty()) {
            ++skipped;
            continue;
        }
        const std::string node = candidates[draw(rng, candidates.size())];
        const std::string client = "client-" + std::to_string(draw(rng, static_cast<std::uint64_t>(w.clients)));
        const std::string where = coordinate(rng, 90, 2) + coordinate(rng, 180, 3);
        if (!run.herd->is_up(node)) {
            ++skipped;
            continue;
        }
        auto& newest = run.newest_sent[client];
        const Nanos now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                              std::chrono::system_clock::now().time_since_epoch()).count();
        const Nanos time = std::max(now, newest + 1);
        const std::string line = "IAMAT " + client + " " + where + " " + format_posix_time(time) + "\n";
        if (style != target::ClientStyle::persistent) {
            newest = std::max(newest, time);
            ++readers->left;
            asio::co_spawn(run.io, report_alone(run, node, line, style == target::ClientStyle::half_close, readers),
                           report_failure("workload: a report on a connection of its own", run.failed()));
            ++sent;
            continue;
        }

        auto& socket = sockets[node];
        if (!socket || !socket->is_open()) {
            socket = std::make_shared<tcp::socket>(run.io);
            auto [ec] = co_await socket->async_connect(
                tcp::endpoint(asio::ip::address_v4::loopback(), run.herd->port(node)), nothrow);
            if (ec) {
                socket.reset();
                ++skipped;
                continue;
            }
            ++readers->left;
            asio::co_spawn(run.io, discard_replies(socket, readers), report_failure("workload: reading replies", run.failed()));
            lines.insert_or_assign(node, ClientLines(run.max_line));
        }
        // What the socket takes at once is not held up; the rest waits for the server to read.
        boost::system::error_code ec;
        socket->non_blocking(true, ec);
        std::size_t n = ec ? 0 : socket->write_some(asio::buffer(line), ec);
        if (ec == asio::error::would_block) ec = {};
        if (!ec && n < line.size()) {
            std::tie(ec, n) = co_await asio::async_write(*socket, asio::buffer(line.data() + n, line.size() - n), nothrow);
            held_until = std::chrono::steady_clock::now();
        }
        if (ec) {
            socket->close();
            ++skipped;
            continue;
        }
        newest = std::max(newest, time);
        run.client_wrote(node, line, lines.at(node), false);
        ++sent;
    }
    co_await finish(run.io, sockets, readers);
    run.recorder->note("workload-done", std::to_string(sent) + " reports sent, " + std::to_string(skipped) +
                                            " skipped (node down or unreachable), at most " +
                                            std::to_string(schedule.worst().count()) + " ms behind schedule");
    --run.active_workloads;
}

}  // namespace

void act(RunContext& run, const Step& step, const WorkloadStep& workload) {
    ++run.active_workloads;
    run.recorder->note("workload", std::to_string(workload.updates) + " reports at " + std::to_string(workload.rate) +
                                       "/s from " + std::to_string(workload.clients) + " clients (step " +
                                       std::to_string(step.index) + ")");
    asio::co_spawn(run.io, run_workload(run, workload, step.index, run.workload_rng()), report_failure("workload", run.failed()));
}

}  // namespace herd::sim
