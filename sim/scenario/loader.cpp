#include "scenario/loader.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "config/json_text.hpp"
#include "edit_distance.hpp"
#include "protocol/timestamp.hpp"
#include "scenario/limits.hpp"
#include "scenario/pattern_check.hpp"

namespace herd::sim {

std::string ScenarioError::to_string() const {
    std::string out = file + ": ";
    if (!field.empty()) out += field + ": ";
    return out + message;
}

namespace {

using Json = nlohmann::ordered_json;
namespace fs = std::filesystem;
using Keys = std::vector<std::string_view>;

// ---- text ----------------------------------------------------------------------------------

std::string shown(const Json& value) {
    std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (text.size() > 60) text = text.substr(0, 57) + "...";
    return text;
}

std::string in_quotes(std::string_view text) { return shown(Json(std::string(text))); }

std::string join(const std::vector<std::string>& items, std::string_view separator = ", ") {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : std::string(separator)) + item;
    return out;
}

std::string join(const Keys& keys) { return join(std::vector<std::string>(keys.begin(), keys.end())); }

bool has_whitespace(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char c) { return std::string_view(" \t\r\n\f\v").find(c) != std::string_view::npos; });
}

// The known key a typo most likely meant ("at_m" -> "at_ms", "delay" -> "delay_ms"), if one is
// close enough. A prefix counts as one edit: a forgotten unit suffix is the commonest slip.
std::optional<std::string_view> closest(std::string_view word, const Keys& known) {
    const std::size_t limit = word.size() <= 3 ? 1 : 2;
    std::optional<std::string_view> best;
    std::size_t best_distance = limit + 1;
    for (auto key : known) {
        const bool prefix = word.size() >= 3 && (key.starts_with(word) || word.starts_with(key));
        const std::size_t d = prefix ? 1 : edit_distance(word, key);
        if (d < best_distance) best = key, best_distance = d;
    }
    return best;
}

// "steps[3].send.node" -> 3
std::optional<std::size_t> step_of(std::string_view field) {
    constexpr std::string_view prefix = "steps[";
    if (!field.starts_with(prefix)) return std::nullopt;
    std::size_t index = 0, i = prefix.size();
    for (; i < field.size() && std::isdigit(static_cast<unsigned char>(field[i])); ++i) index = index * 10 + (field[i] - '0');
    if (i == prefix.size() || i >= field.size() || field[i] != ']') return std::nullopt;
    return index;
}

std::string at_step(std::size_t index) { return "steps[" + std::to_string(index) + "]"; }

// ---- duplicate keys -----------------------------------------------------------------------

// nlohmann keeps one of two equal keys without a word; in a scenario a duplicate is nearly always
// a mistake (two "send" in one step), so the parse callback tracks the path and reports it.
class DuplicateKeys {
public:
    bool on_event(Json::parse_event_t event, const Json& parsed) {
        switch (event) {
        case Json::parse_event_t::object_start: frames_.push_back({true}); break;
        case Json::parse_event_t::array_start: frames_.push_back({false}); break;
        case Json::parse_event_t::key: on_key(parsed.get<std::string>()); break;
        case Json::parse_event_t::value: element_done(); break;
        case Json::parse_event_t::object_end:
        case Json::parse_event_t::array_end:
            frames_.pop_back();
            element_done();
            break;
        }
        return true;
    }
    const std::vector<std::string>& found() const { return found_; }

private:
    struct Frame {
        bool object;
        std::set<std::string> keys{};
        std::string key{};
        std::size_t index = 0;
    };
    void on_key(std::string key) {
        auto& top = frames_.back();
        const bool fresh = top.keys.insert(key).second;
        top.key = std::move(key);
        if (!fresh) found_.push_back(path());
    }
    void element_done() {
        if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
    }
    std::string path() const {
        std::string out;
        for (const auto& f : frames_)
            out += f.object ? (out.empty() ? "" : ".") + f.key : "[" + std::to_string(f.index) + "]";
        return out;
    }
    std::vector<Frame> frames_;
    std::vector<std::string> found_;
};

// ---- the herd, as far as steps need it -------------------------------------------------------

struct HerdShape {
    std::vector<std::string> names;                 // herd order
    std::map<std::string, int, std::less<>> index;  // name -> position in names
    std::function<bool(int, int)> adjacent;         // empty: links are known only at run time (random)
    bool generated = false;                         // <prefix>0 .. <prefix>N-1
    std::string summary;

    void add(std::string name) {
        index.emplace(name, static_cast<int>(names.size()));
        names.push_back(std::move(name));
    }
    // For messages: "one of Alford, Ball, Hamilton, Holiday, Welsh" or "N0 to N24".
    std::string expected_names() const {
        if (generated) return names.front() + " to " + names.back();
        std::vector<std::string> sorted = names;
        std::sort(sorted.begin(), sorted.end());
        if (sorted.size() > 12) sorted.resize(12), sorted.push_back("...");
        return "one of " + join(sorted);
    }
    std::vector<std::string> neighbours(int node) const {
        std::vector<std::string> out;
        for (int other = 0; other < static_cast<int>(names.size()); ++other)
            if (adjacent(node, other)) out.push_back(names[other]);
        return out;
    }
};

HerdShape shape_of(const HerdConfig& config, std::string summary) {
    HerdShape shape;
    for (const auto& server : config.servers) shape.add(server.name);
    std::set<std::pair<int, int>> links;
    for (const auto& [a, b] : config.links) links.insert(std::minmax(shape.index.at(a), shape.index.at(b)));
    shape.adjacent = [links](int a, int b) { return links.count(std::minmax(a, b)) > 0; };
    shape.summary = std::move(summary) + ", " + std::to_string(shape.names.size()) + " nodes";
    return shape;
}

// The generator's links (sim/topology.hpp), recomputed so the loader needs no generated herd.
bool topology_adjacent(const TopologySpec& t, int a, int b) {
    const int lo = std::min(a, b), hi = std::max(a, b);
    if (lo == hi) return false;
    if (t.kind == "line") return hi - lo == 1;
    if (t.kind == "ring") return hi - lo == 1 || (lo == 0 && hi == t.nodes - 1);
    if (t.kind == "grid") return hi - lo == t.cols || (hi - lo == 1 && hi % t.cols != 0);
    if (t.kind == "tree") return (hi - 1) / t.arity == lo;
    return true;  // full
}

int topology_size(const TopologySpec& t) { return t.kind == "grid" ? t.rows * t.cols : t.nodes; }

HerdShape shape_of(const TopologySpec& t) {
    HerdShape shape;
    shape.generated = true;
    for (int i = 0; i < topology_size(t); ++i) shape.add(t.name_prefix + std::to_string(i));
    if (t.kind != "random") shape.adjacent = [t](int a, int b) { return topology_adjacent(t, a, b); };
    shape.summary = t.kind == "grid" ? "grid " + std::to_string(t.rows) + "x" + std::to_string(t.cols) : t.kind;
    shape.summary += ", " + std::to_string(shape.names.size()) + " nodes";
    return shape;
}

// ---- reading -------------------------------------------------------------------------------

enum class Need { optional, required };

struct IntRule {
    std::int64_t lo, hi;
    std::string_view expected;  // "a non-negative integer (milliseconds)"
};
constexpr IntRule kMillisRule{0, max_millis, "a non-negative integer (milliseconds)"};
constexpr IntRule kPositiveMillisRule{1, max_millis, "a positive integer (milliseconds)"};
constexpr IntRule kCountRule{0, std::numeric_limits<int>::max(), "a non-negative integer"};
constexpr std::size_t max_phase_bytes = 64;

// A phase name: also a --fail-if section in `herdsim compare`, so no ':' and no whitespace.
bool is_phase_name(std::string_view name) {
    return !name.empty() && name.size() <= max_phase_bytes && std::all_of(name.begin(), name.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '_' || c == '.';
    });
}

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
    bool read_number(const At& at, std::string_view key, double& out, const NumberRule& rule, Need need);
    bool read_true(const Json& value, const std::string& path);
    std::optional<std::string> read_file_bytes(const std::string& relative, const std::string& field);

    // Nodes and links, against the herd.
    bool check_node(const std::string& name, const std::string& field);
    bool read_node(const At& at, std::string_view key, std::string& out, Need need = Need::required);
    std::optional<LinkRef> read_link(const At& at);
    void check_link(const LinkRef& link, const std::string& path);

    // Sections.
    void read_top(const Json& doc, Scenario& scenario);
    void read_herd(const Json& doc, HerdSpec& herd, std::uint64_t seed);
    std::optional<TopologySpec> read_topology(const Json& value, std::uint64_t seed);
    void read_topology_sizes(const At& at, TopologySpec& t);
    void read_places(const Json& doc, PlacesSpec& places);
    void read_places_limits(const At& at, PlacesLimits& limits);
    std::vector<PlacesRuleSpec> read_rules(const Json& value, const std::string& path);
    std::optional<PlacesRuleSpec> read_rule(const Json& value, const std::string& path);
    void read_match(const At& at, PlacesRuleSpec& rule);
    void read_body(const At& at, PlacesRuleSpec& rule);
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

    // Timeline state, for the checks that depend on earlier steps.
    std::optional<std::pair<std::size_t, std::int64_t>> last_at_;  // step index, its at_ms
    std::map<std::string, std::size_t> down_;                     // crashed node -> the step that crashed it
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

// ---- values and keys -----------------------------------------------------------------------

std::optional<Json> Loader::parse(std::string_view text) {
    DuplicateKeys duplicates;
    try {
        Json doc = parse_json(text, [&](int, Json::parse_event_t event, Json& parsed) {
            return duplicates.on_event(event, parsed);
        });
        for (const auto& path : duplicates.found()) error(path, "duplicate key (each key may appear once per object)");
        return doc;
    } catch (const JsonTextError& e) {
        error("", e.what());
        return std::nullopt;
    }
}

bool Loader::is_object(const Json& value, const std::string& path, std::string_view expected) {
    if (value.is_object()) return true;
    error(path, "expected " + std::string(expected) + ", got " + shown(value));
    return false;
}

void Loader::known_keys(const At& at, const Keys& keys) {
    for (const auto& [key, _] : at.json.items()) {
        if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
        const auto guess = closest(key, keys);
        error(at.field(key), "unknown key" + (guess ? " (did you mean " + in_quotes(*guess) + "?)"
                                                    : " (expected one of: " + join(keys) + ")"));
    }
}

std::optional<At> Loader::open(const Json& value, const std::string& path, std::string_view expected, const Keys& keys) {
    if (!is_object(value, path, expected)) return std::nullopt;
    At at{value, path};
    known_keys(at, keys);
    return at;
}

const Json* Loader::member(const At& at, std::string_view key, Need need, std::string_view expected) {
    const auto it = at.json.find(key);
    if (it != at.json.end()) return &*it;
    if (need == Need::required) error(at.field(key), "missing; expected " + std::string(expected));
    return nullptr;
}

std::optional<std::string> Loader::string_value(const Json& value, const std::string& path, std::string_view expected) {
    if (!value.is_string()) {
        error(path, "expected " + std::string(expected) + ", got " + shown(value));
        return std::nullopt;
    }
    if (value.get_ref<const std::string&>().size() > max_string_bytes) {
        error(path, "longer than " + std::to_string(max_string_bytes) + " bytes (the most any string may hold)");
        return std::nullopt;
    }
    return value.get<std::string>();
}

// A string with a tighter bound than every string's (a name, a matcher that std::regex reads).
bool Loader::read_short(const At& at, std::string_view key, std::string& out, std::size_t max_bytes, Need need,
                        std::string_view expected) {
    std::string text;
    if (!read_string(at, key, text, need, expected)) return false;
    if (text.size() > max_bytes) {
        error(at.field(key), "expected " + std::string(expected) + " (at most " + std::to_string(max_bytes) +
                                 " bytes), got " + std::to_string(text.size()) + " bytes");
        return false;
    }
    out = std::move(text);
    return true;
}

std::optional<std::int64_t> Loader::int_value(const Json& value, const std::string& path, const IntRule& rule) {
    const std::string expected = "expected " + std::string(rule.expected);
    if (!value.is_number_integer()) {
        error(path, expected + ", got " + shown(value));
        return std::nullopt;
    }
    const bool above = value.is_number_unsigned() ? value.get<std::uint64_t>() > std::uint64_t(rule.hi)
                                                  : value.get<std::int64_t>() > rule.hi;
    if (above) {
        error(path, expected + " of at most " + std::to_string(rule.hi) + ", got " + shown(value));
        return std::nullopt;
    }
    if (value.get<std::int64_t>() < rule.lo) {
        error(path, expected + ", got " + shown(value));
        return std::nullopt;
    }
    return value.get<std::int64_t>();
}

bool Loader::read_string(const At& at, std::string_view key, std::string& out, Need need, std::string_view expected) {
    const Json* value = member(at, key, need, expected);
    if (!value) return false;
    auto text = string_value(*value, at.field(key), expected);
    if (text) out = std::move(*text);
    return text.has_value();
}

// A protocol field: non-empty, no whitespace (a client ID, a command word).
bool Loader::read_word(const At& at, std::string_view key, std::string& out, Need need, std::string_view expected,
                       std::size_t max_bytes) {
    std::string word;
    if (!read_short(at, key, word, max_bytes, need, expected)) return false;
    if (word.empty() || has_whitespace(word)) {
        error(at.field(key), "expected " + std::string(expected) + ", got " + in_quotes(word));
        return false;
    }
    out = std::move(word);
    return true;
}

template <class T>
bool Loader::read_int(const At& at, std::string_view key, T& out, const IntRule& rule, Need need) {
    const Json* value = member(at, key, need, rule.expected);
    if (!value) return false;
    const auto n = int_value(*value, at.field(key), rule);
    if (n) out = static_cast<T>(*n);
    return n.has_value();
}

bool Loader::read_millis(const At& at, std::string_view key, Millis& out, const IntRule& rule, Need need) {
    std::int64_t n = 0;
    if (!read_int(at, key, n, rule, need)) return false;
    out = Millis(n);
    return true;
}

bool Loader::read_bool(const At& at, std::string_view key, bool& out) {
    const Json* value = member(at, key, Need::optional, "true or false");
    if (!value) return false;
    if (!value->is_boolean()) {
        error(at.field(key), "expected true or false, got " + shown(*value));
        return false;
    }
    out = value->get<bool>();
    return true;
}

bool Loader::read_number(const At& at, std::string_view key, double& out, const NumberRule& rule, Need need) {
    const Json* value = member(at, key, need, rule.expected);
    if (!value) return false;
    if (!value->is_number() || value->get<double>() < rule.lo || value->get<double>() > rule.hi) {
        error(at.field(key), "expected " + std::string(rule.expected) + ", got " + shown(*value));
        return false;
    }
    out = value->get<double>();
    return true;
}

// Flags that only make sense set: {"heal_all": true}, {"expect_converged": true}.
bool Loader::read_true(const Json& value, const std::string& path) {
    if (value.is_boolean() && value.get<bool>()) return true;
    error(path, "expected true, got " + shown(value) + " (leave the step out instead)");
    return false;
}

std::optional<std::string> Loader::read_file_bytes(const std::string& relative, const std::string& field) {
    const fs::path path = folder_ / relative;
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
        error(field, "no file \"" + path.string() + "\" (paths are relative to the scenario's folder)");
        return std::nullopt;
    }
    if (fs::file_size(path, ec) > max_file_bytes) {
        error(field, "\"" + path.string() + "\" is larger than " + std::to_string(max_file_bytes) + " bytes");
        return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in) {
        error(field, "cannot read \"" + path.string() + "\"");
        return std::nullopt;
    }
    return bytes.str();
}

// ---- nodes and links -----------------------------------------------------------------------

bool Loader::check_node(const std::string& name, const std::string& field) {
    if (!herd_ || herd_->index.count(name)) return true;
    error(field, "unknown node " + in_quotes(name) + " (expected " + herd_->expected_names() + ")");
    return false;
}

bool Loader::read_node(const At& at, std::string_view key, std::string& out, Need need) {
    std::string name;
    if (!read_string(at, key, name, need, "a node name")) return false;
    if (!check_node(name, at.field(key))) return false;
    out = std::move(name);
    return true;
}

// from/to name one link (one direction of it with one_way); neither names every link.
std::optional<LinkRef> Loader::read_link(const At& at) {
    const bool from = at.has("from"), to = at.has("to");
    if (from != to) {
        error(at.field(from ? "to" : "from"), "missing; give both from and to, or neither for every link");
        return std::nullopt;
    }
    LinkRef link;
    // Both ends are read before either is judged, so both get their errors.
    const bool from_named = read_node(at, "from", link.from, Need::optional);
    const bool to_named = read_node(at, "to", link.to, Need::optional);
    const bool named = from_named && to_named;
    bool one_way = false;
    read_bool(at, "one_way", one_way);
    link.both_ways = !one_way;
    if (one_way && !from) error(at.field("one_way"), "needs from and to (every link already means both directions)");
    if (named) check_link(link, at.path);
    return link;
}

void Loader::check_link(const LinkRef& link, const std::string& path) {
    if (link.from == link.to) {
        error(path, "from and to are the same node (" + link.from + ")");
        return;
    }
    if (!herd_ || !herd_->adjacent) return;
    const int from = herd_->index.at(link.from), to = herd_->index.at(link.to);
    if (herd_->adjacent(from, to)) return;
    error(path, "no link between " + link.from + " and " + link.to + " (" + link.from + " talks with " +
                    join(herd_->neighbours(from)) + ")");
}

// ---- the top level -------------------------------------------------------------------------

LoadResult Loader::load(std::string_view text) {
    LoadResult result;
    const auto doc = parse(text);
    Scenario scenario;
    if (doc) read_top(*doc, scenario);
    if (herd_) result.herd_summary = herd_->summary;
    if (errors_.empty()) result.scenario = std::move(scenario);
    result.errors = std::move(errors_);
    return result;
}

void Loader::read_top(const Json& doc, Scenario& scenario) {
    const auto at = open(doc, "", "a JSON object at the top level",
                         {"name", "description", "seed", "herd", "places", "links", "steps"});
    if (!at) return;
    scenario.file = file_;
    scenario.name = file_.stem().string();
    if (read_short(*at, "name", scenario.name, max_name_bytes, Need::optional, "a string (the scenario's name)") &&
        scenario.name.empty())
        error("name", "expected a non-empty string (leave it out to use the file's name)");
    const std::string_view description = "a string: one sentence on what the scenario shows";
    if (read_string(*at, "description", scenario.description, Need::required, description) && scenario.description.empty())
        error("description", "expected " + std::string(description) + ", got \"\"");
    if (const Json* seed = member(*at, "seed", Need::optional, "")) {
        if (seed->is_number_unsigned()) scenario.seed = seed->get<std::uint64_t>();
        else error("seed", "expected a non-negative integer (the run's random seed), got " + shown(*seed));
    }
    read_herd(doc, scenario.herd, scenario.seed);
    read_places(doc, scenario.places);
    read_links(doc, scenario);
    read_steps(doc, scenario);
}

void Loader::read_herd(const Json& doc, HerdSpec& herd, std::uint64_t seed) {
    if (!doc.contains("herd")) {
        herd.preset = "fall17";
        herd_ = shape_of(*preset("fall17"), "preset fall17");
        return;
    }
    const auto at = open(doc["herd"], "herd", "an object with one of preset, config, topology",
                         {"preset", "config", "topology", "fixed_ports"});
    if (!at) return;
    const int sources = at->has("preset") + at->has("config") + at->has("topology");
    if (sources != 1) error("herd", "expected exactly one of preset, config, topology");
    read_bool(*at, "fixed_ports", herd.fixed_ports);
    if (herd.fixed_ports && at->has("topology"))
        error("herd.fixed_ports", "a generated topology has no fixed ports (use a preset or a config file)");

    std::string config;
    if (read_string(*at, "preset", herd.preset, Need::optional, "a preset name")) {
        if (auto found = preset(herd.preset))
            herd_ = shape_of(*found, "preset " + herd.preset);
        else
            error("herd.preset", "unknown preset " + in_quotes(herd.preset) + " (expected one of " + join(preset_names()) + ")");
    } else if (read_string(*at, "config", config, Need::optional, "a herd config file name (relative to the scenario)")) {
        herd.config_file = folder_ / config;
        try {
            herd_ = shape_of(load_config_file(herd.config_file), "config " + config);
        } catch (const ConfigError& e) {
            error("herd.config", e.what());
        }
    } else if (at->has("topology")) {
        herd.topology = read_topology(doc["herd"]["topology"], seed);
        if (herd.topology) herd_ = shape_of(*herd.topology);
    }
    if (sources != 1) herd_.reset();  // which herd was meant is unclear: no node checks
}

std::optional<TopologySpec> Loader::read_topology(const Json& value, std::uint64_t seed) {
    static const std::map<std::string, Keys> kinds = {
        {"line", {"nodes"}}, {"ring", {"nodes"}}, {"grid", {"rows", "cols"}}, {"tree", {"nodes", "arity"}},
        {"random", {"nodes", "degree", "seed"}}, {"full", {"nodes"}},
    };
    const std::string path = "herd.topology";
    if (!is_object(value, path, "an object with kind and sizes")) return std::nullopt;
    const At at{value, path};
    const std::size_t errors_before = errors_.size();
    TopologySpec t;
    t.seed = seed;
    read_string(at, "kind", t.kind, Need::required, "one of line, ring, grid, tree, random, full");
    const auto kind = kinds.find(t.kind);
    if (at.has("kind") && kind == kinds.end() && value["kind"].is_string())
        error(at.field("kind"), "expected one of line, ring, grid, tree, random, full, got " + in_quotes(t.kind));
    Keys keys = {"kind", "name_prefix"};
    if (kind != kinds.end()) keys.insert(keys.end(), kind->second.begin(), kind->second.end());
    else keys.insert(keys.end(), {"nodes", "rows", "cols", "arity", "degree", "seed"});
    known_keys(at, keys);
    read_word(at, "name_prefix", t.name_prefix, Need::optional, "a non-empty name prefix without whitespace",
              max_prefix_bytes);
    if (kind != kinds.end()) read_topology_sizes(at, t);
    if (errors_.size() != errors_before) return std::nullopt;
    return t;
}

void Loader::read_topology_sizes(const At& at, TopologySpec& t) {
    const IntRule nodes{1, max_topology_nodes, "a positive integer (how many nodes)"};
    if (t.kind == "grid") {
        const IntRule side{1, max_topology_nodes, "a positive integer"};
        // Both sides are read before either is judged, so both get their errors.
        const bool rows = read_int(at, "rows", t.rows, side, Need::required);
        const bool cols = read_int(at, "cols", t.cols, side, Need::required);
        if (rows && cols && std::int64_t(t.rows) * t.cols > max_topology_nodes)
            error(at.path, "rows x cols is " + std::to_string(std::int64_t(t.rows) * t.cols) + " nodes; at most " +
                               std::to_string(max_topology_nodes));
        return;
    }
    if (!read_int(at, "nodes", t.nodes, nodes, Need::required)) return;
    if (t.kind == "ring" && t.nodes < 3) error(at.field("nodes"), "a ring needs at least 3 nodes, got " + std::to_string(t.nodes));
    if (t.kind == "tree") read_int(at, "arity", t.arity, IntRule{1, max_topology_nodes, "a positive integer (children per node)"});
    if (t.kind != "random") return;
    if (const Json* s = member(at, "seed", Need::optional, "")) {
        if (s->is_number_unsigned()) t.seed = s->get<std::uint64_t>();
        else error(at.field("seed"), "expected a non-negative integer, got " + shown(*s));
    }
    if (!read_int(at, "degree", t.degree, IntRule{1, max_topology_nodes, "a positive integer (neighbours per node)"}) &&
        at.has("degree"))
        return;
    if (t.degree >= t.nodes)
        error(at.field("degree"), "degree " + std::to_string(t.degree) + " needs more than " + std::to_string(t.degree) +
                                      " nodes, got " + std::to_string(t.nodes));
    else if ((t.nodes * t.degree) % 2 != 0)
        error(at.path, "nodes x degree must be even (every link has two ends), got " + std::to_string(t.nodes) + " x " +
                           std::to_string(t.degree));
}

void Loader::read_places(const Json& doc, PlacesSpec& places) {
    if (!doc.contains("places")) return;
    const auto at = open(doc["places"], "places", "an object with api, timeout_ms, rules and the Places limits",
                         {"api", "timeout_ms", "rate_per_second", "burst", "max_in_flight", "cache_ttl_ms", "cache_entries",
                          "cache_bytes", "rules"});
    if (!at) return;
    std::string api;
    if (read_string(*at, "api", api, Need::optional, "\"legacy\" or \"new\"")) {
        if (auto parsed = places_api_from_string(api)) places.api = *parsed;
        else error("places.api", "expected \"legacy\" or \"new\", got " + in_quotes(api));
    }
    read_millis(*at, "timeout_ms", places.timeout, kPositiveMillisRule);
    read_places_limits(*at, places.limits);
    if (at->has("rules")) places.rules = read_rules(doc["places"]["rules"], "places.rules");
}

// The same keys and bounds as a herd config's "places" (serve reads them there).
void Loader::read_places_limits(const At& at, PlacesLimits& limits) {
    constexpr std::int64_t most = max_places_count;
    read_int(at, "rate_per_second", limits.rate_per_second, IntRule{0, most, "an integer from 0 to 1000000 (0: no rate limit)"});
    read_int(at, "burst", limits.burst, IntRule{1, most, "an integer from 1 to 1000000"});
    read_int(at, "max_in_flight", limits.max_in_flight, IntRule{0, most, "an integer from 0 to 1000000 (0: no bound)"});
    read_millis(at, "cache_ttl_ms", limits.cache_ttl,
                IntRule{0, max_places_cache_ttl.count(), "an integer from 0 to 86400000 (milliseconds, 0: no cache)"});
    read_int(at, "cache_entries", limits.cache_entries, IntRule{0, most, "an integer from 0 to 1000000 (0: no cache)"});
    read_int(at, "cache_bytes", limits.cache_bytes,
             IntRule{0, std::int64_t{max_places_cache_bytes}, "an integer from 0 to 1073741824 (0: no cache)"});
}

std::vector<PlacesRuleSpec> Loader::read_rules(const Json& value, const std::string& path) {
    std::vector<PlacesRuleSpec> rules;
    if (!value.is_array()) {
        error(path, "expected an array of rules, got " + shown(value));
        return rules;
    }
    for (std::size_t i = 0; i < value.size(); ++i)
        if (auto rule = read_rule(value[i], path + "[" + std::to_string(i) + "]")) rules.push_back(std::move(*rule));
    return rules;
}

std::optional<PlacesRuleSpec> Loader::read_rule(const Json& value, const std::string& path) {
    const auto at = open(value, path, "a rule object",
                         {"match", "status", "body", "body_text", "body_file", "delay_ms", "fail_first", "malformed",
                          "never_answer", "close_without_answer"});
    if (!at) return std::nullopt;
    PlacesRuleSpec rule;
    read_match(*at, rule);
    read_int(*at, "status", rule.status, IntRule{100, 599, "an HTTP status code from 100 to 599"});
    read_body(*at, rule);
    read_millis(*at, "delay_ms", rule.delay);
    read_int(*at, "fail_first", rule.fail_first, kCountRule);
    read_bool(*at, "malformed", rule.malformed);
    read_bool(*at, "never_answer", rule.never_answer);
    read_bool(*at, "close_without_answer", rule.close_without_answer);
    if (rule.never_answer && rule.close_without_answer)
        error(path, "never_answer and close_without_answer contradict each other: set one");
    return rule;
}

void Loader::read_match(const At& rule, PlacesRuleSpec& out) {
    if (!rule.has("match")) return;
    const auto at = open(rule.json["match"], rule.field("match"), "an object with api, location, radius",
                         {"api", "location", "radius"});
    if (!at) return;
    std::string text;
    if (read_string(*at, "api", text, Need::optional, "\"legacy\" or \"new\"")) {
        if (text == "legacy" || text == "new") out.api = text;
        else error(at->field("api"), "expected \"legacy\" or \"new\", got " + in_quotes(text));
    }
    static const std::regex location(R"([-+]?[0-9]+(\.[0-9]+)?,[-+]?[0-9]+(\.[0-9]+)?)");
    const std::string_view location_expected = "\"lat,lng\" as the request carries it (\"34.068930,-118.445127\")";
    // Bounded before std::regex_match, which recurses once per character.
    if (read_short(*at, "location", text, max_location_bytes, Need::optional, location_expected)) {
        if (std::regex_match(text, location)) out.location = text;
        else error(at->field("location"), "expected " + std::string(location_expected) + ", got " + in_quotes(text));
    }
    // Radius in metres, as text ("10000", "2500", "0.5") or a whole number.
    static const std::regex metres(R"([0-9]+(\.[0-9]+)?)");
    if (const Json* radius = member(*at, "radius", Need::optional, "")) {
        if (radius->is_number_unsigned()) out.radius = std::to_string(radius->get<std::uint64_t>());
        else if (radius->is_string() && radius->get_ref<const std::string&>().size() <= max_location_bytes &&
                 std::regex_match(radius->get<std::string>(), metres))
            out.radius = radius->get<std::string>();
        else
            error(at->field("radius"), "expected metres as a whole number or text of at most " +
                                           std::to_string(max_location_bytes) + " bytes (10000, \"2500\", \"0.5\"), got " +
                                           shown(*radius));
    }
}

void Loader::read_body(const At& at, PlacesRuleSpec& rule) {
    const int given = at.has("body") + at.has("body_text") + at.has("body_file");
    if (given > 1) error(at.path, "give at most one of body, body_text, body_file");
    if (at.has("body")) {
        rule.body = at.json["body"].dump();  // any JSON value, key order kept
        rule.has_body = true;
    }
    if (read_string(at, "body_text", rule.body, Need::optional, "a string (sent verbatim, need not be JSON)"))
        rule.has_body = true;
    std::string file;
    if (read_string(at, "body_file", file, Need::optional, "a file name (relative to the scenario)")) {
        if (auto bytes = read_file_bytes(file, at.field("body_file"))) rule.body = std::move(*bytes), rule.has_body = true;
    }
}

void Loader::read_links(const Json& doc, Scenario& scenario) {
    if (!doc.contains("links")) return;
    const auto at = open(doc["links"], "links", "an object with delay_ms, jitter_ms", {"delay_ms", "jitter_ms"});
    if (!at) return;
    read_millis(*at, "delay_ms", scenario.default_delay);
    read_millis(*at, "jitter_ms", scenario.default_jitter);
}

// ---- steps ---------------------------------------------------------------------------------

const std::vector<Loader::ActionKind>& Loader::action_kinds() {
    static const std::vector<ActionKind> kinds = {
        {"send", &Loader::read_send},
        {"crash", &Loader::read_crash},
        {"restart", &Loader::read_restart},
        {"cut", &Loader::read_cut},
        {"heal", &Loader::read_heal},
        {"partition", &Loader::read_partition},
        {"heal_all", &Loader::read_heal_all},
        {"delay", &Loader::read_delay},
        {"drop", &Loader::read_drop},
        {"reset_after", &Loader::read_reset_after},
        {"stall", &Loader::read_stall},
        {"unstall", &Loader::read_unstall},
        {"places", &Loader::read_places_step},
        {"wait_ms", &Loader::read_wait},
        {"wait_quiet", &Loader::read_wait_quiet},
        {"expect_knows", &Loader::read_expect_knows},
        {"expect_unknown", &Loader::read_expect_unknown},
        {"expect_converged", &Loader::read_expect_converged},
        {"expect_latency", &Loader::read_expect_latency},
        {"expect_messages", &Loader::read_expect_messages},
        {"expect_lost", &Loader::read_expect_lost},
        {"expect_recovery", &Loader::read_expect_recovery},
        {"phase", &Loader::read_phase},
        {"workload", &Loader::read_workload},
    };
    return kinds;
}

Keys Loader::step_keys() {
    Keys keys = {"at_ms", "after_ms", "note"};
    for (const auto& kind : action_kinds()) keys.push_back(kind.key);
    return keys;
}

void Loader::read_steps(const Json& doc, Scenario& scenario) {
    const std::string_view expected = "an array of steps";
    const Json* steps = member(At{doc, ""}, "steps", Need::required, expected);
    if (!steps) return;
    if (!steps->is_array() || steps->empty()) {
        error("steps", "expected " + std::string(expected) + " (at least one), got " + shown(*steps));
        return;
    }
    for (std::size_t i = 0; i < steps->size(); ++i)
        if (auto step = read_step((*steps)[i], i)) scenario.steps.push_back(std::move(*step));
}

std::optional<Step> Loader::read_step(const Json& value, std::size_t index) {
    const std::string path = at_step(index);
    if (!is_object(value, path, "an object with one action (send, crash, wait_ms, ...)")) return std::nullopt;
    const At at{value, path};
    Step step;
    step.index = index;
    read_timing(at, step);
    read_string(at, "note", step.note);

    const auto& kinds = action_kinds();
    std::vector<const ActionKind*> actions;
    std::vector<std::string> action_names;
    for (const auto& item : value.items()) {
        const std::string& key = item.key();  // a name, not a structured binding: clang 14 cannot capture those
        const auto kind = std::find_if(kinds.begin(), kinds.end(), [&](const ActionKind& k) { return k.key == key; });
        if (kind != kinds.end()) actions.push_back(&*kind), action_names.push_back(in_quotes(key));
    }
    known_keys(at, step_keys());
    if (actions.empty()) {
        Keys names;
        for (const auto& k : kinds) names.push_back(k.key);
        error(path, "no action; expected one of: " + join(names));
    }
    if (actions.size() > 1) error(path, "more than one action (" + join(action_names) + "): give each its own step");
    if (actions.size() != 1) return std::nullopt;

    auto action = (this->*actions[0]->read)(value[std::string(actions[0]->key)], at.field(actions[0]->key), index);
    if (!action) return std::nullopt;
    step.action = std::move(*action);
    track_faults(step);
    return step;
}

// Which steps begin a fault window and whether one has ended yet, as the runner will see them
// (RunContext::open_fault and close_fault), for expect_recovery's checks.
void Loader::track_faults(const Step& step) {
    const auto& a = step.action;
    const auto* delay = std::get_if<DelayStep>(&a);
    const auto* stall = std::get_if<StallStep>(&a);
    if (std::holds_alternative<CrashStep>(a) || std::holds_alternative<CutStep>(a) ||
        std::holds_alternative<PartitionStep>(a) || std::holds_alternative<DropStep>(a) || (stall && stall->stalled) ||
        (delay && (delay->delay.count() > 0 || delay->jitter.count() > 0)))
        fault_starts_.insert(step.index);
    if (std::holds_alternative<RestartStep>(a) || std::holds_alternative<HealStep>(a) ||
        std::holds_alternative<HealAllStep>(a) || (stall && !stall->stalled) || delay)
        fault_ended_ = true;
}

void Loader::read_timing(const At& at, Step& step) {
    if (at.has("at_ms") && at.has("after_ms")) error(at.path, "give at_ms or after_ms, not both");
    read_millis(at, "after_ms", step.after);
    Millis at_ms{0};
    if (!read_millis(at, "at_ms", at_ms)) return;
    step.at = at_ms;
    if (last_at_ && at_ms.count() < last_at_->second) {
        error(at.field("at_ms"), std::to_string(at_ms.count()) + " is before " + at_step(last_at_->first) + ".at_ms (" +
                                     std::to_string(last_at_->second) + "); at_ms counts from the start and never goes back");
        return;
    }
    last_at_ = {step.index, at_ms.count()};
}

std::optional<StepAction> Loader::read_send(const Json& v, const std::string& path, std::size_t step) {
    const auto at = open(v, path, "an object with node and line",
                         {"node", "line", "connection", "newline", "half_close", "expect", "expect_pattern",
                          "expect_no_reply", "reply_timeout_ms", "wait_reply"});
    if (!at) return std::nullopt;
    SendStep send;
    read_node(*at, "node", send.node);
    read_string(*at, "line", send.line, Need::required, "a string (the line to send, without its newline)");
    read_string(*at, "connection", send.connection, Need::optional, "a string (a name to reuse the connection by)");
    read_bool(*at, "newline", send.newline);
    read_bool(*at, "half_close", send.half_close);
    read_reply_expectation(*at, send);
    read_millis(*at, "reply_timeout_ms", send.reply_timeout, kPositiveMillisRule);
    read_bool(*at, "wait_reply", send.wait_reply);
    track_connection(send, path, step);
    return send;
}

void Loader::read_reply_expectation(const At& at, SendStep& send) {
    if (at.has("expect") + at.has("expect_pattern") + at.has("expect_no_reply") > 1)
        error(at.path, "give at most one of expect, expect_pattern, expect_no_reply");
    std::string text;
    if (read_string(at, "expect", text, Need::optional, "a string (the exact reply, without its final newline)"))
        send.expect_reply = text;
    if (read_string(at, "expect_pattern", text, Need::optional, "a string (an ECMAScript regex)")) {
        if (auto problem = pattern_problem(text)) error(at.field("expect_pattern"), *problem + ": " + in_quotes(text));
        else send.expect_pattern = text;
    }
    read_bool(at, "expect_no_reply", send.expect_no_reply);
}

// A named connection belongs to one node; once half-closed, nothing more can go out on it.
void Loader::track_connection(const SendStep& send, const std::string& path, std::size_t step) {
    if (send.connection.empty() || send.node.empty()) return;
    const std::string field = path + ".connection";
    if (send.connection.size() > max_word_bytes) {
        error(field, "expected a connection name of at most " + std::to_string(max_word_bytes) + " bytes, got " +
                         std::to_string(send.connection.size()) + " bytes");
        return;
    }
    auto [it, fresh] = connections_.try_emplace(send.connection, Connection{send.node, step, std::nullopt});
    if (!fresh && it->second.node != send.node)
        error(field, in_quotes(send.connection) + " is a connection to " + it->second.node + " (opened at " +
                         at_step(it->second.opened) + "); name another connection for " + send.node);
    else if (!fresh && it->second.half_closed)
        error(field, in_quotes(send.connection) + " was half-closed at " + at_step(*it->second.half_closed) +
                         "; nothing more can be sent on it");
    if (send.half_close) it->second.half_closed = step;
}

std::optional<StepAction> Loader::read_crash(const Json& v, const std::string& path, std::size_t step) {
    auto name = string_value(v, path, "a node name");
    if (!name || !check_node(*name, path)) return std::nullopt;
    if (auto down = down_.find(*name); down != down_.end())
        error(path, *name + " is already down (crashed at " + at_step(down->second) + ")");
    down_[*name] = step;
    return CrashStep{*name};
}

std::optional<StepAction> Loader::read_restart(const Json& v, const std::string& path, std::size_t) {
    auto name = string_value(v, path, "a node name");
    if (!name || !check_node(*name, path)) return std::nullopt;
    if (!down_.erase(*name)) error(path, *name + " is not down (a restart follows a crash of the same node)");
    return RestartStep{*name};
}

// Opens a link fault's object (from, to, one_way plus its own keys) and reads the link.
std::optional<FaultLink> Loader::read_fault_link(const Json& v, const std::string& path, std::string_view what,
                                                 const Keys& extra_keys) {
    Keys keys = {"from", "to", "one_way"};
    keys.insert(keys.end(), extra_keys.begin(), extra_keys.end());
    auto at = open(v, path, what, keys);
    if (!at) return std::nullopt;
    return FaultLink{*at, read_link(*at)};
}

constexpr std::string_view kLinkObject = "an object with from and to (or {} for every link)";

std::optional<StepAction> Loader::read_cut(const Json& v, const std::string& path, std::size_t) {
    auto fault = read_fault_link(v, path, kLinkObject, {});
    if (!fault || !fault->link) return std::nullopt;
    return CutStep{*fault->link};
}

std::optional<StepAction> Loader::read_heal(const Json& v, const std::string& path, std::size_t) {
    auto fault = read_fault_link(v, path, kLinkObject, {});
    if (!fault || !fault->link) return std::nullopt;
    return HealStep{*fault->link};
}

std::optional<StepAction> Loader::read_stall(const Json& v, const std::string& path, std::size_t) {
    auto fault = read_fault_link(v, path, kLinkObject, {});
    if (!fault || !fault->link) return std::nullopt;
    return StallStep{*fault->link, true};
}

std::optional<StepAction> Loader::read_unstall(const Json& v, const std::string& path, std::size_t) {
    auto fault = read_fault_link(v, path, kLinkObject, {});
    if (!fault || !fault->link) return std::nullopt;
    return StallStep{*fault->link, false};
}

std::optional<StepAction> Loader::read_delay(const Json& v, const std::string& path, std::size_t) {
    auto fault = read_fault_link(v, path, "an object with delay_ms (and from, to, jitter_ms)", {"delay_ms", "jitter_ms"});
    if (!fault) return std::nullopt;
    DelayStep delay;
    read_millis(fault->at, "delay_ms", delay.delay, kMillisRule, Need::required);
    read_millis(fault->at, "jitter_ms", delay.jitter);
    if (!fault->link) return std::nullopt;
    delay.link = *fault->link;
    return delay;
}

std::optional<StepAction> Loader::read_drop(const Json& v, const std::string& path, std::size_t) {
    auto fault = read_fault_link(v, path, "an object (from, to, command, client, first)", {"command", "client", "first"});
    if (!fault) return std::nullopt;
    DropStep drop;
    read_word(fault->at, "command", drop.command, Need::optional, "a command word without whitespace (\"AT\")");
    read_word(fault->at, "client", drop.client, Need::optional, "a client ID without whitespace");
    read_int(fault->at, "first", drop.first, IntRule{0, kCountRule.hi, "a non-negative integer (leave it out to drop every match)"});
    if (!fault->link) return std::nullopt;
    drop.link = *fault->link;
    return drop;
}

std::optional<StepAction> Loader::read_reset_after(const Json& v, const std::string& path, std::size_t) {
    auto fault = read_fault_link(v, path, "an object with bytes (and from, to)", {"bytes"});
    if (!fault) return std::nullopt;
    ResetAfterStep reset;
    read_int(fault->at, "bytes", reset.bytes,
             IntRule{0, std::numeric_limits<std::int64_t>::max(), "a non-negative integer (bytes)"}, Need::required);
    if (!fault->link) return std::nullopt;
    reset.link = *fault->link;
    return reset;
}

std::optional<StepAction> Loader::read_partition(const Json& v, const std::string& path, std::size_t) {
    if (!v.is_array() || v.size() < 2) {
        error(path, "expected an array of at least two groups of node names, got " + shown(v));
        return std::nullopt;
    }
    PartitionStep partition;
    std::map<std::string, std::size_t> group_of;
    for (std::size_t g = 0; g < v.size(); ++g) {
        const std::string group_path = path + "[" + std::to_string(g) + "]";
        if (!v[g].is_array() || v[g].empty()) {
            error(group_path, "expected a non-empty array of node names, got " + shown(v[g]));
            continue;
        }
        auto& names = partition.groups.emplace_back();
        for (std::size_t n = 0; n < v[g].size(); ++n) {
            const std::string name_path = group_path + "[" + std::to_string(n) + "]";
            auto name = string_value(v[g][n], name_path, "a node name");
            if (!name || !check_node(*name, name_path)) continue;
            if (auto [it, fresh] = group_of.emplace(*name, g); !fresh)
                error(name_path, *name + " is already in " + path + "[" + std::to_string(it->second) + "]");
            names.push_back(*name);
        }
    }
    return partition;
}

std::optional<StepAction> Loader::read_heal_all(const Json& v, const std::string& path, std::size_t) {
    if (!read_true(v, path)) return std::nullopt;
    return HealAllStep{};
}

std::optional<StepAction> Loader::read_places_step(const Json& v, const std::string& path, std::size_t) {
    return PlacesStep{read_rules(v, path)};
}

std::optional<StepAction> Loader::read_wait(const Json& v, const std::string& path, std::size_t) {
    const auto ms = int_value(v, path, kMillisRule);
    if (!ms) return std::nullopt;
    return WaitStep{Millis(*ms)};
}

std::optional<StepAction> Loader::read_wait_quiet(const Json& v, const std::string& path, std::size_t) {
    const auto at = open(v, path, "an object (quiet_ms, timeout_ms; {} for the defaults)", {"quiet_ms", "timeout_ms"});
    if (!at) return std::nullopt;
    WaitQuietStep wait;
    read_millis(*at, "quiet_ms", wait.quiet, kPositiveMillisRule);
    read_millis(*at, "timeout_ms", wait.timeout, kPositiveMillisRule);
    if (wait.quiet > wait.timeout)
        error(path, "quiet_ms (" + std::to_string(wait.quiet.count()) + ") is longer than timeout_ms (" +
                        std::to_string(wait.timeout.count()) + "): the wait could never succeed");
    return wait;
}

std::optional<StepAction> Loader::read_expect_knows(const Json& v, const std::string& path, std::size_t) {
    const auto at = open(v, path, "an object with node and client (and time)", {"node", "client", "time"});
    if (!at) return std::nullopt;
    ExpectKnowsStep knows;
    read_node(*at, "node", knows.node);
    read_word(*at, "client", knows.client, Need::required, "a client ID without whitespace");
    std::string time;
    const std::string_view expected = "a POSIX time as text (\"1520023934.918963997\")";
    if (read_string(*at, "time", time, Need::optional, expected)) {
        if (parse_posix_time(time)) knows.time = time;
        else error(at->field("time"), "expected " + std::string(expected) + ", got " + in_quotes(time));
    }
    return knows;
}

std::optional<StepAction> Loader::read_expect_unknown(const Json& v, const std::string& path, std::size_t) {
    const auto at = open(v, path, "an object with node and client", {"node", "client"});
    if (!at) return std::nullopt;
    ExpectKnowsStep unknown;
    unknown.knows = false;
    read_node(*at, "node", unknown.node);
    read_word(*at, "client", unknown.client, Need::required, "a client ID without whitespace");
    return unknown;
}

std::optional<StepAction> Loader::read_expect_converged(const Json& v, const std::string& path, std::size_t) {
    if (!read_true(v, path)) return std::nullopt;
    return ExpectConvergedStep{};
}

// A latency bound: milliseconds with a fraction (loopback floods take tenths of one).
bool Loader::read_gate_ms(const At& at, std::string_view key, std::optional<double>& out) {
    double ms = 0;
    const NumberRule rule{0, static_cast<double>(max_millis),
                          "a number of milliseconds from 0 to 86400000 (fractions allowed: 0.25)"};
    if (!read_number(at, key, ms, rule, Need::optional)) return false;
    out = ms;
    return true;
}

// "phase": a phase begun by an earlier step (a gate judges what was born so far).
void Loader::read_phase_ref(const At& at, std::string& out) {
    std::string name;
    if (!read_string(at, "phase", name, Need::optional, "a phase name")) return;
    if (phases_.count(name)) {
        out = std::move(name);
        return;
    }
    std::vector<std::string> known;
    for (const auto& [phase, _] : phases_) known.push_back(phase);
    error(at.field("phase"), "unknown phase " + in_quotes(name) +
                                 (known.empty() ? std::string(" (no phase step comes before this one)")
                                                : " (phases begun before this step: " + join(known) + ")"));
}

std::optional<StepAction> Loader::read_expect_latency(const Json& v, const std::string& path, std::size_t) {
    const auto at = open(v, path, "an object with p50_ms, p95_ms, p99_ms and/or max_ms (and phase)",
                         {"p50_ms", "p95_ms", "p99_ms", "max_ms", "phase"});
    if (!at) return std::nullopt;
    ExpectLatencyStep latency;
    read_gate_ms(*at, "p50_ms", latency.p50);
    read_gate_ms(*at, "p95_ms", latency.p95);
    read_gate_ms(*at, "p99_ms", latency.p99);
    read_gate_ms(*at, "max_ms", latency.max);
    read_phase_ref(*at, latency.phase);
    if (!at->has("p50_ms") && !at->has("p95_ms") && !at->has("p99_ms") && !at->has("max_ms"))
        error(path, "give at least one of p50_ms, p95_ms, p99_ms, max_ms");
    return latency;
}

std::optional<StepAction> Loader::read_expect_messages(const Json& v, const std::string& path, std::size_t) {
    const auto at = open(v, path, "an object with max_per_update or exact (and phase)", {"max_per_update", "exact", "phase"});
    if (!at) return std::nullopt;
    if (at->has("max_per_update") == at->has("exact")) error(path, "give exactly one of max_per_update, exact");
    ExpectMessagesStep messages;
    read_phase_ref(*at, messages.phase);
    double max = 0;
    const NumberRule non_negative{0, std::numeric_limits<double>::max(), "a non-negative number"};
    if (read_number(*at, "max_per_update", max, non_negative, Need::optional)) messages.max_per_update = max;
    std::string exact;
    if (read_string(*at, "exact", exact, Need::optional, "\"2E-(N-1)\"")) {
        if (exact == "2E-(N-1)") messages.exact_2e_minus_n_minus_1 = true;
        else error(at->field("exact"), "expected \"2E-(N-1)\" (the only formula so far), got " + in_quotes(exact));
    }
    return messages;
}

std::optional<StepAction> Loader::read_expect_lost(const Json& v, const std::string& path, std::size_t) {
    const auto at = open(v, path, "an object with max (and phase or required)", {"max", "phase", "required"});
    if (!at) return std::nullopt;
    ExpectLostStep lost;
    read_int(*at, "max", lost.max_lost, IntRule{0, kCountRule.hi, "a non-negative integer (updates)"});
    read_phase_ref(*at, lost.phase);
    std::string required;
    if (read_string(*at, "required", required, Need::optional, "\"at_birth\" or \"now\"")) {
        if (required == "now") lost.required = LostRequired::now;
        else if (required != "at_birth")
            error(at->field("required"), "expected \"at_birth\" or \"now\", got " + in_quotes(required));
    }
    if (lost.required == LostRequired::now && !lost.phase.empty())
        error(at->field("required"), "\"now\" judges what the nodes hold at the step, whenever an update was born: it "
                                     "takes no phase");
    return lost;
}

std::optional<StepAction> Loader::read_expect_recovery(const Json& v, const std::string& path, std::size_t) {
    const auto at = open(v, path, "an object with max_ms (and fault)", {"max_ms", "fault"});
    if (!at) return std::nullopt;
    ExpectRecoveryStep recovery;
    std::optional<double> max;
    if (read_gate_ms(*at, "max_ms", max)) recovery.max_ms = *max;
    else if (!at->has("max_ms")) error(at->field("max_ms"), "missing; expected a number of milliseconds");
    std::string fault;
    const std::string_view expected = "\"steps[N]\", the step that began the fault";
    if (read_string(*at, "fault", fault, Need::optional, expected)) {
        std::size_t index = 0;
        const auto digits = fault.size() > 7 && fault.rfind("steps[", 0) == 0 && fault.back() == ']'
                                ? std::string_view(fault).substr(6, fault.size() - 7)
                                : std::string_view();
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
        if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size())
            error(at->field("fault"), "expected " + std::string(expected) + ", got " + in_quotes(fault));
        else if (!fault_starts_.count(index))
            error(at->field("fault"), in_quotes(fault) + " is not an earlier step that begins a fault (crash, cut, " +
                                          "partition, drop, stall, delay)");
        else
            recovery.fault = index;
    } else if (!at->has("fault") && !fault_ended_) {
        error(path, "no earlier step ends a fault (restart, heal, heal_all, unstall, delay): nothing can recover");
    }
    return recovery;
}

std::optional<StepAction> Loader::read_phase(const Json& v, const std::string& path, std::size_t step) {
    const auto name = string_value(v, path, "a phase name");
    if (!name) return std::nullopt;
    if (!is_phase_name(*name)) {
        error(path, "expected a phase name (letters, digits, '-', '_', '.'; 1 to 64 bytes), got " + in_quotes(*name));
        return std::nullopt;
    }
    if (const auto it = phases_.find(*name); it != phases_.end()) {
        error(path, "phase " + in_quotes(*name) + " already begins at " + at_step(it->second) + " (names are unique)");
        return std::nullopt;
    }
    phases_.emplace(*name, step);
    return PhaseStep{*name};
}

std::optional<StepAction> Loader::read_workload(const Json& v, const std::string& path, std::size_t) {
    const auto at = open(v, path, "an object with updates and rate_per_s", {"updates", "rate_per_s", "clients", "nodes"});
    if (!at) return std::nullopt;
    WorkloadStep workload;
    read_int(*at, "updates", workload.updates, IntRule{1, 10'000'000, "a positive integer (how many IAMATs)"}, Need::required);
    const NumberRule rate{min_rate_per_s, max_rate_per_s, "a number greater than 0 (reports per second, from 0.001 to 1000000)"};
    read_number(*at, "rate_per_s", workload.rate, rate, Need::required);
    read_int(*at, "clients", workload.clients, IntRule{1, 1'000'000, "a positive integer (how many client IDs)"});
    if (const Json* nodes = member(*at, "nodes", Need::optional, "")) {
        if (!nodes->is_array()) error(at->field("nodes"), "expected an array of node names, got " + shown(*nodes));
        for (std::size_t i = 0; nodes->is_array() && i < nodes->size(); ++i) {
            const std::string field = at->field("nodes") + "[" + std::to_string(i) + "]";
            if (auto name = string_value((*nodes)[i], field, "a node name"); name && check_node(*name, field))
                workload.nodes.push_back(*name);
        }
    }
    return workload;
}

std::optional<std::string> read_text_file(const fs::path& file, std::vector<ScenarioError>& errors) {
    std::error_code ec;
    // Reading /dev/zero or a FIFO would never end, or never start.
    if (fs::exists(file, ec) && !fs::is_regular_file(file, ec)) {
        errors.push_back({file.string(), std::nullopt, "", "not a regular file"});
        return std::nullopt;
    }
    const auto size = fs::file_size(file, ec);
    if (!ec && size > max_file_bytes) {
        errors.push_back({file.string(), std::nullopt, "", "larger than " + std::to_string(max_file_bytes) + " bytes"});
        return std::nullopt;
    }
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    if (in) text << in.rdbuf();
    if (!in || ec) {
        errors.push_back({file.string(), std::nullopt, "", "cannot read the file"});
        return std::nullopt;
    }
    return text.str();
}

}  // namespace

LoadResult load_scenario(const std::filesystem::path& file) {
    LoadResult result;
    const auto text = read_text_file(file, result.errors);
    if (!text) return result;
    // The loader reports bad input as errors and never throws for it (the fuzzer holds it to that);
    // this keeps even a loader bug or an exhausted memory to this one file, so a folder's other
    // files are still checked.
    try {
        return parse_scenario(*text, file);
    } catch (const std::exception& e) {
        result.errors.push_back({file.string(), std::nullopt, "", std::string("cannot be loaded: ") + e.what()});
        return result;
    }
}

LoadResult parse_scenario(std::string_view json_text, const std::filesystem::path& file_for_messages) {
    return Loader(file_for_messages).load(json_text);
}

std::vector<std::filesystem::path> scenario_files(const std::vector<std::string>& arguments,
                                                  std::vector<std::string>& errors) {
    namespace fs = std::filesystem;
    std::vector<fs::path> files;
    for (const auto& argument : arguments) {
        std::error_code ec;
        if (fs::is_directory(argument, ec)) {
            std::vector<fs::path> found;
            for (const auto& entry : fs::directory_iterator(argument, ec))
                if (entry.is_regular_file(ec) && entry.path().extension() == ".json") found.push_back(entry.path());
            std::sort(found.begin(), found.end());
            if (found.empty()) errors.push_back(argument + ": no *.json scenario files in this folder");
            files.insert(files.end(), found.begin(), found.end());
        } else if (fs::exists(argument, ec)) {
            files.emplace_back(argument);
        } else {
            errors.push_back(argument + ": no such file or folder");
        }
    }
    return files;
}

}  // namespace herd::sim
