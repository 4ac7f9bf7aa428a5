#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/window_option.hpp"
#include "cli/version.hpp"
#include "play/runner.hpp"
#include "report/aggregate.hpp"
#include "report/maelstrom.hpp"
#include "report/text_table.hpp"
#include "scenario/flag_scenario.hpp"
#include "scenario/loader.hpp"
#include "target/refusals.hpp"

namespace herdsim::cli {

namespace fs = std::filesystem;
using namespace herd::sim;

namespace {

// Bounded by default: five runs per scenario, and node logs only of a run that failed or was stopped.
RunOptions defaults() {
    RunOptions options;
    options.keep = 5;
    options.logs_only_failed = true;
    return options;
}

struct RunArgs {
    std::vector<std::string> paths;
    RunOptions run = defaults();  // what the flags set of every run: --seed, --out, --logs, --log-cap, --keep, --messages-*
    std::uint64_t repeat = 1;
    bool json = false;
    bool progress = false;   // the progress line also when stderr is no terminal
    std::string target;      // a target file: external server processes
    std::optional<FlagRun> flags;  // --topology: a scenario from flags instead of files
    std::string flags_command;     // those flags as one command line, for the scenario's description
    std::string distribution = "uniform";
};

// One scenario to run: a file, or the text of one made from flags (kept in each run's folder).
struct Source {
    fs::path file;
    std::optional<std::string> text;
};

std::string repeat_command(const fs::path& file, std::uint64_t seed, const RunArgs& args) {
    std::string command = "herdsim run " + file.string() + " --seed " + std::to_string(seed);
    if (args.run.out_dir != "results") command += " --out " + args.run.out_dir.string();
    if (!args.target.empty()) command += " --target " + args.target;
    return command;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void write_aggregate(const fs::path& path, const nlohmann::ordered_json& aggregate) {
    std::ofstream out(path);
    out << aggregate.dump(2) << "\n";
    out.close();
    if (out) std::cerr << "  aggregate: " << path.string() << "\n";
    else std::cerr << "  warning: could not write " << path.string() << "\n";
}

void print_failures(const RunOutcome& outcome, const Scenario& scenario) {
    for (const auto& v : outcome.run.verdicts) {
        if (v.passed()) continue;
        std::cerr << (v.kind == VerdictKind::fail ? "  FAILED " : "  UNCHECKED ") << scenario.file.string() << ": steps["
                  << v.step << "]: " << v.description << "\n         " << v.detail << "\n";
    }
}

int run(const RunArgs& args) {
    std::optional<target::TargetSpec> target;
    if (!args.target.empty()) {
        try {
            target = target::load_target(args.target);
        } catch (const target::TargetError& e) {
            std::cerr << "herdsim run: --target: " << e.what() << "\n";
            return 2;
        }
    }
    std::vector<std::string> errors;
    std::vector<Source> sources;
    for (const auto& file : scenario_files(args.paths, errors)) sources.push_back({file, std::nullopt});
    if (args.flags) {
        try {
            FlagRun flags = *args.flags;
            flags.seed = args.run.seed.value_or(1);
            const auto scenario = flag_scenario(flags, args.flags_command);
            const std::string name = scenario["name"];
            sources.push_back({args.run.out_dir / name / "scenario.json", scenario.dump(2) + "\n"});
        } catch (const std::invalid_argument& e) {
            errors.push_back(e.what());
        }
    }
    int worst = errors.empty() ? 0 : 2;
    for (const auto& e : errors) std::cerr << "herdsim run: " << e << "\n";

    std::ostream& table_out = args.json ? std::cerr : std::cout;
    std::vector<RunRow> rows;
    std::vector<std::string> summaries;
    std::string maelstrom;  // runs from flags: Maelstrom's figures beside herdsim's
    const InterruptFlag interrupt;
    RunOptions every_run = args.run;
    every_run.progress_rewrites = ::isatty(STDERR_FILENO);
    every_run.progress = every_run.progress_rewrites || args.progress;
    every_run.version = HERDSIM_VERSION;
    every_run.commit = HERDSIM_COMMIT;
    every_run.target = target ? &*target : nullptr;
    every_run.interrupt = &interrupt;
    for (const auto& [file, text] : sources) {
        if (interrupt.raised()) break;
        LoadResult loaded = text ? parse_scenario(*text, file) : load_scenario(file);
        if (!loaded.scenario) {
            for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
            worst = 2;
            continue;
        }
        const Scenario& scenario = *loaded.scenario;
        if (target) {
            const auto refused = target::refusals(scenario, *target);
            for (const auto& e : refused) std::cerr << e << "\n";
            if (!refused.empty()) {
                worst = 2;
                continue;
            }
        }
        const std::uint64_t first_seed = args.run.seed.value_or(scenario.seed);
        std::vector<RunRecord> repeats;
        for (std::uint64_t k = 0; k < args.repeat && !interrupt.raised(); ++k) {
            RunOptions options = every_run;
            options.seed = first_seed + k;
            options.repeat_command = text ? args.flags_command + " --seed " + std::to_string(*options.seed)
                                          : repeat_command(file, *options.seed, args);
            std::cerr << "run: " << options.repeat_command << "\n";
            RunOutcome outcome = run_scenario(scenario, options);
            if (outcome.exit_code == 2) {
                std::cerr << "  COULD NOT RUN: " << outcome.error << "\n";
                worst = 2;
                continue;
            }
            for (const auto& l : outcome.run.behind)
                std::cerr << "  BEHIND " << scenario.file.string() << ": " << l.detail << "\n";
            print_failures(outcome, scenario);
            for (const auto& w : outcome.warnings) std::cerr << "  warning: " << w << "\n";
            for (const auto& p : outcome.pruned) std::cerr << "  --keep: deleted " << p << "\n";
            std::cerr << "  results: " << outcome.run.dir.string() << "\n";
            if (text) {
                const fs::path kept = outcome.run.dir / "scenario.json";
                std::ofstream(kept) << *text;
                std::cerr << "  scenario: " << kept.string() << " (replay: herdsim run " << kept.string() << ")\n";
                maelstrom += outcome.run.scenario + "\n" + maelstrom_table(outcome.run);
            }
            if (outcome.run.interrupted) std::cerr << "  INTERRUPTED: the results hold what ran until then\n";
            worst = std::max(worst, outcome.exit_code);
            for (auto& row : make_run_rows(outcome.run)) rows.push_back(std::move(row));
            if (args.json) summaries.push_back(read_file(outcome.run.dir / "summary.json"));
            repeats.push_back(std::move(outcome.run));
        }
        if (args.repeat > 1 && !repeats.empty()) {
            rows.push_back(aggregate_row(scenario.name, repeats));
            write_aggregate(args.run.out_dir / scenario.name / ("repeat-" + repeats.front().run_id + ".json"),
                            aggregate_json(scenario.name, repeats));
        }
    }
    if (!rows.empty()) table_out << terminal_table(rows);
    table_out << maelstrom;
    if (args.json) {
        // Always an array, one summary per run, whatever the number of runs (even none).
        std::cout << "[";
        for (std::size_t i = 0; i < summaries.size(); ++i) std::cout << (i ? ",\n" : "\n") << summaries[i];
        std::cout << "]\n";
    }
    return worst;
}

// Decimal digits only, no sign: "-1" must not wrap around to 2^64 - 1.
CLI::Validator whole_number(std::uint64_t least, const std::string& range) {
    return CLI::Validator(
        [least, range](std::string& text) -> std::string {
            std::uint64_t value = 0;
            const char* end = text.data() + text.size();
            const auto [stop, ec] = std::from_chars(text.data(), end, value);
            if (text.empty() || ec != std::errc() || stop != end || value < least)
                return "must be a whole number " + range + ", not \"" + text + "\"";
            return {};
        },
        "UINT");
}

// The flags of a run from flags as one command line, in one order, with what was left out at its default.
std::string flags_command(const FlagRun& f) {
    std::ostringstream out;
    out << "herdsim run --topology " << f.topology << " --nodes " << f.nodes << " --latency " << f.latency_ms;
    if (f.jitter_ms) out << " --jitter " << f.jitter_ms;
    if (f.exponential) out << " --distribution exponential";
    out << " --rate " << f.rate << " --time-limit " << f.time_limit_s;
    if (!f.nemesis.empty()) {
        out << " --nemesis ";
        for (std::size_t i = 0; i < f.nemesis.size(); ++i) out << (i ? "," : "") << f.nemesis[i];
        out << " --nemesis-interval " << f.nemesis_interval_ms;
    }
    return out.str();
}

void add_flag_options(CLI::App& cmd, RunArgs& args, FlagRun& f) {
    const std::string group = "A run from flags (instead of files), as Maelstrom's";
    cmd.add_option("--topology", f.topology, "Run a generated scenario: a workload on this herd, then a liveness check")
        ->check(CLI::IsMember(flag_topologies()))
        ->group(group);
    cmd.add_option("--nodes", f.nodes, "How many nodes")->check(CLI::Range(1, 1000))->capture_default_str()->group(group);
    cmd.add_option("--latency", f.latency_ms, "Every link's delay, ms")->check(CLI::Range(0, 60000))->capture_default_str()->group(group);
    cmd.add_option("--jitter", f.jitter_ms, "Every link's jitter, ms (uniform within +/- JITTER)")
        ->check(CLI::Range(0, 60000))
        ->capture_default_str()
        ->group(group);
    cmd.add_option("--distribution", args.distribution,
                   "How a delay varies: constant (no jitter), uniform (+/- --jitter) or exponential (mean --latency)")
        ->check(CLI::IsMember({"constant", "uniform", "exponential"}))
        ->capture_default_str()
        ->group(group);
    cmd.add_option("--rate", f.rate, "Client updates (IAMAT) per second")->check(CLI::Range(0.001, 100000.0))->capture_default_str()->group(group);
    cmd.add_option("--time-limit", f.time_limit_s, "Seconds of workload")->check(CLI::Range(0.001, 86400.0))->capture_default_str()->group(group);
    cmd.add_option("--nemesis", f.nemesis, "Faults, in turn, one per interval: partition (random halves), crash (a node, restarted)")
        ->delimiter(',')
        ->check(CLI::IsMember(flag_nemeses()))
        ->group(group);
    cmd.add_option("--nemesis-interval", f.nemesis_interval_ms, "A fault begins every this many ms and lasts half of it")
        ->check(CLI::Range(2, 86400000))
        ->capture_default_str()
        ->group(group);
}

}  // namespace

void add_run_command(CLI::App& app, Action& action) {
    auto args = std::make_shared<RunArgs>();
    auto* cmd = app.add_subcommand("run", "Replay scenario files against a herd in this process, or a target's processes, and judge them");
    cmd->add_option("paths", args->paths, "Scenario files, or folders of them (their *.json files)");
    auto flags = std::make_shared<FlagRun>();
    add_flag_options(*cmd, *args, *flags);
    cmd->add_option("--seed", args->run.seed, "Seed for every random choice (default: the scenario's own)")
        ->check(whole_number(0, "from 0 to 18446744073709551615"));
    cmd->add_option("--out", args->run.out_dir, "Results folder: <out>/<scenario>/<run-id>/")->capture_default_str();
    cmd->add_option("--repeat", args->repeat, "Run each scenario K times, with seeds seed, seed+1, ...")
        ->check(whole_number(1, "from 1 up"));
    cmd->add_option("--target", args->target,
                    "A target file (docs/target.md): play against external server processes, started by its command")
        ->type_name("TARGET.json");
    auto* keep_logs = cmd->add_flag_callback("--logs", [args] { args->run.logs_only_failed = false; },
                                             "Keep each node's log (<run>/logs/<Name>.log) after every run, not only after one that failed");
    cmd->add_flag_callback("--no-logs", [args] { args->run.logs = false; }, "Write no node log at all")->excludes(keep_logs);
    cmd->add_option("--log-cap", args->run.log_cap, "Bytes per node log; a longer one is cut after the run, saying so")
        ->check(whole_number(1, "from 1 up"))
        ->capture_default_str();
    cmd->add_option_function<std::size_t>(
           "--keep", [args](std::size_t n) { args->run.keep = n ? std::optional<std::size_t>(n) : std::nullopt; },
           "After each run, keep only the newest N runs of its scenario (default 5; 0: every run)")
        ->check(whole_number(0, "from 0 up"));
    cmd->add_option("--messages-cap", args->run.messages_cap, "messages.jsonl lists at most this many flood lines")
        ->check(whole_number(0, "from 0 up"))
        ->capture_default_str();
    cmd->add_option_function<std::string>(
           "--messages-window", [args](const std::string& text) { args->run.report.messages_window = parse_window(text); },
           "messages.svg shows only the flood lines sent from FROM_MS to TO_MS (ms since the start)")
        ->check(ms_window());
    cmd->add_flag("--progress", args->progress,
                  "Progress also when stderr is no terminal (a CI log): a line each 250 ms, from 1 s into a run");
    cmd->add_flag("--json", args->json, "Print every run's summary.json to stdout as one JSON array (the table goes to stderr)");
    cmd->footer(R"(Exit code: 0 no expectation failed (PASS, or UNCHECKED when there is none), 1 some failed (each printed with its step), 2 could not run,
130 interrupted (Ctrl-C or SIGTERM: the run in progress stops and still writes its results, summary.json with "interrupted": true; a second Ctrl-C ends at once).
--json prints one JSON array on stdout, one summary.json object per run, in run order; always an
array, also for one run ([{...}]) or none ([]).

Examples:
  herdsim run scenarios/
  herdsim run scenarios/ring-dead-node.json --seed 7 --repeat 5
  herdsim run scenarios/grid25-delay.json --json > summary.json
  herdsim run scenarios/w22-grading.json --target tests/fixtures/python_herd/target.json
  herdsim run scenarios/random200-storm.json --no-logs --keep 3 --messages-window 1000:1200
  herdsim run --topology grid --nodes 25 --latency 100 --rate 100 --time-limit 20 --nemesis partition)");
    cmd->callback([args, flags, cmd, &action] {
        if (cmd->count("--topology")) {
            if (args->distribution == "constant" && flags->jitter_ms > 0)
                throw CLI::ValidationError("--distribution", "constant takes no --jitter (uniform does)");
            if (args->distribution == "exponential" && flags->jitter_ms > 0)
                throw CLI::ValidationError("--distribution", "exponential takes no --jitter: its spread follows from its mean, --latency");
            flags->exponential = args->distribution == "exponential";
            args->flags = *flags;
            args->flags_command = flags_command(*flags);
        } else if (args->paths.empty()) {
            throw CLI::ValidationError("paths", "give scenario files or folders, or --topology for a run from flags");
        }
        action = [args] { return run(*args); };
    });
}

}  // namespace herdsim::cli
