#include "serve/serve.hpp"

#include <iostream>
#include <memory>
#include <optional>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "net/server.hpp"
#include "serve/descriptor_limit.hpp"
#include "serve/load_herd.hpp"
#include "serve/mock_answers.hpp"
#include "serve/mock_places.hpp"
#include "serve/server_options.hpp"

namespace herd::serve {

namespace {

// The mock answers any Nearby Search of either API; the herd's Places settings point at it.
std::unique_ptr<MockPlaces> start_mock(boost::asio::io_context& io, const MockAnswers& answers,
                                            std::chrono::milliseconds delay, PlacesSettings& places) {
    auto mock = std::make_unique<MockPlaces>(io.get_executor());
    mock->set_rules({{.api = "legacy", .body = answers.legacy, .delay = delay},
                     {.api = "new", .body = answers.places_new, .delay = delay}});
    places.base_url = mock->url();
    return mock;
}

void print_banner(const std::vector<std::unique_ptr<Server>>& servers, const PlacesSettings& places,
                  const std::optional<MockAnswers>& mock, const ServeFlags& flags) {
    for (const auto& server : servers) {
        const auto& opt = server->options();
        std::cerr << "herdsim: " << opt.name << " on " << opt.host << ":" << server->port() << ", talks with";
        for (const auto& p : opt.peers) std::cerr << " " << p.name;
        std::cerr << "\n";
    }
    std::cerr << "herdsim: Places " << to_string(places.api) << " at " << places.effective_url();
    if (mock)
        std::cerr << " (built-in mock answering with " << mock->origin << ")";
    else if (places.api_key.empty())
        std::cerr << " (no PLACES_API_KEY set)";
    std::cerr << "; logs in " << flags.log_dir << "/";
    if (!servers.empty() && !servers.front()->options().peer_secret.empty())
        std::cerr << "; peer lines signed and checked (HMAC-SHA-256 with the peer secret)";
    std::cerr << "; Ctrl-C stops\n";
}

}  // namespace

int serve(const ServeFlags& flags) {
    HerdConfig config;
    std::optional<MockAnswers> answers;
    try {
        config = load_herd(flags);
        if (flags.mock_places) answers = load_mock_answers(flags.mock_places_file);
    } catch (const ConfigError& e) {
        std::cerr << "herdsim serve: " << e.what() << "\n";
        return 2;
    }

    const std::size_t served = flags.node.empty() ? config.servers.size() : 1;
    if (const auto note = fit_connections(config.limits, served, config.links.size(), raise_descriptor_limit()); !note.empty())
        std::cerr << "herdsim serve: " << note << "\n";

    boost::asio::io_context io;
    std::unique_ptr<MockPlaces> mock;
    std::vector<std::unique_ptr<Server>> servers;
    try {
        if (answers) mock = start_mock(io, *answers, std::chrono::milliseconds(flags.mock_places_delay_ms), config.places);
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
    print_banner(servers, config.places, answers, flags);

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        std::cerr << "herdsim: signal " << signal << ", shutting down\n";
        for (auto& server : servers) server->stop();
        if (mock) mock->stop();
        io.stop();
    });
    io.run();
    return 0;
}

}  // namespace herd::serve
