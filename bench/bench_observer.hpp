#pragma once
// The benchmarks' eye inside the herd: a ServerObserver that counts what the nodes did and, when
// asked, stamps (from one steady clock, at the hook) when each node first stored each update and
// how many flood lines each update cost. Light on purpose: in counting mode a handled line costs
// a few increments (no clock read).
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "bench_common.hpp"
#include "net/server_observer.hpp"

namespace herd::bench {

struct UpdateTrace {
    Clock::time_point born;        // the origin stored it (the IAMAT was handled)
    Clock::time_point last_store;  // the latest first-store by any node, origin included
    std::size_t stores = 0;        // nodes that stored it, origin included
    std::uint64_t messages = 0;    // AT lines for it handled by any node, stored or dropped
};

class BenchObserver : public ServerObserver {
public:
    void on_handled(std::string_view node, const Command& command, const Effects& effects) override;
    void on_peer_link(std::string_view node, std::string_view peer, bool up) override;
    void on_peer_overflow(std::string_view node, std::string_view peer, std::size_t count) override;

    // Per-update traces (keyed by client and time text); off by default.
    bool trace = false;
    const UpdateTrace* find(std::string_view client, std::string_view time_text) const;
    void clear_traces() { traces_.clear(); }
    const std::unordered_map<std::string, UpdateTrace>& traces() const { return traces_; }

    std::uint64_t iamat_stored = 0;  // IAMATs stored by the node that received them
    std::uint64_t at_stored = 0;     // flood lines that stored a record
    std::uint64_t at_handled = 0;    // flood lines handled, stored or dropped
    std::uint64_t whatsat = 0;       // valid WHATSATs (a Places query each)
    std::uint64_t catch_up_requests = 0;  // neighbours' catch-up requests handled (honoured or not)
    std::uint64_t links_up = 0, links_down = 0, overflowed = 0;

private:
    static std::string key(std::string_view client, std::string_view time_text);
    std::unordered_map<std::string, UpdateTrace> traces_;
};

}  // namespace herd::bench
