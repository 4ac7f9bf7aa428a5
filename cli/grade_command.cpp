#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "config/herd_config.hpp"
#include "grade/grade_run.hpp"

namespace herdsim::cli {

void add_grade_command(CLI::App& app, Action& action) {
    auto args = std::make_shared<herd::sim::grade::GradeArgs>();
    auto* cmd = app.add_subcommand("grade", "Grade a student's herd: the course's score, and herdsim's extras apart");
    auto* server = cmd->add_option("--server", args->server,
                                   "The command that starts one server, run by /bin/sh in the current folder (or each "
                                   "submission's): {name} is the server's name; {port}, {config}, {places_url} and {log_dir} "
                                   "are there too");
    cmd->add_option("--target", args->target, "Instead of --server: a target file (docs/target.md) says how to start one")
        ->check(CLI::ExistingFile)
        ->excludes(server);
    auto* term = cmd->add_option("--term", args->term, "The course term whose herd is graded: its names, ports and links")
                     ->check(CLI::IsMember(herd::preset_names()))
                     ->capture_default_str();
    cmd->add_option("--config", args->config, "A herd config file (README.md) naming another herd")
        ->check(CLI::ExistingFile)
        ->excludes(term);
    cmd->add_option("--out", args->out, "The folder for results.json, junit.xml, report.html and the servers' output")
        ->capture_default_str();
    cmd->add_option("--repeat", args->repeat, "Grade N times, each test then with its pass rate")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    cmd->add_option("--submissions", args->submissions,
                    "Grade every folder of DIR as a submission (the servers run in it): --out/<folder>/ each, --out/scores.csv")
        ->check(CLI::ExistingDirectory);
    cmd->add_option("--jobs", args->jobs, "With --submissions: grade N at once, each in a network namespace of its own (root)")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    cmd->footer(R"(Exit code: 0 full course marks, 1 course points lost, 2 could not grade (a bad argument, a port of
the herd already in use). The last line printed is "course S/M  extras S/M".
Every server is also given PLACES_URL, a mock Places service that answers every Nearby Search.

Examples:
  herdsim grade --server 'python3 server.py {name}'
  herdsim grade --server 'python3 server.py {name}' --term w20 --out w20-grade
  herdsim grade --server 'python3 server.py {name}' --submissions submissions/ --jobs 2)");
    cmd->callback([args, &action] {
        action = [args] {
            if (args->server.empty() && args->target.empty()) {
                std::cerr << "herdsim grade: give --server 'COMMAND {name}' or --target FILE\n";
                return 2;
            }
            return args->submissions.empty() ? herd::sim::grade::grade(*args, std::cout, std::cerr)
                                             : herd::sim::grade::grade_submissions(*args, std::cout, std::cerr);
        };
    });
}

}  // namespace herdsim::cli
