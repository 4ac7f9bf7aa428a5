#include "serve/serve.hpp"

#include <iostream>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "net/server.hpp"
#include "serve/load_herd.hpp"
#include "serve/server_options.hpp"

namespace herd::serve {

namespace {

void print_banner(const std::vector<std::unique_ptr<Server>>& servers, const PlacesSettings& places,
                  const ServeFlags& flags) {
    for (const auto& server : servers) {
        const auto& opt = server->options();
        std::cerr << "herdsim: " << opt.name << " on " << opt.host << ":" << server->port() << ", talks with";
        for (const auto& p : opt.peers) std::cerr << " " << p.name;
        std::cerr << "\n";
    }
    std::cerr << "herdsim: Places " << to_string(places.api) << " at " << places.effective_url()
              << (places.api_key.empty() ? " (no PLACES_API_KEY set)" : "") << "; logs in " << flags.log_dir
              << "/; Ctrl-C stops\n";
}

}  // namespace

int serve(const ServeFlags& flags) {
    HerdConfig config;
    try {
        config = load_herd(flags);
    } catch (const ConfigError& e) {
        std::cerr << "herdsim serve: " << e.what() << "\n";
        return 2;
    }

    boost::asio::io_context io;
    std::vector<std::unique_ptr<Server>> servers;
    try {
        ServerOptions tunables;
        tunables.log_dir = flags.log_dir;
        for (const auto& self : config.servers) {
            if (!flags.node.empty() && self.name != flags.node) continue;
            servers.push_back(std::make_unique<Server>(io, server_options(config, self.name, tunables)));
        }
        for (auto& server : servers) server->start();
    } catch (const std::exception& e) {
        std::cerr << "herdsim serve: " << e.what() << "\n";
        return 2;
    }
    print_banner(servers, config.places, flags);

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

}  // namespace herd::serve
