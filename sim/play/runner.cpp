#include "play/runner.hpp"

#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <iostream>
#include <set>
#include <sstream>

#include "herd/herd.hpp"
#include "play/run_context.hpp"
#include "protocol/command.hpp"
#include "report/report.hpp"
#include "report/results_dir.hpp"
#include "target/process_herd.hpp"

namespace herd::sim {

namespace {

using Clock = std::chrono::steady_clock;

// UTC with milliseconds, in `format` (strftime) followed by ".mmmZ".
std::string utc_stamp(std::chrono::system_clock::time_point now, const char* format) {
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm utc{};
    gmtime_r(&t, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, format, &utc);
    char out[48];
    std::snprintf(out, sizeof out, "%s.%03lldZ", stamp, static_cast<long long>(ms));
    return out;
}

std::string run_id(std::uint64_t seed, std::chrono::system_clock::time_point now) {
    return utc_stamp(now, "%Y%m%dT%H%M%S") + "-seed" + std::to_string(seed);
}

std::string iso_utc(std::chrono::system_clock::time_point now) { return utc_stamp(now, "%Y-%m-%dT%H:%M:%S"); }

void play_timeline(RunContext& run) {
    auto previous_end = Clock::now();
    const auto start = previous_end;
    for (const Step& step : run.scenario.steps) {
        run.step_number = step.index + 1;
        const auto due = step.at ? start + *step.at : previous_end + step.after;
        run.run_until([&] { return Clock::now() >= due; }, std::chrono::hours(24));
        if (run.interrupted()) break;
        const auto late = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - due);
        if (step.at && late > std::chrono::milliseconds(10))
            run.recorder->note("late", "steps[" + std::to_string(step.index) + "] started " +
                                           std::to_string(late.count()) + " ms after its at_ms");
        execute_step(run, step);
        if (!run.observer->failures().empty()) return;
        if (run.interrupted()) break;
        previous_end = Clock::now();
    }
    if (run.interrupted()) run.recorder->note("interrupted", "at steps[" + std::to_string(run.step_number - 1) + "]");
    // Background workloads finish, and replies still awaited are judged, before the run ends.
    run.run_until([&] { return run.active_workloads == 0 && run.pending_replies == 0; }, std::chrono::hours(24));
    // In step order: a reply judged in the background is listed under its send.
    std::stable_sort(run.verdicts.begin(), run.verdicts.end(),
                     [](const Verdict& a, const Verdict& b) { return a.step < b.step; });
}

// A coroutine that failed ends the run: it could not run, and the error says why.
bool ended_by_failure(const RunContext& run, RunOutcome& outcome) {
    const auto& failures = run.observer->failures();
    if (failures.empty()) return false;
    outcome.error = run.scenario.file.string() + ": " + failures.front();
    return true;
}

}  // namespace

RunContext::RunContext(const Scenario& s, const RunOptions& o, std::uint64_t seed_)
    : scenario(s), options(o), seed(seed_), link_rng(seed_), workload_rng(seed_ ^ 0x9e3779b97f4a7c15ULL) {}

void RunContext::verdict(const Step& step, std::string description, bool passed, std::string detail,
                         std::optional<double> reply_ms) {
    // A wait cut short by the interruption is no measurement.
    if (interrupted()) return;
    if (!step.note.empty()) description += " (" + step.note + ")";
    recorder->note(passed ? "expect-held" : "expect-failed", description + ": " + detail);
    verdicts.push_back({step.index, std::move(description), passed, std::move(detail), reply_ms});
}

void RunContext::client_wrote(const std::string& node, std::string_view bytes, std::string& partial, bool eof) {
    auto handle = [&](std::string_view line) {
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.size() > max_line) return;  // the server refuses it and closes
        const Command parsed = parse_line(line);
        if (const auto* c = std::get_if<IAmAt>(&parsed)) clients.emplace(c->client);
        if (const auto* c = std::get_if<At>(&parsed)) clients.emplace(c->client);
        herd->client_line(node, line);
    };
    for (std::size_t end = bytes.find('\n'); end != std::string_view::npos; end = bytes.find('\n')) {
        if (partial.size() + end <= max_line + 1) partial.append(bytes.substr(0, end));
        handle(partial);
        partial.clear();
        bytes.remove_prefix(end + 1);
    }
    if (partial.size() + bytes.size() <= max_line + 1) partial.append(bytes);
    if (eof && !partial.empty()) {
        handle(partial);
        partial.clear();
    }
}

void RunContext::open_fault(const Step& step, const std::string& label) {
    for (const auto& f : faults)
        if (f.label == label && !f.end_ms) return;
    faults.push_back({now_ms(), std::nullopt, label, step.index});
}

namespace {

// What each node that is up must come to hold for the herd to have recovered: for every client,
// the newest record any node of its connected group holds now. Pairs already held are left out.
RecoveryTargets recovery_targets(RunHerd& herd, const std::set<std::string>& known) {
    const std::vector<std::string> clients(known.begin(), known.end());
    RecoveryTargets targets;
    std::set<std::string> seen;
    for (const auto& name : herd.names()) {
        if (!herd.is_up(name) || seen.count(name)) continue;
        const auto group = herd.reachable(name);
        seen.insert(group.begin(), group.end());
        std::map<std::string, std::map<std::string, Nanos>> held;  // node -> client -> time
        std::map<std::string, Nanos, std::less<>> newest;
        for (const auto& member : group)
            for (const auto& [client, line] : herd.records(member, clients)) {
                const Nanos time = record_time(line);
                held[member][client] = time;
                auto [it, fresh] = newest.emplace(client, time);
                if (!fresh) it->second = std::max(it->second, time);
            }
        for (const auto& member : group)
            for (const auto& [client, time] : newest) {
                const auto it = held[member].find(client);
                if (it == held[member].end() || it->second < time) targets[member][client] = time;
            }
    }
    return targets;
}

}  // namespace

void RunContext::end_fault(std::size_t index) {
    faults[index].end_ms = now_ms();
    recoveries.watch(index, RecoveryWatch(*faults[index].end_ms, recovery_targets(*herd, clients)));
}

void RunContext::close_fault(const std::string& label) {
    for (std::size_t i = 0; i < faults.size(); ++i)
        if (faults[i].label == label && !faults[i].end_ms) end_fault(i);
}

void RunContext::close_faults_except_crashes() {
    for (std::size_t i = 0; i < faults.size(); ++i)
        if (!faults[i].end_ms && faults[i].label.rfind("crash ", 0) != 0) end_fault(i);
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

bool RunContext::run_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
    return sim::run_until(io, [&] {
        progress_line();
        return !observer->failures().empty() || interrupted() || done();
    }, limit) && observer->failures().empty();
}

void RunContext::progress_line(bool final) {
    if (!options.progress) return;
    const auto now = Clock::now();
    if (!final && (now - recorder->start_time() < std::chrono::seconds(1) || now - last_progress < std::chrono::milliseconds(250)))
        return;
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

std::vector<serve::MockPlacesRule> to_mock_rules(const std::vector<PlacesRuleSpec>& rules) {
    std::vector<serve::MockPlacesRule> out;
    for (const auto& r : rules) {
        serve::MockPlacesRule m;
        m.api = r.api;
        m.location = r.location;
        m.radius = r.radius;
        m.status = static_cast<unsigned>(r.status);
        if (r.has_body) m.body = r.body;
        m.delay = r.delay;
        m.fail_first = r.fail_first;
        m.malformed = r.malformed;
        m.never_answer = r.never_answer;
        m.close_without_answer = r.close_without_answer;
        out.push_back(std::move(m));
    }
    return out;
}

namespace {

// A run played to its end (or its interruption), with what its report needs; the herd is gone, so
// every node's log is closed.
struct Played {
    RunOutcome outcome;
    std::unique_ptr<Recorder> recorder;  // none: it could not run
    std::unique_ptr<MessageLog> messages;
};

// results/<scenario>/current points at the run from before its herd starts until it has ended.
struct CurrentRun {
    explicit CurrentRun(const std::filesystem::path& dir) : dir(dir) {
        std::filesystem::create_directories(dir);
        std::vector<std::string> ignored;  // a run without the link is still a run
        point_at_run(dir, "current", ignored);
    }
    ~CurrentRun() { unpoint(dir, "current"); }
    CurrentRun(const CurrentRun&) = delete;
    CurrentRun& operator=(const CurrentRun&) = delete;
    std::filesystem::path dir;
};

Played play(const Scenario& scenario, const RunOptions& options, const std::string& id, const std::string& started_at) {
    Played played;
    RunOutcome& outcome = played.outcome;
    RunRecord& record = outcome.run;
    record.seed = options.seed.value_or(scenario.seed);
    record.dir = options.out_dir / scenario.name / id;
    RunContext run(scenario, options, record.seed);

    HerdConfig config;
    try {
        config = scenario.herd.derived;
        run.places = std::make_unique<serve::MockPlaces>(run.io.get_executor(), serve::MockPlacesOptions{.failed = run.failed()});
        run.places->set_rules(to_mock_rules(scenario.places.rules));
        run.recorder = std::make_unique<Recorder>([&] {
            std::vector<std::string> names;
            for (const auto& s : config.servers) names.push_back(s.name);
            return names;
        }());
        std::map<std::string, std::vector<std::string>, std::less<>> peers;
        for (const auto& s : config.servers) peers[s.name] = config.neighbours(s.name);
        run.messages = std::make_unique<MessageLog>(*run.recorder, std::move(peers), options.messages_cap);
        run.observer = std::make_unique<RunObserver>(*run.recorder, run.recoveries, *run.messages);

        PlacesSettings places;
        places.api = scenario.places.api;
        places.base_url = run.places->url();
        places.timeout = scenario.places.timeout;
        places.limits = scenario.places.limits;
        run.max_line = config.limits.max_line;
        if (options.target) {
            target::ProcessHerdOptions process_options;
            process_options.fixed_ports = scenario.herd.fixed_ports;
            process_options.dir = record.dir / "target";
            process_options.places = places;
            process_options.observer = run.observer.get();
            process_options.rng = &run.link_rng;
            run.herd = std::make_unique<target::ProcessHerd>(run.io, config, *options.target, process_options);
        } else {
            HerdOptions herd_options;
            herd_options.fixed_ports = scenario.herd.fixed_ports;
            if (options.logs) herd_options.log_dir = record.dir / "logs";
            herd_options.places = places;
            herd_options.observer = run.observer.get();
            herd_options.rng = &run.link_rng;
            run.herd = std::make_unique<Herd>(run.io, config, herd_options);
        }
        run.recorder->set_reachable([&run](std::string_view origin) { return run.herd->reachable(origin); });
        run.herd->start();
        // Every server asks its neighbours for a catch-up when it starts: the timeline begins once
        // that exchange is over, so that no step's messages or faults mix with it. Server processes
        // say nothing of their start-up, and their relays are idle before the first request: for
        // them, the exchange is over once the relays have carried nothing for a while.
        const auto settle = options.target ? std::chrono::milliseconds(250) : std::chrono::milliseconds(0);
        const auto carried = [&] {
            std::uint64_t bytes = 0;
            for (const Relay* relay : run.herd->relays()) bytes += relay->stats().bytes;
            return bytes;
        };
        auto idle_since = Clock::now();
        auto seen = carried();
        const auto settled = [&] {
            const auto now_carried = carried();
            if (!run.herd->quiet() || now_carried != seen) {
                seen = now_carried;
                idle_since = Clock::now();
                return false;
            }
            return Clock::now() - idle_since >= settle;
        };
        if (!run.run_until(settled, std::chrono::seconds(30)))
            throw std::runtime_error("the start-up catch-up exchange did not end within 30 s");
        for (Relay* relay : run.herd->relays())
            relay->set_delay(scenario.default_delay, scenario.default_jitter);
    } catch (const std::exception& e) {
        outcome.error = scenario.file.string() + ": could not start the herd: " + e.what();
        return played;
    }
    run.recorder->note("start", "herd up: " + std::to_string(config.servers.size()) + " nodes, " +
                                    std::to_string(config.links.size()) + " links");

    play_timeline(run);
    run.progress_line(true);
    if (ended_by_failure(run, outcome)) return played;
    record.scenario = scenario.name;
    record.run_id = id;
    record.command = options.repeat_command;
    record.started_at = started_at;
    record.version = options.version;
    record.commit = options.commit;
    record.nodes = run.recorder->nodes();
    record.edges = config.links.size();
    record.summary = run.recorder->summarize();
    record.faults = run.faults;
    record.spans = span_reports(*run.recorder, run.phases, run.faults, run.recoveries);
    record.exchanges = run.exchanges;
    record.resolution = run.herd->latency_resolution();
    record.interrupted = run.interrupted();
    record.verdicts = run.verdicts;
    record.has_expectation = has_expectation(scenario);
    outcome.exit_code = record.interrupted ? 130 : record.verdict() == RunVerdict::fail ? 1 : 0;
    run.herd->stop();
    played.recorder = std::move(run.recorder);
    played.messages = std::move(run.messages);
    return played;
}

}  // namespace

RunOutcome run_scenario(const Scenario& scenario, const RunOptions& options) {
    const auto wall_start = std::chrono::system_clock::now();
    const std::string id = run_id(options.seed.value_or(scenario.seed), wall_start);
    std::optional<CurrentRun> current;
    try {
        current.emplace(options.out_dir / scenario.name / id);
    } catch (const std::exception& e) {
        RunOutcome outcome;
        outcome.error = "cannot create the results folder: " + std::string(e.what());
        return outcome;
    }
    Played played = play(scenario, options, id, iso_utc(wall_start));
    RunOutcome& outcome = played.outcome;
    RunRecord& run = outcome.run;
    if (!played.recorder) {
        // Nothing of a run that could not run is kept; fs::remove takes only an empty folder.
        std::error_code ignored;
        std::filesystem::remove(run.dir, ignored);
        return outcome;
    }
    if (options.logs) run.logs = NodeLogs{options.log_cap, cap_logs(run.dir / "logs", options.log_cap)};
    try {
        outcome.warnings = write_report(run, *played.recorder, played.messages.get(), options.report);
    } catch (const std::exception& e) {
        outcome.warnings.push_back(std::string("could not write the results: ") + e.what());
    }
    current.reset();
    if (options.keep) outcome.pruned = prune_runs(run.dir, *options.keep, outcome.warnings);
    return outcome;
}

}  // namespace herd::sim
