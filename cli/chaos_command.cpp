// herdsim chaos: seeded fault schedules against the in-process herd, one run per seed, each kept as
// an ordinary scenario file in its run folder (replayed by herdsim run); a sweep's pass rate, its
// failing seeds and the worst recovery from a fault.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <map>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/forked_runs.hpp"
#include "cli/shrink_command.hpp"
#include "cli/version.hpp"
#include "play/runner.hpp"
#include "scenario/chaos_schedule.hpp"
#include "scenario/loader.hpp"
#include "target/refusals.hpp"

namespace herdsim::cli {

namespace {

namespace fs = std::filesystem;
using namespace herd::sim;

struct ChaosArgs {
    std::string preset = "fall17";
    std::uint64_t first_seed = 1, last_seed = 1;
    ChaosOptions schedule;
    fs::path out_dir = "results";
    bool logs = false;
    std::optional<bool> plots;  // default: drawn for one seed, not in a sweep
    bool shrink = false;  // shrink the first failing seed's schedule
    std::size_t jobs = 1;
    unsigned seed_timeout_s = 120;  // beyond the safety phase
    std::string target;             // a target file: the schedule against external server processes
};

struct SeedResult {
    std::uint64_t seed = 0;
    RunVerdict verdict = RunVerdict::unchecked;
    int exit_code = 0;
    bool hung = false;  // killed at its deadline
    int faults = 0;
    std::size_t updates = 0, lost = 0, forgotten = 0, windows = 0;
    std::optional<double> worst_recovery_ms;  // over the fault windows that ended
    bool unrecovered = false;                 // some window never recovered
    fs::path scenario_file;
};

std::string shout(RunVerdict verdict) {
    std::string name = verdict_name(verdict);
    for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return name;
}

// The worst recovery over every fault window that ended; a window that never recovered is noted.
void recoveries(const RunRecord& run, SeedResult& result) {
    for (const auto& span : run.spans) {
        if (span.kind != "fault" || !span.recovery) continue;
        ++result.windows;
        if (const auto ms = span.recovery->recovery_ms())
            result.worst_recovery_ms = std::max(result.worst_recovery_ms.value_or(0), *ms);
        else
            result.unrecovered = true;
    }
}

// " --target FILE" when the schedule ran against one, for the commands printed.
std::string target_flag(const ChaosArgs& args) { return args.target.empty() ? "" : " --target " + args.target; }

fs::path schedule_file(const ChaosArgs& args, std::uint64_t seed) {
    return args.out_dir / ("chaos-" + args.preset) / "schedules" / ("seed" + std::to_string(seed) + ".json");
}

// One seed's run; empty when it could not run (said on stderr).
std::optional<SeedResult> run_seed(const ChaosArgs& args, const herd::HerdConfig& herd, std::uint64_t seed,
                                   const herd::sim::target::TargetSpec* target, const InterruptFlag& interrupt) {
    ChaosOptions schedule = args.schedule;
    schedule.seed = seed;
    const std::string name = "chaos-" + args.preset;
    const auto drawn = chaos_scenario(herd, {{"preset", args.preset}}, schedule, name);
    const std::string text = drawn.scenario.dump(2) + "\n";
    LoadResult loaded = parse_scenario(text, args.out_dir / name / "scenario.json");
    if (!loaded.scenario) {  // a generator bug: say so with the file's own errors
        for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
        return std::nullopt;
    }
    // Kept before the run too, so that a seed that hangs still leaves its schedule.
    fs::create_directories(schedule_file(args, seed).parent_path());
    std::ofstream(schedule_file(args, seed)) << text;
    if (target)
        if (const auto refused = herd::sim::target::refusals(*loaded.scenario, *target); !refused.empty()) {
            for (const auto& e : refused) std::cerr << "  seed " << seed << ": " << e << "\n";
            return std::nullopt;
        }
    RunOptions options;
    options.seed = seed;
    options.target = target;
    options.out_dir = args.out_dir;
    options.logs = args.logs;
    // A sweep's plots are seldom looked at and drawing them is most of a short seed's time; the
    // .gp scripts and .dat data are written either way.
    if (!args.plots.value_or(args.first_seed == args.last_seed)) options.report.gnuplot.clear();
    options.version = HERDSIM_VERSION;
    options.commit = HERDSIM_COMMIT;
    options.interrupt = &interrupt;
    options.repeat_command = "herdsim chaos --preset " + args.preset + " --seed " + std::to_string(seed) + target_flag(args);
    RunOutcome outcome = run_scenario(*loaded.scenario, options);
    if (outcome.exit_code == 2) {
        std::cerr << "  seed " << seed << ": COULD NOT RUN: " << outcome.error << "\n";
        return std::nullopt;
    }
    SeedResult result;
    result.seed = seed;
    result.verdict = outcome.run.verdict();
    result.faults = drawn.faults;
    result.exit_code = outcome.exit_code;
    result.updates = outcome.run.summary.updates;
    result.lost = outcome.run.summary.lost.size();
    result.forgotten = outcome.run.summary.forgotten.size();
    result.scenario_file = outcome.run.dir / "scenario.json";
    std::ofstream(result.scenario_file) << text;
    recoveries(outcome.run, result);
    for (const auto& v : outcome.run.verdicts)
        if (!v.passed()) std::cerr << "  seed " << seed << ": steps[" << v.step << "]: " << v.description << "\n      " << v.detail << "\n";
    std::cerr << "  seed " << seed << ": " << shout(result.verdict) << ", results " << outcome.run.dir.string() << "\n";
    return result;
}

// A seed's result through a pipe from the process that ran it: one line of numbers, then the file.
std::string to_line(const SeedResult& r) {
    std::ostringstream out;
    out << r.seed << " " << static_cast<int>(r.verdict) << " " << r.exit_code << " " << r.faults << " " << r.updates << " "
        << r.lost << " " << r.forgotten << " " << r.windows << " " << r.unrecovered << " " << r.worst_recovery_ms.value_or(-1) << "\n"
        << r.scenario_file.string() << "\n";
    return out.str();
}

std::optional<SeedResult> from_line(const std::string& text) {
    std::istringstream in(text);
    SeedResult r;
    int verdict = 0;
    double worst = -1;
    std::string file;
    if (!(in >> r.seed >> verdict >> r.exit_code >> r.faults >> r.updates >> r.lost >> r.forgotten >> r.windows >> r.unrecovered >> worst)) return std::nullopt;
    in >> std::ws;
    std::getline(in, file);
    r.verdict = static_cast<RunVerdict>(verdict);
    if (worst >= 0) r.worst_recovery_ms = worst;
    r.scenario_file = file;
    return r;
}

// Each seed in a process of its own, --jobs at a time. A seed that has not ended within its
// deadline (the schedule plus --seed-timeout) is counted as failing, HUNG.
std::vector<std::optional<SeedResult>> run_seeds(const ChaosArgs& args, const herd::HerdConfig& herd,
                                                 const herd::sim::target::TargetSpec* target, const InterruptFlag& interrupt) {
    const auto deadline_s = static_cast<unsigned>(args.schedule.duration_ms / 1000 + args.seed_timeout_s);
    std::vector<std::optional<SeedResult>> results;
    const std::size_t seeds = args.last_seed - args.first_seed + 1;
    std::size_t started = 0;
    run_forked(
        args.jobs, deadline_s,
        [&]() -> std::optional<std::size_t> {
            if (started == seeds || interrupt.raised()) return std::nullopt;
            return started++;
        },
        [&](std::size_t job) -> std::optional<std::string> {
            const auto result = run_seed(args, herd, args.first_seed + job, target, interrupt);
            if (!result) return std::nullopt;
            return to_line(*result);
        },
        [&](const ForkedEnd& end) {
            const std::uint64_t seed = args.first_seed + end.job;
            if (!end.hung) return results.push_back(end.text ? from_line(*end.text) : std::nullopt);
            std::cerr << "  seed " << seed << ": HUNG: not ended within " << deadline_s << " s; killed\n";
            SeedResult hung;
            hung.seed = seed;
            hung.verdict = RunVerdict::fail;
            hung.exit_code = 1;
            hung.hung = true;
            results.push_back(std::move(hung));
        });
    return results;
}

int chaos(ChaosArgs args) {
    const auto herd = herd::preset(args.preset);
    if (!herd) {
        std::cerr << "herdsim chaos: unknown preset \"" << args.preset << "\"\n";
        return 2;
    }
    std::optional<herd::sim::target::TargetSpec> target;
    if (!args.target.empty()) {
        try {
            target = herd::sim::target::load_target(args.target);
        } catch (const herd::sim::target::TargetError& e) {
            std::cerr << "herdsim chaos: --target: " << e.what() << "\n";
            return 2;
        }
        // Direct links: herdsim is on none of them, so only the faults of a node's process (a crash
        // kills it and starts it again, a pause stops and continues it) can be played; a mix that
        // asks for a link fault is refused.
        if (target->links == herd::sim::target::Links::direct) {
            const auto other = std::find_if(args.schedule.mix.begin(), args.schedule.mix.end(), [](const std::string& k) { return !node_fault(k); });
            if (other != args.schedule.mix.end()) {
                std::cerr << "herdsim chaos: --mix " << *other << " needs herdsim's relays on the target's links, and the target "
                          << args.target << " has \"links\": \"direct\"; give it \"links\": \"relayed\", or --mix crash,pause\n";
                return 2;
            }
            if (args.schedule.mix.empty()) args.schedule.mix = {"crash", "pause"};
            std::cout << "target " << args.target << " has direct links: drawing only crash and pause faults\n";
        }
    }
    try {  // a bad mix or a herd too small is refused before anything runs
        chaos_scenario(*herd, {{"preset", args.preset}}, args.schedule, "chaos");
    } catch (const std::invalid_argument& e) {
        std::cerr << "herdsim chaos: " << e.what() << "\n";
        return 2;
    }
    const InterruptFlag interrupt;
    const auto ran = run_seeds(args, *herd, target ? &*target : nullptr, interrupt);
    int worst = 0;
    std::vector<SeedResult> results;
    for (const auto& r : ran) {
        if (!r) {
            worst = 2;
            continue;
        }
        worst = std::max(worst, r->exit_code);
        results.push_back(*r);
    }
    std::sort(results.begin(), results.end(), [](const SeedResult& a, const SeedResult& b) { return a.seed < b.seed; });

    // forgot: updates gone with every node that held them (crashed before passing them on), not lost.
    std::cout << "seed  verdict  faults  updates  lost  forgot  windows  worst recovery ms\n";
    std::size_t passed = 0, unchecked = 0;
    double worst_recovery = 0;
    std::cout << std::fixed << std::setprecision(1);
    for (const auto& r : results) {
        passed += r.verdict == RunVerdict::pass;
        unchecked += !r.hung && r.verdict == RunVerdict::unchecked;
        if (r.worst_recovery_ms) worst_recovery = std::max(worst_recovery, *r.worst_recovery_ms);
        std::cout << std::left << std::setw(6) << r.seed << std::setw(9) << shout(r.verdict) << std::right << std::setw(6)
                  << r.faults << std::setw(9) << r.updates << std::setw(6) << r.lost << std::setw(8) << r.forgotten << std::setw(9) << r.windows << std::setw(19);
        if (r.hung) std::cout << "hung";
        else if (r.unrecovered) std::cout << "not recovered";
        else if (r.worst_recovery_ms) std::cout << *r.worst_recovery_ms;
        else std::cout << "-";
        std::cout << "\n";
    }
    int faults = 0;
    for (const auto& r : results) faults += r.faults;
    std::cout << "passed " << passed << " of " << results.size() << " seeds, " << unchecked << " unchecked, "
              << results.size() - passed - unchecked << " failed; " << faults << " faults drawn in all; worst recovery "
              << worst_recovery << " ms\n";
    // An unchecked seed failed nothing: the run could not judge (it fell behind, say), and says why.
    for (const auto& r : results) {
        if (r.hung)
            std::cout << "failing seed " << r.seed << " (hung): herdsim run " << schedule_file(args, r.seed).string() << target_flag(args) << "\n";
        else if (r.verdict != RunVerdict::pass)
            std::cout << (r.verdict == RunVerdict::unchecked ? "unchecked seed " : "failing seed ") << r.seed
                      << ": herdsim run " << r.scenario_file.string() << target_flag(args) << "\n";
    }
    if (interrupt.raised()) return 130;
    if (args.shrink) {
        const auto failing = std::find_if(results.begin(), results.end(),
                                          [](const SeedResult& r) { return !r.hung && r.verdict == RunVerdict::fail; });
        if (failing != results.end()) {
            ShrinkArgs shrinking;
            shrinking.file = failing->scenario_file;
            shrinking.out_dir = args.out_dir;
            shrinking.target = args.target;
            shrink(shrinking);
        }
    }
    return worst;
}

// "7" or "1..50".
bool parse_seeds(const std::string& text, ChaosArgs& args) {
    const auto number = [](std::string_view part, std::uint64_t& value) {
        const auto [stop, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
        return !part.empty() && ec == std::errc() && stop == part.data() + part.size();
    };
    const auto dots = text.find("..");
    if (dots == std::string::npos) return number(text, args.first_seed) && number(text, args.last_seed);
    return number(std::string_view(text).substr(0, dots), args.first_seed) &&
           number(std::string_view(text).substr(dots + 2), args.last_seed) && args.first_seed <= args.last_seed;
}

}  // namespace

void add_chaos_command(CLI::App& app, Action& action) {
    auto args = std::make_shared<ChaosArgs>();
    auto* cmd = app.add_subcommand("chaos", "Seeded fault schedules against the herd: safety under faults, then heal, quiet and liveness");
    cmd->add_option("--preset", args->preset, "The herd")->check(CLI::IsMember(herd::preset_names()))->capture_default_str();
    cmd->add_option_function<std::string>(
           "--seeds,--seed",
           [args](const std::string& text) {
               if (!parse_seeds(text, *args)) throw CLI::ValidationError("--seeds", "must be N or FIRST..LAST, not \"" + text + "\"");
           },
           "One seed (7) or a sweep (1..100); default 1");
    cmd->add_option("--faults", args->schedule.faults, "Faults drawn per seed")->check(CLI::Range(0, 10000))->capture_default_str();
    cmd->add_option_function<double>(
           "--time-limit", [args](double s) { args->schedule.duration_ms = static_cast<int>(s * 1000); },
           "Seconds of the safety phase (faults and workload); default 10")
        ->check(CLI::Range(0.1, 86400.0));
    cmd->add_option("--rate", args->schedule.rate, "Workload updates per second")->check(CLI::Range(0.001, 100000.0))->capture_default_str();
    cmd->add_option("--mix", args->schedule.mix, "Fault kinds to draw from (default all): crash,pause,partition,cut,one-way,delay,drop,reset")
        ->delimiter(',')
        ->check(CLI::IsMember(chaos_fault_kinds()));
    cmd->add_option("--recovery-ms", args->schedule.recovery_ms, "Bound on the recovery after the final heal")
        ->check(CLI::Range(0, 86400000))
        ->capture_default_str();
    cmd->add_option("--window-recovery-ms", args->schedule.window_recovery_ms,
                    "Bound on the recovery after every heal and restart (from the end of the faults overlapping it, if any)")
        ->check(CLI::Range(0, 86400000))
        ->capture_default_str();
    cmd->add_option("--jobs", args->jobs, "Seeds run at once, each in a process of its own")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    cmd->add_option("--seed-timeout", args->seed_timeout_s,
                    "Seconds a seed may take beyond --time-limit before it is killed and counted as HUNG")
        ->check(CLI::Range(1, 86400))
        ->capture_default_str();
    cmd->add_option("--target", args->target,
                    "A target file (docs/target.md): the schedule against external server processes (a crash kills the "
                    "process and starts it again, a pause stops its process group and continues it; link faults need "
                    "\"links\": \"relayed\")");
    cmd->add_option("--out", args->out_dir, "Results folder: <out>/chaos-<preset>/<run-id>/")->capture_default_str();
    cmd->add_flag("--logs,!--no-logs", args->logs, "Write each node's log into the run folder (default: not)");
    cmd->add_flag("--plots,!--no-plots", args->plots, "Draw each seed's plots (default: for one seed, not in a sweep)");
    cmd->add_flag("--shrink", args->shrink, "Shrink the first failing seed's schedule (herdsim shrink) and print the command that replays it");
    cmd->footer(R"(Each seed's whole schedule is written as <run>/scenario.json: `herdsim run` replays it, `herdsim validate` accepts it.
Exit code: 0 every seed passed, 1 some failed (listed with the command that replays each), 2 could not run, 130 interrupted.

Examples:
  herdsim chaos --seed 7
  herdsim chaos --seeds 1..50 --faults 20 --time-limit 5 --jobs 2
  herdsim chaos --mix crash,partition --rate 50
  herdsim chaos --seeds 1..5 --target tests/fixtures/python_herd/target.json)");
    cmd->callback([args, &action] { action = [args] { return chaos(*args); }; });
}

}  // namespace herdsim::cli
