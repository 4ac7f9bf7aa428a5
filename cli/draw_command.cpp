#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/window_option.hpp"
#include "report/draw.hpp"

namespace herdsim::cli {

using namespace herd::sim;

namespace {

struct DrawArgs {
    std::string run;
    std::string nodes;  // comma-separated
    DrawOptions options;
};

int draw(const DrawArgs& args) {
    DrawOptions options = args.options;
    std::istringstream names(args.nodes);
    for (std::string name; std::getline(names, name, ',');)
        if (!name.empty()) options.nodes.insert(name);
    try {
        const Drawn drawn = draw_run(args.run, options);
        for (const auto& file : drawn.written) std::cout << (std::filesystem::path(args.run) / file).string() << "\n";
        for (const auto& w : drawn.warnings) std::cerr << "  warning: " << w << "\n";
        return drawn.written.empty() ? 1 : 0;
    } catch (const std::exception& e) {
        std::cerr << "herdsim draw: " << e.what() << "\n";
        return 2;
    }
}

}  // namespace

void add_draw_command(CLI::App& app, Action& action) {
    auto args = std::make_shared<DrawArgs>();
    auto* cmd = app.add_subcommand("draw", "Draw a finished run's messages.svg and plots again from its files, without running it");
    cmd->add_option("RUN", args->run, "The run's folder (results/<scenario>/<run-id>, or results/<scenario>/latest)")->required();
    cmd->add_option_function<std::string>(
           "--window", [args](const std::string& text) { args->options.window = parse_window(text); },
           "messages.svg shows only the flood lines sent from FROM_MS to TO_MS (ms of the run's clock)")
        ->check(ms_window());
    cmd->add_option("--nodes", args->nodes, "messages.svg shows only these nodes' lanes (comma-separated names)")
        ->type_name("A,B,...");
    cmd->footer(R"(Writes messages.svg and every plot (<name>.png from <name>.gp) into the run folder, replacing
what was there, and prints each file written. Exit code: 0 something was drawn, 1 nothing could be
(each reason printed), 2 not a run folder or a bad flag.

Examples:
  herdsim draw results/random200-storm/latest --window 1000:1200
  herdsim draw results/w18-holiday-dead/latest --nodes Holiday,Welsh)");
    cmd->callback([args, &action] { action = [args] { return draw(*args); }; });
}

}  // namespace herdsim::cli
