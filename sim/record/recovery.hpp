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
// node -> client -> the client time of the record that node holds.
using RecordsHeld = RecoveryTargets;

class RecoveryWatch {
public:
    // Recovered at once when nothing is required. `held`: what every node that is up holds now.
    RecoveryWatch(double ended_ms, RecoveryTargets targets, RecordsHeld held);
    // `node` stored a record for `client` with this client time, at t_ms.
    void stored(std::string_view node, std::string_view client, Nanos time, double t_ms);
    // A node that is down is no longer asked to hold anything, and a record that only it held (no
    // node up holds it or a newer one) is asked of no one: no herd can pass on what it lost.
    void crashed(std::string_view node, double t_ms);
    Recovery result() const;

private:
    void settle(double t_ms);

    Recovery recovery_;
    RecoveryTargets pending_;
    RecordsHeld held_;
};

// A fault window's times, to judge one window's recovery among the others.
struct WindowSpan {
    double start_ms = 0;
    std::optional<double> end_ms;  // empty: never ended
};

// From when window `i`'s recovery is judged: its end, or, when other faults were in force after it
// ended and before it recovered (a node still paused, another link still cut), the end of the last
// of those, chained (a fault in force then holds the herd back, so its end counts as the heal).
// Empty when one of them never ended. `recovered_ms` empty: not recovered.
std::optional<double> judged_from(const std::vector<WindowSpan>& windows, std::size_t i, std::optional<double> recovered_ms);

// Every watch of a run, by the index of its fault window.
class Recoveries {
public:
    // A watch is about to be made: the stores heard from now until watch() are told to it too. Its
    // targets are read from the nodes, and a target's nodes are read by polls, which run the herd:
    // a store made while they are read is seen once, then, and must not be missed.
    void open_watch() { opening_.emplace(); }
    void watch(std::size_t window, RecoveryWatch w);
    // A node stored a record (an IAMAT or an AT with outcome "stored"): every watch hears of it.
    void on_handled(std::string_view node, const Command& command, const Effects& effects, double t_ms);
    void stored(std::string_view node, std::string_view client, Nanos time, double t_ms);
    void crashed(std::string_view node, double t_ms);
    std::optional<Recovery> of(std::size_t window) const;

private:
    struct Store {
        std::string node, client;
        Nanos time;
        double t_ms;
    };
    std::map<std::size_t, RecoveryWatch> watches_;
    std::optional<std::vector<Store>> opening_;  // since open_watch()
};

}  // namespace herd::sim
