#include <iostream>

#include "cli/commands.hpp"
#include "cli/version.hpp"
#include "load/load_command.hpp"
#include "serve/serve_command.hpp"

int main(int argc, char** argv) {
    CLI::App app{"herdsim: run, replay and measure an application server herd (the CS131 proxy herd)", "herdsim"};
    app.require_subcommand(1);
    app.set_version_flag("--version", HERDSIM_VERSION_LINE, "Print \"herdsim <version> (<git commit>)\" and exit");
    app.footer(R"(Examples:
  herdsim serve                               the default herd (fall17) on 127.0.0.1:19625-19629
  herdsim serve --preset w22 --node Clark     one server of the w22 herd, in this process
  herdsim serve --config tests/data/scenarios/files/herd3.json --log-dir logs
  herdsim run scenarios/                      every scenario; results in results/<scenario>/
  herdsim validate scenarios/*.json           check scenario files without running them
  herdsim run --topology grid --nodes 25 --latency 100 --rate 100 --time-limit 20   a Maelstrom-style run from flags
  herdsim chaos --seeds 1..20                 seeded fault schedules, then heal and a liveness check
  herdsim shrink results/chaos-fall17/latest/scenario.json   a failing schedule cut down to what fails
  herdsim load --preset fall17 --requests 10000   10,000 IAMATs at a running fall17 herd, judged and timed
  herdsim compare RUN_A RUN_B --fail-if 'p99_ms>+10%'   two runs side by side, per phase
  herdsim draw results/grid25-delay/latest --window 500:700   a finished run's diagram again, for another window
  herdsim results                             every run in a browser, at the address it prints
Run 'herdsim <command> --help' for a command's options.)");

    herdsim::cli::Action action;
    herd::serve::add_serve_command(app, action);
    herdsim::cli::add_run_command(app, action);
    herdsim::cli::add_chaos_command(app, action);
    herdsim::cli::add_shrink_command(app, action);
    herdsim::cli::add_validate_command(app, action);
    herd::load::add_load_command(app, action);
    herdsim::cli::add_compare_command(app, action);
    herdsim::cli::add_grade_command(app, action);
    herdsim::cli::add_draw_command(app, action);
    herdsim::cli::add_results_command(app, action);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // A misspelt command or option is named, with the nearest one, before anything CLI11 says.
        if (const auto unknown = herdsim::cli::unknown_argument(app)) {
            std::cerr << *unknown << "\nRun 'herdsim --help' for the commands and their options.\n";
            return 2;
        }
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    try {
        return action();
    } catch (const std::exception& e) {
        std::cerr << "herdsim: " << e.what() << "\n";
        return 2;
    }
}
