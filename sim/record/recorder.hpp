#pragma once
// The recorder: watches every node of the herd through the ServerObserver hook and stamps each event
// with one steady clock shared by all nodes, read at the hook (never polled). From that it knows, per
// update (a client report that some node stored first), when each node first stored it, how many
// flood lines it cost, and whether it reached every node it could reach. summarize() turns that into
// the numbers the runner's expectations and the reports use.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "net/server_observer.hpp"
#include "protocol/timestamp.hpp"
#include "record/store_sink.hpp"

namespace herd::sim {

// p50/p95/p99/max of a set of values in milliseconds. Nearest rank: the p-quantile of n sorted
// values v[0..n-1] is v[ceil(p/100 * n) - 1], always one of the values (no interpolation), so a
// gate like "p99 <= 5 ms" means "at least 99% of the values were <= 5 ms".
struct Quantiles {
    std::size_t count = 0;  // 0: no values, and the quantiles below mean nothing
    double p50 = 0, p95 = 0, p99 = 0, max = 0;
};
Quantiles quantiles(std::vector<double> values);

// An update that did not reach every node required to store it.
struct LostUpdate {
    std::size_t id = 0;
    std::string client;
    std::string client_time;  // as the client wrote it
    std::string origin;
    std::vector<std::string> missing;  // required nodes that never stored it, by name
};

// A node that was not required to store an update (it could not be reached when the update was
// born, or its crash excused it) and stored it all the same, later: how late.
struct LateDelivery {
    std::size_t id = 0;
    std::string node;
    double delay_ms = 0;  // first stored - born
};

// An update a newer report for the same client overtook: some node held the newer one before a
// flood line for this one reached it, and rightly dropped that line (stale) instead of passing it
// on, so the update cost fewer lines than a flood nothing overtakes.
struct OvertakenUpdate {
    std::size_t id = 0;
    std::string client;
    std::string client_time;  // as the client wrote it
    std::string origin;
    std::vector<std::string> at;  // the nodes where the newer one got first, by name
    std::uint64_t messages = 0;
};

struct MessageStats {
    double mean = 0;
    std::uint64_t min = 0, max = 0;
    std::vector<std::uint64_t> per_update;  // by update id: AT lines handled for it by all nodes
    std::vector<std::size_t> update_ids;    // beside per_update: whose count it is
    std::vector<OvertakenUpdate> overtaken;  // by update id
};

// Of the AT lines handled, those a neighbour sent because it flooded the update (messages) and
// those it resent from its table in a catch-up (catch_up), each per update. Told apart only when
// the servers' sends are seen (a herd in this process, with set_peers); otherwise every line is
// counted as a flood line.

// Everything in milliseconds, with microsecond precision. Computed at the moment summarize() is
// called: an update still on its way counts as lost until it arrives.
struct Summary {
    double duration_ms = 0;  // from the recorder's start to the summary
    std::size_t updates = 0;
    // One per update summarized, in id order (so by update id when none was left out): max over
    // required nodes of (first stored - born); empty when lost.
    std::vector<std::optional<double>> full_coverage_ms;
    Quantiles full_coverage;  // over the updates that were not lost
    // Per node (every node, by name): first stored - born over the updates it stored, origin excluded.
    std::map<std::string, Quantiles> per_node;
    MessageStats messages;           // flood lines
    MessageStats catch_up;           // catch-up lines
    std::map<std::string, std::uint64_t> duplicates_per_node;  // every node, by name
    std::map<std::pair<std::string, std::string>, std::uint64_t> link_messages;  // (sender, receiver)
    // By update id: missing where it was required while some node that is up still holds it (or a
    // newer report for its client) and so could pass it on. The rule expect_lost judges by.
    std::vector<LostUpdate> lost;
    // By update id: missing where it was required, but every node that stored it (or a newer one)
    // crashed since, and a restart forgets: no live node could pass it on. Not a loss by the herd.
    std::vector<LostUpdate> forgotten;
    std::vector<LateDelivery> late;  // by update id, then node name
    Quantiles late_delay;            // over `late`
    std::size_t stale_reads = 0;     // reads that missed a summarized update
    std::uint64_t unmatched_messages = 0;  // AT lines for a report no node was seen storing first
};

class Recorder : public herd::ServerObserver, public StoreSink {
public:
    using Clock = std::chrono::steady_clock;
    using TimePoint = Clock::time_point;
    using ClockFn = std::function<TimePoint()>;
    // Nodes reachable from `origin` through live nodes and uncut links, right now (origin included).
    using ReachableFn = std::function<std::vector<std::string>(std::string_view origin)>;

    // What one node did with one update.
    struct Delivery {
        std::optional<TimePoint> first_stored;
        std::optional<TimePoint> last_stored;  // stored again after a restart: the newest time
        std::uint64_t duplicates = 0;  // AT lines for it handled as stale
        std::uint64_t messages = 0;    // AT lines for it handled, stored or stale
    };

    struct Update {
        std::size_t id = 0;  // birth order, from 0
        std::string client;
        Nanos client_time = 0;
        std::string client_time_text;  // as the client wrote it
        std::string origin;
        TimePoint born;
        std::vector<char> required;         // by node index (see nodes()); may be shorter: not required
        std::vector<Delivery> deliveries;   // by node index; may be shorter: never heard of it
        std::uint64_t messages = 0;         // flood lines handled for it, all nodes together
        std::uint64_t catch_up = 0;         // catch-up lines handled for it, all nodes together
    };

    struct Event {
        double t_ms = 0;  // since start
        std::string kind;
        std::string detail;
        std::vector<std::string> nodes;
    };

    struct StaleRead {
        double t_ms = 0;
        std::string node;
        std::string client;
        std::string served_time;  // client time of the record the node answered from
        std::string newest_time;  // client time of the newest update born by then
        std::size_t newest_update = 0;
    };

    // `nodes`: the herd's servers. `clock` defaults to steady_clock::now; tests inject their own.
    // The start time is read here.
    explicit Recorder(std::vector<std::string> nodes, ClockFn clock = {});

    void on_handled(std::string_view node, const Command& command, const Effects& effects) override;
    // The same, told from outside a herd's servers (StoreSink): a stored IAMAT, a handled AT.
    void stored(std::string_view node, const ClientReport& report) override;
    void flooded(std::string_view node, std::string_view sender, const ClientReport& report, bool fresh) override;
    void on_peer_link(std::string_view node, std::string_view peer, bool up) override;
    void on_peer_overflow(std::string_view node, std::string_view peer, std::size_t count) override;

    // Without it, every node is required to store every update.
    void set_reachable(ReachableFn reachable);
    // Each node's neighbours in the order its server floods to them (HerdConfig::neighbours). With
    // them an AT line that matches no flood send of its sender is counted as a catch-up line.
    void set_peers(std::map<std::string, std::vector<std::string>, std::less<>> peers);
    // Counts every time from `zero` (the scenario's time 0, which its at_ms count from) instead of
    // the recorder's start: one clock for every time a run shows. Events already noted move with it
    // (the herd's start comes before 0). Returns how far the clock moved, in ms, for the other
    // keepers of times read from it (MessageLog::move_zero).
    double set_zero(TimePoint zero);

    // A fault or other runner action, for the event log: crash, restart, cut, heal, partition, delay, ...
    void note(std::string kind, std::string detail, std::vector<std::string> nodes = {});

    // `node` lost its memory: it is no longer required to store the updates it had not stored yet.
    void node_crashed(std::string_view node);

    TimePoint now() const { return clock_(); }
    TimePoint start_time() const { return start_; }
    TimePoint last_activity() const { return last_activity_; }  // last AT line handled, or start
    double ms_since_start(TimePoint t) const;

    const std::vector<std::string>& nodes() const { return nodes_; }  // node index -> name
    std::optional<std::size_t> node_index(std::string_view name) const;
    const std::vector<Update>& updates() const { return updates_; }
    // The update with the newest client time for `client`; nullptr if none was born.
    const Update* newest_update(std::string_view client) const;
    const std::vector<Event>& events() const { return events_; }
    const std::vector<StaleRead>& stale_reads() const { return stale_reads_; }

    // Over every update, or only those `include` accepts (an update's stale reads go with it).
    using UpdateFilter = std::function<bool(const Update&)>;
    Summary summarize(const UpdateFilter& include = {}) const;

private:
    std::size_t intern(std::string_view node);
    Update* find_update(std::string_view client, Nanos time);
    // Whether some node holds u or a newer report for its client now: it stored one since its last crash.
    bool held_now(const Update& u) const;
    // When `node` first stored a report for u's client newer than u; empty if never.
    std::optional<TimePoint> first_newer_stored(const Update& u, std::size_t node) const;
    void store(std::size_t node, const ClientReport& report, TimePoint t);
    void flood(std::size_t node, std::string_view sender, const ClientReport& report, bool fresh, TimePoint t);
    void count_flood(Update& u, std::size_t node, std::string_view sender, bool fresh, TimePoint t);
    void count_early_floods(Update& u, std::size_t origin, TimePoint born);
    void on_query(std::size_t node, const WhatsAt& c, const Effects& effects, TimePoint t);
    void flood_sent(std::size_t node, const Effects& effects);
    // Whether `sender` flooded this line to `receiver` (one such send is then taken off).
    bool sent_as_flood(std::size_t update, std::string_view sender, const std::string& receiver);

    ClockFn clock_;
    TimePoint start_;
    TimePoint last_activity_;
    ReachableFn reachable_;
    std::vector<std::string> nodes_;
    std::map<std::string, std::size_t, std::less<>> node_index_;
    std::vector<Update> updates_;
    // client -> client time -> update id; the inner map's last entry is the client's newest update.
    std::map<std::string, std::map<Nanos, std::size_t>, std::less<>> by_client_;
    using LinkCounts = std::map<std::string, std::uint64_t, std::less<>>;  // receiver -> AT lines
    std::map<std::string, LinkCounts, std::less<>> link_messages_;         // sender -> receivers
    std::vector<Event> events_;
    std::map<std::size_t, TimePoint> crashed_at_;  // node index -> its last crash
    std::vector<StaleRead> stale_reads_;
    std::uint64_t unmatched_messages_ = 0;
    // AT lines for a report not born yet, by (client, time): counted at its birth.
    struct EarlyFlood {
        std::size_t node;
        std::string sender;
        bool fresh;
    };
    static constexpr std::size_t max_early_lines = 100'000;  // past it, unmatched at once
    std::map<std::pair<std::string, Nanos>, std::vector<EarlyFlood>> early_;
    std::size_t early_lines_ = 0;
    std::map<std::string, std::vector<std::string>, std::less<>> peers_;
    // (update id, sender, receiver) -> flood lines sent and not handled yet.
    std::map<std::tuple<std::size_t, std::string, std::string>, std::uint64_t, std::less<>> floods_in_flight_;
};

}  // namespace herd::sim
