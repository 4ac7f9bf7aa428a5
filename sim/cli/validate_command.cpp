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

// A directory stands for the *.json files directly in it (not below: sub-folders hold the herd
// configs and Places bodies that scenarios refer to), sorted so the output is stable.
std::vector<fs::path> expand(const fs::path& arg) {
    std::error_code ec;
    if (!fs::is_directory(arg, ec)) return {arg};
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(arg, ec))
        if (entry.is_regular_file(ec) && entry.path().extension() == ".json") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

bool validate_file(const fs::path& file) {
    const auto result = herd::sim::load_scenario(file);
    for (const auto& error : result.errors) std::cerr << error.to_string() << "\n";
    if (!result.scenario) return false;
    std::cout << file.string() << ": ok (" << result.scenario->steps.size() << " steps, herd: " << result.herd_summary
              << ")\n";
    return true;
}

int validate(const std::vector<std::string>& args) {
    bool all_valid = true;
    for (const auto& arg : args) {
        const auto files = expand(arg);
        if (files.empty()) {
            std::cerr << arg << ": no *.json files in this folder\n";
            all_valid = false;
        }
        for (const auto& file : files) all_valid = validate_file(file) && all_valid;
    }
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
  herdsim validate scenarios/partition_heal.json
  herdsim validate scenarios/)footer");
    cmd->callback([files, &action] { action = [files] { return validate(*files); }; });
}

}  // namespace herdsim::cli
