#pragma once
// Recovery from a fault: from the moment it ends until every node that is up and connected holds,
// for every client, a record at least as new as the newest that any node of its connected group
// held at that moment. One watch per fault that ended, fed by the same hook as the recorder.
#include <cmath>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/server_observer.hpp"
#include "protocol/timestamp.hpp"

namespace herd::sim {

struct Recovery {
    double ended_ms = 0;                 // when the fault ended, since the run's start
    std::optional<double> recovered_ms;  // when the herd had recovered; empty: not (yet)
    std::size_t missing = 0;             // (node, client) pairs still short of their record
    std::string example;                 // one of them: "Holiday lacks kiwi (1520023940.5 or newer)"
    // recovered - ended, to the microsecond like every time the recorder reads.
    std::optional<double> recovery_ms() const {
        return recovered_ms ? std::optional<double>(std::round((*recovered_ms - ended_ms) * 1000) / 1000) : std::nullopt;
    }
};

// node -> client -> the oldest client time that node must come to hold (or a newer one).
using RecoveryTargets = std::map<std::string, std::map<std::string, Nanos, std::less<>>, std::less<>>;

class RecoveryWatch {
public:
    // Recovered at once when nothing is required.
    RecoveryWatch(double ended_ms, RecoveryTargets targets);
    // `node` stored a record for `client` with this client time, at t_ms.
    void stored(std::string_view node, std::string_view client, Nanos time, double t_ms);
    // A node that is down is no longer asked to hold anything.
    void crashed(std::string_view node, double t_ms);
    Recovery result() const;

private:
    void settle(double t_ms);

    Recovery recovery_;
    RecoveryTargets pending_;
};

// Every watch of a run, by the index of its fault window.
class Recoveries {
public:
    void watch(std::size_t window, RecoveryWatch w) { watches_.emplace(window, std::move(w)); }
    // A node stored a record (an IAMAT or an AT with outcome "stored"): every watch hears of it.
    void on_handled(std::string_view node, const Command& command, const Effects& effects, double t_ms);
    void stored(std::string_view node, std::string_view client, Nanos time, double t_ms);
    void crashed(std::string_view node, double t_ms);
    std::optional<Recovery> of(std::size_t window) const;

private:
    std::map<std::size_t, RecoveryWatch> watches_;
};

}  // namespace herd::sim
