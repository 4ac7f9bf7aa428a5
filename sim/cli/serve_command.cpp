#include <cstdlib>
#include <iostream>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "cli/commands.hpp"
#include "config/herd_config.hpp"
#include "net/server.hpp"

namespace herdsim::cli {

namespace {

struct ServeOptions {
    std::string preset = "fall17";
    std::string config_file;
    std::string node;
    std::string log_dir = "logs";
    std::string places_url;
    std::string places_api;
    int places_timeout_ms = 0;
    std::string places_ca;
};

herd::HerdConfig load_herd(const ServeOptions& o) {
    herd::HerdConfig config;
    if (!o.config_file.empty()) {
        config = herd::load_config_file(o.config_file);
    } else {
        auto found = herd::preset(o.preset);
        if (!found) throw herd::ConfigError("--preset: unknown preset \"" + o.preset + "\"");
        config = *found;
    }
    // Flags override the file.
    if (!o.places_api.empty()) config.places.api = *herd::places_api_from_string(o.places_api);
    if (!o.places_url.empty()) config.places.base_url = o.places_url;
    if (o.places_timeout_ms > 0) config.places.timeout = std::chrono::milliseconds(o.places_timeout_ms);
    if (!o.places_ca.empty()) config.places.ca_file = o.places_ca;
    if (const char* key = std::getenv("PLACES_API_KEY")) config.places.api_key = key;
    if (!o.node.empty() && !config.find(o.node)) {
        std::string names;
        for (const auto& s : config.servers) names += (names.empty() ? "" : ", ") + s.name;
        throw herd::ConfigError("--node: no server \"" + o.node + "\" in this herd (it has " + names + ")");
    }
    return config;
}

herd::ServerOptions server_options(const herd::HerdConfig& config, const herd::ServerAddress& self,
                                   const std::string& log_dir) {
    herd::ServerOptions options;
    options.name = self.name;
    options.host = self.host;
    options.port = self.port;
    options.places = config.places;
    options.log_dir = log_dir;
    for (const auto& name : config.neighbours(self.name)) {
        const auto* peer = config.find(name);
        options.peers.push_back({peer->name, peer->host, peer->port});
    }
    return options;
}

int serve(const ServeOptions& o) {
    herd::HerdConfig config;
    try {
        config = load_herd(o);
    } catch (const herd::ConfigError& e) {
        std::cerr << "herdsim serve: " << e.what() << "\n";
        return 2;
    }

    boost::asio::io_context io;
    std::vector<std::unique_ptr<herd::Server>> servers;
    try {
        for (const auto& self : config.servers) {
            if (!o.node.empty() && self.name != o.node) continue;
            servers.push_back(std::make_unique<herd::Server>(io, server_options(config, self, o.log_dir)));
        }
        for (auto& server : servers) server->start();
    } catch (const std::exception& e) {
        std::cerr << "herdsim serve: " << e.what() << "\n";
        return 2;
    }

    for (const auto& server : servers) {
        const auto& opt = server->options();
        std::cerr << "herdsim: " << opt.name << " on " << opt.host << ":" << server->port() << ", talks with";
        for (const auto& p : opt.peers) std::cerr << " " << p.name;
        std::cerr << "\n";
    }
    std::cerr << "herdsim: Places " << herd::to_string(config.places.api) << " at " << config.places.effective_url()
              << (config.places.api_key.empty() ? " (no PLACES_API_KEY set)" : "") << "; logs in " << o.log_dir
              << "/; Ctrl-C stops\n";

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        std::cerr << "herdsim: signal " << signal << ", shutting down\n";
        for (auto& server : servers) server->stop();
        io.stop();
    });
    io.run();
    return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, Action& action) {
    auto options = std::make_shared<ServeOptions>();
    auto* cmd = app.add_subcommand("serve", "Serve a herd (every server in this process, or one with --node)");
    auto* preset_opt = cmd->add_option("--preset", options->preset, "A built-in herd: fall17 (default), w18, w20, s21, w22, w23")
                           ->check(CLI::IsMember(herd::preset_names()));
    auto* config_opt = cmd->add_option("--config", options->config_file, "A herd configuration file (JSON)")
                           ->check(CLI::ExistingFile);
    preset_opt->excludes(config_opt);
    cmd->add_option("--node", options->node, "Serve only this server of the herd");
    cmd->add_option("--log-dir", options->log_dir, "Folder for <Name>.log files")->capture_default_str();
    cmd->add_option("--places-url", options->places_url,
                    "Places service base URL, http:// or https:// (default: Google's for the API)");
    cmd->add_option("--places-api", options->places_api, "legacy (Nearby Search GET) or new (searchNearby POST)")
        ->check(CLI::IsMember({"legacy", "new"}));
    cmd->add_option("--places-timeout", options->places_timeout_ms, "Places request timeout in ms, 1 to 86400000 (default 5000)")
        ->check(CLI::Range(1, static_cast<int>(herd::max_places_timeout.count())));
    cmd->add_option("--places-ca", options->places_ca, "Extra CA bundle (PEM) to trust for the Places service")
        ->check(CLI::ExistingFile);
    cmd->footer(R"(The API key comes from the environment variable PLACES_API_KEY and is never logged.

Examples:
  herdsim serve
  herdsim serve --preset w22
  herdsim serve --preset fall17 --node Alford --log-dir ./logs
  herdsim serve --config herd.json --places-url http://127.0.0.1:8080 --places-api legacy
  printf 'IAMAT kiwi.cs.ucla.edu +34.068930-118.445127 1520023934.918963997\n' | nc -q1 127.0.0.1 19625)");
    cmd->callback([options, &action] { action = [options] { return serve(*options); }; });
}

}  // namespace herdsim::cli
