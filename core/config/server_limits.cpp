#include "config/server_limits.hpp"

#include <array>
#include <type_traits>

namespace herd {

namespace {

using std::chrono::milliseconds;
constexpr std::uint64_t one_day_ms = 86'400'000;

template <auto member>
constexpr LimitSpec count(std::string_view key, std::uint64_t min, std::uint64_t max, std::string_view meaning) {
    return {key, min, max, meaning, [](const ServerLimits& l) -> std::uint64_t { return l.*member; },
            [](ServerLimits& l, std::uint64_t v) { l.*member = static_cast<std::remove_reference_t<decltype(l.*member)>>(v); }};
}

template <auto member>
constexpr LimitSpec span_ms(std::string_view key, std::string_view meaning, std::uint64_t min = 0,
                            std::uint64_t max = one_day_ms) {
    return {key, min, max, meaning,
            [](const ServerLimits& l) -> std::uint64_t { return static_cast<std::uint64_t>((l.*member).count()); },
            [](ServerLimits& l, std::uint64_t v) { l.*member = milliseconds(v); }};
}

constexpr std::array specs = {
    count<&ServerLimits::max_line>("max_line_bytes", 256, 16 << 20, "Longest line; a longer one gets '? ' and a close"),
    LimitSpec{"max_client_id_bytes", 1, 65536, "Longest client ID; a longer one gets '? '",
              [](const ServerLimits& l) -> std::uint64_t { return l.fields.max_client_id; },
              [](ServerLimits& l, std::uint64_t v) { l.fields.max_client_id = v; }},
    LimitSpec{"max_field_bytes", 16, 65536, "Longest other field (coordinates, times, server names); longer: '? '",
              [](const ServerLimits& l) -> std::uint64_t { return l.fields.max_field; },
              [](ServerLimits& l, std::uint64_t v) { l.fields.max_field = v; }},
    span_ms<&ServerLimits::idle_timeout>("idle_timeout_ms", "Close a connection this long after its last complete line (0: never)"),
    span_ms<&ServerLimits::line_timeout>("line_timeout_ms", "Close a connection whose unfinished line began this long ago (0: never)"),
    count<&ServerLimits::max_connections>("max_connections", 1, 1'000'000, "Open connections; past it new ones are closed at once"),
    span_ms<&ServerLimits::evict_idle_after>("evict_idle_ms",
                                             "At max_connections, a new connection closes the one longest without a "
                                             "complete line if that is at least this long (0: never)"),
    count<&ServerLimits::peer_slots>("peer_slots", 0, 1024,
                                     "Connections above max_connections, kept only by a line valid from a neighbour"),
    count<&ServerLimits::max_address_share_percent>(
        "max_address_share_percent", 1, 100,
        "At max_connections, an address holding more than this share of the slots gives one up to another (100: never)"),
    count<&ServerLimits::log_max_bytes>("log_max_bytes", 4096, std::uint64_t(1) << 40, "A log file rotates at this size"),
    count<&ServerLimits::log_files>("log_files", 1, 100, "Rotated log files kept beside the current one"),
    count<&ServerLimits::peer_queue_lines>("peer_queue_lines", 1, 100'000'000,
                                           "Flood lines queued per neighbour; past it the queue is dropped and a catch-up owed"),
    count<&ServerLimits::peer_queue_bytes>("peer_queue_bytes", 4096, std::uint64_t(1) << 40,
                                           "Bytes queued per neighbour; past it the queue is dropped and a catch-up owed"),
    count<&ServerLimits::backpressure_bytes>("backpressure_bytes", 0, std::uint64_t(1) << 40,
                                             "Queued bytes past which a client's flooded IAMAT waits for the neighbour"),
    span_ms<&ServerLimits::stall_timeout>("stall_timeout_ms",
                                          "A neighbour with a write pending this long no longer holds clients up"),
    span_ms<&ServerLimits::max_time_ahead>("max_time_ahead_ms",
                                           "A client time further ahead of this server's clock is refused ('? ')", 1,
                                           3650 * one_day_ms),
    span_ms<&ServerLimits::catch_up_interval>("catch_up_interval_ms",
                                              "A neighbour's catch-up requests start a walk at most once per interval; an early one waits"),
};

}  // namespace

std::span<const LimitSpec> limit_specs() { return specs; }

}  // namespace herd
