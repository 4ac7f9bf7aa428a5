#pragma once
// A scenario, as loaded from its JSON file (docs/scenarios.md is the reference). Plain data: the
// loader fills it and reports every error; the runner plays it.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "config/herd_config.hpp"
#include "serve/mock_places_rule.hpp"

namespace herd::sim {

using Millis = std::chrono::milliseconds;

// ---- the herd ------------------------------------------------------------------------------

struct TopologySpec {
    std::string kind;          // "line" | "ring" | "grid" | "tree" | "random" | "full"
    int nodes = 0;             // line, ring, tree, random, full
    int rows = 0, cols = 0;    // grid
    int arity = 2;             // tree: k-ary
    int degree = 4;            // random: every node has this degree (a seeded random regular graph)
    std::uint64_t seed = 1;    // random
    std::string name_prefix = "N";  // nodes are <prefix>0, <prefix>1, ...
};

struct HerdSpec {
    // Exactly one of: a preset name, a config file (relative to the scenario file), a topology.
    std::string preset;
    std::filesystem::path config_file;
    std::optional<TopologySpec> topology;
    bool fixed_ports = false;  // bind the config's ports instead of OS-assigned ones
    // The servers and links of that source, derived once by the loader: its checks of node names
    // and links and the run both use this one (a random topology is drawn once).
    HerdConfig derived;
};

// ---- mock Places ---------------------------------------------------------------------------

struct PlacesSpec {
    PlacesApi api = PlacesApi::legacy;
    Millis timeout{2000};  // the nodes' Places client timeout
    // Off unless the scenario sets them (a mock's answers change mid-run); burst and sizes as serve's.
    PlacesLimits limits{.rate_per_second = 0,
                        .burst = serve_places_limits.burst,
                        .max_in_flight = 0,
                        .cache_ttl = {},
                        .cache_entries = serve_places_limits.cache_entries,
                        .cache_bytes = serve_places_limits.cache_bytes};
    std::vector<serve::MockPlacesRule> rules;
};

// ---- steps ---------------------------------------------------------------------------------

// What a step is. Each kind declares its role once, here (`static constexpr StepRole role`); the
// runner dispatches on it and has_expectation() reads it, so no list of kinds can miss a new one.
enum class StepRole {
    action,  // acts on the herd, its network, its clients or the mock Places: "quiet" is counted from it
    mark,    // marks the run (a phase begins) and changes nothing
    wait,    // lets the herd run
    check,   // judges what the herd holds or did: a verdict
};

// What an action does to the run's fault windows (summary.json "faults"): opens one on its node or
// link, ends the one open there, or both (a new delay replaces the old one). Declared by each fault
// step (`windows()`); the runner keeps its windows by it, and the loader checks expect_recovery's
// references against it.
struct FaultWindows {
    bool opens = false;
    bool ends = false;
};

// One end of a directed link, or both directions when both_ways.
struct LinkRef {
    std::string from, to;
    bool both_ways = true;
};

// A client connects (or reuses its named connection) and sends a line.
struct SendStep {
    static constexpr StepRole role = StepRole::action;
    std::string node;
    std::string line;              // verbatim, without the newline
    std::string connection;        // name to reuse a connection across steps; empty: a fresh one
    // With `connection`: it must still be open; the server having closed it fails the step instead
    // of a new connection being opened (a scenario can require a persistent server).
    bool keep_open = false;
    bool newline = true;           // false: send without "\n"
    bool half_close = false;       // shut down the sending side after writing
    // Expectation on the reply (optional): exact text (without the final "\n") or an ECMAScript regex
    // that must match the whole reply; `no_reply` asserts that nothing comes back within reply_timeout.
    std::optional<std::string> expect_reply;
    std::optional<std::string> expect_pattern;
    bool expect_no_reply = false;
    Millis reply_timeout{3000};
    // false: the step ends once the line is written; the reply is read and judged in the background.
    bool wait_reply = true;

    bool expects_reply() const { return expect_reply || expect_pattern || expect_no_reply; }
};

struct CrashStep {
    static constexpr StepRole role = StepRole::action;
    FaultWindows windows() const { return {.opens = true}; }
    std::string node;
};
struct RestartStep {
    static constexpr StepRole role = StepRole::action;
    FaultWindows windows() const { return {.ends = true}; }
    std::string node;
};
// A node paused as a stopped process is (SIGSTOP) until its resume (SIGCONT): it reads, writes and
// accepts nothing meanwhile, and keeps its memory.
struct PauseStep {
    static constexpr StepRole role = StepRole::action;
    FaultWindows windows() const { return {.opens = paused, .ends = !paused}; }
    std::string node;
    bool paused = true;
};
struct CutStep {
    static constexpr StepRole role = StepRole::action;
    FaultWindows windows() const { return {.opens = true}; }
    LinkRef link;
};
struct HealStep {
    static constexpr StepRole role = StepRole::action;
    FaultWindows windows() const { return {.ends = true}; }
    LinkRef link;
};
struct PartitionStep {
    static constexpr StepRole role = StepRole::action;
    FaultWindows windows() const { return {.opens = true}; }
    std::vector<std::vector<std::string>> groups;
};
// Heals every cut, partition, stall, drop, reset and delay: every window but the crashes and pauses ends.
struct HealAllStep {
    static constexpr StepRole role = StepRole::action;
    FaultWindows windows() const { return {.ends = true}; }
};
struct DelayStep {  // link empty: every link
    static constexpr StepRole role = StepRole::action;
    FaultWindows windows() const { return {.opens = delay.count() > 0 || jitter.count() > 0, .ends = true}; }
    LinkRef link;
    Millis delay{0};
    Millis jitter{0};
    bool exponential = false;  // "distribution": "exponential": Exp(mean = delay) per line, no jitter
};
struct DropStep {
    static constexpr StepRole role = StepRole::action;
    FaultWindows windows() const { return {.opens = true}; }
    LinkRef link;                 // empty from/to: every link
    std::string command;          // match: first word ("AT"); empty: any
    std::string client;           // match: the client field; empty: any
    int first = -1;               // drop only the first N matches; -1: all
};
struct ResetAfterStep {
    static constexpr StepRole role = StepRole::action;
    LinkRef link;
    std::uint64_t bytes = 0;
};
struct StallStep {
    static constexpr StepRole role = StepRole::action;
    FaultWindows windows() const { return {.opens = stalled, .ends = !stalled}; }
    LinkRef link;
    bool stalled = true;
};
struct PlacesStep {  // replaces the mock's rules
    static constexpr StepRole role = StepRole::action;
    std::vector<serve::MockPlacesRule> rules;
};
struct WaitStep {
    static constexpr StepRole role = StepRole::wait;
    Millis duration{0};
};
// Fails (and only fails) when the herd is still busy at the timeout.
struct WaitQuietStep {
    static constexpr StepRole role = StepRole::wait;
    Millis quiet{200};
    Millis timeout{10000};
};

struct ExpectKnowsStep {
    static constexpr StepRole role = StepRole::check;
    std::string node;
    std::string client;
    std::optional<std::string> time;  // the exact time text the node must hold; absent: the newest sent
    bool knows = true;                // false: the node must not know the client at all
};
struct ExpectConvergedStep {
    static constexpr StepRole role = StepRole::check;
};
// `phase`, in the gates that take it: judge only the updates born in that phase; empty: all so far.
struct ExpectLatencyStep {
    static constexpr StepRole role = StepRole::check;
    // Upper bounds in milliseconds, fractions allowed, on full-coverage latency over updates so far.
    std::optional<double> p50, p95, p99, max;
    std::string phase;
};
struct ExpectMessagesStep {
    static constexpr StepRole role = StepRole::check;
    std::optional<double> max_per_update;
    bool exact_2e_minus_n_minus_1 = false;  // every update cost exactly 2E - (N - 1) messages
    std::string phase;
};
// Which nodes an update must reach. at_birth: those its origin could reach when it was born (a node
// that crashes before storing it is excused). now: every node that is up at the check and can reach a
// live node holding it or a newer record for its client, whether or not it was down at the birth:
// the guarantee catch-up gives.
enum class LostRequired { at_birth, now };
struct ExpectLostStep {
    static constexpr StepRole role = StepRole::check;
    int max_lost = 0;
    std::string phase;
    LostRequired required = LostRequired::at_birth;
};
// The time from a fault's end until the herd holds what it held then, everywhere it can reach.
struct ExpectRecoveryStep {
    static constexpr StepRole role = StepRole::check;
    double max_ms = 0;
    std::optional<std::size_t> fault;  // the step that began the fault; empty: the last fault that ended
    bool each = false;                 // every fault window that ended, each judged from its own heal
};
// A named phase begins here and lasts until the next phase step or the end of the run.
struct PhaseStep {
    static constexpr StepRole role = StepRole::mark;
    std::string name;
};

struct WorkloadStep {
    static constexpr StepRole role = StepRole::action;
    int updates = 0;
    double rate = 0;       // updates per second
    int clients = 1;       // drawn from client-0 .. client-(clients-1)
    std::vector<std::string> nodes;  // empty: any live node
    // The schedule is no premise (a burst meant to be over what the herd takes): falling behind it
    // is not the run falling behind.
    bool may_fall_behind = false;
};

using StepAction = std::variant<SendStep, CrashStep, RestartStep, PauseStep, CutStep, HealStep, PartitionStep, HealAllStep,
                                DelayStep, DropStep, ResetAfterStep, StallStep, PlacesStep, WaitStep, WaitQuietStep,
                                ExpectKnowsStep, ExpectConvergedStep, ExpectLatencyStep, ExpectMessagesStep,
                                ExpectLostStep, ExpectRecoveryStep, PhaseStep, WorkloadStep>;

struct Step {
    std::size_t index = 0;         // position in the file's "steps" array
    std::optional<Millis> at;      // absolute, from the scenario's start
    Millis after{0};               // relative to the end of the previous step (used when `at` is absent)
    std::string note;              // optional description, printed with failures
    StepAction action;
};

struct Scenario {
    std::filesystem::path file;
    std::string name;              // defaults to the file's stem
    std::string description;
    std::uint64_t seed = 1;
    HerdSpec herd;
    PlacesSpec places;
    Millis default_delay{0}, default_jitter{0};  // every link, from the start
    bool default_exponential = false;            // links.distribution "exponential"
    // links.policy: the servers in this process connect per burst, as the course's do (and as
    // `herdsim serve` always does), instead of holding their peer connections open.
    bool per_burst_links = false;
    std::vector<Step> steps;
};

inline StepRole role_of(const StepAction& action) {
    return std::visit([](const auto& step) { return std::decay_t<decltype(step)>::role; }, action);
}

// What a step does to the fault windows: what its kind declares, nothing for the kinds that declare none.
template <class StepKind>
FaultWindows fault_windows(const StepKind& step) {
    if constexpr (requires { step.windows(); })
        return step.windows();
    else
        return {};
}
inline FaultWindows fault_windows(const StepAction& action) {
    return std::visit([](const auto& step) { return fault_windows(step); }, action);
}

// Whether any step can give a passing verdict: a check, or a send with a reply expectation. A
// wait_quiet only ever fails, so it alone leaves a scenario unchecked.
inline bool has_expectation(const Scenario& scenario) {
    return std::any_of(scenario.steps.begin(), scenario.steps.end(), [](const Step& step) {
        if (const auto* send = std::get_if<SendStep>(&step.action)) return send->expects_reply();
        return role_of(step.action) == StepRole::check;
    });
}

}  // namespace herd::sim
