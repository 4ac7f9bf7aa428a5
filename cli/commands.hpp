#pragma once
// Each herdsim subcommand registers itself on the CLI11 app and leaves the action to run when it
// was chosen (serve, the product's own, in serve/serve_command.hpp). Exit codes: 0 success, 1 an
// expectation failed, 2 could not run.
#include <functional>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace herdsim::cli {

using Action = std::function<int()>;

void add_validate_command(CLI::App& app, Action& action);
void add_run_command(CLI::App& app, Action& action);
void add_chaos_command(CLI::App& app, Action& action);
void add_shrink_command(CLI::App& app, Action& action);
void add_compare_command(CLI::App& app, Action& action);
void add_grade_command(CLI::App& app, Action& action);
void add_draw_command(CLI::App& app, Action& action);
void add_results_command(CLI::App& app, Action& action);

// After a failed parse: what was not understood, and the nearest command or option
// ("herdsim: unknown command \"rn\"; did you mean \"run\"?"); nothing if every word was understood.
std::optional<std::string> unknown_argument(const CLI::App& app);

}  // namespace herdsim::cli
