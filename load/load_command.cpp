#include "load/load_command.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>

#include "config/herd_config.hpp"
#include "load/generator.hpp"

namespace herd::load {

namespace {

struct LoadFlags {
    std::string servers, preset, config, mix = "iamat:1", pids, client = "persistent";
    std::size_t connections = 1, pipeline = 1, clients = 100;
    std::optional<double> rate, duration;
    std::optional<std::uint64_t> requests;
    double timeout = 10;
    bool closed_loop = false, json = false, check_known = false;
};

// A flag whose text has its own parser: CLI11 reports the parser's reason as the flag's error.
template <class Parse>
CLI::Validator parsed_by(Parse parse, std::string name) {
    return CLI::Validator(
        [parse](std::string& text) -> std::string {
            const auto result = parse(text);
            if (const auto* error = std::get_if<std::string>(&result)) return *error;
            return {};
        },
        std::move(name));
}

// Greater than 0 and at most `most`: beyond that a time or a rate is a mistake, and would overflow the clock.
CLI::Validator positive_up_to(double most) {
    char bound[32];
    std::snprintf(bound, sizeof bound, "%g", most);
    return CLI::Validator(
        [most, range = std::string(bound)](std::string& text) -> std::string {
            double value = 0;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !(value > 0 && value <= most))
                return "must be a number greater than 0 and at most " + range + ", not \"" + text + "\"";
            return {};
        },
        "NUMBER");
}

std::vector<Target> targets(const HerdConfig& herd) {
    std::vector<Target> servers;
    for (const auto& s : herd.servers) servers.push_back({s.name, s.host, s.port});
    return servers;
}

LoadOptions options(const LoadFlags& f) {
    LoadOptions o;
    if (!f.servers.empty())
        o.servers = std::get<std::vector<Target>>(parse_servers(f.servers));
    else if (!f.config.empty())
        o.servers = targets(load_config_file(f.config));
    else
        o.servers = targets(*preset(f.preset.empty() ? preset_names().front() : f.preset));
    o.connections = f.connections;
    for (const auto style : {ClientStyle::persistent, ClientStyle::per_command, ClientStyle::half_close})
        if (client_style_name(style) == f.client) o.client = style;
    o.rate = f.rate;
    o.pipeline = f.pipeline;
    o.requests = f.requests;
    if (f.duration) o.duration = std::chrono::duration<double>(*f.duration);
    if (!f.requests && !f.duration) o.duration = std::chrono::duration<double>(10.0);
    o.whatsat_ppm = std::get<std::uint32_t>(parse_mix(f.mix));
    o.clients = f.clients;
    if (!f.pids.empty()) o.pids = std::get<std::vector<int>>(parse_pids(f.pids));
    o.timeout = std::chrono::duration<double>(f.timeout);
    o.check_known = f.check_known;
    return o;
}

int load(const LoadFlags& flags) {
    LoadOutcome outcome = run_load(options(flags));
    if (const auto* error = std::get_if<std::string>(&outcome)) {
        std::cerr << "herdsim load: " << *error << "\n";
        return 2;
    }
    const LoadReport& report = std::get<LoadReport>(outcome);
    (flags.json ? std::cerr : std::cout) << report_text(report);
    if (flags.json) std::cout << report_json(report).dump(2) << "\n";
    return report.clean() ? 0 : 1;
}

}  // namespace

void add_load_command(CLI::App& app, std::function<int()>& action) {
    auto flags = std::make_shared<LoadFlags>();
    auto* cmd = app.add_subcommand("load", "Put load on a running herd (any implementation) and measure its replies");
    auto* servers = cmd->add_option("--servers", flags->servers, "The servers: Name=host:port,... (Name: what its AT lines say)")
                        ->check(parsed_by(parse_servers, "LIST"));
    auto* preset_opt = cmd->add_option("--preset", flags->preset,
                                       "Instead of --servers: a built-in herd's servers (fall17, the default, w18, w20, s21, w22, w23)")
                           ->check(CLI::IsMember(preset_names()));
    auto* config_opt = cmd->add_option("--config", flags->config, "Instead of --servers: the servers of a herd configuration file")
                           ->check(CLI::ExistingFile);
    servers->excludes(preset_opt)->excludes(config_opt);
    preset_opt->excludes(config_opt);
    cmd->add_option("--connections", flags->connections, "Connections, spread over the servers in turn")
        ->check(CLI::Range(std::size_t{1}, std::size_t{100000}))
        ->capture_default_str();
    cmd->add_option("--client", flags->client,
                    "How each request is written: persistent (on its connection), per_command (on a connection of its "
                    "own, closed once the reply is in), half_close (the same, half-closed after the request)")
        ->check(CLI::IsMember({"persistent", "per_command", "half_close"}))
        ->capture_default_str();
    auto* rate = cmd->add_option("--rate", flags->rate, "Open loop: requests per second over all connections, on a fixed schedule")
                     ->check(positive_up_to(1e9));
    auto* closed = cmd->add_flag("--closed-loop", flags->closed_loop, "Closed loop (the default): each reply lets the next request go");
    auto* pipeline = cmd->add_option("--pipeline", flags->pipeline, "Closed loop: requests in flight per connection")
                         ->check(CLI::Range(std::size_t{1}, std::size_t{100000}))
                         ->capture_default_str();
    rate->excludes(closed)->excludes(pipeline);
    cmd->add_option("--duration", flags->duration, "Seconds after which no request is sent (default 10 without --requests)")
        ->check(positive_up_to(1e6));
    cmd->add_option("--requests", flags->requests, "Requests in all, spread evenly over the connections")
        ->check(CLI::Range(std::uint64_t{1}, std::numeric_limits<std::uint64_t>::max()));
    cmd->add_option("--mix", flags->mix, "Weights of the request kinds: iamat:W,whatsat:W")
        ->check(parsed_by(parse_mix, "MIX"))
        ->capture_default_str();
    cmd->add_option("--clients", flags->clients, "Client IDs per connection, reported in turn")
        ->check(CLI::Range(std::size_t{1}, std::size_t{10000000}))
        ->capture_default_str();
    cmd->add_option("--pids", flags->pids, "The herd's processes (PID,...): their CPU time per request is reported")
        ->check(parsed_by(parse_pids, "PIDS"));
    cmd->add_option("--timeout", flags->timeout, "Seconds to wait for a connection or a reply")
        ->check(positive_up_to(86400))
        ->capture_default_str();
    cmd->add_flag("--check-known", flags->check_known,
                  "After the load, WHATSAT every reported client at every server until each shows its newest record");
    cmd->add_flag("--json", flags->json, "Print the figures as one JSON object on stdout (the table goes to stderr)");
    cmd->footer(R"(Exit code: 0 every request had its right reply (and, with --check-known, every server showed every client's
newest record), 1 some had not, 2 bad flags or could not run.

Examples:
  herdsim load --preset fall17 --requests 10000
  herdsim load --servers Alford=127.0.0.1:19625,Ball=127.0.0.1:19628 --connections 10 --duration 5
  herdsim load --preset fall17 --connections 50 --pipeline 64 --requests 1000000 --clients 20000 --check-known
  herdsim load --preset fall17 --connections 50 --rate 20000 --duration 10
  herdsim load --preset fall17 --client per_command --connections 4 --requests 200 --check-known
  herdsim load --preset fall17 --mix iamat:0.9,whatsat:0.1 --requests 5000 --json
  herdsim load --preset fall17 --connections 10 --requests 100000 --pids $(pgrep -d, -f 'herdsim serve'))");
    cmd->callback([flags, &action] { action = [flags] { return load(*flags); }; });
}

}  // namespace herd::load
