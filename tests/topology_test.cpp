// Generated herds: shapes, sizes, determinism, and precise errors for impossible sizes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "scenario/topology.hpp"

using namespace herd;
using namespace herd::sim;

namespace {

TopologySpec spec(std::string kind, int nodes) {
    TopologySpec s;
    s.kind = std::move(kind);
    s.nodes = nodes;
    return s;
}

std::map<std::string, int> degrees(const HerdConfig& c) {
    std::map<std::string, int> d;
    for (const auto& s : c.servers) d[s.name] = 0;
    for (const auto& [a, b] : c.links) ++d[a], ++d[b];
    return d;
}

bool connected(const HerdConfig& c) {
    for (int d : hop_distances(c, c.servers.front().name))
        if (d < 0) return false;
    return true;
}

}  // namespace

TEST_CASE("Nodes are named <prefix><i> on 127.0.0.1 with OS-assigned ports", "[topology]") {
    auto s = spec("line", 3);
    s.name_prefix = "S";
    const auto c = make_topology(s);
    REQUIRE(c.servers.size() == 3);
    for (int i = 0; i < 3; ++i) {
        CHECK(c.servers[i].name == "S" + std::to_string(i));
        CHECK(c.servers[i].host == "127.0.0.1");
        CHECK(c.servers[i].port == 0);
    }
    CHECK(c.links == std::vector<std::pair<std::string, std::string>>{{"S0", "S1"}, {"S1", "S2"}});
}

TEST_CASE("Edge counts and degrees of every shape", "[topology]") {
    SECTION("line: N-1") {
        const auto c = make_topology(spec("line", 10));
        CHECK(c.links.size() == 9);
        CHECK(degrees(c)["N0"] == 1);
        CHECK(degrees(c)["N5"] == 2);
        CHECK(connected(c));
    }
    SECTION("ring: N, every degree 2") {
        const auto c = make_topology(spec("ring", 10));
        CHECK(c.links.size() == 10);
        for (const auto& [n, d] : degrees(c)) CHECK(d == 2);
        CHECK(connected(c));
    }
    SECTION("grid: R(C-1) + C(R-1)") {
        TopologySpec s = spec("grid", 0);
        s.rows = 4;
        s.cols = 7;
        const auto c = make_topology(s);
        CHECK(c.servers.size() == 28);
        CHECK(c.links.size() == 4 * 6 + 7 * 3);
        const auto d = degrees(c);
        CHECK(d.at("N0") == 2);   // corner
        CHECK(d.at("N1") == 3);   // edge
        CHECK(d.at("N8") == 4);   // inside: row 1, column 1
        CHECK(connected(c));
    }
    SECTION("tree: N-1, node i's parent is (i-1)/k") {
        auto s = spec("tree", 13);
        s.arity = 3;
        const auto c = make_topology(s);
        CHECK(c.links.size() == 12);
        for (const auto& [a, b] : c.links) CHECK(a == "N" + std::to_string((std::stoi(b.substr(1)) - 1) / 3));
        CHECK(degrees(c)["N0"] == 3);
        CHECK(connected(c));
    }
    SECTION("random: N*d/2, every degree d, simple") {
        auto s = spec("random", 50);
        s.degree = 5;
        s.seed = 7;
        const auto c = make_topology(s);
        CHECK(c.links.size() == 50 * 5 / 2);
        for (const auto& [n, d] : degrees(c)) CHECK(d == 5);
        std::set<std::pair<std::string, std::string>> unique;
        for (const auto& [a, b] : c.links) {
            CHECK(a != b);
            unique.insert(std::minmax(a, b));
        }
        CHECK(unique.size() == c.links.size());
        CHECK(connected(c));
    }
    SECTION("random degree 2 is a single cycle") {
        auto s = spec("random", 30);
        s.degree = 2;
        const auto c = make_topology(s);
        CHECK(c.links.size() == 30);
        for (const auto& [n, d] : degrees(c)) CHECK(d == 2);
        CHECK(connected(c));
    }
    SECTION("random with degree N-1 is the full mesh") {
        auto s = spec("random", 6);
        s.degree = 5;
        CHECK(make_topology(s).links.size() == 15);
    }
    SECTION("full: N(N-1)/2") {
        const auto c = make_topology(spec("full", 12));
        CHECK(c.links.size() == 66);
        for (const auto& [n, d] : degrees(c)) CHECK(d == 11);
    }
}

TEST_CASE("Random graphs come from the seed alone", "[topology]") {
    auto s = spec("random", 40);
    s.degree = 4;
    s.seed = 42;
    const auto a = make_topology(s), b = make_topology(s);
    CHECK(a.links == b.links);
    s.seed = 43;
    CHECK(make_topology(s).links != a.links);
}

// A scenario names its links by the seed's draw, so the draw must not change: pinned for one seed.
TEST_CASE("A seed draws the same random graph as it always has", "[topology]") {
    auto s = spec("random", 8);
    s.degree = 3;
    s.seed = 9;
    const std::vector<std::pair<std::string, std::string>> drawn = {
        {"N0", "N1"}, {"N0", "N3"}, {"N0", "N6"}, {"N1", "N5"}, {"N1", "N6"}, {"N2", "N3"},
        {"N2", "N4"}, {"N2", "N5"}, {"N3", "N7"}, {"N4", "N5"}, {"N4", "N7"}, {"N6", "N7"}};
    CHECK(make_topology(s).links == drawn);
}

TEST_CASE("Many seeds and sizes all give connected regular graphs", "[topology]") {
    for (int n : {4, 5, 6, 7, 8, 11, 20}) {
        for (int d : {3, 4, 5, 6}) {
            if ((n * d) % 2 || d >= n) continue;
            for (std::uint64_t seed = 1; seed <= 20; ++seed) {
                auto s = spec("random", n);
                s.degree = d;
                s.seed = seed;
                const auto c = make_topology(s);
                INFO("n=" << n << " d=" << d << " seed=" << seed);
                CHECK(c.links.size() == static_cast<std::size_t>(n * d / 2));
                for (const auto& [name, deg] : degrees(c)) CHECK(deg == d);
                CHECK(connected(c));
            }
        }
    }
}

TEST_CASE("A 1000-node random degree-4 graph is quick", "[topology]") {
    auto s = spec("random", 1000);
    s.degree = 4;
    const auto start = std::chrono::steady_clock::now();
    const auto c = make_topology(s);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(c.links.size() == 2000);
    CHECK(connected(c));
    // Generous for a Debug build on a busy machine; it takes a few milliseconds.
    CHECK(elapsed < std::chrono::milliseconds(1000));

    s.degree = 10;
    CHECK(make_topology(s).links.size() == 5000);
}

// The loader draws a random topology to validate a scenario, so every legal size must be drawn, not
// only the sparse ones: pairing 700 neighbours for each of 1000 nodes ran for minutes.
TEST_CASE("Dense random graphs are drawn too: regular, connected, from the seed", "[topology]") {
    for (int d : {700, 900, 998, 999}) {
        auto s = spec("random", 1000);
        s.degree = d;
        s.seed = 5;
        INFO("degree " << d);
        const auto c = make_topology(s);
        CHECK(c.links.size() == static_cast<std::size_t>(1000 * d / 2));
        const auto counts = degrees(c);
        CHECK(std::all_of(counts.begin(), counts.end(), [&](const auto& node) { return node.second == d; }));
        CHECK(connected(c));
        if (d == 700) {
            CHECK(make_topology(s).links == c.links);
            s.seed = 6;
            CHECK(make_topology(s).links != c.links);
        }
    }
}

TEST_CASE("hop_distances is a BFS in config order", "[topology]") {
    TopologySpec s = spec("grid", 0);
    s.rows = 5;
    s.cols = 8;
    const auto c = make_topology(s);
    const auto d = hop_distances(c, "N0");
    REQUIRE(d.size() == 40);
    CHECK(d[0] == 0);
    CHECK(d[39] == 5 + 8 - 2);  // corner to corner
    CHECK(d[1 * 8 + 3] == 4);
    CHECK(hop_distances(c, "N39")[0] == 11);

    HerdConfig split;
    split.servers = {{"A"}, {"B"}, {"C"}};
    split.links = {{"A", "B"}};
    CHECK(hop_distances(split, "A") == std::vector<int>{0, 1, -1});
    CHECK(hop_distances(split, "nobody") == std::vector<int>{-1, -1, -1});
}

TEST_CASE("Impossible sizes are ConfigErrors that say what is wrong", "[topology]") {
    using Catch::Matchers::Contains;
    CHECK_THROWS_WITH(make_topology(spec("ring", 2)), Contains("at least 3 nodes"));
    CHECK_THROWS_WITH(make_topology(spec("line", 0)), Contains("at least 1 node"));
    CHECK_THROWS_WITH(make_topology(spec("full", -1)), Contains("at least 1 node"));
    CHECK_THROWS_WITH(make_topology(spec("mesh", 4)), Contains("unknown kind \"mesh\""));

    auto grid = spec("grid", 0);
    grid.cols = 3;
    CHECK_THROWS_WITH(make_topology(grid), Contains("at least 1 row and 1 column") && Contains("0x3"));

    auto tree = spec("tree", 5);
    tree.arity = 0;
    CHECK_THROWS_WITH(make_topology(tree), Contains("arity"));

    auto random = spec("random", 4);
    random.degree = 4;
    CHECK_THROWS_WITH(make_topology(random), Contains("degree 4 needs more than 4 nodes"));
    random = spec("random", 5);
    random.degree = 3;
    CHECK_THROWS_WITH(make_topology(random), Contains("must be even"));
    random = spec("random", 6);
    random.degree = 1;
    CHECK_THROWS_WITH(make_topology(random), Contains("exactly 2 nodes"));
    random.degree = 0;
    CHECK_THROWS_WITH(make_topology(random), Contains("at least 1"));
    CHECK_THROWS_AS(make_topology(random), ConfigError);
}
