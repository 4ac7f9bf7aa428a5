#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "scenario/loader.hpp"

namespace herdsim::cli {

namespace {

namespace fs = std::filesystem;

bool validate_file(const fs::path& file) {
    const auto result = herd::sim::load_scenario(file);
    for (const auto& error : result.errors) std::cerr << error.to_string() << "\n";
    if (!result.scenario) return false;
    if (!herd::sim::has_expectation(*result.scenario))
        std::cerr << file.string() << ": warning: no expectation (no send expect, expect_pattern or expect_no_reply, "
                     "no expect_* step): a run cannot fail and is reported UNCHECKED\n";
    std::cout << file.string() << ": ok (" << result.scenario->steps.size() << " steps, herd: " << result.herd_summary
              << ")\n";
    return true;
}

int validate(const std::vector<std::string>& args) {
    std::vector<std::string> errors;
    const auto files = herd::sim::scenario_files(args, errors);
    for (const auto& e : errors) std::cerr << e << "\n";
    bool all_valid = errors.empty();
    for (const auto& file : files) all_valid = validate_file(file) && all_valid;
    return all_valid ? 0 : 2;
}

}  // namespace

void add_validate_command(CLI::App& app, Action& action) {
    auto files = std::make_shared<std::vector<std::string>>();
    auto* cmd = app.add_subcommand("validate", "Check scenario files without running them (docs/scenarios.md)");
    cmd->add_option("files", *files, "Scenario files, or folders: every *.json directly in them")->required();
    cmd->footer(R"footer(Prints "FILE: ok (N steps, herd: ...)" for a valid file, and every error of an invalid one on stderr,
one per line, as FILE: FIELD: MESSAGE. Exit code 0 when every file is valid, 2 otherwise.

Examples:
  herdsim validate scenarios/partition-heal.json
  herdsim validate scenarios/)footer");
    cmd->callback([files, &action] { action = [files] { return validate(*files); }; });
}

}  // namespace herdsim::cli
