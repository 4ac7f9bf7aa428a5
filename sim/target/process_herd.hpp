#pragma once
// A herd of external server processes (a target, docs/target.md), driven as the runner drives the
// herd in this process: each server is the target's command, started with its own herd config;
// with relayed links every peer link goes through herdsim's relays; crash is SIGKILL and restart
// starts the command again; pause is SIGSTOP to the server's process group and resume SIGCONT. What the servers know is seen from outside only: the client lines
// herdsim writes, the flood lines the relays deliver, and WHATSAT polls.
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <sys/types.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "async/report_failure.hpp"
#include "herd/link_relays.hpp"
#include "herd/run_herd.hpp"
#include "record/store_sink.hpp"
#include "target/target_file.hpp"

namespace herd::sim::target {

struct ProcessHerdOptions {
    bool fixed_ports = false;         // the config's ports (unless the target's "servers" fix them)
    std::filesystem::path dir;        // configs, stdout, stderr and log folders of every server
    PlacesSettings places;            // what every server's {config} and {places_url} say
    StoreSink* record = nullptr;      // told what the servers are seen to store
    std::mt19937_64* rng = nullptr;   // the relays' jitter; required with relayed links
    // Where a failure goes: a server that does not come back at a restart, a poll or relay that
    // threw (a run's ends the run).
    FailureSink failed = print_failure;
};

class ProcessHerd : public RunHerd {
public:
    ProcessHerd(boost::asio::io_context& io, HerdConfig config, const TargetSpec& spec, ProcessHerdOptions options);
    ~ProcessHerd() override;

    // Starts every server and waits until each accepts a connection. Throws std::runtime_error
    // naming the server, with its stderr, when one exits or does not within ready_timeout_ms.
    void start() override;
    void stop() override;  // every process group killed and reaped; idempotent

    const HerdConfig& config() const override { return config_; }
    bool is_up(std::string_view name) const override;
    std::uint16_t port(std::string_view name) const override;
    Relay* relay(std::string_view from, std::string_view to) override;
    std::vector<Relay*> relays() override;
    void crash(std::string_view name) override;
    void restart(std::string_view name) override;
    // SIGSTOP and SIGCONT to the server's process group. A paused server is not polled: it would
    // answer no poll before its resume.
    void pause(std::string_view name) override;
    void resume(std::string_view name) override;
    bool is_paused(std::string_view name) const override { return process(name).paused; }
    bool quiet() const override;
    std::map<std::string, Holding> holdings(std::string_view node, const std::vector<std::string>& clients) override;
    void client_line(std::string_view node, std::string_view line) override;
    std::optional<std::string> floods_unseen() const override;
    LatencyResolution latency_resolution() const override;

private:
    struct Process {
        std::uint16_t port = 0;
        pid_t pid = -1;
        bool up = false;
        bool paused = false;
        // Lines written to it while paused: it reads them once it continues, not before.
        std::vector<std::string> unread;
    };

    Process& process(std::string_view name);
    const Process& process(std::string_view name) const;
    std::uint16_t pick_port(const ServerAddress& address, std::vector<boost::asio::ip::tcp::acceptor>& held);
    void write_config(const std::string& name) const;
    void spawn(const std::string& name);
    void await_ready(const std::string& name);
    void kill(const std::string& name);
    // A line `node` was given (by a client or a relay): what it does with it, as far as the newest
    // time it is known to hold for the client tells, goes to the record.
    void handled(std::string_view node, std::string_view line);
    // handled() now, or, while `node` is paused, at its resume.
    void handle_when_running(std::string_view node, std::string_view line);
    // A relay delivered `line` to `node`: a flood line herdsim cannot read is counted, never dropped silently.
    void delivered(std::string_view node, std::string_view line);
    // `at_line` is what a poll found `node` holding: news to the record as if it stored it now.
    void found(std::string_view node, std::string_view at_line);
    // Whether `time` is newer than what `node` is known to hold for `client`; if so it holds it now.
    bool newer(std::string_view node, std::string_view client, Nanos time);
    boost::asio::awaitable<void> poll_one(std::uint16_t port, std::string client, std::chrono::steady_clock::time_point deadline,
                                          std::shared_ptr<std::map<std::string, Holding>> out);
    boost::asio::awaitable<std::map<std::string, Holding>> poll(std::string node, std::vector<std::string> clients);
    boost::asio::awaitable<void> poll_loop(std::shared_ptr<bool> stopped);

    boost::asio::io_context& io_;
    HerdConfig config_;
    const TargetSpec& spec_;
    ProcessHerdOptions options_;
    std::map<std::string, Process, std::less<>> processes_;
    std::unique_ptr<LinkRelays> relays_;  // relayed links only
    // By node, by client: the newest time the node is known to hold.
    std::map<std::string, std::map<std::string, Nanos, std::less<>>, std::less<>> held_;
    std::set<std::string, std::less<>> clients_;  // every client a line named: what polls ask for
    std::set<std::pair<std::string, Nanos>> given_;  // every report a client gave: (client, time)
    std::size_t reports_ = 0;                     // IAMATs herdsim wrote
    std::size_t unreadable_floods_ = 0;           // lines relays delivered that are no AT line herdsim reads
    std::string first_unreadable_flood_;
    std::shared_ptr<bool> stopped_ = std::make_shared<bool>(false);
};

}  // namespace herd::sim::target
