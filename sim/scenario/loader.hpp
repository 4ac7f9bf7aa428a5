#pragma once
// Reads a scenario file (docs/scenarios.md is the reference) into a Scenario, checking everything
// that can be checked before a run: types, ranges, unknown keys, node names and links against the
// herd, regexes, times, files. Every error found is reported, not just the first.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.hpp"

namespace herd::sim {

struct ScenarioError {
    std::string file;
    std::optional<std::size_t> step;  // the index in "steps", when the error is inside one
    std::string field;                // "steps[3].send.node"; empty for the file as a whole
    std::string message;              // "unknown node \"Bal\" (expected one of Alford, Ball, ...)"

    // "scenarios/x.json: steps[3].send.node: unknown node \"Bal\" (expected one of Alford, Ball, ...)"
    std::string to_string() const;
};

struct LoadResult {
    std::optional<Scenario> scenario;  // set only when errors is empty
    std::vector<ScenarioError> errors;
    std::string herd_summary;          // "preset fall17, 5 nodes", when the herd could be read
};

// Relative paths in the file (herd.config, body_file) resolve against the scenario file's folder.
LoadResult load_scenario(const std::filesystem::path& file);
LoadResult parse_scenario(std::string_view json_text, const std::filesystem::path& file_for_messages);

// The scenario files that command-line arguments name: a file as it is; a folder, the *.json files
// directly in it (sub-folders hold the herd configs and Places bodies scenarios refer to), sorted.
// An argument that names nothing, or a folder with no *.json, adds a message to `errors`.
std::vector<std::filesystem::path> scenario_files(const std::vector<std::string>& arguments,
                                                  std::vector<std::string>& errors);

}  // namespace herd::sim
