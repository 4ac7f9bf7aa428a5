#pragma once
// `herdsim serve`: registers the command and its flags on the herdsim command line.
#include <functional>

#include <CLI/CLI.hpp>

namespace herd::serve {

// When the command is chosen, `action` is set to run it (and return its exit code).
void add_serve_command(CLI::App& app, std::function<int()>& action);

}  // namespace herd::serve
