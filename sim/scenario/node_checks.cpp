#include "scenario/loader_impl.hpp"

namespace herd::sim::scenario_reading {

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
    if (!herd_) return;
    const int from = herd_->index.at(link.from), to = herd_->index.at(link.to);
    if (herd_->adjacent(from, to)) return;
    error(path, "no link between " + link.from + " and " + link.to + " (" + link.from + " talks with " +
                    join(herd_->neighbours(from)) + ")");
}

}  // namespace herd::sim::scenario_reading
