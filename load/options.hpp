#pragma once
// What `herdsim load` is asked to do (docs/target.md, "herdsim load"), and the parsers for the
// flags whose text has a shape of its own. Each parser returns the reason a text is refused.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace herd::load {

struct Target {
    std::string name;  // what its AT lines must say
    std::string host;
    std::uint16_t port = 0;
};

// How each request is written (the same names as a target file's "client", docs/target.md):
// persistent, on the connection's one socket; per_command, on a socket of its own, closed once its
// reply is in (or the server closed it); half_close, the same with the sending side shut down after
// the request, for servers that read until the end of the stream before they answer.
enum class ClientStyle { persistent, per_command, half_close };

std::string_view client_style_name(ClientStyle style);

struct LoadOptions {
    std::vector<Target> servers;    // connection i goes to servers[i % servers.size()]
    std::size_t connections = 1;    // per_command and half_close: requests in flight side by side
    ClientStyle client = ClientStyle::persistent;
    std::optional<double> rate;     // requests/s over all connections (open loop); none: closed loop
    std::size_t pipeline = 1;       // closed loop: requests in flight per connection
    std::optional<std::chrono::duration<double>> duration;  // no request is sent after it
    std::optional<std::uint64_t> requests;                  // in all, spread evenly over the connections
    std::uint32_t whatsat_ppm = 0;  // share of WHATSATs, in millionths
    std::size_t clients = 100;      // client IDs per connection
    std::vector<int> pids;          // the herd's processes, for CPU time per request
    std::chrono::duration<double> timeout{10.0};
    bool check_known = false;       // then poll every server for every reported client's newest record
};

// "Alford=127.0.0.1:19625,Ball=localhost:19628": names unique, ports 1 to 65535.
std::variant<std::vector<Target>, std::string> parse_servers(std::string_view text);

// "iamat:0.9,whatsat:0.1": weights (any non-negative numbers, not all 0), as the WHATSAT share in
// millionths.
std::variant<std::uint32_t, std::string> parse_mix(std::string_view text);

// "1234,5678": each a process whose /proc/PID/stat can be read now.
std::variant<std::vector<int>, std::string> parse_pids(std::string_view text);

}  // namespace herd::load
