#pragma once
// The herd a scenario runs against, as the runner sees it: servers in this process (Herd) or
// external server processes (target::ProcessHerd). Steps act and expectations look only through
// this interface, so a scenario means the same against either.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/herd_config.hpp"
#include "herd/relay.hpp"
#include "protocol/timestamp.hpp"
#include "record/verdicts.hpp"

namespace herd::sim {

// The time of a stored AT line (six fields, as records() gives them).
Nanos record_time(std::string_view at_line);

// What a look at one client's record at one server showed. In this process the table is read, so
// it holds the record or not; a target's server is asked with a WHATSAT, whose reply may also be
// one herdsim cannot read (no "\n", a line that is neither an AT line nor "? " and the query).
struct Holding {
    enum class Kind { record, unknown, unreadable };
    Kind kind = Kind::unknown;
    std::string record;    // with Kind::record: the AT line
    std::string sent;      // the poll's line (empty when the table was read)
    std::string received;  // every byte the poll got, as it came
    bool closed = false;   // the server closed the connection (else the poll's deadline passed)
};

// What a Holding shows in a verdict, escaped: "\"WHATSAT kiwi 1 1\\n\" got \"? WHATSAT kiwi 1 1\\n\"",
// "unreadable reply to \"WHATSAT kiwi 1 1\\n\": \" \\n \\n\""; empty for a table read in this process.
std::string poll_text(const Holding& held);

class RunHerd {
public:
    virtual ~RunHerd() = default;

    virtual void start() = 0;
    virtual void stop() = 0;

    virtual const HerdConfig& config() const = 0;
    std::vector<std::string> names() const;
    bool has(std::string_view name) const { return config().find(name) != nullptr; }
    std::size_t edge_count() const { return config().links.size(); }
    virtual bool is_up(std::string_view name) const = 0;
    // Where clients connect to `name`.
    virtual std::uint16_t port(std::string_view name) const = 0;

    // The relay carrying from's link to `to`; nullptr without relays or without such a link.
    virtual Relay* relay(std::string_view from, std::string_view to) = 0;
    virtual std::vector<Relay*> relays() = 0;

    // The node loses its memory and refuses connections until restart() starts it again.
    virtual void crash(std::string_view name) = 0;
    virtual void restart(std::string_view name) = 0;
    // The node (up) stops as a process stopped by SIGSTOP: it reads, writes and accepts nothing, and
    // keeps its memory, until resume() continues it.
    virtual void pause(std::string_view name) = 0;
    virtual void resume(std::string_view name) = 0;
    virtual bool is_paused(std::string_view name) const = 0;
    // Every relay's faults were cleared (a heal_all); a paused node stays paused.
    virtual void link_faults_cleared() {}

    // Nodes a flood from `origin` can reach now: through live nodes and uncut relays.
    std::vector<std::string> reachable(std::string_view origin) const;

    // A `places` step changed the mock's answers: answers cached by the servers are forgotten. Only
    // servers in this process can be told; external ones keep whatever cache they have.
    virtual void clear_places_caches() {}

    // Nothing the herd is known to hold back: no line in a relay, none queued that could go out.
    virtual bool quiet() const = 0;

    // What `node` (up) was seen to hold for each of `clients`, by client, asked now.
    virtual std::map<std::string, Holding> holdings(std::string_view node, const std::vector<std::string>& clients) = 0;
    // The AT line `node` holds for each of `clients` it was seen to hold, by client; clients it
    // does not know, or whose poll could not be read, are absent.
    std::map<std::string, std::string> records(std::string_view node, const std::vector<std::string>& clients);

    // A client wrote `line` (one line, no "\n") to `node`: a herd that cannot watch its servers
    // from inside learns of reports here.
    virtual void client_line(std::string_view node, std::string_view line) = 0;

    // Why the flood lines the herd's servers sent cannot all be counted, if so: lines its relays
    // delivered that herdsim cannot read, or relayed links no server used. The checks built on
    // flood lines (message counts, latencies, losses) are then UNCHECKED with this as the reason.
    virtual std::optional<std::string> floods_unseen() const { return std::nullopt; }

    // How exactly the recorder's store times are known, for the reports.
    virtual LatencyResolution latency_resolution() const = 0;

protected:
    // Whether a flood line from `from` can reach `to` now (both up, the link's relay not cut).
    bool link_usable(std::string_view from, std::string_view to) const;

private:
    // From config().links, filled on first use: reachable() runs once per update born.
    mutable std::map<std::string, std::vector<std::string>, std::less<>> neighbours_;
};

}  // namespace herd::sim
