// herdsim shrink: removes faults and client operations from a failing scenario while it still fails
// the same way (one of the expectations that failed at first fails again), in most of a few runs
// of each candidate because the herd's timing is real.
#include "cli/shrink_command.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/forked_runs.hpp"
#include "cli/version.hpp"
#include "play/runner.hpp"
#include "scenario/loader.hpp"
#include "scenario/shrink.hpp"
#include "scenario/shrink_cuts.hpp"
#include "scenario/shrink_time.hpp"
#include "scenario/shrink_votes.hpp"
#include "target/refusals.hpp"

namespace herdsim::cli {

namespace {

namespace fs = std::filesystem;
using namespace herd::sim;
using Json = nlohmann::ordered_json;

// What a failure is, whatever steps were removed before it: step numbers move, so they are left out.
std::string failure_kind(const std::string& description) {
    static const std::regex step_number(R"(steps\[[0-9]+\])");
    return std::regex_replace(description, step_number, "steps[]");
}

const std::string hung_kind = "HUNG (not ended within its deadline)";
// A run that failed nothing and judged nothing (it fell behind on a busy machine, say).
const std::string unjudged = "UNCHECKED (nothing judged)";

struct Shrinker {
    const ShrinkArgs& args;
    Json scenario;
    std::vector<ShrinkEvent> events;
    const herd::sim::target::TargetSpec* target = nullptr;
    std::filesystem::path folder;    // <out>/shrink-<scenario>/: the result, and the candidates' runs
    std::set<std::string> failures;  // the kinds of failure FILE showed
    unsigned deadline_s = 0;
    int runs = 0;
    std::int64_t max_gap_ms = 0;  // a candidate's idle stretches are cut to this; 0: it keeps its times

    // The scenario with only the `kept` events, its idle stretches cut.
    Json candidate(const std::vector<std::size_t>& kept) const {
        return cut_idle_time(keep_events(scenario, events, kept), max_gap_ms);
    }

    // One run of the scenario with `kept` events, in a child: the kinds of its failures, a line each.
    std::optional<std::string> run_once(const std::vector<std::size_t>& kept) const {
        const Json candidate = this->candidate(kept);
        LoadResult loaded = parse_scenario(candidate.dump(2) + "\n", args.file);
        if (!loaded.scenario) {
            for (const auto& e : loaded.errors) std::cerr << "  candidate refused: " << e.to_string() << "\n";
            return std::nullopt;
        }
        RunOptions options;
        options.out_dir = folder;
        options.logs = false;
        options.report.gnuplot.clear();  // a candidate's plots are never looked at
        options.version = HERDSIM_VERSION;
        options.commit = HERDSIM_COMMIT;
        options.target = target;
        // A target's start-up can meet a port another run took meanwhile: that is no verdict, so it
        // is tried again.
        RunOutcome outcome = run_scenario(*loaded.scenario, options);
        for (int again = 0; outcome.exit_code == 2 && again < 2; ++again) outcome = run_scenario(*loaded.scenario, options);
        if (outcome.exit_code == 2) {
            std::cerr << "  candidate could not run: " << outcome.error << "\n";
            return std::nullopt;
        }
        std::string kinds;
        bool unchecked = false;
        for (const auto& v : outcome.run.verdicts) {
            if (v.kind == VerdictKind::fail) kinds += failure_kind(v.description) + "\n";
            unchecked = unchecked || v.kind == VerdictKind::unchecked;
        }
        return kinds.empty() && unchecked ? unjudged + "\n" : kinds;
    }

    // Whether one run's failures include one FILE showed.
    bool fails_the_same_way(const std::string& kinds) const {
        std::istringstream lines(kinds);
        for (std::string kind; std::getline(lines, kind);)
            if (failures.count(kind)) return true;
        return false;
    }

    // One run's end: whether it failed the way FILE did (a hang only when FILE's runs hung).
    bool failed_the_same_way(const ForkedEnd& end) const {
        return end.hung ? failures.count(hung_kind) > 0 : end.text && fails_the_same_way(*end.text);
    }

    // The batch's first candidate that fails in most of its `tries` runs, `jobs` runs at once; no run
    // starts once one does.
    std::optional<std::size_t> first_failing(const std::vector<std::vector<std::size_t>>& candidates) {
        std::vector<CandidateRuns> batch(candidates.size());
        bool could_not_run = false;
        run_forked(
            args.jobs, deadline_s,
            [&]() -> std::optional<std::size_t> {
                if (could_not_run) return std::nullopt;
                return next_run(batch, args.tries);
            },
            [&](std::size_t c) { return run_once(candidates[c]); },
            [&](const ForkedEnd& end) {
                ++runs;
                ++batch[end.job].ended;
                if (!end.hung && !end.text) could_not_run = true;
                else if (failed_the_same_way(end)) ++batch[end.job].failed;
            });
        if (could_not_run) throw std::runtime_error("a candidate could not run (above)");
        return failing(batch, args.tries);
    }

    // How many of `tries` runs of the scenario with `kept` events fail the way FILE did.
    int failing_runs(const std::vector<std::size_t>& kept) {
        int started = 0, failed = 0;
        run_forked(
            args.jobs, deadline_s,
            [&]() -> std::optional<std::size_t> {
                if (started == args.tries) return std::nullopt;
                return started++;
            },
            [&](std::size_t) { return run_once(kept); },
            [&](const ForkedEnd& end) {
                ++runs;
                failed += failed_the_same_way(end);
            });
        return failed;
    }
};

// The last at_ms in the scenario: how long its schedule runs at least.
unsigned schedule_seconds(const Json& scenario) {
    long long last = 0;
    for (const auto& step : scenario["steps"])
        if (step.contains("at_ms") && step["at_ms"].is_number_integer()) last = std::max(last, step["at_ms"].get<long long>());
    return static_cast<unsigned>(last / 1000);
}

std::string read_text(const fs::path& file) {
    std::ifstream in(file);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

int shrink(const ShrinkArgs& args) {
    const auto started = std::chrono::steady_clock::now();
    LoadResult loaded = load_scenario(args.file);
    if (!loaded.scenario) {
        for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
        return 2;
    }
    std::optional<herd::sim::target::TargetSpec> target;
    if (!args.target.empty()) {
        try {
            target = herd::sim::target::load_target(args.target);
        } catch (const herd::sim::target::TargetError& e) {
            std::cerr << "herdsim shrink: --target: " << e.what() << "\n";
            return 2;
        }
        const auto refused = herd::sim::target::refusals(*loaded.scenario, *target);
        for (const auto& e : refused) std::cerr << e << "\n";
        if (!refused.empty()) return 2;
    }
    Shrinker shrinker{args, Json::parse(read_text(args.file)), {}, target ? &*target : nullptr,
                      args.out_dir / ("shrink-" + loaded.scenario->name), {}, 0, 0, args.max_gap_ms};
    shrinker.events = shrink_events(shrinker.scenario);
    shrinker.deadline_s = schedule_seconds(shrinker.scenario) + args.run_timeout_s;
    const std::size_t before = shrinker.events.size();
    std::cout << "shrink " << args.file.string() << ": " << before << " events (faults and client operations), "
              << args.tries << " runs per candidate, " << args.jobs << " at once\n";

    // What FILE's failure is: the kinds of failure every one of its runs shows. One that only some
    // show is the machine's timing, not the failure to keep. A run that judged nothing tells
    // nothing, so another is made in its place (up to twice --tries more runs).
    std::vector<std::size_t> all(before);
    for (std::size_t i = 0; i < before; ++i) all[i] = i;
    bool could_not_run = false;
    std::vector<std::set<std::string>> seen;
    int runs_started = 0, runs_unjudged = 0;
    run_forked(
        args.jobs, shrinker.deadline_s,
        [&]() -> std::optional<std::size_t> {
            if (could_not_run || runs_started - runs_unjudged == args.tries || runs_started == 3 * args.tries)
                return std::nullopt;
            return runs_started++;
        },
        [&](std::size_t) { return shrinker.run_once(all); },
        [&](const ForkedEnd& end) {
            ++shrinker.runs;
            if (end.text == unjudged + "\n") {
                ++runs_unjudged;
                std::cout << "  a run of it judged nothing (UNCHECKED): another is made in its place\n";
                return;
            }
            std::set<std::string>& kinds = seen.emplace_back();
            if (end.hung) kinds.insert(hung_kind);
            else if (!end.text) could_not_run = true;
            std::istringstream lines(end.text.value_or(""));
            for (std::string kind; std::getline(lines, kind);) kinds.insert(kind);
        });
    if (!seen.empty()) shrinker.failures = seen.front();
    for (const auto& kinds : seen)
        std::erase_if(shrinker.failures, [&](const std::string& kind) { return !kinds.count(kind); });
    if (could_not_run) return 2;
    if (shrinker.failures.empty()) {
        if (seen.empty())
            std::cout << "  none of its " << runs_started << " runs judged anything (each UNCHECKED): nothing to shrink\n";
        else
            std::cout << "  no expectation failed in all " << seen.size() << " of its judged runs: nothing to shrink\n";
        return 1;
    }
    for (const auto& kind : shrinker.failures) std::cout << "  fails: " << kind << "\n";

    ShrinkResult result;
    try {
        result = shrink_schedule(shrinker.events, [&](const auto& candidates) { return shrinker.first_failing(candidates); });
    } catch (const std::runtime_error& e) {
        std::cerr << "herdsim shrink: " << e.what() << "\n";
        return 2;
    }

    Json minimal = shrinker.candidate(result.kept);
    minimal["name"] = loaded.scenario->name + "-shrunk";
    minimal["description"] = "Shrunk by herdsim shrink from " + args.file.filename().string() + " (" +
                             std::to_string(before) + " events to " + std::to_string(result.kept.size()) +
                             "): " + shrinker.scenario.value("description", std::string());
    const fs::path out = shrinker.folder / "scenario.json";
    fs::create_directories(out.parent_path());
    std::ofstream(out) << minimal.dump(2) << "\n";

    // The minimal scenario's own tries, all of them: what it was kept on may have been two agreeing runs.
    const int fails = shrinker.failing_runs(result.kept);
    const double minutes = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() / 60;
    std::cout << "  " << before << " events -> " << result.kept.size() << " in " << std::fixed << std::setprecision(1)
              << minutes << " min (" << result.rounds << " rounds, " << result.candidates << " candidates, "
              << shrinker.runs << " runs)\n";
    for (const auto e : result.kept) std::cout << "  kept: " << shrinker.events[e].label << "\n";
    std::cout << "  timed steps end at " << std::setprecision(1) << last_at_ms(minimal) / 1000.0 << " s (were at "
              << last_at_ms(shrinker.scenario) / 1000.0 << " s)\n";
    std::cout << "  fails " << fails << " of " << args.tries << " runs the same way"
              << (fails > args.tries / 2 ? "" : ": not most of them, so timing decides it (more --tries?)") << "\n";
    std::cout << "  minimal scenario: " << out.string() << "\n  replay: herdsim run " << out.string()
              << (args.target.empty() ? "" : " --target " + args.target) << "\n";
    return 0;
}

void add_shrink_command(CLI::App& app, Action& action) {
    auto args = std::make_shared<ShrinkArgs>();
    auto* cmd = app.add_subcommand("shrink", "Shrink a failing scenario to the fewest faults and client operations that still fail");
    cmd->add_option("file", args->file, "The failing scenario (a chaos run's scenario.json, say)")->required()->check(CLI::ExistingFile);
    cmd->add_option("--tries", args->tries, "Runs per candidate: it still fails when most of them fail as FILE does")
        ->check(CLI::Range(1, 100))
        ->capture_default_str();
    cmd->add_option("--jobs", args->jobs, "Runs at once, each in a process of its own")->check(CLI::Range(1, 64))->capture_default_str();
    cmd->add_option("--target", args->target, "A target file (docs/target.md): shrink against external server processes");
    cmd->add_option("--out", args->out_dir, "Results folder: <out>/shrink-<scenario>/ gets the minimal scenario and the candidates' runs")
        ->capture_default_str();
    cmd->add_option("--run-timeout", args->run_timeout_s,
                    "Seconds a run may take beyond the schedule's last at_ms before it is killed (HUNG)")
        ->check(CLI::Range(1, 86400))
        ->capture_default_str();
    cmd->add_option("--max-gap", args->max_gap_ms,
                    "Milliseconds a candidate's stretch between two timed steps is cut to (everything after it moves up); 0 keeps every step's time")
        ->check(CLI::Range(0, 86400000))
        ->capture_default_str();
    cmd->footer(R"(Writes <out>/shrink-<scenario>/scenario.json and prints the command that replays it.
A candidate still fails when most of its runs fail an expectation that failed in every one of FILE's own runs
(one that fails now and then under load is not kept). The minimal scenario is run --tries times more: "fails k of n".
Cuts by fault kind and by node come first, then delta debugging. A candidate's stretches between timed steps
longer than --max-gap are cut to it (the minimal scenario written too); for a failure that needs them, --max-gap 0.
Exit code: 0 written, 1 no expectation failed in every judged run (nothing to shrink), 2 could not run.

Examples:
  herdsim shrink results/chaos-fall17/latest/scenario.json --tries 5 --jobs 8
  herdsim shrink tests/data/scenarios/restart_forgets.json --target tests/fixtures/python_herd/target.json)");
    cmd->callback([args, &action] { action = [args] { return shrink(*args); }; });
}

}  // namespace herdsim::cli
