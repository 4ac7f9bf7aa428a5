#include <algorithm>

#include "cli/commands.hpp"
#include "scenario/edit_distance.hpp"

namespace herdsim::cli {

namespace {

using herd::sim::edit_distance;

// "; did you mean "run"?" when a candidate is close (at most half its letters differ), else a list.
std::string suggestion(const std::string& word, const std::vector<std::string>& candidates) {
    auto nearest = std::min_element(candidates.begin(), candidates.end(), [&](const auto& x, const auto& y) {
        return edit_distance(word, x) < edit_distance(word, y);
    });
    if (nearest != candidates.end() && 2 * edit_distance(word, *nearest) <= nearest->size())
        return "; did you mean \"" + *nearest + "\"?";
    std::string list;
    for (const auto& c : candidates) list += (list.empty() ? "" : ", ") + c;
    return " (there are: " + list + ")";
}

std::vector<std::string> option_names(const CLI::App& command) {
    std::vector<std::string> names;
    for (const CLI::Option* option : command.get_options())
        for (const auto& name : option->get_lnames()) names.push_back("--" + name);
    return names;
}

}  // namespace

std::optional<std::string> unknown_argument(const CLI::App& app) {
    const CLI::App* command = &app;
    for (const CLI::App* chosen : app.get_subcommands()) command = chosen;
    std::vector<std::string> extras = command->remaining();
    if (extras.empty() && command != &app) {
        extras = app.remaining();
        command = &app;
    }
    if (extras.empty()) return std::nullopt;
    const std::string& word = extras.front();
    const std::string who = command == &app ? "herdsim" : "herdsim " + command->get_name();
    if (word.rfind('-', 0) == 0) return who + ": unknown option \"" + word + "\"" + suggestion(word, option_names(*command));
    if (command != &app) return who + ": unexpected argument \"" + word + "\"";
    std::vector<std::string> commands;
    for (const CLI::App* sub : app.get_subcommands({})) commands.push_back(sub->get_name());
    return who + ": unknown command \"" + word + "\"" + suggestion(word, commands);
}

}  // namespace herdsim::cli
