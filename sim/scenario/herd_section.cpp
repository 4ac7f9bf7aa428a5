#include "scenario/loader_impl.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "scenario/topology.hpp"

namespace herd::sim::scenario_reading {

HerdShape::HerdShape(const HerdConfig& config, std::string source, bool generated_names)
    : generated(generated_names), summary(std::move(source) + ", " + std::to_string(config.servers.size()) + " nodes") {
    for (const auto& server : config.servers) {
        index.emplace(server.name, static_cast<int>(names.size()));
        names.push_back(server.name);
    }
    // Hashed, and a sorted vector: a full 1000-node herd has half a million links to look up.
    std::unordered_map<std::string_view, int> position(index.begin(), index.end());
    links.reserve(config.links.size());
    for (const auto& [a, b] : config.links) links.push_back(std::minmax(position.at(a), position.at(b)));
    std::sort(links.begin(), links.end());
}

bool HerdShape::adjacent(int a, int b) const {
    const std::pair<int, int> link = std::minmax(a, b);
    return std::binary_search(links.begin(), links.end(), link);
}

std::string HerdShape::expected_names() const {
    if (generated) return names.front() + " to " + names.back();
    std::vector<std::string> sorted = names;
    std::sort(sorted.begin(), sorted.end());
    if (sorted.size() > 12) sorted.resize(12), sorted.push_back("...");
    return "one of " + join(sorted);
}

std::vector<std::string> HerdShape::neighbours(int node) const {
    std::vector<std::string> out;
    for (int other = 0; other < static_cast<int>(names.size()); ++other)
        if (adjacent(node, other)) out.push_back(names[other]);
    return out;
}

// The herd is derived here once, into herd.derived: the node and link checks and the run use
// the same servers and links (a random topology's draw included).
void Loader::read_herd(const Json& doc, HerdSpec& herd, std::uint64_t seed) {
    if (!doc.contains("herd")) {
        herd.preset = "fall17";
        herd.derived = *preset("fall17");
        herd_.emplace(herd.derived, "preset fall17", false);
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
        if (auto found = preset(herd.preset)) {
            herd.derived = *found;
            herd_.emplace(herd.derived, "preset " + herd.preset, false);
        } else {
            error("herd.preset", "unknown preset " + in_quotes(herd.preset) + " (expected one of " + join(preset_names()) + ")");
        }
    } else if (read_string(*at, "config", config, Need::optional, "a herd config file name (relative to the scenario)")) {
        herd.config_file = folder_ / config;
        try {
            herd.derived = load_config_file(herd.config_file);
            herd_.emplace(herd.derived, "config " + config, false);
        } catch (const ConfigError& e) {
            error("herd.config", e.what());
        }
    } else if (at->has("topology")) {
        herd.topology = read_topology(doc["herd"]["topology"], seed);
        if (herd.topology) derive_topology(herd);
    }
    if (sources != 1) herd_.reset();  // which herd was meant is unclear: no node checks
}

// make_topology (sim/topology.hpp) refuses what the fields alone cannot show (a random graph it
// cannot draw): its reason becomes the topology's error.
void Loader::derive_topology(HerdSpec& herd) {
    const TopologySpec& t = *herd.topology;
    try {
        herd.derived = make_topology(t);
    } catch (const ConfigError& e) {
        error("herd.topology", e.what());
        return;
    }
    herd_.emplace(herd.derived, t.kind == "grid" ? "grid " + std::to_string(t.rows) + "x" + std::to_string(t.cols) : t.kind,
                  true);
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

}  // namespace herd::sim::scenario_reading
