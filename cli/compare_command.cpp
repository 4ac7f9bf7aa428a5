#include <iostream>

#include "cli/commands.hpp"
#include "report/compare.hpp"

namespace herdsim::cli {

using namespace herd::sim;

namespace {

struct CompareArgs {
    std::string a, b;
    std::vector<std::string> fail_if;
};

int compare(const CompareArgs& args) {
    try {
        std::vector<Threshold> thresholds;
        for (const auto& text : args.fail_if) thresholds.push_back(parse_threshold(text));
        const auto rows = compare_rows(load_summary(args.a), load_summary(args.b));
        std::cout << "A: " << args.a << "\nB: " << args.b << "\n" << compare_table(rows);
        const auto failed = crossed(rows, thresholds);
        for (const auto& line : failed) std::cout << "CROSSED " << line << "\n";
        return failed.empty() ? 0 : 1;
    } catch (const NotComparable& e) {
        std::cerr << "herdsim compare: " << e.what() << "\n";
        return 2;
    }
}

}  // namespace

void add_compare_command(CLI::App& app, Action& action) {
    auto args = std::make_shared<CompareArgs>();
    auto* cmd = app.add_subcommand("compare", "Compare two runs (run folders or summary.json files) per phase and fault window");
    cmd->add_option("A", args->a, "The first run: its folder, or its summary.json")->required();
    cmd->add_option("B", args->b, "The second run, compared with the first (deltas are B - A)")->required();
    cmd->add_option("--fail-if", args->fail_if,
                    "[SECTION:]METRIC>+N% (or <, or an absolute N): exit 1 when B - A crosses it; may be repeated");
    cmd->footer(R"(Exit code: 0 no threshold crossed, 1 one was (each printed after CROSSED), 2 the runs cannot be
compared (not summaries, other scenarios, a threshold that is malformed or about nothing in them).
METRIC: p50_ms p95_ms p99_ms max_ms recovery_ms msgs_per_update updates lost late stale failed.
SECTION: run (the default), a phase's name, or steps[N] (the fault window that step began).

Examples:
  herdsim compare results/w18-holiday-dead/<run-a> results/w18-holiday-dead/<run-b>
  herdsim compare results/x/<run-a>/summary.json results/x/<run-b>/summary.json \
      --fail-if 'p99_ms>+10%' --fail-if 'holiday-dead:lost>0')");
    cmd->callback([args, &action] { action = [args] { return compare(*args); }; });
}

}  // namespace herdsim::cli
