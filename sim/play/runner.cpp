#include "play/runner.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "herd/herd.hpp"
#include "play/run_context.hpp"
#include "play/steps.hpp"
#include "protocol/command.hpp"
#include "report/pages.hpp"
#include "report/report.hpp"
#include "report/results_dir.hpp"
#include "serve/mock_places.hpp"
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

// A step with a time of its own (at_ms, after_ms) that started `late`: noted from 10 ms, and past
// the bound the run fell behind. A step without one has no time to be late for.
void note_late_start(RunContext& run, const Step& step, std::chrono::milliseconds late) {
    if (!step.at && step.after == std::chrono::milliseconds(0)) return;
    const std::string what = "steps[" + std::to_string(step.index) + "] started " + std::to_string(late.count()) +
                             " ms after its " + (step.at ? "at_ms" : "after_ms");
    if (late > run.options.late_bounds.step)
        run.fell_behind({Lateness::Kind::step, step.index, run.now_ms(), static_cast<double>(late.count()),
                         what + " (bound " + std::to_string(run.options.late_bounds.step.count()) + " ms)"});
    else if (late > std::chrono::milliseconds(10))
        run.recorder->note("late", what);
}

void play_timeline(RunContext& run) {
    auto previous_end = Clock::now();
    const auto start = previous_end;
    // A target's restart waits until the process listens: the at_ms after it move on by that
    // wait, so a server slow to start is not the run falling behind.
    Clock::duration restarts{0};
    run.messages->move_zero(run.recorder->set_zero(start));
    for (const Step& step : run.scenario.steps) {
        run.step_number = step.index + 1;
        const auto due = step.at ? start + *step.at + restarts : previous_end + step.after;
        run.run_until([&] { return Clock::now() >= due; }, std::chrono::hours(24), [&] { return due; });
        if (run.interrupted()) break;
        if (run.options.step_due) run.options.step_due(step);
        note_late_start(run, step, std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - due));
        const auto began = Clock::now();
        execute_step(run, step);
        if (!run.observer->failures().empty()) return;
        if (run.interrupted()) break;
        previous_end = Clock::now();
        if (run.options.target && std::holds_alternative<RestartStep>(step.action)) restarts += previous_end - began;
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

// The run's record keepers and the mock Places service, before any server exists.
void prepare_record(RunContext& run, const HerdConfig& config) {
    run.places = std::make_unique<serve::MockPlaces>(run.io.get_executor(), serve::MockPlacesOptions{.failed = run.failed()});
    run.places->set_rules(run.scenario.places.rules);
    std::vector<std::string> names;
    std::map<std::string, std::vector<std::string>, std::less<>> peers;
    for (const auto& s : config.servers) {
        names.push_back(s.name);
        peers[s.name] = config.neighbours(s.name);
    }
    run.recorder = std::make_unique<Recorder>(std::move(names));
    if (!run.options.target) run.recorder->set_peers(peers);  // a target's sends are not seen
    run.messages = std::make_unique<MessageLog>(*run.recorder, std::move(peers), run.options.messages_cap);
    run.observer = std::make_unique<RunObserver>(*run.recorder, run.recoveries, *run.messages);
}

// The herd the scenario runs against: a target's processes, or servers in this process; its
// servers ask the mock Places service, and their links go through relays drawing on the run's rng.
std::unique_ptr<RunHerd> make_herd(RunContext& run, const HerdConfig& config, const std::filesystem::path& dir) {
    const Scenario& scenario = run.scenario;
    PlacesSettings places;
    places.api = scenario.places.api;
    places.base_url = run.places->url();
    places.timeout = scenario.places.timeout;
    places.limits = scenario.places.limits;
    if (run.options.target) {
        target::ProcessHerdOptions process_options;
        process_options.fixed_ports = scenario.herd.fixed_ports;
        process_options.dir = dir / "target";
        process_options.places = places;
        process_options.record = run.observer.get();
        process_options.rng = &run.link_rng;
        process_options.failed = run.failed();
        return std::make_unique<target::ProcessHerd>(run.io, config, *run.options.target, process_options);
    }
    HerdOptions herd_options;
    herd_options.fixed_ports = scenario.herd.fixed_ports;
    if (run.options.logs) herd_options.server.log_dir = dir / "logs";
    herd_options.server.places = places;
    if (scenario.per_burst_links) herd_options.server.link_policy = LinkPolicy::per_burst;
    herd_options.observer = run.observer.get();
    herd_options.rng = &run.link_rng;
    herd_options.failed = run.failed();
    return std::make_unique<Herd>(run.io, config, herd_options);
}

// Every server asks its neighbours for a catch-up when it starts: the timeline begins once that
// exchange is over, so that no step's messages or faults mix with it. Server processes say nothing
// of their start-up, and their relays are idle before the first request: for them, the exchange
// is over once the relays have carried nothing for a while. Longer than expected (LateBounds), the
// run fell behind; a start-up that has not ended after many times that is not slow but stuck, and
// throws.
void settle_start_up(RunContext& run, std::size_t nodes) {
    const auto expected = run.options.late_bounds.start_up(nodes);
    const auto limit = std::max<std::chrono::milliseconds>(std::chrono::seconds(60), 20 * expected);
    const auto began = Clock::now();
    const auto settle = run.options.target ? std::chrono::milliseconds(250) : std::chrono::milliseconds(0);
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
    if (!run.run_until(settled, limit, [&] { return idle_since + settle; }))
        throw std::runtime_error("the start-up catch-up exchange did not end within " +
                                 std::to_string(limit.count() / 1000) + " s");
    const std::chrono::duration<double, std::milli> took = Clock::now() - began;
    run.start_up_ms = took.count();
    if (took > expected) {
        char text[32];
        std::snprintf(text, sizeof text, "%.1f", took.count());
        run.fell_behind({Lateness::Kind::start_up, std::nullopt, run.now_ms(), (took - expected).count(),
                         std::string("the herd's start-up took ") + text + " ms, expected at most " +
                             std::to_string(expected.count()) + " ms for " + std::to_string(nodes) + " nodes"});
    }
}

// Starts the herd and waits out its start-up; then the scenario's default delay applies to every link.
void start_herd(RunContext& run, const HerdConfig& config, const std::filesystem::path& dir) {
    prepare_record(run, config);
    run.max_line = config.limits.max_line;
    run.herd = make_herd(run, config, dir);
    run.recorder->set_reachable([&run](std::string_view origin) { return run.herd->reachable(origin); });
    run.herd->start();
    settle_start_up(run, config.servers.size());
    for (Relay* relay : run.herd->relays())
        relay->set_delay(run.scenario.default_delay, run.scenario.default_jitter, default_distribution(run));
    if (run.options.herd_ready) run.options.herd_ready(*run.herd);
}

// What ran, what happened and what was judged, from the run's state once the timeline is over.
void keep_record(const RunContext& run, const HerdConfig& config, RunRecord& record) {
    record.scenario = run.scenario.name;
    record.command = run.options.repeat_command;
    record.version = run.options.version;
    record.commit = run.options.commit;
    record.nodes = run.recorder->nodes();
    record.edges = config.links.size();
    record.summary = run.recorder->summarize();
    record.faults = run.faults;
    record.spans = span_reports(*run.recorder, run.phases, run.faults, run.recoveries);
    record.exchanges = run.exchanges;
    record.resolution = run.herd->latency_resolution();
    record.interrupted = run.interrupted();
    record.start_up_ms = run.start_up_ms;
    record.late_bounds = run.options.late_bounds;
    record.behind = run.behind;
    record.verdicts = run.verdicts;
    record.has_expectation = has_expectation(run.scenario);
}

Played play(const Scenario& scenario, const RunOptions& options, const std::string& id, const std::string& started_at) {
    Played played;
    RunOutcome& outcome = played.outcome;
    RunRecord& record = outcome.run;
    record.seed = options.seed.value_or(scenario.seed);
    record.run_id = id;
    record.started_at = started_at;
    record.dir = options.out_dir / scenario.name / id;
    RunContext run(scenario, options, record.seed);
    const HerdConfig& config = scenario.herd.derived;
    try {
        start_herd(run, config, record.dir);
    } catch (const std::exception& e) {
        outcome.error = scenario.file.string() + ": could not start the herd: " + e.what();
        return played;
    }
    run.recorder->note("start", "herd up: " + std::to_string(config.servers.size()) + " nodes, " +
                                    std::to_string(config.links.size()) + " links");
    play_timeline(run);
    run.progress_line(true);
    if (ended_by_failure(run, outcome)) return played;
    keep_record(run, config, record);
    outcome.exit_code = record.interrupted ? 130 : record.verdict() == RunVerdict::fail ? 1 : 0;
    run.herd->stop();
    played.recorder = std::move(run.recorder);
    played.messages = std::move(run.messages);
    return played;
}

}  // namespace

// A places step: the mock answers by the step's rules from now on.
void act(RunContext& run, const Step&, const PlacesStep& s) {
    run.places->set_rules(s.rules);
    // Answers cached under the old rules would hide the new ones.
    run.herd->clear_places_caches();
    run.recorder->note("places", std::to_string(s.rules.size()) + " rule(s)");
}

namespace {

// A run id whose folder this run creates: runs started in the same millisecond (a shrink's or a
// sweep's, forked together) would otherwise share one, and a target's servers would read each
// other's config files there. The next millisecond's id is taken instead.
std::string claim_run_id(const std::filesystem::path& parent, std::uint64_t seed, std::chrono::system_clock::time_point start) {
    std::filesystem::create_directories(parent);
    for (int later = 0;; ++later) {
        std::string id = run_id(seed, start + std::chrono::milliseconds(later));
        if (std::filesystem::create_directory(parent / id) || later == 1000) return id;
    }
}

}  // namespace

RunOutcome run_scenario(const Scenario& scenario, const RunOptions& options) {
    const auto wall_start = std::chrono::system_clock::now();
    std::string id;
    std::optional<CurrentRun> current;
    try {
        id = claim_run_id(options.out_dir / scenario.name, options.seed.value_or(scenario.seed), wall_start);
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
    const RunVerdict verdict = run.verdict();
    if (options.logs && options.logs_only_failed && verdict != RunVerdict::fail && verdict != RunVerdict::interrupted) {
        std::error_code ignored;
        std::filesystem::remove_all(run.dir / "logs", ignored);
        run.logs = NodeLogs{options.log_cap, {}, true};
    } else if (options.logs) {
        run.logs = NodeLogs{options.log_cap, cap_logs(run.dir / "logs", options.log_cap)};
    }
    try {
        outcome.warnings = write_report(run, *played.recorder, played.messages.get(), options.report);
    } catch (const std::exception& e) {
        outcome.warnings.push_back(std::string("could not write the results: ") + e.what());
    }
    current.reset();
    if (options.keep) outcome.pruned = prune_runs(run.dir, *options.keep, outcome.warnings);
    try {
        write_results_index(options.out_dir);
    } catch (const std::exception& e) {
        outcome.warnings.push_back(std::string("could not write the results page: ") + e.what());
    }
    return outcome;
}

}  // namespace herd::sim
