// Waits and checks: what looks at the herd without acting on it. A wait lets it run; a check turns
// what it holds or did into verdicts.
#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <set>
#include <sstream>

#include "play/steps.hpp"
#include "protocol/command.hpp"
#include "record/recovery.hpp"

namespace herd::sim {

namespace {

// A bound as the file gave it: 86400000 and 0.25, not 8.64e+07.
std::string bound_text(double ms) {
    char text[32];
    std::snprintf(text, sizeof text, "%.15g", ms);
    return text;
}

// When a check ran, for its detail: " at 1234.5 ms".
std::string at_ms(double ms) {
    char text[32];
    std::snprintf(text, sizeof text, " at %.1f ms", ms);
    return text;
}

// A check built on the flood lines the relays saw cannot be judged when some could not be read or
// none went through the relays: it is UNCHECKED, saying why (true then).
bool floods_unseen(RunContext& run, const Step& step, const std::string& what) {
    const auto why = run.herd->floods_unseen();
    if (why) run.unchecked(step, what, *why);
    return why.has_value();
}

// " in phase NAME", for a gate that judges one phase.
std::string in_phase(const std::string& phase) { return phase.empty() ? "" : " in phase " + phase; }

// Judged on what the nodes hold now: for each update, the live nodes that hold it or a newer
// record for its client, and everything they can reach, must all hold one.
void expect_lost_now(RunContext& run, const Step& step, const ExpectLostStep& s) {
    // What each live node reaches (links may be cut one way), found once.
    std::map<std::string, std::vector<std::string>> reach;
    for (const auto& name : run.herd->names())
        if (run.herd->is_up(name)) reach[name] = run.herd->reachable(name);
    // What each live node holds, asked once: client -> time.
    const std::vector<std::string> clients(run.clients.begin(), run.clients.end());
    std::map<std::string, std::map<std::string, Nanos>> held;
    for (const auto& [node, reached] : reach)
        for (const auto& [client, line] : run.herd->records(node, clients)) held[node][client] = record_time(line);
    std::size_t lost = 0;
    std::string first;
    for (const auto& u : run.recorder->updates()) {
        auto holds = [&](const std::string& node) {
            const auto& records = held[node];
            const auto it = records.find(u.client);
            return it != records.end() && it->second >= u.client_time;
        };
        std::set<std::string> required;
        for (const auto& [node, reached] : reach)
            if (holds(node)) required.insert(reached.begin(), reached.end());
        std::vector<std::string> missing;
        for (const auto& node : required)
            if (!holds(node)) missing.push_back(node);
        if (missing.empty()) continue;
        if (lost++ == 0) {
            first = u.client + " " + u.client_time_text + " from " + u.origin + " missing at";
            for (const auto& m : missing) first += " " + m;
        }
    }
    std::string detail = std::to_string(lost) + " of " + std::to_string(run.recorder->updates().size()) +
                         " updates lost (required: every live node connected to a holder)";
    if (lost) detail += "; first: " + first;
    run.verdict(step, "at most " + std::to_string(s.max_lost) + " updates lost", lost <= static_cast<std::size_t>(s.max_lost),
                detail);
}

// The updates of an exact message count that cost other than 2E-(N-1) lines: those a newer report
// overtook (fewer lines, rightly: counted apart) and the others, with extra or missing lines. An
// overtaken update with more lines than that has extra ones all the same.
struct ExactCount {
    std::vector<const OvertakenUpdate*> overtaken;
    std::vector<std::pair<std::size_t, std::uint64_t>> extra, missing;  // (update id, lines)
};

ExactCount exact_count(const MessageStats& m, std::uint64_t expected) {
    std::map<std::size_t, const OvertakenUpdate*> overtaken;
    for (const auto& o : m.overtaken) overtaken.emplace(o.id, &o);
    ExactCount count;
    for (std::size_t i = 0; i < m.per_update.size(); ++i) {
        const std::uint64_t lines = m.per_update[i];
        const std::size_t id = m.update_ids[i];
        if (const auto it = overtaken.find(id); it != overtaken.end() && lines <= expected)
            count.overtaken.push_back(it->second);
        else if (lines != expected)
            (lines > expected ? count.extra : count.missing).emplace_back(id, lines);
    }
    return count;
}

// "; 1 overtaken by a newer report for its client, counted apart: kiwi 1600000000 from N0 (1 line,
// overtaken at N1); 2 with missing lines: ...": the first few of each, by update id.
std::string exact_detail(const RunContext& run, const ExactCount& count) {
    constexpr std::size_t shown = 3;
    const auto name = [&](std::size_t id) {
        const auto& u = run.recorder->updates()[id];
        return u.client + " " + u.client_time_text + " from " + u.origin;
    };
    const auto lines = [](std::uint64_t n) { return std::to_string(n) + (n == 1 ? " line" : " lines"); };
    std::string text;
    if (!count.overtaken.empty()) {
        text += "; " + std::to_string(count.overtaken.size()) + " overtaken by a newer report for its client, counted apart:";
        for (std::size_t i = 0; i < std::min(shown, count.overtaken.size()); ++i) {
            const OvertakenUpdate& o = *count.overtaken[i];
            text += std::string(i ? "," : "") + " " + name(o.id) + " (" + lines(o.messages) + ", overtaken at";
            for (const auto& node : o.at) text += " " + node;
            text += ")";
        }
        if (count.overtaken.size() > shown) text += ", ...";
    }
    const auto list = [&](const std::vector<std::pair<std::size_t, std::uint64_t>>& updates, const char* what) {
        if (updates.empty()) return;
        text += "; " + std::to_string(updates.size()) + " with " + what + " lines:";
        for (std::size_t i = 0; i < std::min(shown, updates.size()); ++i)
            text += std::string(i ? "," : "") + " " + name(updates[i].first) + " (" + lines(updates[i].second) + ")";
        if (updates.size() > shown) text += ", ...";
    };
    list(count.extra, "extra");
    list(count.missing, "missing");
    return text;
}

}  // namespace

void wait(RunContext& run, const Step&, const WaitStep& s) {
    const auto until = std::chrono::steady_clock::now() + s.duration;
    run.run_until([&] { return std::chrono::steady_clock::now() >= until; }, s.duration + std::chrono::seconds(1),
                  [&] { return until; });
}

void wait(RunContext& run, const Step& step, const WaitQuietStep& s) {
    // Quiet: no workload, nothing held in the herd, and no flood line handled nor step taken for
    // `quiet`. Asked after each burst of the herd's handlers (the clocks first: they are cheap), and
    // once `quiet` has passed since the later of the two.
    const auto quiet_from = [&] { return std::max(run.recorder->last_activity(), run.last_change); };
    const bool quiet = run.run_until([&] {
        return run.recorder->now() - quiet_from() >= s.quiet && run.active_workloads == 0 && run.herd->quiet();
    }, s.timeout, [&] { return quiet_from() + s.quiet; });
    if (!quiet)
        run.verdict(step, "quiet for " + std::to_string(s.quiet.count()) + " ms", false,
                    "floods still in flight after " + std::to_string(s.timeout.count()) + " ms");
}

void check(RunContext& run, const Step& step, const ExpectKnowsStep& s) {
    const std::string what = s.node + (s.knows ? " knows " : " does not know ") + s.client;
    if (!run.herd->is_up(s.node)) return run.verdict(step, what, false, s.node + " is down");
    const auto when = at_ms(run.now_ms());
    const Holding held = run.herd->holdings(s.node, {s.client})[s.client];
    const std::string poll = poll_text(held);
    const std::string shown = poll.empty() ? "" : "; " + poll + when;
    if (held.kind == Holding::Kind::unreadable) return run.unchecked(step, what, poll + when);
    const bool known = held.kind == Holding::Kind::record;
    if (!s.knows)
        return run.verdict(step, what, !known, known ? "it holds \"" + held.record + "\"" + shown : "unknown, as expected");
    std::optional<Nanos> want;
    std::string want_text;
    if (s.time) {
        want = parse_posix_time(*s.time);
        want_text = *s.time;
    } else if (auto it = run.newest_sent.find(s.client); it != run.newest_sent.end()) {
        want = it->second;
        want_text = "the newest sent (" + format_posix_time(it->second) + ")";
    }
    if (!want) return run.verdict(step, what, false, "no IAMAT for " + s.client + " was sent in this run");
    if (!known) return run.verdict(step, what + " at " + want_text, false, "it does not know " + s.client + shown);
    const Command parsed = parse_line(held.record);
    const auto* at = std::get_if<At>(&parsed);
    const bool ok = at && at->time == *want;
    run.verdict(step, what + " at " + want_text, ok,
                ok ? "holds \"" + held.record + "\"" : "it holds an other record: \"" + held.record + "\"" + shown);
}

void check(RunContext& run, const Step& step, const ExpectConvergedStep&) {
    // Every group of live nodes that can reach each other must hold identical records, over every
    // client a client line named (the ones a server can hold). A poll that could not be read leaves
    // its pair out; when nothing was left to compare, or no server held anything, nothing was judged.
    const std::vector<std::string> clients(run.clients.begin(), run.clients.end());
    const auto when = at_ms(run.now_ms());
    std::map<std::string, std::map<std::string, Holding>> polled;  // asked once per node
    auto holdings = [&](const std::string& node) -> const std::map<std::string, Holding>& {
        auto it = polled.find(node);
        if (it == polled.end()) it = polled.emplace(node, run.herd->holdings(node, clients)).first;
        return it->second;
    };
    std::set<std::string> seen;
    std::string problem;
    std::string unreadable;  // the first
    std::size_t unreadable_count = 0;
    std::size_t records = 0;
    for (const auto& name : run.herd->names()) {
        if (!run.herd->is_up(name) || seen.count(name)) continue;
        const auto group = run.herd->reachable(name);
        seen.insert(group.begin(), group.end());
        for (const auto& client : clients) {
            const Holding* reference = nullptr;  // the first readable answer in the group
            std::string holder;
            for (const auto& node : group) {
                const auto found = holdings(node).find(client);
                if (found == holdings(node).end()) continue;
                const Holding& held = found->second;
                if (held.kind == Holding::Kind::unreadable) {
                    if (unreadable_count++ == 0) unreadable = node + ": " + poll_text(held) + when;
                    continue;
                }
                records += held.kind == Holding::Kind::record;
                if (!reference) {
                    reference = &held;
                    holder = node;
                    continue;
                }
                const bool same = held.kind == reference->kind && held.record == reference->record;
                if (!same && problem.empty()) {
                    auto holds = [](const Holding& h) { return h.kind == Holding::Kind::record ? "\"" + h.record + "\"" : std::string("nothing"); };
                    problem = node + " holds " + holds(held) + " for " + client + " where " + holder + " holds " +
                              holds(*reference);
                    std::string polls;
                    for (const auto* h : {&held, reference})
                        if (const auto text = poll_text(*h); !text.empty()) polls += "; " + text;
                    if (!polls.empty()) problem += polls + when;
                }
            }
        }
    }
    const std::string what = "the herd converged";
    if (!problem.empty()) return run.verdict(step, what, false, problem);
    if (unreadable_count)
        return run.unchecked(step, what, std::to_string(unreadable_count) + " polls could not be read, first: " + unreadable);
    if (!clients.empty() && records == 0)
        return run.unchecked(step, what, "no live server holds a record of any of the " + std::to_string(clients.size()) +
                                             " clients, so there was nothing to compare");
    run.verdict(step, what, true, "every connected group of live nodes holds the same records");
}

void check(RunContext& run, const Step& step, const ExpectLatencyStep& s) {
    if (floods_unseen(run, step, "full-coverage latency gate" + in_phase(s.phase))) return;
    const Summary summary = run.summarize(s.phase);
    const auto& q = summary.full_coverage;
    std::ostringstream measured;
    measured << "full coverage over " << q.count << " updates" << in_phase(s.phase) << ": p50 " << q.p50
             << " ms, p95 " << q.p95 << " ms, p99 " << q.p99 << " ms, max " << q.max << " ms";
    bool ok = q.count > 0;
    std::string failed;
    auto gate = [&](const char* name, const std::optional<double>& bound, double value) {
        if (bound && value > *bound) {
            ok = false;
            failed += std::string(failed.empty() ? "" : ", ") + name + " above " + bound_text(*bound) + " ms";
        }
    };
    gate("p50", s.p50, q.p50);
    gate("p95", s.p95, q.p95);
    gate("p99", s.p99, q.p99);
    gate("max", s.max, q.max);
    if (q.count == 0) failed = "no update reached full coverage";
    run.verdict(step, "full-coverage latency gate" + in_phase(s.phase), ok,
                (failed.empty() ? "" : failed + "; ") + measured.str());
}

void check(RunContext& run, const Step& step, const ExpectMessagesStep& s) {
    if (floods_unseen(run, step, "messages per update" + in_phase(s.phase))) return;
    const Summary summary = run.summarize(s.phase);
    const std::size_t n = run.herd->names().size();
    const std::uint64_t expected = 2 * run.herd->edge_count() - (n - 1);
    std::ostringstream measured;
    measured << summary.messages.per_update.size() << " updates, messages per update mean "
             << summary.messages.mean << " min " << summary.messages.min << " max " << summary.messages.max
             << "; 2E-(N-1) = " << expected;
    bool ok = !summary.messages.per_update.empty();
    if (s.max_per_update && summary.messages.max > *s.max_per_update) ok = false;
    if (s.exact_2e_minus_n_minus_1) {
        const ExactCount exact = exact_count(summary.messages, expected);
        ok = ok && exact.extra.empty() && exact.missing.empty();
        measured << exact_detail(run, exact);
    }
    run.verdict(step, "messages per update" + in_phase(s.phase), ok, measured.str());
}

void check(RunContext& run, const Step& step, const ExpectLostStep& s) {
    if (s.required == LostRequired::now) return expect_lost_now(run, step, s);
    if (floods_unseen(run, step, "at most " + std::to_string(s.max_lost) + " updates lost" + in_phase(s.phase))) return;
    const Summary summary = run.summarize(s.phase);
    std::string detail = std::to_string(summary.lost.size()) + " of " + std::to_string(summary.updates) + " updates lost";
    if (!summary.lost.empty()) {
        const auto& first = summary.lost.front();
        detail += "; first: " + first.client + " " + first.client_time + " from " + first.origin + " missing at";
        for (const auto& m : first.missing) detail += " " + m;
    }
    if (!summary.forgotten.empty())
        detail += "; " + std::to_string(summary.forgotten.size()) +
                  " more gone with every node that held them (crashed before passing them on), not counted";
    run.verdict(step, "at most " + std::to_string(s.max_lost) + " updates lost" + in_phase(s.phase),
                summary.lost.size() <= static_cast<std::size_t>(s.max_lost), detail);
}

// Every fault window that ended, each from its own heal or restart, or from the end of the faults
// that overlapped its recovery (recovery.hpp, judged_from): one that took longer than the bound
// fails, named; none judged is unchecked.
void check_each_recovery(RunContext& run, const Step& step, const ExpectRecoveryStep& s) {
    const std::string what = "recovery within " + bound_text(s.max_ms) + " ms after every heal and restart";
    std::vector<WindowSpan> spans;
    for (const auto& f : run.faults) spans.push_back({f.start_ms, f.end_ms});
    std::size_t judged = 0, held = 0, overlapped = 0;
    std::optional<double> worst;
    std::string worst_name, over;
    std::size_t over_count = 0;
    for (std::size_t i = 0; i < run.faults.size(); ++i) {
        const auto r = run.recoveries.of(i);
        if (!r) continue;
        const auto from = judged_from(spans, i, r->recovered_ms);
        if (!from) {
            ++held;
            continue;
        }
        ++judged;
        overlapped += *from > r->ended_ms;
        const auto& f = run.faults[i];
        std::ostringstream line;
        line << std::fixed << std::setprecision(1);
        if (r->recovered_ms) {
            const double ms = std::max(0.0, *r->recovered_ms - *from);
            if (!worst || ms > *worst) {
                worst = ms;
                worst_name = f.name();
            }
            if (ms <= s.max_ms) continue;
            line << f.name() << " recovered " << ms << " ms after " << (*from > r->ended_ms ? "the faults overlapping it ended" : "it ended")
                 << " (at " << *from << " ms)";
        } else {
            line << f.name() << " not recovered " << run.now_ms() - *from << " ms after it ended (at " << *from
                 << " ms): " << r->missing << " (node, client) pairs short, e.g. " << r->example;
        }
        if (over_count++ == 0) over = line.str();
    }
    std::ostringstream detail;
    detail << std::fixed << std::setprecision(1);
    if (over_count) detail << over << (over_count > 1 ? "; " + std::to_string(over_count - 1) + " more over the bound" : "") << "; ";
    detail << judged << " windows judged";
    if (worst) detail << ", worst " << *worst << " ms (" << worst_name << ")";
    detail << ", " << overlapped << " of them from the end of the faults that overlapped them";
    if (held) detail << "; " << held << " not judged: a fault that overlapped them never ended";
    if (judged == 0) return run.unchecked(step, what, detail.str());
    run.verdict(step, what, over_count == 0, detail.str());
}

void check(RunContext& run, const Step& step, const ExpectRecoveryStep& s) {
    if (s.each) return check_each_recovery(run, step, s);
    std::optional<std::size_t> window;
    for (std::size_t i = 0; i < run.faults.size(); ++i) {
        const auto& f = run.faults[i];
        if (s.fault ? f.step == *s.fault : f.end_ms && (!window || *f.end_ms >= *run.faults[*window].end_ms))
            window = i;
    }
    const std::string bound = "recovery within " + bound_text(s.max_ms) + " ms";
    if (!window)
        return run.verdict(step, bound, false,
                           s.fault ? "steps[" + std::to_string(*s.fault) + "] began no fault window (that fault was already in force)"
                                   : "no fault has ended before this step");
    const auto& f = run.faults[*window];
    const std::string what = bound + " after " + f.name();
    if (!f.end_ms) return run.verdict(step, what, false, "the fault has not ended");
    const Recovery r = *run.recoveries.of(*window);
    std::ostringstream detail;
    if (const auto ms = r.recovery_ms())
        detail << "recovered " << *ms << " ms after the fault ended (at " << r.ended_ms << " ms)";
    else
        detail << "not recovered " << run.now_ms() - r.ended_ms << " ms after the fault ended: " << r.missing
               << " (node, client) pairs short, e.g. " << r.example;
    const auto ms = r.recovery_ms();
    run.verdict(step, what, ms && *ms <= s.max_ms, detail.str());
}

}  // namespace herd::sim
