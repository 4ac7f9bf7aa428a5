#include "play/run_context.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>
#include <stdexcept>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "play/steps.hpp"
#include "protocol/command.hpp"
#include "serve/mock_places.hpp"

namespace herd::sim {

namespace {

using Clock = std::chrono::steady_clock;

// The progress line shows from a second into a run, then four times a second.
constexpr auto progress_after = std::chrono::seconds(1);
constexpr auto progress_every = std::chrono::milliseconds(250);

}  // namespace

// An alarm at the time run_until waits for, and a read of the interrupt flag's pipe, which
// completes when Ctrl-C raises the flag: either handler wakes run_until.
struct RunContext::Waker {
    explicit Waker(boost::asio::io_context& io) : alarm(io), pipe(io) {}
    boost::asio::steady_timer alarm;
    std::optional<Clock::time_point> alarm_at;
    boost::asio::posix::stream_descriptor pipe;
    char byte[1] = {};
};

RunContext::RunContext(const Scenario& s, const RunOptions& o, std::uint64_t seed_)
    : scenario(s), options(o), seed(seed_), io_storage(std::make_unique<boost::asio::io_context>()), io(*io_storage),
      waker(std::make_unique<Waker>(io)), link_rng(seed_), workload_rng(seed_ ^ 0x9e3779b97f4a7c15ULL) {
    if (!options.interrupt) return;
    const int fd = ::dup(options.interrupt->wake_fd());
    if (fd < 0) throw std::runtime_error(std::string("cannot watch for Ctrl-C: ") + std::strerror(errno));
    waker->pipe.assign(fd);
    waker->pipe.async_read_some(boost::asio::buffer(waker->byte), [](boost::system::error_code, std::size_t) {});
}

RunContext::~RunContext() = default;

void RunContext::verdict(const Step& step, std::string description, VerdictKind kind, std::string detail,
                         std::optional<double> reply_ms) {
    // A wait cut short by the interruption is no measurement.
    if (interrupted()) return;
    if (kind != VerdictKind::unchecked)
        if (const Lateness* late = broken_premise(step)) {
            detail = "the run fell behind before it was judged (" + late->detail + "); it would have " +
                     (kind == VerdictKind::pass ? "passed: " : "failed: ") + detail;
            kind = VerdictKind::unchecked;
        }
    if (!step.note.empty()) description += " (" + step.note + ")";
    recorder->note(kind == VerdictKind::pass   ? "expect-held"
                   : kind == VerdictKind::fail ? "expect-failed"
                                               : "expect-unchecked",
                   description + ": " + detail);
    verdicts.push_back({step.index, std::move(description), kind, std::move(detail), reply_ms});
}

void RunContext::fell_behind(Lateness lateness) {
    recorder->note("behind", lateness.detail);
    behind.push_back(std::move(lateness));
}

const Lateness* RunContext::broken_premise(const Step& step) const {
    const bool speed_gate =
        std::holds_alternative<ExpectLatencyStep>(step.action) || std::holds_alternative<ExpectRecoveryStep>(step.action);
    for (const Lateness& late : behind)
        if (late.kind != Lateness::Kind::start_up || speed_gate) return &late;
    return nullptr;
}

void RunContext::client_wrote(const std::string& node, std::string_view bytes, ClientLines& lines, bool eof) {
    for (const std::string& line : lines.wrote(bytes, eof)) {
        const Command parsed = parse_line(line);
        if (const auto* c = std::get_if<IAmAt>(&parsed)) clients.emplace(c->client);
        if (const auto* c = std::get_if<At>(&parsed)) clients.emplace(c->client);
        herd->client_line(node, line);
    }
}

void RunContext::open_fault(const Step& step, const WindowKey& key) {
    for (const auto& f : faults)
        if (f.kind == key.kind && f.subject == key.subject && !f.end_ms) return;
    faults.push_back({now_ms(), std::nullopt, key.kind, key.subject, step.index, key.groups});
}

namespace {

// What each node that is up must come to hold for the herd to have recovered: for every client,
// the newest record any node of its connected group holds now. Pairs already held are left out.
// `held_now` gets what every node that is up holds. A paused node is neither asked nor waited for:
// it answers nothing until its resume, and the window its pause opened asks it then.
RecoveryTargets recovery_targets(RunHerd& herd, const std::set<std::string>& known, RecordsHeld& held_now) {
    const std::vector<std::string> clients(known.begin(), known.end());
    RecoveryTargets targets;
    std::set<std::string> seen;
    for (const auto& name : herd.names()) {
        if (!herd.is_up(name) || herd.is_paused(name) || seen.count(name)) continue;
        auto group = herd.reachable(name);
        seen.insert(group.begin(), group.end());
        std::erase_if(group, [&](const std::string& member) { return herd.is_paused(member); });
        std::map<std::string, std::map<std::string, Nanos>> held;  // node -> client -> time
        std::map<std::string, Nanos, std::less<>> newest;
        for (const auto& member : group)
            for (const auto& [client, line] : herd.records(member, clients)) {
                const Nanos time = record_time(line);
                held[member][client] = time;
                auto [it, fresh] = newest.emplace(client, time);
                if (!fresh) it->second = std::max(it->second, time);
            }
        for (const auto& [member, records] : held)
            for (const auto& [client, time] : records) held_now[member][client] = time;
        for (const auto& member : group)
            for (const auto& [client, time] : newest) {
                const auto it = held[member].find(client);
                if (it == held[member].end() || it->second < time) targets[member][client] = time;
            }
    }
    return targets;
}

}  // namespace

void RunContext::end_window(std::size_t index) {
    faults[index].end_ms = now_ms();
    recoveries.open_watch();
    RecordsHeld held;
    auto targets = recovery_targets(*herd, clients, held);
    recoveries.watch(index, RecoveryWatch(*faults[index].end_ms, std::move(targets), std::move(held)));
}

void RunContext::end_fault(FaultWindow::Kind kind, const std::string& subject) {
    for (std::size_t i = 0; i < faults.size(); ++i)
        if (faults[i].kind == kind && faults[i].subject == subject && !faults[i].end_ms) end_window(i);
}

void RunContext::end_link_faults() {
    for (std::size_t i = 0; i < faults.size(); ++i)
        if (!faults[i].end_ms && faults[i].kind != FaultWindow::Kind::crash && faults[i].kind != FaultWindow::Kind::pause)
            end_window(i);
}

void RunContext::begin_phase(const std::string& name) {
    const double now = now_ms();
    if (!phases.empty() && !phases.back().end_ms) phases.back().end_ms = now;
    phases.push_back({name, now, std::nullopt});
}

Summary RunContext::summarize(const std::string& phase) const {
    if (phase.empty()) return recorder->summarize();
    for (const auto& p : phases)
        if (p.name == phase) return summarize_span(*recorder, p.start_ms, p.end_ms);
    // Validation lets a gate name only a phase begun before it, so this is not reached.
    return recorder->summarize([](const Recorder::Update&) { return false; });
}

bool RunContext::run_until(const std::function<bool()>& done, std::chrono::milliseconds limit, const WakeAt& wake) {
    const auto deadline = Clock::now() + limit;
    const auto over = [&] {
        progress_line();
        return !observer->failures().empty() || interrupted() || done();
    };
    while (!over()) {
        const auto now = Clock::now();
        if (now >= deadline) return false;
        auto next = deadline;
        const auto sooner = [&](Clock::time_point at) {
            if (at > now) next = std::min(next, at);
        };
        if (wake) sooner(wake());
        if (options.progress) sooner(std::max(recorder->start_time() + progress_after, last_progress + progress_every));
        if (next != waker->alarm_at) {
            waker->alarm.expires_at(next);
            waker->alarm.async_wait([](boost::system::error_code) {});
            waker->alarm_at = next;
        }
        if (io.stopped()) io.restart();
        // One handler, then every other one ready, for a millisecond at most: the condition is asked
        // once per burst, and a storm whose handlers are always ready cannot hold back a step due.
        io.run_one();
        const auto burst_end = Clock::now() + std::chrono::milliseconds(1);
        while (io.poll_one() && Clock::now() < burst_end) {
        }
    }
    return observer->failures().empty();
}

void RunContext::progress_line(bool final) {
    if (!options.progress) return;
    const auto now = Clock::now();
    if (!final && (now - recorder->start_time() < progress_after || now - last_progress < progress_every)) return;
    if (final && !progress_shown) return;
    last_progress = now;
    progress_shown = true;
    if (!options.progress_rewrites && final) return;
    std::fprintf(stderr, "%s%s: step %zu/%zu  %.1f s  %zu updates%s%s", options.progress_rewrites ? "\r\033[K" : "",
                 scenario.name.c_str(), step_number, scenario.steps.size(), now_ms() / 1000.0, recorder->updates().size(),
                 active_workloads ? "  (workload running)" : "", options.progress_rewrites ? "" : "\n");
    if (final) std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
}

}  // namespace herd::sim
