#pragma once
// What one server spends at most on hostile input: lines, fields, time, connections, log files.
// Plain data with the defaults docs/design.md justifies; a herd config's "limits" object and the
// `herdsim serve` flags set it, through the one table below.
#include <chrono>
#include <cstdint>
#include <span>
#include <string_view>

#include "protocol/command.hpp"

namespace herd {

struct ServerLimits {
    std::size_t max_line = 64 * 1024;  // longer: "? " with its first 64 bytes, then a close
    FieldLimits fields;                // longer client ID or field: "? "
    // Closes a connection this long after its last complete line (0: never)...
    std::chrono::milliseconds idle_timeout{std::chrono::minutes(10)};
    // ...or this long after the first byte of a line that has not ended yet (0: never).
    std::chrono::milliseconds line_timeout{std::chrono::seconds(30)};
    std::size_t max_connections = 1024;  // open connections; past it see evict_idle_after, then peer_slots
    // At max_connections a new connection takes the slot of the client connection that has gone
    // longest without a complete line, if that is at least this long (0: never): an idle flood
    // cannot shut out a client that talks.
    std::chrono::milliseconds evict_idle_after{std::chrono::seconds(1)};
    std::size_t peer_slots = 16;  // above max_connections, kept only by a line valid from a neighbour
    // At max_connections, with no idle connection to evict, a connection from an address holding
    // less than this share of the client slots takes the slot of the least recently active
    // connection of an address holding more (100: no share).
    std::uint32_t max_address_share_percent = 50;
    std::uint64_t log_max_bytes = 16 << 20;  // a log file rotates at this size...
    std::size_t log_files = 4;               // ...keeping this many rotated files beside it
    // Flood lines held per neighbour while it is slow or down; past either bound the queue is dropped
    // and the neighbour is caught up instead (every record sent again once it takes lines).
    std::size_t peer_queue_lines = 65536;
    std::uint64_t peer_queue_bytes = 16 << 20;
    // Backpressure: a client connection whose IAMAT was flooded waits before reading on while a
    // neighbour's queue holds more than this, as long as that neighbour keeps taking writes: a write
    // pending for stall_timeout means it stopped reading, and then no client waits for it.
    std::uint64_t backpressure_bytes = 1 << 20;
    std::chrono::milliseconds stall_timeout{500};
    // A client time (IAMAT or flood line) further ahead of this server's clock is refused: no record
    // can be pinned into the far future, where no honest report would ever be newer.
    std::chrono::milliseconds max_time_ahead{std::chrono::hours(24)};
    // A neighbour's catch-up requests start a walk at most once per this interval; an early one
    // waits for it (protocol/catch_up_pacing.hpp): anyone can ask in a neighbour's name.
    std::chrono::milliseconds catch_up_interval{std::chrono::seconds(1)};
};

// One limit as a config key ("max_connections") and a flag ("--max-connections"): its range and
// how to read and set it as a whole number (milliseconds for times).
struct LimitSpec {
    std::string_view key;
    std::uint64_t min;
    std::uint64_t max;
    std::string_view meaning;  // for --help
    std::uint64_t (*get)(const ServerLimits&);
    void (*set)(ServerLimits&, std::uint64_t);
};

// Every limit, in the order the docs list them.
std::span<const LimitSpec> limit_specs();

}  // namespace herd
