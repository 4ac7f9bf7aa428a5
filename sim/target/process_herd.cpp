#include "target/process_herd.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "async/nothrow.hpp"
#include "client/line_client.hpp"
#include "client/reply.hpp"
#include "places/places_settings.hpp"
#include "protocol/command.hpp"
#include "protocol/reply_text.hpp"
#include "target/group_guard.hpp"
#include "target/poll_reply.hpp"
#include "target/spawn_process.hpp"
#include "target/stop_continue.hpp"

namespace herd::sim::target {

namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;


std::string file_tail(const fs::path& path, std::size_t most) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    std::string all = text.str();
    if (all.size() > most) all = "..." + all.substr(all.size() - most);
    while (!all.empty() && (all.back() == '\n' || all.back() == ' ')) all.pop_back();
    return all.empty() ? "(empty)" : all;
}

std::string exit_text(int status) {
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return std::string("was killed by signal ") + strsignal(WTERMSIG(status));
    return "stopped";
}

// Until `ready` or `give_up`: connect to the port every 10 ms.
asio::awaitable<void> probe(std::uint16_t port, std::shared_ptr<bool> ready, std::shared_ptr<bool> give_up) {
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor);
    while (!*give_up) {
        tcp::socket socket(executor);
        auto [ec] = co_await socket.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), port), nothrow);
        if (!ec) {
            *ready = true;
            co_return;
        }
        timer.expires_after(std::chrono::milliseconds(10));
        co_await timer.async_wait(nothrow);
    }
}

const char* api_name(PlacesApi api) { return api == PlacesApi::legacy ? "legacy" : "new"; }

}  // namespace

ProcessHerd::ProcessHerd(asio::io_context& io, HerdConfig config, const TargetSpec& spec, ProcessHerdOptions options)
    : io_(io), config_(std::move(config)), spec_(spec), options_(std::move(options)) {
    validate(config_, "herd");
    if (spec_.links == Links::relayed && !options_.rng)
        throw std::invalid_argument("ProcessHerd: relays need the run's random source");
    for (const auto& address : config_.servers) processes_[address.name];
}

ProcessHerd::~ProcessHerd() { stop(); }

// A port for a server, below the kernel's ephemeral range: between the moment herdsim lets it go
// and the moment the server binds it, no connection anywhere on the machine can be given it as its
// local port. It is held, listening, until every server has one, so none is handed out twice;
// the caller closes them just before the servers start.
std::uint16_t ProcessHerd::pick_port(const ServerAddress& address, std::vector<tcp::acceptor>& held) {
    if (auto fixed = spec_.ports.find(address.name); fixed != spec_.ports.end()) return fixed->second;
    if (options_.fixed_ports) return address.port;
    unsigned ephemeral_low = 32768;
    std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> ephemeral_low;
    constexpr unsigned lowest = 20000;  // above the course terms' fixed ports
    std::random_device seed;
    std::mt19937 pick(seed());
    std::uniform_int_distribution<unsigned> port(lowest, std::max(lowest + 1, ephemeral_low) - 1);
    for (int attempt = 0; attempt < 200; ++attempt) {
        tcp::acceptor acceptor(io_);
        boost::system::error_code ec;
        acceptor.open(tcp::v4(), ec);
        if (!ec) acceptor.bind(tcp::endpoint(asio::ip::address_v4::loopback(), static_cast<std::uint16_t>(port(pick))), ec);
        if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
        if (ec) continue;
        held.push_back(std::move(acceptor));
        return held.back().local_endpoint().port();
    }
    held.emplace_back(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0));  // a crowded machine: any port
    return held.back().local_endpoint().port();
}

ProcessHerd::Process& ProcessHerd::process(std::string_view name) {
    auto it = processes_.find(name);
    if (it == processes_.end()) throw std::out_of_range("no node \"" + std::string(name) + "\" in this herd");
    return it->second;
}

const ProcessHerd::Process& ProcessHerd::process(std::string_view name) const {
    return const_cast<ProcessHerd*>(this)->process(name);
}

bool ProcessHerd::is_up(std::string_view name) const { return process(name).up; }
std::uint16_t ProcessHerd::port(std::string_view name) const { return process(name).port; }
Relay* ProcessHerd::relay(std::string_view from, std::string_view to) { return relays_ ? relays_->find(from, to) : nullptr; }
std::vector<Relay*> ProcessHerd::relays() { return relays_ ? relays_->all() : std::vector<Relay*>{}; }

void ProcessHerd::start() {
    fs::create_directories(options_.dir);
    if (spec_.links == Links::relayed)
        relays_ = std::make_unique<LinkRelays>(io_, config_.links, *options_.rng, options_.failed);
    std::vector<tcp::acceptor> held;
    for (const auto& address : config_.servers) process(address.name).port = pick_port(address, held);
    for (Relay* relay : relays()) {
        relay->set_target(process(relay->to()).port);
        relay->on_delivered([this, to = relay->to()](std::string_view line) { delivered(to, line); });
    }
    for (const auto& address : config_.servers) write_config(address.name);
    held.clear();
    for (const auto& address : config_.servers) spawn(address.name);
    for (const auto& address : config_.servers) await_ready(address.name);
    if (spec_.links == Links::direct)
        asio::co_spawn(io_, poll_loop(stopped_), report_failure("target: polling the servers", options_.failed));
}

// The herd as `name` must see it, in `herdsim serve --config`'s format: its own port, and each
// neighbour at the relay for that link (relayed) or at the neighbour's own port (direct).
void ProcessHerd::write_config(const std::string& name) const {
    nlohmann::ordered_json servers = nlohmann::ordered_json::object();
    for (const auto& address : config_.servers) {
        const bool via_relay = relays_ && relays_->find(name, address.name);
        servers[address.name] = {{"host", "127.0.0.1"},
                                 {"port", via_relay ? relays_->port(name, address.name) : process(address.name).port}};
    }
    nlohmann::ordered_json links = nlohmann::ordered_json::array();
    for (const auto& [a, b] : config_.links) links.push_back({a, b});
    const nlohmann::ordered_json config{{"servers", servers},
                                        {"links", links},
                                        {"places",
                                         {{"api", api_name(options_.places.api)},
                                          {"url", options_.places.base_url},
                                          {"timeout_ms", options_.places.timeout.count()}}}};
    std::ofstream(options_.dir / (name + ".config.json")) << config.dump(2) << "\n";
}

void ProcessHerd::spawn(const std::string& name) {
    Process& p = process(name);
    // Absolute: the server runs in the target's folder, herdsim's --out is relative to its own.
    const fs::path dir = fs::absolute(options_.dir);
    const fs::path log_dir = dir / (name + "-logs");
    fs::create_directories(log_dir);
    const std::map<std::string, std::string, std::less<>> values{
        {"name", name},
        {"port", std::to_string(p.port)},
        {"config", (dir / (name + ".config.json")).string()},
        {"places_url", options_.places.base_url},
        {"log_dir", log_dir.string()}};
    std::vector<std::string> args;
    for (const auto& word : spec_.command) args.push_back(expand(word, values));
    std::vector<std::string> overrides;
    for (const auto& [key, value] : spec_.env) overrides.push_back(key + "=" + expand(value, values));
    p.pid = spawn_process({args, environment_with(overrides), spec_.cwd, dir / (name + ".stdout"), dir / (name + ".stderr")},
                          name);
}

void ProcessHerd::await_ready(const std::string& name) {
    Process& p = process(name);
    auto ready = std::make_shared<bool>(false), give_up = std::make_shared<bool>(false);
    asio::co_spawn(io_, probe(p.port, ready, give_up), report_failure(name + ": waiting for it to listen", options_.failed));
    int status = 0;
    bool exited = false;
    run_until(io_, [&] { return *ready || (exited = ::waitpid(p.pid, &status, WNOHANG) == p.pid); }, spec_.ready_timeout);
    *give_up = true;
    if (*ready) {
        p.up = true;
        return;
    }
    if (exited) {
        release_group(p.pid);
        ::kill(-p.pid, SIGKILL);
        p.pid = -1;
    } else {
        kill(name);
    }
    const fs::path stderr_file = options_.dir / (name + ".stderr");
    throw std::runtime_error(
        name + ": " +
        (exited ? exit_text(status) + " before accepting a connection on port " + std::to_string(p.port)
                : "did not accept a connection on port " + std::to_string(p.port) + " within " +
                      std::to_string(spec_.ready_timeout.count()) + " ms (ready_timeout_ms)") +
        "; its stderr (" + stderr_file.string() + "):\n" + file_tail(stderr_file, 4000));
}

void ProcessHerd::kill(const std::string& name) {
    Process& p = process(name);
    p.up = false;
    p.paused = false;  // SIGKILL ends a stopped process too
    p.unread.clear();
    if (p.pid < 0) return;
    ::kill(-p.pid, SIGKILL);
    int status = 0;
    while (::waitpid(p.pid, &status, 0) < 0 && errno == EINTR) {
    }
    release_group(p.pid);
    p.pid = -1;
}

void ProcessHerd::stop() {
    *stopped_ = true;
    for (auto& [name, p] : processes_) kill(name);
    if (relays_) relays_->stop();
}

void ProcessHerd::crash(std::string_view name) {
    kill(std::string(name));
    held_[std::string(name)].clear();
    if (relays_) relays_->set_up(name, false);
}

void ProcessHerd::restart(std::string_view name) {
    spawn(std::string(name));
    try {
        await_ready(std::string(name));
    } catch (const std::exception& e) {
        options_.failed(std::string("restart: ") + e.what());
        return;
    }
    if (relays_) relays_->set_up(name, true);
}

void ProcessHerd::pause(std::string_view name) {
    Process& p = process(name);
    if (p.pid < 0) return;
    stop_group(p.pid);
    p.paused = true;
}

void ProcessHerd::resume(std::string_view name) {
    Process& p = process(name);
    if (p.pid < 0) return;
    continue_group(p.pid);
    p.paused = false;
    for (const std::string& line : std::exchange(p.unread, {})) handled(name, line);
}

bool ProcessHerd::quiet() const { return !relays_ || relays_->idle(); }

void ProcessHerd::client_line(std::string_view node, std::string_view line) {
    if (std::holds_alternative<IAmAt>(parse_line(line))) ++reports_;
    if (is_up(node)) handle_when_running(node, line);
}

void ProcessHerd::handle_when_running(std::string_view node, std::string_view line) {
    Process& p = process(node);
    if (p.paused)
        p.unread.emplace_back(line);
    else
        handled(node, line);
}

void ProcessHerd::delivered(std::string_view node, std::string_view line) {
    // herdsim's own servers' catch-up requests and blank lines carry no report.
    const Command command = parse_line(line);
    if (!std::holds_alternative<At>(command) && !std::holds_alternative<Blank>(command) &&
        !std::holds_alternative<CatchUp>(command) && unreadable_floods_++ == 0)
        first_unreadable_flood_ = std::string(line.substr(0, 200));
    handle_when_running(node, line);
}

std::optional<std::string> ProcessHerd::floods_unseen() const {
    if (unreadable_floods_)
        return std::to_string(unreadable_floods_) + " flood line" + (unreadable_floods_ == 1 ? "" : "s") +
               " herdsim could not read (an AT line of six or seven fields, PROTOCOL.md), first: \"" +
               show_reply(first_unreadable_flood_) + "\"";
    if (!relays_ || relays_->all().empty() || reports_ == 0) return std::nullopt;
    for (const Relay* relay : relays_->all())
        if (relay->stats().connections > 0) return std::nullopt;
    return "no server connected to any of herdsim's " + std::to_string(relays_->all().size()) +
           " relays, so herdsim saw no flood line: the neighbour ports in each {config} are the relays; a server that "
           "hard-codes its neighbours' ports needs a target with \"links\": \"direct\" and \"servers\" ports "
           "(docs/target.md), or must read its neighbours from {config}";
}

bool ProcessHerd::newer(std::string_view node, std::string_view client, Nanos time) {
    auto& held = held_[std::string(node)];
    if (const auto it = held.find(client); it != held.end() && it->second >= time) return false;
    held[std::string(client)] = time;
    return true;
}

void ProcessHerd::handled(std::string_view node, std::string_view line) {
    const Command command = parse_line(line);
    if (const auto* c = std::get_if<IAmAt>(&command)) {
        clients_.emplace(c->client);
        const bool fresh = newer(node, c->client, c->time);
        const bool first_given = given_.emplace(std::string(c->client), c->time).second;
        if (!options_.record || !(fresh || first_given)) return;
        // A report is born once its server is known to have read it (a one-command client waits for
        // the reply): its flood lines may have come first; the recorder counts them at the birth.
        options_.record->stored(node, {c->client, c->time, c->time_text});
    } else if (const auto* a = std::get_if<At>(&command)) {
        clients_.emplace(a->client);
        const bool fresh = newer(node, a->client, a->time);
        if (options_.record) options_.record->flooded(node, a->sender, {a->client, a->time, a->time_text}, fresh);
    }
}

void ProcessHerd::found(std::string_view node, std::string_view at_line) {
    const Command command = parse_line(at_line);
    const auto* at = std::get_if<At>(&command);
    // A store with no flood line seen: the report itself, stored at `node`.
    if (at && newer(node, at->client, at->time) && options_.record)
        options_.record->stored(node, {at->client, at->time, at->time_text});
}

// One client's WHATSAT as the course's client asks: a connection of its own, the line, a
// half-close, then the reply read until it is complete, the server closes, or the deadline passes.
// A server that does not accept shows nothing herdsim can read.
asio::awaitable<void> ProcessHerd::poll_one(std::uint16_t port, std::string client, Clock::time_point deadline,
                                            std::shared_ptr<std::map<std::string, Holding>> out) {
    const std::string line = "WHATSAT " + client + " 1 1\n";
    std::unique_ptr<LineClient> connection;
    try {
        connection = std::make_unique<LineClient>(io_, port);
        connection->send(line);
        connection->shutdown_send();
    } catch (const std::exception&) {
        (*out)[client] = Holding{Holding::Kind::unreadable, "", line, "", true};
        co_return;
    }
    while (!reply_end(connection->received(), true) && !connection->eof() && Clock::now() < deadline)
        co_await connection->wait_for_bytes(deadline);
    (*out)[client] = read_poll(line, std::move(connection->received()), connection->eof());
    connection->close();
}

// Every client's poll at once, a bounded number of connections at a time.
asio::awaitable<std::map<std::string, Holding>> ProcessHerd::poll(std::string node, std::vector<std::string> clients) {
    constexpr std::size_t at_once = 16;
    auto out = std::make_shared<std::map<std::string, Holding>>();
    const auto deadline = Clock::now() + options_.places.timeout + std::chrono::seconds(2);
    const std::uint16_t to = port(node);
    for (std::size_t first = 0; first < clients.size(); first += at_once) {
        auto pending = std::make_shared<std::size_t>(std::min(at_once, clients.size() - first));
        auto done = std::make_shared<asio::steady_timer>(io_, Clock::time_point::max());
        for (std::size_t i = first; i < first + *pending; ++i)
            asio::co_spawn(io_, poll_one(to, clients[i], deadline, out),
                           [pending, done, report = report_failure("target: polling " + node, options_.failed)](
                               std::exception_ptr failure) {
                               report(failure);
                               if (--*pending == 0) done->cancel();
                           });
        if (*pending > 0) co_await done->async_wait(nothrow);
    }
    co_return std::move(*out);
}

asio::awaitable<void> ProcessHerd::poll_loop(std::shared_ptr<bool> stopped) {
    asio::steady_timer timer(io_);
    while (!*stopped) {
        timer.expires_after(spec_.poll_interval);
        const std::vector<std::string> clients(clients_.begin(), clients_.end());
        for (const auto& address : config_.servers) {
            if (*stopped) co_return;
            if (!is_up(address.name) || process(address.name).paused) continue;
            const auto held = co_await poll(address.name, clients);
            if (*stopped) co_return;
            if (!is_up(address.name)) continue;  // crashed while polled
            for (const auto& [c, h] : held)
                if (h.kind == Holding::Kind::record) found(address.name, h.record);
        }
        co_await timer.async_wait(nothrow);
    }
}

std::map<std::string, Holding> ProcessHerd::holdings(std::string_view node, const std::vector<std::string>& clients) {
    auto result = std::make_shared<std::optional<std::map<std::string, Holding>>>();
    asio::co_spawn(io_, poll(std::string(node), clients),
                   [result, report = report_failure(std::string(node) + ": reading its records", options_.failed)](
                       std::exception_ptr failure, std::map<std::string, Holding> held) {
                       report(failure);
                       *result = std::move(held);
                   });
    run_until(io_, [&] { return result->has_value(); }, options_.places.timeout + std::chrono::seconds(30));
    if (!result->has_value()) return {};
    for (const auto& [c, held] : **result)
        if (held.kind == Holding::Kind::record) found(node, held.record);
    return **result;
}

LatencyResolution ProcessHerd::latency_resolution() const {
    if (relays_)
        return {"relay", std::nullopt,
                "relay-timed: a server stores an update when a relay delivers the first flood line for it that is "
                "newer than what the server was seen holding; its origin, when the client's IAMAT was written"};
    return {"poll", spec_.poll_interval.count(),
            "polled: a server stores an update when a WHATSAT poll (every " + std::to_string(spec_.poll_interval.count()) +
                " ms at every live server) first finds it; its origin, when the client's IAMAT was written; "
                "latencies are upper bounds, one poll round coarse"};
}

}  // namespace herd::sim::target
