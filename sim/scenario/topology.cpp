#include "scenario/topology.hpp"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace herd::sim {

namespace {

using Edge = std::pair<int, int>;  // node indices, first < second

[[noreturn]] void fail(const TopologySpec& spec, const std::string& what) {
    throw ConfigError("topology \"" + spec.kind + "\": " + what);
}

// Uniform in [0, n) by rejection on the raw engine output: std::uniform_int_distribution is
// implementation-defined, and a seed must draw the same graph on every platform.
std::uint64_t below(std::mt19937_64& rng, std::uint64_t n) {
    const std::uint64_t limit = std::mt19937_64::max() - std::mt19937_64::max() % n;
    std::uint64_t x;
    do x = rng();
    while (x >= limit);
    return x % n;
}

bool connected(int n, const std::vector<Edge>& edges) {
    std::vector<std::vector<int>> adj(n);
    for (auto [a, b] : edges) {
        adj[a].push_back(b);
        adj[b].push_back(a);
    }
    std::vector<char> seen(n, 0);
    std::vector<int> stack{0};
    seen[0] = 1;
    int count = 1;
    while (!stack.empty()) {
        const int v = stack.back();
        stack.pop_back();
        for (int w : adj[v])
            if (!seen[w]) {
                seen[w] = 1;
                ++count;
                stack.push_back(w);
            }
    }
    return count == n;
}

// Steger-Wormald pairing: join random free half-edges ("points") of distinct, not yet adjacent
// nodes one pair at a time; start over when no legal pair is left. Unlike the plain configuration
// model (which rejects the whole draw on any loop or double edge, about 97% of draws at d = 4), this
// stays fast at larger degrees.
std::optional<std::vector<Edge>> try_regular(int n, int d, std::mt19937_64& rng) {
    std::vector<int> points;
    points.reserve(static_cast<std::size_t>(n) * d);
    for (int v = 0; v < n; ++v) points.insert(points.end(), d, v);
    // An adjacency matrix, not a set of edges: a dense draw asks it millions of times.
    std::vector<char> adjacent(static_cast<std::size_t>(n) * n, 0);
    std::vector<Edge> edges;
    auto legal = [&](int a, int b) { return a != b && !adjacent[static_cast<std::size_t>(a) * n + b]; };
    auto join = [&](int a, int b) {
        adjacent[static_cast<std::size_t>(a) * n + b] = adjacent[static_cast<std::size_t>(b) * n + a] = 1;
        edges.push_back(std::minmax(a, b));
    };
    while (!points.empty()) {
        const std::uint64_t size = points.size();
        // Random tries first; when they keep failing, look exhaustively whether any legal pair is left.
        bool paired = false;
        for (int attempt = 0; attempt < 64 && !paired; ++attempt) {
            const std::uint64_t i = below(rng, size), j = below(rng, size);
            if (i == j || !legal(points[i], points[j])) continue;
            join(points[i], points[j]);
            // Remove the higher index first so the lower one stays valid.
            for (std::uint64_t k : {std::max(i, j), std::min(i, j)}) {
                points[k] = points.back();
                points.pop_back();
            }
            paired = true;
        }
        if (paired) continue;
        std::vector<std::pair<std::uint64_t, std::uint64_t>> options;
        for (std::uint64_t i = 0; i < size; ++i)
            for (std::uint64_t j = i + 1; j < size; ++j)
                if (legal(points[i], points[j])) options.emplace_back(i, j);
        if (options.empty()) return std::nullopt;
        const auto [i, j] = options[below(rng, options.size())];
        join(points[i], points[j]);
        points[j] = points.back();
        points.pop_back();
        points[i] = points.back();
        points.pop_back();
    }
    std::sort(edges.begin(), edges.end());
    return edges;
}

std::vector<Edge> random_regular(const TopologySpec& spec) {
    const int n = spec.nodes, d = spec.degree;
    if (n < 2) fail(spec, "needs at least 2 nodes, got " + std::to_string(n));
    if (d < 1) fail(spec, "degree must be at least 1, got " + std::to_string(d));
    if (d >= n)
        fail(spec, "degree " + std::to_string(d) + " needs more than " + std::to_string(d) + " nodes, got " +
                       std::to_string(n));
    if ((static_cast<long long>(n) * d) % 2 != 0)
        fail(spec, "nodes x degree must be even (" + std::to_string(n) + " x " + std::to_string(d) + " is odd)");
    if (d == 1 && n != 2) fail(spec, "a connected graph of degree 1 has exactly 2 nodes, got " + std::to_string(n));

    std::mt19937_64 rng(spec.seed);
    if (d == 2) {
        // The only connected 2-regular graph is a cycle; pairing would almost always draw several.
        std::vector<int> order(n);
        for (int i = 0; i < n; ++i) order[i] = i;
        for (int i = n - 1; i > 0; --i) std::swap(order[i], order[below(rng, i + 1)]);
        std::vector<Edge> edges;
        for (int i = 0; i < n; ++i) edges.push_back(std::minmax(order[i], order[(i + 1) % n]));
        std::sort(edges.begin(), edges.end());
        return edges;
    }
    constexpr int max_draws = 1000;
    if (2 * d > n - 1) {
        // Pairing that many points leaves few legal pairs at the end and takes minutes (degree 700 of
        // 1000 nodes); the complement of a sparse draw does not. Any graph of degree >= (n-1)/2 is
        // connected: two nodes that are not neighbours share one.
        for (int draw = 0; draw < max_draws; ++draw) {
            const auto absent = try_regular(n, n - 1 - d, rng);
            if (!absent) continue;
            std::vector<Edge> edges;
            for (int a = 0; a < n; ++a)
                for (int b = a + 1; b < n; ++b)
                    if (!std::binary_search(absent->begin(), absent->end(), Edge{a, b})) edges.emplace_back(a, b);
            return edges;
        }
    } else {
        for (int draw = 0; draw < max_draws; ++draw) {
            auto edges = try_regular(n, d, rng);
            if (edges && connected(n, *edges)) return *edges;
        }
    }
    fail(spec, "could not draw a connected " + std::to_string(d) + "-regular graph on " + std::to_string(n) +
                   " nodes in " + std::to_string(max_draws) + " tries");
}

std::vector<Edge> edges_for(const TopologySpec& spec, int& n) {
    std::vector<Edge> edges;
    const auto need_nodes = [&](int minimum) {
        if (spec.nodes < minimum)
            fail(spec, "needs at least " + std::to_string(minimum) + " node" + (minimum == 1 ? "" : "s") + ", got " +
                           std::to_string(spec.nodes));
    };
    n = spec.nodes;
    if (spec.kind == "line") {
        need_nodes(1);
        for (int i = 0; i + 1 < n; ++i) edges.emplace_back(i, i + 1);
    } else if (spec.kind == "ring") {
        need_nodes(3);  // two nodes would need the same link twice
        for (int i = 0; i + 1 < n; ++i) edges.emplace_back(i, i + 1);
        edges.emplace_back(0, n - 1);
    } else if (spec.kind == "grid") {
        if (spec.rows < 1 || spec.cols < 1)
            fail(spec, "needs at least 1 row and 1 column, got " + std::to_string(spec.rows) + "x" +
                           std::to_string(spec.cols));
        if (static_cast<long long>(spec.rows) * spec.cols > 1'000'000)
            fail(spec, std::to_string(spec.rows) + "x" + std::to_string(spec.cols) + " is more than 1000000 nodes");
        n = spec.rows * spec.cols;
        for (int r = 0; r < spec.rows; ++r)
            for (int c = 0; c < spec.cols; ++c) {
                const int i = r * spec.cols + c;
                if (c + 1 < spec.cols) edges.emplace_back(i, i + 1);
                if (r + 1 < spec.rows) edges.emplace_back(i, i + spec.cols);
            }
    } else if (spec.kind == "tree") {
        need_nodes(1);
        if (spec.arity < 1) fail(spec, "arity must be at least 1, got " + std::to_string(spec.arity));
        for (int i = 1; i < n; ++i) edges.emplace_back((i - 1) / spec.arity, i);
    } else if (spec.kind == "random") {
        edges = random_regular(spec);
    } else if (spec.kind == "full") {
        need_nodes(1);
        for (int i = 0; i < n; ++i)
            for (int j = i + 1; j < n; ++j) edges.emplace_back(i, j);
    } else {
        throw ConfigError("topology: unknown kind \"" + spec.kind + "\" (expected line, ring, grid, tree, random or full)");
    }
    return edges;
}

}  // namespace

HerdConfig make_topology(const TopologySpec& spec) {
    int n = 0;
    const auto edges = edges_for(spec, n);
    HerdConfig config;
    config.servers.reserve(n);
    for (int i = 0; i < n; ++i) config.servers.push_back({spec.name_prefix + std::to_string(i), "127.0.0.1", 0});
    // Checked before the links go in: only a name can be wrong (a prefix with whitespace), the links
    // are distinct pairs of distinct nodes by construction, and checking half a million of them
    // (a full 1000-node herd, which the loader derives to validate a scenario) takes seconds.
    validate(config, "topology \"" + spec.kind + "\"");
    config.links.reserve(edges.size());
    for (auto [a, b] : edges) config.links.emplace_back(config.servers[a].name, config.servers[b].name);
    return config;
}

std::vector<int> hop_distances(const HerdConfig& config, std::string_view origin) {
    const std::size_t n = config.servers.size();
    std::map<std::string_view, std::size_t> index;
    for (std::size_t i = 0; i < n; ++i) index.emplace(config.servers[i].name, i);
    std::vector<std::vector<std::size_t>> adj(n);
    for (const auto& [a, b] : config.links) {
        const auto ia = index.find(a), ib = index.find(b);
        if (ia == index.end() || ib == index.end()) continue;
        adj[ia->second].push_back(ib->second);
        adj[ib->second].push_back(ia->second);
    }
    std::vector<int> distance(n, -1);
    const auto start = index.find(origin);
    if (start == index.end()) return distance;
    std::deque<std::size_t> queue{start->second};
    distance[start->second] = 0;
    while (!queue.empty()) {
        const std::size_t v = queue.front();
        queue.pop_front();
        for (std::size_t w : adj[v])
            if (distance[w] < 0) {
                distance[w] = distance[v] + 1;
                queue.push_back(w);
            }
    }
    return distance;
}

}  // namespace herd::sim
