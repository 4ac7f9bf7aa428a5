#pragma once
// The scenario loader's inside: one Loader class whose parts live in one file per job (loader.cpp
// the top level and the steps' dispatch, readers.cpp the typed fields, herd_section.cpp,
// node_checks.cpp, node_groups.cpp, places_section.cpp, and send_, fault_, wait_ and expect_steps.cpp: a reader per
// step kind). Private to sim/scenario/.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scenario/limits.hpp"
#include "scenario/loader.hpp"
#include "scenario/wording.hpp"

namespace herd::sim::scenario_reading {

namespace fs = std::filesystem;

// The herd, as far as steps need it: built from the HerdConfig the run will use.
struct HerdShape {
    std::vector<std::string> names;                 // herd order
    std::map<std::string, int, std::less<>> index;  // name -> position in names
    std::vector<std::pair<int, int>> links;         // (lower, higher) positions in names, sorted
    bool generated = false;                         // <prefix>0 .. <prefix>N-1
    std::string summary;

    HerdShape(const HerdConfig& config, std::string source, bool generated_names);
    bool adjacent(int a, int b) const;
    // For messages: "one of Alford, Ball, Hamilton, Holiday, Welsh" or "N0 to N24".
    std::string expected_names() const;
    std::vector<std::string> neighbours(int node) const;
};

enum class Need { optional, required };

struct IntRule {
    std::int64_t lo, hi;
    std::string_view expected;  // "a non-negative integer (milliseconds)"
};
constexpr IntRule kMillisRule{0, max_millis, "a non-negative integer (milliseconds)"};
constexpr IntRule kPositiveMillisRule{1, max_millis, "a positive integer (milliseconds)"};
constexpr IntRule kCountRule{0, std::numeric_limits<int>::max(), "a non-negative integer"};

struct NumberRule {
    double lo, hi;  // inclusive
    std::string_view expected;
};

// An object being read, and its path for messages.
struct At {
    const Json& json;
    std::string path;
    std::string field(std::string_view key) const { return path.empty() ? std::string(key) : path + "." + std::string(key); }
    bool has(std::string_view key) const { return json.contains(key); }
};

// A link fault's object: its keys, and the link it names (unset when from/to are in error).
struct FaultLink {
    At at;
    std::optional<LinkRef> link;
};

class Loader {
public:
    explicit Loader(fs::path file) : file_(std::move(file)), folder_(file_.parent_path()) {}
    LoadResult load(std::string_view text);

private:
    using ActionReader = std::optional<StepAction> (Loader::*)(const Json&, const std::string&, std::size_t);
    struct ActionKind {
        std::string_view key;
        ActionReader read;
    };
    static const std::vector<ActionKind>& action_kinds();
    static Keys step_keys();

    void error(std::string field, std::string message) {
        auto step = step_of(field);
        errors_.push_back({file_.string(), step, std::move(field), std::move(message)});
    }

    // Values and keys.
    std::optional<Json> parse(std::string_view text);
    bool is_object(const Json& value, const std::string& path, std::string_view expected);
    void known_keys(const At& at, const Keys& keys);
    std::optional<At> open(const Json& value, const std::string& path, std::string_view expected, const Keys& keys);
    const Json* member(const At& at, std::string_view key, Need need, std::string_view expected);
    std::optional<std::string> string_value(const Json& value, const std::string& path, std::string_view expected);
    std::optional<std::int64_t> int_value(const Json& value, const std::string& path, const IntRule& rule);
    bool read_string(const At& at, std::string_view key, std::string& out, Need need = Need::optional,
                     std::string_view expected = "a string");
    bool read_short(const At& at, std::string_view key, std::string& out, std::size_t max_bytes, Need need,
                    std::string_view expected);
    bool read_word(const At& at, std::string_view key, std::string& out, Need need, std::string_view expected,
                   std::size_t max_bytes = max_word_bytes);
    template <class T>
    bool read_int(const At& at, std::string_view key, T& out, const IntRule& rule, Need need = Need::optional);
    bool read_millis(const At& at, std::string_view key, Millis& out, const IntRule& rule = kMillisRule,
                     Need need = Need::optional);
    bool read_bool(const At& at, std::string_view key, bool& out);
    // A delay's "distribution": true for "exponential" (which takes no jitter), false for "uniform" or none.
    bool read_distribution(const At& at, Millis jitter);
    bool read_number(const At& at, std::string_view key, double& out, const NumberRule& rule, Need need);
    bool read_true(const Json& value, const std::string& path);
    std::optional<std::string> read_file_bytes(const std::string& relative, const std::string& field);

    // Nodes and links, against the herd.
    bool check_node(const std::string& name, const std::string& field);
    bool read_node(const At& at, std::string_view key, std::string& out, Need need = Need::required);
    std::optional<LinkRef> read_link(const At& at);
    void check_link(const LinkRef& link, const std::string& path);
    void read_groups(const Json& doc);
    std::optional<std::vector<std::string>> resolve_names(const std::string& text, const std::string& field);
    std::optional<std::vector<std::string>> read_node_list(const Json& value, const std::string& path);

    // Sections.
    void read_top(const Json& doc, Scenario& scenario);
    void read_herd(const Json& doc, HerdSpec& herd, std::uint64_t seed);
    void derive_topology(HerdSpec& herd);
    std::optional<TopologySpec> read_topology(const Json& value, std::uint64_t seed);
    void read_topology_sizes(const At& at, TopologySpec& t);
    void read_places(const Json& doc, PlacesSpec& places);
    void read_places_limits(const At& at, PlacesLimits& limits);
    std::vector<serve::MockPlacesRule> read_rules(const Json& value, const std::string& path);
    std::optional<serve::MockPlacesRule> read_rule(const Json& value, const std::string& path);
    void read_match(const At& at, serve::MockPlacesRule& rule);
    void read_body(const At& at, serve::MockPlacesRule& rule);
    void read_links(const Json& doc, Scenario& scenario);
    void read_steps(const Json& doc, Scenario& scenario);
    std::optional<Step> read_step(const Json& value, std::size_t index);
    void read_timing(const At& at, Step& step);

    // Step actions.
    std::optional<StepAction> read_send(const Json& v, const std::string& path, std::size_t step);
    void read_reply_expectation(const At& at, SendStep& send);
    void track_connection(const SendStep& send, const std::string& path, std::size_t step);
    std::optional<StepAction> read_crash(const Json& v, const std::string& path, std::size_t step);
    std::optional<StepAction> read_restart(const Json& v, const std::string& path, std::size_t step);
    std::optional<StepAction> read_pause(const Json& v, const std::string& path, std::size_t step);
    std::optional<StepAction> read_resume(const Json& v, const std::string& path, std::size_t step);
    std::optional<StepAction> read_cut(const Json& v, const std::string& path, std::size_t step);
    std::optional<StepAction> read_heal(const Json& v, const std::string& path, std::size_t step);
    std::optional<StepAction> read_partition(const Json& v, const std::string& path, std::size_t step);
    std::optional<StepAction> read_heal_all(const Json& v, const std::string& path, std::size_t step);
    std::optional<StepAction> read_delay(const Json& v, const std::string& path, std::size_t step);
    std::optional<StepAction> read_drop(const Json& v, const std::string& path, std::size_t step);
    std::optional<StepAction> read_reset_after(const Json& v, const std::string& path, std::size_t step);
    std::optional<StepAction> read_stall(const Json& v, const std::string& path, std::size_t step);
    std::optional<StepAction> read_unstall(const Json& v, const std::string& path, std::size_t step);
    std::optional<StepAction> read_places_step(const Json& v, const std::string& path, std::size_t step);
    std::optional<StepAction> read_wait(const Json& v, const std::string& path, std::size_t step);
    std::optional<StepAction> read_wait_quiet(const Json& v, const std::string& path, std::size_t step);
    std::optional<StepAction> read_expect_knows(const Json& v, const std::string& path, std::size_t step);
    std::optional<StepAction> read_expect_unknown(const Json& v, const std::string& path, std::size_t step);
    std::optional<StepAction> read_expect_converged(const Json& v, const std::string& path, std::size_t step);
    std::optional<StepAction> read_expect_latency(const Json& v, const std::string& path, std::size_t step);
    std::optional<StepAction> read_expect_messages(const Json& v, const std::string& path, std::size_t step);
    std::optional<StepAction> read_expect_lost(const Json& v, const std::string& path, std::size_t step);
    std::optional<StepAction> read_expect_recovery(const Json& v, const std::string& path, std::size_t step);
    std::optional<StepAction> read_phase(const Json& v, const std::string& path, std::size_t step);
    void read_phase_ref(const At& at, std::string& out);
    bool read_gate_ms(const At& at, std::string_view key, std::optional<double>& out);
    void track_faults(const Step& step);
    std::optional<StepAction> read_workload(const Json& v, const std::string& path, std::size_t step);
    std::optional<FaultLink> read_fault_link(const Json& v, const std::string& path, std::string_view what,
                                             const Keys& extra_keys);

    fs::path file_, folder_;
    std::vector<ScenarioError> errors_;
    std::optional<HerdShape> herd_;  // unset when the herd itself is in error: node checks are skipped
    std::map<std::string, std::vector<std::string>, std::less<>> groups_;  // "groups": name -> its nodes

    // Timeline state, for the checks that depend on earlier steps.
    std::optional<std::pair<std::size_t, std::int64_t>> last_at_;  // step index, its at_ms
    std::map<std::string, std::size_t> down_;                     // crashed node -> the step that crashed it
    std::map<std::string, std::size_t> paused_;                   // paused node -> the step that paused it
    std::map<std::string, std::size_t> phases_;                   // phase name -> the step that begins it
    std::set<std::size_t> fault_starts_;                          // steps that begin a fault window
    bool fault_ended_ = false;                                    // some earlier step ends a fault
    struct Connection {
        std::string node;
        std::size_t opened;
        std::optional<std::size_t> half_closed;
    };
    std::map<std::string, Connection> connections_;
};

template <class T>
bool Loader::read_int(const At& at, std::string_view key, T& out, const IntRule& rule, Need need) {
    const Json* value = member(at, key, need, rule.expected);
    if (!value) return false;
    const auto n = int_value(*value, at.field(key), rule);
    if (n) out = static_cast<T>(*n);
    return n.has_value();
}

constexpr std::string_view kLinkObject = "an object with from and to (or {} for every link)";

}  // namespace herd::sim::scenario_reading
