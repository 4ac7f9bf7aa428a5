#pragma once
// `herdsim load` on the command line: its flags (docs/target.md, "herdsim load"), checked with
// CLI11, turned into LoadOptions. Exit codes: 0 every request had its right reply (and every
// server showed every client, with --check-known), 1 some did not, 2 bad flags or could not run.
#include <functional>

#include <CLI/CLI.hpp>

namespace herd::load {

void add_load_command(CLI::App& app, std::function<int()>& action);

}  // namespace herd::load
